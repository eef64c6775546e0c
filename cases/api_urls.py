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
    # Public: the applicant follows their case (POST, so the digits stay out of URLs and logs).
    path("case-progress/", apis.ProgressLookupView.as_view(), name="case-progress-lookup"),
    path("case-progress/<str:token>/", apis.ProgressByTokenView.as_view(), name="case-progress"),
]
