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
)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from catalog.signals import calendar_changed
        from servicehall import extensions, roles

        # Accepting an application from the window console, and the deadline view in the
        # supervisors' navigation: pages queueing draws (servicehall/extensions.py).
        extensions.add_section(extensions.CONSOLE_PANEL, "cases/console/accept.html")
        extensions.add_section(extensions.SUPERVISOR_LINKS, "cases/supervisor/_link_overview.html")
        extensions.add_section(extensions.SUPERVISOR_HALL_LINKS, "cases/supervisor/_link_hall.html")

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
