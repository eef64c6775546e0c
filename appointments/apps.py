from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONFIG_MODELS = ("slotplan", "slot", "hallbookingsettings")
RECORD_MODELS = ("booking", "bookingperson", "reminder", "checkinfailure")


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("预约")

    def ready(self) -> None:
        from servicehall import extensions, roles

        # Booking check-in is done from the window console, which queueing draws.
        extensions.add_section(extensions.CONSOLE_PANEL, "appointments/console/check_in.html")
        extensions.add_section(extensions.SUPERVISOR_LINKS, "appointments/supervisor/_link_overview.html")
        extensions.add_section(extensions.SUPERVISOR_HALL_LINKS, "appointments/supervisor/_link_hall.html")
        extensions.add_section(extensions.HOME_ACTIONS, "appointments/catalog/home_booking.html")
        # The kiosk: checking in a booking, and booking instead of waiting for no window.
        extensions.add_section(extensions.KIOSK_START, "appointments/kiosk/check_in_button.html")
        extensions.add_section(extensions.KIOSK_UNSTAFFED, "appointments/kiosk/book_offer.html")
        # ... and booking for the opening hours when the kiosk cannot give a ticket now.
        extensions.add_section(extensions.KIOSK_CLOSED, "appointments/kiosk/book_offer.html")
        extensions.add_section(extensions.TAKE_UNSTAFFED, "appointments/public/take_book_offer.html")
        # Below a normal ticket's slip: check in today's booking instead (issue 8).
        extensions.add_section(extensions.KIOSK_SLIP, "appointments/kiosk/slip_check_in.html")
        # "预约办理" on a guide page, and booking and weekend and holiday service on a hall's page,
        # which catalog draws.
        extensions.add_section(extensions.GUIDE_ACTIONS, "appointments/catalog/guide_booking.html")
        extensions.add_section(extensions.HALL_PAGE, "appointments/catalog/hall_booking.html")

        # Staggered service (错时服务) on a weekend or holiday: the queues' wait monitor watches,
        # and the kiosk names, the hours of the day's booked staggered slots (queueing.staggered).
        from appointments.selectors import staggered_periods
        from queueing import staggered

        staggered.register("appointments", staggered_periods)

        # A working-day calendar change (an administrator's correction, a year reseeded) reaches
        # booking at once: the slots and the horizon follow it (the catalog says when it changed).
        from catalog.signals import calendar_changed

        calendar_changed.connect(slots_follow_calendar_change, dispatch_uid="appointments.slots_follow_calendar")

        # Administrators manage slot plans, slots and each hall's booking rules and read the
        # bookings, the people who book and the reminders; supervisors read them all and edit slot
        # plans and slots (within their hall when tied to one: appointments/admin.py scopes it).
        roles.grant(
            roles.ADMINISTRATOR,
            [
                *roles.model_permissions("appointments", CONFIG_MODELS),
                *roles.model_permissions("appointments", RECORD_MODELS, ("view",)),
            ],
        )
        roles.grant(
            roles.SUPERVISOR,
            [
                *roles.model_permissions("appointments", CONFIG_MODELS + RECORD_MODELS, ("view",)),
                "appointments.change_slotplan",
                "appointments.change_slot",
            ],
        )


def slots_follow_calendar_change(sender: Any, start: Any, end: Any, **kwargs: Any) -> None:
    """Inside the calendar's own transaction: the correction and the slots it closes (with their
    bookings told) are written together, and the booking pages never offer a corrected day."""
    from appointments import services

    services.slots_follow_calendar(start=start, end=end)
