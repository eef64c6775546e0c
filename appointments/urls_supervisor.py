from django.urls import path

from appointments import views_supervisor

urlpatterns = [
    path("halls/<str:code>/appointments/", views_supervisor.hall_appointments, name="supervisor-appointments"),
    path(
        "halls/<str:code>/appointments/capacity/",
        views_supervisor.day_capacity,
        name="supervisor-appointments-capacity",
    ),
    path(
        "halls/<str:code>/appointments/slots/<int:pk>/close/",
        views_supervisor.slot_close,
        name="supervisor-slot-close",
    ),
    path("suspensions/", views_supervisor.suspensions, name="supervisor-suspensions"),
    path("suspensions/lift/", views_supervisor.suspension_lift, name="supervisor-suspension-lift"),
]
