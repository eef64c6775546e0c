"""The queues' API routes, included under /api/v1/ by servicehall/urls.py."""

from django.urls import path

from queueing import apis as queue

_ticket_actions = ("recall", "start", "finish", "no-show", "call", "transfer")
urlpatterns = [
    path("halls/<str:code>/queue/", queue.HallQueueView.as_view(), name="hall-queue"),
    path("halls/<str:code>/tickets/", queue.TicketIssueView.as_view(), name="ticket-issue"),
    path("tickets/<str:token>/", queue.TicketStatusView.as_view(), name="ticket-status"),
    path("tickets/<str:token>/cancel/", queue.TicketCancelView.as_view(), name="ticket-cancel"),
    path("tickets/<str:token>/assistance/", queue.TicketAssistanceView.as_view(), name="ticket-assistance"),
    path("assistance/", queue.AssistanceListView.as_view(), name="assistance-list"),
    *(
        path(
            f"assistance/<int:pk>/{name}/",
            queue.AssistanceActionView.as_view(action_name=name),
            name=f"assistance-{name}",
        )
        for name in ("take", "done")
    ),
    path("windows/", queue.WindowListView.as_view(), name="window-list"),
    *(
        path(f"windows/<int:pk>/{name}/", queue.WindowActionView.as_view(action_name=name), name=f"window-{name}")
        for name in ("sign-in", "sign-out", "call-next")
    ),
    *(
        path(
            f"windows/<int:pk>/tickets/<int:ticket_pk>/{name}/",
            queue.WindowTicketActionView.as_view(action_name=name),
            name=f"window-ticket-{name}",
        )
        for name in _ticket_actions
    ),
    path(
        "windows/<int:pk>/tickets/<int:ticket_pk>/assistance/",
        queue.WindowTicketAssistanceView.as_view(),
        name="window-ticket-assistance",
    ),
    path(
        "windows/<int:pk>/tickets/<int:ticket_pk>/grant-priority/",
        queue.TicketGrantView.as_view(),
        name="window-ticket-grant-priority",
    ),
    path("alerts/", queue.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/acknowledge/", queue.AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
    path("statistics/daily/", queue.DailyStatsView.as_view(), name="statistics-daily"),
]
