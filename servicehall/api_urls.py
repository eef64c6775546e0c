from django.urls import path
from rest_framework.routers import DefaultRouter

from appointments import apis as appointments
from catalog.apis import BundleViewSet, CalendarViewSet, DepartmentViewSet, HallViewSet, ItemViewSet
from queueing import apis as queue

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("items", ItemViewSet, basename="item")
router.register("departments", DepartmentViewSet, basename="department")
router.register("halls", HallViewSet, basename="hall")
router.register("bundles", BundleViewSet, basename="bundle")
router.register("calendar", CalendarViewSet, basename="calendar")

app_name = "api"

_ticket_actions = ("recall", "start", "finish", "no-show", "call", "transfer")
urlpatterns = [
    path("halls/<str:code>/queue/", queue.HallQueueView.as_view(), name="hall-queue"),
    path("halls/<str:code>/tickets/", queue.TicketIssueView.as_view(), name="ticket-issue"),
    path("tickets/<str:token>/", queue.TicketStatusView.as_view(), name="ticket-status"),
    path("tickets/<str:token>/cancel/", queue.TicketCancelView.as_view(), name="ticket-cancel"),
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
        "windows/<int:pk>/tickets/<int:ticket_pk>/grant-priority/",
        queue.TicketGrantView.as_view(),
        name="window-ticket-grant-priority",
    ),
    path("alerts/", queue.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/acknowledge/", queue.AlertAcknowledgeView.as_view(), name="alert-acknowledge"),
    path("statistics/daily/", queue.DailyStatsView.as_view(), name="statistics-daily"),
    path("halls/<str:code>/slots/", appointments.SlotAvailabilityView.as_view(), name="hall-slots"),
    path("halls/<str:code>/check-in/", appointments.CheckInView.as_view(), name="booking-check-in"),
    path("bookings/", appointments.BookingCreateView.as_view(), name="booking-create"),
    path("bookings/<str:token>/", appointments.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:token>/cancel/", appointments.BookingCancelView.as_view(), name="booking-cancel"),
    path("bookings/<str:token>/reschedule/", appointments.BookingRescheduleView.as_view(), name="booking-reschedule"),
    path("statistics/bookings/", appointments.BookingStatisticsView.as_view(), name="statistics-bookings"),
    *router.urls,
]
