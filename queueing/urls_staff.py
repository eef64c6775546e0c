from django.urls import path

from queueing import views_assistance, views_console

urlpatterns = [
    path("", views_console.home, name="staff-home"),
    path("windows/<int:pk>/", views_console.panel, name="console-panel"),
    path("windows/<int:pk>/sign-in/", views_console.sign_in, name="console-sign-in"),
    path("windows/<int:pk>/sign-out/", views_console.sign_out, name="console-sign-out"),
    path("log-out/", views_console.log_out, name="console-log-out"),
    path("windows/<int:pk>/call-next/", views_console.call_next, name="console-call-next"),
    path("windows/<int:pk>/grant-priority/", views_console.grant_priority, name="console-grant"),
    path("assistance/", views_assistance.desk, name="assistance-desk"),
    path("assistance/<int:pk>/<slug:action>/", views_assistance.desk_action, name="assistance-desk-action"),
    path(
        "windows/<int:pk>/tickets/<int:ticket_pk>/assistance/",
        views_console.request_assistance,
        name="console-assistance",
    ),
    path(
        "windows/<int:pk>/tickets/<int:ticket_pk>/<slug:action>/",
        views_console.ticket_action,
        name="console-ticket-action",
    ),
]
