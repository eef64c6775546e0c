"""Places where an app higher up the layers adds a section to a page drawn by a lower one.

The window console belongs to ``queueing``, but checking in a booking there is
``appointments``' work (and cases will add "accept an application"); a guide page and a hall's
page belong to ``catalog``, but booking that item or that hall is ``appointments``' work. The
lower app must not know the upper ones, so it names a place and includes whatever templates were
registered for it; each upper app registers its own from its ``AppConfig.ready()``. A registered
template is included with the page's context; what else it needs it reads through its own app's
template tags.
"""

from __future__ import annotations

# Window console panel (queueing/console.py), below the ticket actions.
CONSOLE_PANEL = "console-panel"
# The window console's current-ticket section (queueing/console.py), after its actions: actions
# of the apps above on the ticket at the counter (cases: 登记急事急办). Included with the console's
# context and ``ticket`` (``console.current``); drawn with the panel, never on a queue poll, and
# should run no query.
CONSOLE_CURRENT_TICKET = "console-current-ticket"
# A guide page (catalog/views.py ``guide_detail``), beside its actions: included with ``item``
# (and ``is_current``).
GUIDE_ACTIONS = "guide-actions"
# A hall's page (catalog/views.py ``hall_detail``), below its heading: included with ``hall``.
HALL_PAGE = "hall-page"
# The home page (catalog/views.py ``home``), below the search box.
HOME_ACTIONS = "home-actions"
# The supervisors' navigation (queueing's dashboard): list items (``<li>``) added to the city
# overview's links, and to a hall page's links (included with ``hall``).
SUPERVISOR_LINKS = "supervisor-links"
SUPERVISOR_HALL_LINKS = "supervisor-hall-links"
# A hall's live figures on the supervisors' dashboard (queueing/views_supervisor.py
# ``hall_dashboard``), refreshed with them: included with ``hall`` and ``live`` (``live.now``).
SUPERVISOR_HALL_LIVE = "supervisor-hall-live"
# The kiosk's start page (queueing/views_public.py ``kiosk``), beside its heading: included with
# ``hall``.
KIOSK_START = "kiosk-start"
# The kiosk's page for a queue no open window serves, as an alternative to waiting: included with
# ``hall`` and ``unstaffed`` (its ``category``).
KIOSK_UNSTAFFED = "kiosk-unstaffed"
# The kiosk's notice that no ticket can be taken now (the hall closed, or a staggered-service day
# for bookings only), below it, as what to do instead: included with ``hall`` and ``request``.
KIOSK_CLOSED = "kiosk-closed"
# The online ticket page (queueing/views_public.py ``ticket_take``) when the queue chosen has no
# open window, as an alternative to waiting: included with ``hall`` and ``unstaffed`` (its
# ``category``).
TAKE_UNSTAFFED = "take-unstaffed"
# The kiosk's slip (queueing/views_public.py ``slip``), below it and not printed: included with
# ``ticket``.
KIOSK_SLIP = "kiosk-slip"
# On the printed slip itself (queueing/views_public.py ``slip``), below its note and printed with
# it: small blocks such as a QR code to another public page. Included with ``ticket``.
KIOSK_SLIP_PRINTED = "kiosk-slip-printed"
# The hall's display board (queueing/views_public.py ``board``), in its header beside the title,
# outside the polled live part (drawn once per page load, never on a poll) and no taller than the
# title (the queues keep the screen): included with ``hall`` (the snapshot's dict: ``code``,
# ``display_name``) and ``request``.
BOARD_HEADER = "board-header"
# A booking's private manage page (appointments/views_public.py ``manage``), below its status:
# included with ``booking``.
BOOKING_MANAGE = "booking-manage"
# The staff workbench (queueing/views_console.py ``home``, /staff/ when not signed in at a window),
# above its tools: included with ``scope``, ``hall`` and ``department``.
STAFF_HOME = "staff-home"
# A ticket's public page (queueing/views_public.py ``ticket_detail``), inside its polled status
# part once the ticket is done: included with ``ticket``.
TICKET_DONE = "ticket-done"
# A ticket's public page (queueing/views_public.py ``ticket_detail``), below its polled status
# part, whatever the ticket's state (drawn on each page load, never on a poll): included with
# ``ticket``.
TICKET_PAGE = "ticket-page"
# A case's public progress page (cases/views.py ``progress``, ``progress_token``), below the
# progress: included with ``progress`` (``cases.selectors.CaseProgress``; ``progress.number``).
CASE_PROGRESS = "case-progress"
# A case's printed documents (cases/views.py ``case_print``), below the document's QR code and
# printed with it: included with ``case`` and ``kind``.
CASE_PRINT = "case-print"

# A bad rating's rectification order for staff (feedback/views_ratings.py ``order_detail``), below
# its facts and above its action forms: included with ``order`` (its ``rating``). Staffing adds
# the conduct incident recorded from the order (已记录行为问题) or the link to record one.
RECTIFICATION_ORDER = "rectification-order"
# A "办不成事" report for staff (feedback/views_reports.py ``report_detail``), below its facts:
# included with ``report``. Staffing adds the conduct incidents recorded from it.
REPORT_PAGE = "report-page"

_sections: dict[str, list[str]] = {}


def add_section(place: str, template_name: str) -> None:
    """Include ``template_name`` at ``place`` (idempotent: ready() may run twice in tests)."""
    names = _sections.setdefault(place, [])
    if template_name not in names:
        names.append(template_name)


def sections(place: str) -> tuple[str, ...]:
    return tuple(_sections.get(place, ()))
