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
]
