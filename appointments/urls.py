"""Public booking pages and the kiosk's check-in, included at the site root (see
``appointments.views_public``). The fixed ``book/slot/``, ``book/find/`` and ``book/manage/``
prefixes come before ``book/<hall code>/``; hall codes are upper case, so they never collide."""

from django.urls import path

from appointments import views_public

urlpatterns = [
    path("book/", views_public.start, name="booking-start"),
    path("book/slot/<int:pk>/", views_public.booking_form, name="booking-form"),
    path("book/find/", views_public.find, name="booking-find"),
    path("book/find/code/", views_public.find_code, name="booking-find-code"),
    path("book/find/list/", views_public.find_list, name="booking-find-list"),
    path("book/find/end/", views_public.find_end, name="booking-find-end"),
    path("book/manage/<slug:token>/", views_public.manage, name="booking-manage"),
    path("book/manage/<slug:token>/cancel/", views_public.cancel, name="booking-cancel"),
    path("book/manage/<slug:token>/reschedule/", views_public.reschedule, name="booking-reschedule"),
    path(
        "book/manage/<slug:token>/assistance/withdraw/",
        views_public.assistance_withdraw,
        name="booking-assistance-withdraw",
    ),
    path("book/<str:code>/", views_public.hall, name="booking-hall"),
    path("book/<str:code>/<str:letter>/", views_public.days, name="booking-days"),
    path("halls/<str:code>/kiosk/check-in/", views_public.kiosk_check_in, name="booking-kiosk-checkin"),
    # Booking started at a hall's kiosk: the same steps in the kiosk's layout, for that hall.
    path("halls/<str:code>/kiosk/book/", views_public.kiosk_hall, name="booking-kiosk-hall"),
    path("halls/<str:code>/kiosk/book/done/", views_public.kiosk_booking_done, name="booking-kiosk-done"),
    path("halls/<str:code>/kiosk/book/slot/<int:pk>/", views_public.kiosk_booking_form, name="booking-kiosk-form"),
    path("halls/<str:code>/kiosk/book/<str:letter>/", views_public.kiosk_days, name="booking-kiosk-days"),
]
