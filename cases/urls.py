"""The case pages: staff (under /staff/), supervisors (under /supervisor/) and the public
progress look-up (servicehall/urls.py includes each list)."""

from django.urls import path

from cases import views

staff_patterns = [
    path("windows/<int:pk>/cases/new/", views.window_application, name="case-window-application"),
    path("windows/<int:pk>/ticket-items/<int:ticket_pk>/", views.ticket_item_record, name="case-ticket-item-record"),
    path(
        "windows/<int:pk>/ticket-items/<int:ticket_pk>/<int:record_pk>/remove/",
        views.ticket_item_remove,
        name="case-ticket-item-remove",
    ),
    path("cases/new/", views.remote_application, name="case-remote-application"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/inbox/", views.inbox, name="case-inbox"),
    path("cases/<str:number>/", views.case_detail, name="case-detail"),
    path("cases/<str:number>/print/<str:kind>/", views.case_print, name="case-print"),
    path("cases/<str:number>/notice/", views.case_notice, name="case-notice"),
    path("cases/<str:number>/<str:action>/", views.case_action, name="case-action"),
]

supervisor_patterns = [
    path("cases/", views.supervision, name="supervisor-cases"),
    path("halls/<str:code>/cases/", views.supervision_hall, name="supervisor-hall-cases"),
]

public_patterns = [
    path("cases/progress/", views.progress, name="case-progress"),
    path("cases/progress/t/<str:token>/", views.progress_token, name="case-progress-token"),
]

# Forwarding (转办, Art. 12): cases/views_forwarding.py.
from cases import views_forwarding  # noqa: E402

staff_patterns += [
    path("forwarding/", views_forwarding.inbox, name="case-forwarding-inbox"),
    path("forwarding/cases/<str:number>/", views_forwarding.forward, name="case-forward"),
    path("forwarding/<int:pk>/accept/", views_forwarding.accept, name="case-forwarding-accept"),
    path("forwarding/<int:pk>/return/", views_forwarding.send_back, name="case-forwarding-return"),
]

# 急事急办 (cases/views_urgent.py): the window's request, the chief representative's decisions,
# the supervisors' written reports.
from cases import views_urgent  # noqa: E402

staff_patterns += views_urgent.staff_patterns
public_patterns += views_urgent.public_patterns
supervisor_patterns += views_urgent.supervisor_patterns

# 一件事 bundle applications (cases/views_bundles.py): the one form, the application's page and
# its window actions, the hall's list; the supervisors' view of bundles past their bound.
from cases import views_bundles  # noqa: E402

staff_patterns += [
    path("bundle-cases/", views_bundles.bundle_case_list, name="bundle-case-list"),
    path("bundle-cases/new/", views_bundles.bundle_application, name="bundle-application"),
    path("bundle-cases/<str:number>/", views_bundles.bundle_case_detail, name="bundle-case-detail"),
    path("bundle-cases/<str:number>/print/<str:kind>/", views_bundles.bundle_case_print, name="bundle-case-print"),
    path("bundle-cases/<str:number>/notice/", views_bundles.bundle_case_notice, name="bundle-case-notice"),
    path("bundle-cases/<str:number>/<str:action>/", views_bundles.bundle_case_action, name="bundle-case-action"),
]
# The applicant's private link to an application's progress (on its notices' QR codes).
public_patterns += [
    path("cases/progress/b/<str:token>/", views_bundles.bundle_progress_token, name="bundle-case-progress-token")
]
supervisor_patterns += [path("bundles/", views_bundles.bundle_supervision, name="supervisor-bundles")]
