"""The appointments' API routes, included under /api/v1/ by servicehall/urls.py."""

from django.urls import path

from appointments import apis

urlpatterns = [
    path("halls/<str:code>/slots/", apis.SlotAvailabilityView.as_view(), name="hall-slots"),
    path("halls/<str:code>/check-in/", apis.CheckInView.as_view(), name="booking-check-in"),
    path("bookings/", apis.BookingCreateView.as_view(), name="booking-create"),
    path("bookings/<str:token>/", apis.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:token>/cancel/", apis.BookingCancelView.as_view(), name="booking-cancel"),
    path("bookings/<str:token>/reschedule/", apis.BookingRescheduleView.as_view(), name="booking-reschedule"),
    path("statistics/bookings/", apis.BookingStatisticsView.as_view(), name="statistics-bookings"),
]
