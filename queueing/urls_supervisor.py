from django.urls import path

from queueing import views_supervisor

urlpatterns = [
    path("", views_supervisor.overview, name="supervisor-overview"),
    path("history/", views_supervisor.history, name="supervisor-history"),
    path("export.csv", views_supervisor.export_csv, name="supervisor-export-csv"),
    path("export.xlsx", views_supervisor.export_xlsx, name="supervisor-export-xlsx"),
    path("halls/<str:code>/", views_supervisor.hall_dashboard, name="supervisor-hall"),
    path(
        "halls/<str:code>/alerts/<int:pk>/acknowledge/",
        views_supervisor.alert_acknowledge,
        name="supervisor-alert-acknowledge",
    ),
    path("halls/<str:code>/windows/<int:pk>/open/", views_supervisor.window_open, name="supervisor-window-open"),
    path("halls/<str:code>/windows/<int:pk>/close/", views_supervisor.window_close, name="supervisor-window-close"),
    path("halls/<str:code>/board-message/", views_supervisor.board_message_post, name="supervisor-board-message"),
    path(
        "halls/<str:code>/board-message/<int:pk>/withdraw/",
        views_supervisor.board_message_withdraw,
        name="supervisor-board-message-withdraw",
    ),
]
