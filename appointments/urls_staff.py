from django.urls import path

from appointments import views_staff

urlpatterns = [
    path("windows/<int:pk>/check-in/", views_staff.check_in, name="console-check-in"),
]
