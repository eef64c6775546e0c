"""The case pages: staff (under /staff/), supervisors (under /supervisor/) and the public
progress look-up (servicehall/urls.py includes each list)."""

from django.urls import path

from cases import views

staff_patterns = [
    path("windows/<int:pk>/cases/new/", views.window_application, name="case-window-application"),
    path("cases/new/", views.remote_application, name="case-remote-application"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/inbox/", views.inbox, name="case-inbox"),
    path("cases/<str:number>/", views.case_detail, name="case-detail"),
    path("cases/<str:number>/print/<str:kind>/", views.case_print, name="case-print"),
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
