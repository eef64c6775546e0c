from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

RECORD_MODELS = (
    "applicant",
    "case",
    "casematerial",
    "correctionnotice",
    "noticeitem",
    "owedmaterial",
    "clockstop",
    "extension",
    "caseevent",
    "casewarningsummary",
    "caseclock",
    "forwarding",
    "urgentrequest",
    "writtenreport",
    "bundlecase",
    "bundlecasematerial",
)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from catalog.signals import calendar_changed
        from servicehall import extensions, roles

        # Accepting an application and recording the items handled for a ticket at the window
        # console, the deadline view in the supervisors' navigation, and today's waits per item on
        # a hall's live dashboard: pages queueing draws (servicehall/extensions.py).
        extensions.add_section(extensions.CONSOLE_PANEL, "cases/console/accept.html")
        extensions.add_section(extensions.CONSOLE_PANEL, "cases/console/ticket_items.html")
        extensions.add_section(extensions.SUPERVISOR_HALL_LIVE, "cases/supervisor/_hall_items.html")
        # Forwarding (转办, Art. 12): in transit and the average transfer time, on the live dashboard.
        extensions.add_section(extensions.SUPERVISOR_HALL_LIVE, "cases/forwarding/_figures.html")
        extensions.add_section(extensions.SUPERVISOR_LINKS, "cases/supervisor/_link_overview.html")
        extensions.add_section(extensions.SUPERVISOR_HALL_LINKS, "cases/supervisor/_link_hall.html")
        # 急事急办 (cases/urgent.py): the written reports of refusals.
        extensions.add_section(extensions.SUPERVISOR_LINKS, "cases/urgent/_link_overview.html")
        # 一件事 (cases/bundles.py): bundles past the sum of their members' promised limits.
        extensions.add_section(extensions.SUPERVISOR_LINKS, "cases/bundles/_supervisor_link.html")
        # The case pages on the staff workbench (/staff/), with what waits for the user there.
        extensions.add_section(extensions.STAFF_HOME, "cases/staff/_home.html")
        # 急事急办 asked with a booking, and its decision, on the booking's manage page.
        extensions.add_section(extensions.BOOKING_MANAGE, "cases/urgent/_booking_manage.html")

        # 急事急办 asked with an online booking: a block of the booking page and a field of
        # POST /api/v1/bookings/, which appointments draws without knowing cases.
        from appointments import extras as booking_extras
        from cases import urgent

        booking_extras.register(urgent.booking_extra())
        # An approved urgent matter's booking checked in: its ticket is called first.
        booking_extras.on_check_in("urgent", urgent.on_booking_check_in)
        # 急事急办 asked at the kiosk with the ticket just taken: offered below the slip, and said
        # on the printed slip once asked.
        extensions.add_section(extensions.KIOSK_SLIP, "cases/urgent/_kiosk_slip_offer.html")
        extensions.add_section(extensions.KIOSK_SLIP_PRINTED, "cases/urgent/_kiosk_slip_printed.html")
        # ... and its state (pending, approved, refused with the reason) on the ticket's page.
        extensions.add_section(extensions.TICKET_PAGE, "cases/urgent/_ticket_page.html")
        # ... and, while it waits for a decision, on the window console showing the ticket.
        extensions.add_section(extensions.CONSOLE_PANEL, "cases/urgent/_console_pending.html")
        # ... and registered by the clerk for the ticket at the counter (the current-ticket panel).
        extensions.add_section(extensions.CONSOLE_CURRENT_TICKET, "cases/urgent/_console_request.html")
        extensions.add_section(extensions.CONSOLE_PANEL, "cases/forwarding/_console_waiting.html")

        # Cases are written only through the services (the API and the pages); the admin shows
        # them read-only to administrators, supervisors and chief representatives.
        for role in (roles.ADMINISTRATOR, roles.SUPERVISOR, roles.CHIEF_REPRESENTATIVE):
            roles.grant(role, roles.model_permissions("cases", RECORD_MODELS, ("view",)))

        # A stored deadline follows the calendar (an administrator's correction, a year whose
        # holidays were published): the catalog says when it changed, without knowing cases.
        calendar_changed.connect(recompute_deadlines_on_calendar_change, dispatch_uid="cases.recompute_deadlines")


def recompute_deadlines_on_calendar_change(sender: Any, start: Any, end: Any, **kwargs: Any) -> None:
    """Queue the recomputation once the calendar change is committed (a task: one correction may
    move thousands of deadlines, and the administrator's page need not wait for them). Through
    the outbox: written with the change, sent even if the broker is away when it commits.
    Nothing is queued while no case is open (a fresh install seeding its calendar)."""
    from cases.models import CaseClock
    from servicehall import outbox

    if CaseClock.objects.exists():
        outbox.enqueue("cases.tasks.recompute_deadlines", start.isoformat(), end.isoformat())
