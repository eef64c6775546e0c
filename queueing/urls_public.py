"""Public queue pages, included at the site root (see ``queueing.views_public``)."""

from django.urls import path

from queueing import views_devices, views_public

urlpatterns = [
    path("halls/<str:code>/kiosk/", views_public.kiosk, name="queue-kiosk"),
    path("halls/<str:code>/kiosk/pair/", views_devices.kiosk_pair, name="queue-kiosk-pair"),
    path("halls/<str:code>/take/", views_public.ticket_take, name="queue-ticket-take"),
    path("halls/<str:code>/queue/", views_public.hall_status, name="queue-hall-status"),
    path("halls/<str:code>/board/", views_public.board, name="queue-board"),
    path("t/<slug:token>/", views_public.ticket_detail, name="queue-ticket"),
    path("t/<slug:token>/slip/", views_public.slip, name="queue-slip"),
    path("t/<slug:token>/cancel/", views_public.ticket_cancel, name="queue-ticket-cancel"),
]
