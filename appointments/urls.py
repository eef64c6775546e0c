"""Public booking pages and the kiosk's check-in, included at the site root (see
``appointments.views_public``). The fixed ``book/slot/`` and ``book/manage/`` prefixes come
before ``book/<hall code>/``; hall codes are upper case, so they never collide."""

from django.urls import path

from appointments import views_public

urlpatterns = [
    path("book/", views_public.start, name="booking-start"),
    path("book/slot/<int:pk>/", views_public.booking_form, name="booking-form"),
    path("book/manage/<slug:token>/", views_public.manage, name="booking-manage"),
    path("book/manage/<slug:token>/cancel/", views_public.cancel, name="booking-cancel"),
    path("book/manage/<slug:token>/reschedule/", views_public.reschedule, name="booking-reschedule"),
    path("book/<str:code>/", views_public.hall, name="booking-hall"),
    path("book/<str:code>/<str:letter>/", views_public.days, name="booking-days"),
    path("halls/<str:code>/kiosk/check-in/", views_public.kiosk_check_in, name="booking-kiosk-checkin"),
]
