"""The cases' API routes, included under /api/v1/ by servicehall/urls.py."""

from django.urls import path

from cases import apis

urlpatterns = [
    path("cases/", apis.CaseListView.as_view(), name="case-list"),
    path("cases/inbox/", apis.InboxView.as_view(), name="case-inbox"),
    path("cases/deadlines/", apis.DeadlinesView.as_view(), name="case-deadlines"),
    path("cases/item-figures/", apis.ItemFiguresView.as_view(), name="case-item-figures"),
    path("cases/<str:number>/", apis.CaseDetailView.as_view(), name="case-detail"),
    *(
        path(f"cases/<str:number>/{name}/", view.as_view(), name=f"case-{name}")
        for name, view in apis.CASE_ACTIONS.items()
    ),
    # The items handled for a queue ticket (the window's clerk records them; cases record theirs).
    path("tickets/<int:ticket_pk>/items/", apis.TicketItemsView.as_view(), name="ticket-items"),
    path("tickets/<int:ticket_pk>/items/<int:pk>/", apis.TicketItemDetailView.as_view(), name="ticket-item"),
    # Public: the applicant follows their case (POST, so the digits stay out of URLs and logs).
    path("case-progress/", apis.ProgressLookupView.as_view(), name="case-progress-lookup"),
    path("case-progress/<str:token>/", apis.ProgressByTokenView.as_view(), name="case-progress"),
]

# Forwarding (转办, Art. 12): cases/apis_forwarding.py.
from cases.apis_forwarding import urlpatterns_forwarding  # noqa: E402

urlpatterns += urlpatterns_forwarding()

# Urgent matters (急事急办, Art. 10 ¶3): cases/apis_urgent.py.
from cases.apis_urgent import urlpatterns_urgent  # noqa: E402

urlpatterns += urlpatterns_urgent()

# 一件事 bundle applications (cases/apis_bundles.py).
from cases import apis_bundles  # noqa: E402

urlpatterns += [
    path("bundle-cases/", apis_bundles.BundleCaseListView.as_view(), name="bundle-case-list"),
    path("bundle-cases/form/<int:bundle>/", apis_bundles.BundleFormView.as_view(), name="bundle-case-form"),
    path("bundle-cases/<str:number>/", apis_bundles.BundleCaseDetailView.as_view(), name="bundle-case-detail"),
    path("bundle-cases/<str:number>/accept/", apis_bundles.BundleCaseAcceptView.as_view(), name="bundle-case-accept"),
    path(
        "bundle-cases/<str:number>/corrections/",
        apis_bundles.BundleCaseCorrectionsView.as_view(),
        name="bundle-case-corrections",
    ),
    path(
        "bundle-cases/<str:number>/collect/", apis_bundles.BundleCaseCollectView.as_view(), name="bundle-case-collect"
    ),
    path("bundle-cases/<str:number>/notice/", apis_bundles.BundleCaseNoticeView.as_view(), name="bundle-case-notice"),
    path("bundle-cases/<str:number>/owed/", apis_bundles.BundleCaseOwedView.as_view(), name="bundle-case-owed"),
    # Public: the applicant's private link to a bundle application's progress.
    path(
        "bundle-case-progress/<str:token>/",
        apis_bundles.BundleProgressByTokenView.as_view(),
        name="bundle-case-progress",
    ),
]
