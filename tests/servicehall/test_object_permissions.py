"""Object-level permissions, generated from the URL resolver (issue 14, 等保三级 access control).

Every route that takes an id, a code, a number or a token is in ``REGISTRY`` (a new one fails
``test_every_parameterised_route_is_in_the_registry`` until somebody decides who may use it).
Each entry names the object of *the other side* (hall B = the city centre, department B = the
public security bureau, citizen B = somebody else's ticket, booking, case or report) and which
roles legitimately reach it. Every other role - anonymous, a citizen holding their own links,
window staff of hall A, the chief representative of the department at hall A and of another
department at hall B, the supervisor of hall A - sends GET and POST (and the DRF methods the
view declares) for the object of B and must be refused: 401/403/404/405 or the login page,
never 2xx, never 500, and no row written (PostgreSQL's per-transaction table counters, so even
a write rolled back afterwards shows). A positive control per route (the owner reaching the
same object) keeps the refusals honest: a mistyped URL would be a 404 for everybody.

Public routes (a guide by its code, a ticket by the unguessable token printed on its slip) are
listed with the reason; for a token the test checks that a guessed one (B's token with one
character changed) is a 404.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from servicehall import roles
from tests.feedback.reports_world import seed_categories
from tests.markers import needs_postgres
from tests.servicehall.factories import staff_user

HALL_B = "GZ-CITY"  # the other hall: every staff role below but the citywide ones works at Tianhe
DEPT_B = "GZGA"  # the department the objects of B belong to (the demo's cases are all its)

# Who asks. Each is an outsider to the objects of B unless an entry says otherwise.
ANONYMOUS = "anonymous"
CITIZEN = "citizen"  # an anonymous browser that has opened its own ticket and booking links (A's)
WINDOW_A = "window_a"  # window staff at Tianhe (market regulation)
CHIEF_A = "chief_a"  # chief representative of department B at Tianhe: same department, other hall
CHIEF_OTHER = "chief_other_dept"  # chief representative of market regulation at hall B: other department
SUPERVISOR_A = "supervisor_a"  # supervisor of Tianhe
CITYWIDE = "citywide"  # supervisor of the whole city
ADMIN = "admin"  # 系统管理员 (superuser)
ROLES = (ANONYMOUS, CITIZEN, WINDOW_A, CHIEF_A, CHIEF_OTHER, SUPERVISOR_A, CITYWIDE, ADMIN)
# Owners used only for the positive controls.
CHIEF_B = "chief_b"  # the recorded chief representative of department B at hall B
WINDOW_B = "window_b"  # window staff of department B at hall B

CITY = frozenset({CITYWIDE, ADMIN})


@dataclass(frozen=True)
class Route:
    """What the route's parameters point at, and who may reach the object of B through it.

    ``b`` builds the URL kwargs of the object of B from the world. ``allowed`` are the roles
    that may reach it (not asserted refused); ``owner`` is the role whose request must get
    through (the positive control; empty when no role of the test may act on it in that state).
    ``public`` gives the reason a route is open to anyone holding the key.
    """

    b: Callable[[World], dict[str, Any]]
    allowed: frozenset[str] = CITY
    owner: str = ADMIN
    public: str = ""
    token: str = ""  # the kwarg that is an unguessable token (guessing it must fail)
    # A valid JSON body for POST: a decision whose service checks the actor after the body is
    # parsed must still refuse with a body it would otherwise accept.
    body: dict[str, Any] | None = None


@dataclass
class World:
    hall_b: Any
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)
    citizen_cookies: Any = None
    sessions: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # w.ticket is w.objects["ticket"]
        try:
            return self.__dict__["objects"][name]
        except KeyError as missing:
            raise AttributeError(name) from missing


def _k(**kwargs: Any) -> Callable[[World], dict[str, Any]]:
    """kwargs whose values are attribute paths into the world's objects (``"ticket.pk"``)."""

    def build(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if isinstance(value, str) and "." in value:
                obj_name, attr = value.split(".", 1)
                got: Any = w.objects[obj_name]
                for part in attr.split("."):
                    got = getattr(got, part)
                out[key] = got
            else:
                out[key] = value
        return out

    return build


PUBLIC_CATALOG = "the public catalog (Art. 9, 11, 12): the same for everybody"
PUBLIC_HALL = "a hall's public pages and kiosk: shown in the hall to anyone who walks in"
PUBLIC_TICKET = "the ticket's own link, printed on its slip as a QR code: 24 random characters"
PUBLIC_BOOKING = "the booking's private manage link sent to the applicant: random token"
PUBLIC_CASE = "the case's private progress link given with the acceptance notice: random token"
PUBLIC_REPORT = "the report's private progress link given when it was filed: random token"

# Counter staff of a hall see the hall's cases, urgent requests and tickets whatever their
# department (the comprehensive window, 一窗受理, receives for every department); what they may
# *do* to a case of another department is the services' rule, tested below with valid bodies.
HALL = frozenset({CHIEF_OTHER, CITYWIDE, ADMIN})
# Deciding for a department at a hall is its recorded chief representative's alone (Art. 8 ¶3).
CHIEF_ONLY = frozenset({ADMIN})
# Counter work at a window of the hall: its counter staff; supervisors do not serve at windows.
COUNTER = frozenset({CHIEF_OTHER, ADMIN})

REGISTRY: dict[str, Route] = {
    # --- catalog: public by design -----------------------------------------------------------
    "guide-detail": Route(_k(code="item.code"), public=PUBLIC_CATALOG),
    "guide-print": Route(_k(code="item.code"), public=PUBLIC_CATALOG),
    "guide-version": Route(_k(code="item.code", number=1), public=PUBLIC_CATALOG),
    "hall-detail": Route(_k(code=HALL_B), public=PUBLIC_CATALOG),
    "bundle-detail": Route(_k(pk="bundle.pk"), public=PUBLIC_CATALOG),
    "api:item-detail": Route(_k(code="item.code"), public=PUBLIC_CATALOG),
    "api:department-detail": Route(_k(code=DEPT_B), public=PUBLIC_CATALOG),
    "api:hall-detail": Route(_k(code=HALL_B), public=PUBLIC_CATALOG),
    "api:bundle-detail": Route(_k(pk="bundle.pk"), public=PUBLIC_CATALOG),
    # --- a hall's public pages, kiosk and booking start ----------------------------------------
    "queue-kiosk": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "queue-kiosk-pair": Route(_k(code=HALL_B), public="pairing asks for the one-time code an administrator issued"),
    "queue-hall-status": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "queue-board": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "booking-hall": Route(_k(code=HALL_B), public="online booking (Art. 10 ¶2): open to every citizen"),
    "booking-days": Route(_k(code=HALL_B, letter="category.letter"), public="online booking: open to everybody"),
    "booking-form": Route(_k(pk="slot.pk"), public="online booking: a slot's form, open to everybody"),
    "booking-kiosk-checkin": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "booking-kiosk-hall": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "booking-kiosk-done": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "booking-kiosk-form": Route(_k(code=HALL_B, pk="slot.pk"), public=PUBLIC_HALL),
    "booking-kiosk-days": Route(_k(code=HALL_B, letter="category.letter"), public=PUBLIC_HALL),
    "api:hall-queue": Route(_k(code=HALL_B), public=PUBLIC_HALL),
    "api:ticket-issue": Route(_k(code=HALL_B), public="taking a ticket online: open to everybody, rate-limited"),
    "queue-ticket-take": Route(
        _k(code=HALL_B), public="taking a ticket online (线上取号): open to everybody, rate-limited"
    ),
    "api:hall-slots": Route(_k(code=HALL_B), public="seats left for online booking: open to everybody"),
    "api:booking-check-in": Route(_k(code=HALL_B), public="check-in asks for the booked person's ID number"),
    # --- a citizen's own links (unguessable tokens) --------------------------------------------
    "queue-ticket": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "queue-slip": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "queue-ticket-cancel": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "urgent-kiosk": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "api:ticket-status": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "api:ticket-cancel": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "api:ticket-assistance": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "rating-ticket": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "api:api-rating-ticket": Route(_k(token="ticket.token"), public=PUBLIC_TICKET, token="token"),
    "booking-manage": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "booking-cancel": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "booking-reschedule": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "booking-assistance-withdraw": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "api:booking-detail": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "api:booking-cancel": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "api:booking-reschedule": Route(_k(token="booking.manage_token"), public=PUBLIC_BOOKING, token="token"),
    "case-progress-token": Route(_k(token="case.progress_token"), public=PUBLIC_CASE, token="token"),
    "api:case-progress": Route(_k(token="case.progress_token"), public=PUBLIC_CASE, token="token"),
    "rating-case": Route(_k(token="case.progress_token"), public=PUBLIC_CASE, token="token"),
    "api:api-rating-case": Route(_k(token="case.progress_token"), public=PUBLIC_CASE, token="token"),
    "bundle-case-progress-token": Route(_k(token="bundle_case.progress_token"), public=PUBLIC_CASE, token="token"),
    "api:bundle-case-progress": Route(_k(token="bundle_case.progress_token"), public=PUBLIC_CASE, token="token"),
    "report-progress": Route(_k(token="report.progress_token"), public=PUBLIC_REPORT, token="token"),
}


def _register(names: str, kwargs: Callable[[World], dict[str, Any]], **route: Any) -> None:
    for name in names.split():
        REGISTRY[name] = Route(kwargs, **route)


# --- queues: windows and tickets of hall B ------------------------------------------------------
_register(
    "api:window-sign-in api:window-sign-out api:window-call-next",
    _k(pk="window.pk"),
    allowed=COUNTER,
)
_register(
    "api:window-ticket-recall api:window-ticket-start api:window-ticket-finish api:window-ticket-no-show "
    "api:window-ticket-call api:window-ticket-transfer api:window-ticket-assistance api:window-ticket-grant-priority",
    _k(pk="window.pk", ticket_pk="ticket.pk"),
    allowed=COUNTER,
)
_register(
    "console-panel console-sign-in console-sign-out console-call-next console-grant console-check-in rating-tablet",
    _k(pk="window.pk"),
    allowed=COUNTER,
)
_register("case-window-application", _k(pk="window.pk"), allowed=COUNTER, owner=WINDOW_B)
# 急事急办 registered from the console for the ticket at the counter: the case page's rule.
_register("urgent-window-ticket", _k(pk="window.pk", ticket_pk="ticket.pk"), allowed=COUNTER, owner=WINDOW_B)
_register(
    "console-assistance case-ticket-item-record rating-tablet-submit",
    _k(pk="window.pk", ticket_pk="ticket.pk"),
    allowed=COUNTER,
)
_register("console-ticket-action", _k(pk="window.pk", ticket_pk="ticket.pk", action="start"), allowed=COUNTER)
_register(
    "case-ticket-item-remove", _k(pk="window.pk", ticket_pk="ticket.pk", record_pk="ticket_item.pk"), allowed=COUNTER
)
# The hall's assistance desk: staff of that hall.
_register("api:assistance-take api:assistance-done", _k(pk="assistance.pk"), allowed=COUNTER)
_register("assistance-desk-action", _k(pk="assistance.pk", action="take"), allowed=COUNTER)
# Supervision of hall B.
_register("api:alert-acknowledge", _k(pk="alert.pk"))
_register("supervisor-hall supervisor-appointments supervisor-appointments-capacity", _k(code=HALL_B))
_register("supervisor-hall-cases supervisor-board-message", _k(code=HALL_B))
_register("supervisor-alert-acknowledge", _k(code=HALL_B, pk="alert.pk"))
_register("supervisor-window-open supervisor-window-close", _k(code=HALL_B, pk="window.pk"))
_register("supervisor-board-message-withdraw", _k(code=HALL_B, pk="board_message.pk"))
_register("supervisor-slot-close", _k(code=HALL_B, pk="slot.pk"))

# --- cases of department B at hall B ----------------------------------------------------------
_CASE = _k(number="case.number")
_register(
    "api:case-detail api:case-accept api:case-notices api:case-corrections api:case-not-accept "
    "api:case-special-step api:case-special-step-end api:case-result-ready api:case-collect "
    "api:case-owed api:case-forward case-detail case-notice case-forward",
    _CASE,
    owner=WINDOW_B,
    allowed=HALL,
)
_register("api:case-urgent urgent-case-request", _CASE, owner=WINDOW_B, allowed=HALL)
_register("case-print", _k(number="case.number", kind="acceptance"), owner=WINDOW_B, allowed=HALL)
_register("case-action", _k(number="case.number", action="review"), owner=WINDOW_B, allowed=HALL)
_register("api:ticket-items", _k(ticket_pk="ticket.pk"), owner=WINDOW_B, allowed=HALL)
_register("api:ticket-item", _k(ticket_pk="ticket.pk", pk="ticket_item.pk"), owner=WINDOW_B, allowed=HALL)
# Reviewing and deciding a case: the staff of the item's department at the case's hall, not
# the counter staff of another department there.
_register("api:case-review", _CASE, owner=WINDOW_B, allowed=CITY, body={"note": "开始审查"})
_register("api:case-decision", _CASE, owner=WINDOW_B, allowed=CITY, body={"approved": True, "reason": "符合法定条件"})
# Extending a time limit: the department's chief representative at the case's hall (Art. 8 ¶3).
_register(
    "api:case-extensions", _CASE, owner=CHIEF_B, allowed=frozenset({ADMIN}), body={"days": 1, "reason": "需现场核查"}
)
# Forwarded from hall B to a third hall: only the third hall accepts or returns it.
_register("api:case-forwarding-accept", _k(pk="forwarding.pk"))
_register("api:case-forwarding-return", _k(pk="forwarding.pk"), body={"reason": "不属于本大厅管辖"})
_register("case-forwarding-accept case-forwarding-return", _k(pk="forwarding.pk"), allowed=HALL)
# Urgent requests of department B at hall B: the hall's counter staff see them, its chief decides.
_register(
    "api:urgent-request api:urgent-request-staggered urgent-detail urgent-decide",
    _k(pk="urgent.pk"),
    owner=CHIEF_B,
    allowed=HALL,
)
REGISTRY["urgent-decide"] = Route(_k(pk="urgent.pk", action="approve"), owner=CHIEF_B, allowed=HALL)
_register(
    "api:urgent-request-approve", _k(pk="urgent.pk"), owner=CHIEF_B, allowed=CHIEF_ONLY, body={"promised_days": 1}
)
_register(
    "api:urgent-request-refuse",
    _k(pk="urgent.pk"),
    owner=CHIEF_B,
    allowed=CHIEF_ONLY,
    body={"reason": "不符合急办条件"},
)
_register("api:urgent-report urgent-report-print urgent-report-read", _k(pk="written_report.pk"))
# The written report of a refusal, from the request's page: the department's chief at the hall
# (who refused) and supervisors covering the hall; not another department's chief, not clerks.
_register("urgent-report", _k(pk="written_report.request.pk"), owner=CHIEF_B, allowed=CITY)
# Bundle cases received at hall B.
_BUNDLE_CASE = _k(number="bundle_case.number")
_register(
    "api:bundle-case-detail api:bundle-case-accept api:bundle-case-corrections api:bundle-case-collect "
    "api:bundle-case-notice api:bundle-case-owed bundle-case-detail bundle-case-notice",
    _BUNDLE_CASE,
    owner=WINDOW_B,
    allowed=HALL,
)
_register("bundle-case-print", _k(number="bundle_case.number", kind="acceptance"), owner=WINDOW_B, allowed=HALL)
_register("bundle-case-action", _k(number="bundle_case.number", action="accept"), owner=WINDOW_B, allowed=HALL)
_register(
    "api:bundle-case-form",
    _k(bundle="bundle.pk"),
    allowed=frozenset(ROLES) - {ANONYMOUS, CITIZEN},
    owner=WINDOW_B,
    public="",
)

# --- feedback of hall B -----------------------------------------------------------------------
_register(
    "api:api-rectification api:api-rectification-verify api:api-rectification-rectify "
    "api:api-rectification-follow-up api:api-rectification-appeal api:api-rectification-appeal-decision "
    "rectification-detail",
    _k(pk="rectification.pk"),
)
_register("rectification-action", _k(pk="rectification.pk", action="verify"))
_register(
    "api:report-detail api:report-assign api:report-note api:report-resolve api:report-follow-up api:report-reopen "
    "report-detail",
    _k(number="report.number"),
)
_register("report-action", _k(number="report.number", action="note"))

# --- staffing of hall B -----------------------------------------------------------------------
_register(
    "api:staffing-secondment-detail api:staffing-secondment-end api:staffing-incidents staffing-person "
    "staffing-replacement-create",
    _k(pk="secondment.pk"),
)
_register(
    "api:staffing-replacement-close api:staffing-replacement-withdraw staffing-replacement staffing-replacement-close "
    "staffing-replacement-withdraw",
    _k(pk="replacement.pk"),
)
# The department's chief sees the replacement requests of the department's people at the hall.
_register(
    "staffing-department-replacement staffing-department-replacement-close",
    _k(pk="replacement.pk"),
    allowed=frozenset({ADMIN}),
    owner=CHIEF_B,
)
_register("api:staffing-assessment-submit", _k(pk="assessment.pk"))
_register("staffing-assessment", _k(pk="secondment.pk", year="assessment.year"))
_register("api:staffing-surge-detail api:staffing-surge-handle staffing-surge", _k(pk="surge.pk"))
_register("api:staffing-incident-from-order staffing-incident-from-order", _k(pk="rectification.pk"))
_register("api:staffing-incident-from-report staffing-incident-from-report", _k(number="report.number"))

# Whole families the enumeration leaves out, with the reason.
EXCLUDED_PREFIXES = {
    "admin:": "Django's admin: ModelAdmin permissions and hall-scoped querysets, tested in tests/*/test_admin.py",
}
# Parameters that are not an object: DRF's format suffix.
NOT_AN_OBJECT = {"format"}


@functools.cache
def _parameterised_routes() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, inner)
                continue
            name = f"{namespace}{entry.name}" if entry.name else ""
            if not name or any(name.startswith(prefix) for prefix in EXCLUDED_PREFIXES):
                continue
            params = set(entry.pattern.regex.groupindex) - NOT_AN_OBJECT
            if params:
                found[name] = entry

    walk(get_resolver(), "")
    return found


def test_every_parameterised_route_is_in_the_registry() -> None:
    routes = _parameterised_routes()
    missing = sorted(set(routes) - set(REGISTRY))
    stale = sorted(set(REGISTRY) - set(routes))
    assert not missing, f"parameterised routes with no entry in REGISTRY (who may use them?): {missing}"
    assert not stale, f"REGISTRY entries for routes that no longer exist: {stale}"
    assert len(routes) > 100


# --- the world ---------------------------------------------------------------------------------


def _demo_user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _build_world() -> World:
    from appointments.models import Booking, Slot
    from cases.models import BundleCase, Case, Forwarding, TicketItem, UrgentRequest, WrittenReport
    from catalog.models import Bundle, Department, Hall, ServiceItem
    from feedback.models import RectificationOrder, Report
    from queueing.models import AssistanceRequest, BoardMessage, QueueCategory, Ticket, WaitAlert, Window
    from staffing.models import AssessmentProposal, ReplacementRequest, Secondment, SurgeFlag

    now = timezone.now()
    city = Hall.objects.get(code=HALL_B)
    tianhe = Hall.objects.get(code="TH")
    third = Hall.objects.exclude(pk__in=[city.pk, tianhe.pk]).filter(level=Hall.Level.DISTRICT).first()
    police = Department.objects.get(code=DEPT_B)
    users = {
        WINDOW_A: _demo_user("window_th01"),
        CHIEF_A: staff_user("perm-chief-th", role=roles.CHIEF_REPRESENTATIVE, hall_=tianhe, dept=police),
        CHIEF_OTHER: _demo_user("chief_scjg"),
        SUPERVISOR_A: _demo_user("supervisor_th"),
        CITYWIDE: _demo_user("supervisor"),
        ADMIN: _demo_user("admin"),
        CHIEF_B: _demo_user("chief_ga"),
        WINDOW_B: _demo_user("window01"),
    }
    case = Case.objects.filter(hall=city, department=police, status=Case.Status.ACCEPTED).order_by("pk").first()
    assert case is not None
    ticket = Ticket.objects.filter(hall=city, status=Ticket.Status.WAITING).order_by("pk").first()
    if ticket is None:  # the demo's simulated day may have served everybody by now
        from queueing.services import ticket_issue

        category = QueueCategory.objects.filter(hall=city, is_active=True).order_by("pk").first()
        assert category is not None
        ticket = ticket_issue(hall=city, category=category, source="kiosk", require_open=False).ticket
    window = Window.objects.filter(hall=city, kind=Window.Kind.COMPREHENSIVE).order_by("number").first()
    category = QueueCategory.objects.filter(hall=city).order_by("order").first()
    slot = Slot.objects.filter(category__hall=city, starts_at__gt=now).order_by("starts_at").first()
    booking = Booking.objects.filter(hall=city).order_by("pk").first()
    bundle = Bundle.objects.order_by("pk").first()
    assert bundle is not None
    applicant = case.applicant
    objects: dict[str, Any] = {
        "hall_b": city,
        "item": ServiceItem.objects.filter(department=police, halls=city).order_by("code").first(),
        "case": case,
        "ticket": ticket,
        "window": window,
        "category": category,
        "slot": slot,
        "booking": booking,
        "bundle": bundle,
        "report": Report.objects.filter(hall=city).order_by("pk").first(),
        "rectification": RectificationOrder.objects.filter(hall=city).order_by("pk").first(),
        "secondment": Secondment.objects.filter(hall=city, department=police).order_by("pk").first(),
        "replacement": ReplacementRequest.objects.filter(secondment__hall=city).order_by("pk").first(),
        "assessment": AssessmentProposal.objects.filter(secondment__hall=city).order_by("pk").first(),
        "surge": SurgeFlag.objects.filter(hall=city).order_by("pk").first(),
    }
    objects["ticket_item"] = TicketItem.objects.create(
        ticket=ticket, item=objects["item"], outcome="handled", recorded_by=users[WINDOW_B], recorded_at=now
    )
    objects["assistance"] = AssistanceRequest.objects.create(
        hall=city, service_date=now.date(), source="kiosk", kind="proxy", reason="perm", requested_at=now, ticket=ticket
    )
    objects["alert"] = WaitAlert.objects.create(
        hall=city,
        category=category,
        reason="wait",
        opened_at=now,
        run_id="perm",
        waiting=20,
        longest_wait_seconds=2400,
        open_windows=1,
        arrivals_per_hour=30.0,
        mean_service_seconds=300.0,
        recommended_extra_windows=1,
    )
    objects["board_message"] = BoardMessage.objects.create(
        hall=city, text="perm", posted_at=now, expires_at=now + dt.timedelta(hours=2)
    )
    objects["forwarding"] = Forwarding.objects.create(
        case=case,
        from_hall=city,
        to_hall=third,
        department=police,
        scope="whole",
        collect_at="origin",
        sent_by=users[WINDOW_B],
        sent_at=now,
    )
    urgent = UrgentRequest.objects.create(
        hall=city,
        department=police,
        case=case,
        applicant_masked="陈**",
        mobile="13800138001",
        reason_category="other",
        reason_text="perm",
        requested_at=now,
    )
    objects["urgent"] = urgent
    other_urgent = UrgentRequest.objects.create(
        hall=city,
        department=police,
        ticket=ticket,
        applicant_masked="陈**",
        mobile="13800138001",
        reason_category="other",
        reason_text="perm",
        requested_at=now,
        status="refused",
        decided_by=users[CHIEF_B],
        decided_at=now,
        decision_reason="不符合急办条件",
    )
    objects["written_report"] = WrittenReport.objects.create(
        request=other_urgent, hall=city, department=police, number="PERM-0001", created_at=now
    )
    objects["bundle_case"] = BundleCase.objects.create(
        bundle=bundle,
        hall=city,
        number="YJS202612030999",
        channel="window",
        received_by=users[WINDOW_B],
        applicant=applicant,
        applicant_name=case.applicant_name if hasattr(case, "applicant_name") else "陈志强",
        contact_mobile="13800138001",
        received_at=now,
        received_on=now.date(),
        accepted_on=now.date(),
        progress_token=secrets.token_urlsafe(18)[:24],
    )
    for name, obj in objects.items():
        assert obj is not None, name
    world = World(hall_b=city, users=users, objects=objects)
    for role in (*ROLES, CHIEF_B, WINDOW_B):
        if role not in (ANONYMOUS, CITIZEN):
            _client(world, role)  # sign in now, inside the module's transaction
    own_ticket = Ticket.objects.filter(hall=tianhe).order_by("pk").first()
    own_booking = Booking.objects.filter(hall=tianhe).order_by("pk").first()
    assert own_ticket is not None and own_booking is not None
    citizen = Client()
    for path in (f"/t/{own_ticket.token}/", f"/book/manage/{own_booking.manage_token}/"):
        assert citizen.get(path).status_code == 200, path
    world.citizen_cookies = citizen.cookies
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # The demo (every app's objects in two halls and fifteen departments) once for the module;
    # each test runs in a savepoint inside this transaction, rolled back at the end.
    with django_db_blocker.unblock():
        from catalog.services import calendar_fill_year

        today = timezone.localdate()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_categories()  # seeded by a data migration, flushed by any transactional test before
            call_command("load_demo", "--no-calendar", verbosity=0)
            for year in (today.year, today.year + 1):
                calendar_fill_year(year=year)
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- what a request wrote ------------------------------------------------------------------------

# Rows a refused request may write: the session of the signed-in tester (last activity) and the
# audit trail's record of the refused attempt (servicehall.audit.AuditRequestMiddleware).
MAY_WRITE = {"django_session", "servicehall_usersession", "servicehall_auditevent"}


def _writes() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table so far in this transaction (PostgreSQL's
    per-transaction statistics: a write later rolled back still counts)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall() if row[0] not in MAY_WRITE}


def _changed(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> list[str]:
    return sorted(table for table in after if after[table] != before.get(table, (0, 0, 0)))


# --- asking ------------------------------------------------------------------------------------


def _client(w: World, role: str) -> Client:
    """A browser of the role. Staff are signed in once for the module (their session rows live in
    the module's transaction); each test gets a fresh client carrying that session's cookie."""
    client = Client()
    if role == CITIZEN:
        client.cookies.update(w.citizen_cookies)
    elif role != ANONYMOUS:
        if role not in w.sessions:
            signed_in = Client()
            signed_in.force_login(w.users[role])
            w.sessions[role] = signed_in.cookies
        client.cookies.update(w.sessions[role])
    return client


def _methods(pattern: URLPattern) -> list[str]:
    view_class = getattr(pattern.callback, "cls", None)
    declared = {m.upper() for m in getattr(view_class, "http_method_names", ())} if view_class else set()
    methods = ["GET", "POST"]
    methods += [m for m in ("PUT", "PATCH", "DELETE") if m.lower() in declared and _has_handler(pattern, m)]
    return methods


def _has_handler(pattern: URLPattern, method: str) -> bool:
    view_class = getattr(pattern.callback, "cls", None)
    actions = getattr(pattern.callback, "actions", None)
    if actions is not None:
        return method.lower() in actions
    return hasattr(view_class, method.lower())


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if url.startswith("/api/"):
        data = json.dumps(body if body is not None and method == "POST" else {})
        return client.generic(method, url, data=data, content_type="application/json")
    if method == "POST":
        return client.post(url, {})
    return client.generic(method, url)


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _got_through(response: Any) -> bool:
    """The positive control: not refused and no server error (a 400 for the empty body or a 409
    for the object's state means the object was found and the access check passed)."""
    if response.status_code >= 500 or response.status_code in (401, 403, 404):
        return False
    return not (response.status_code == 302 and response["Location"].startswith("/accounts/login/"))


def _guessed(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


ROUTES = sorted(REGISTRY)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("name", ROUTES)
def test_no_role_reaches_the_object_of_another_hall_department_or_citizen(name, world, db) -> None:
    route = REGISTRY[name]
    pattern = _parameterised_routes()[name]
    url = reverse(name, kwargs=route.b(world))
    methods = _methods(pattern)
    problems: list[str] = []

    if route.public:
        response = _send(Client(), "GET", url)
        if response.status_code >= 500:
            problems.append(f"anonymous GET {url}: {response.status_code}")
        if route.token:
            kwargs = route.b(world)
            kwargs[route.token] = _guessed(str(kwargs[route.token]))
            guessed = reverse(name, kwargs=kwargs)
            assert len(str(route.b(world)[route.token])) >= 20, "a capability token must be long and random"
            for method in methods:
                before = _writes()
                response = _send(Client(), method, guessed)
                if method == "GET" and response.status_code == 302 and response["Location"] != guessed:
                    # A form's action URL (post_action) sends a GET to the page the form is on,
                    # which names the same guessed token and must refuse it in turn.
                    response = _send(Client(), method, response["Location"])
                if not _refused(response) and response.status_code not in (400, 429):
                    problems.append(f"anonymous {method} guessed token: {response.status_code}")
                if changed := _changed(before, _writes()):
                    problems.append(f"anonymous {method} guessed token wrote {changed}")
        assert not problems, problems
        return

    for role in ROLES:
        if role in route.allowed:
            continue
        client = _client(world, role)
        for method in methods:
            before = _writes()
            response = _send(client, method, url, route.body)
            refused = _refused(response)
            if method == "GET" and response.status_code == 302 and not refused:
                # A form's action URL sends a GET to the page the form is on (servicehall.http.
                # post_action) without reading the object: a page that names no object (the
                # console, an inbox) reveals nothing of B; a page that names it must refuse in turn.
                segments = response["Location"].split("?")[0].split("/")
                names_object = any(str(value) in segments for value in route.b(world).values())
                refused = not names_object or _refused(client.get(response["Location"]))
            changed = _changed(before, _writes())
            if not refused:
                problems.append(f"{role} {method} {url}: {response.status_code}")
            if changed:
                problems.append(f"{role} {method} {url} wrote {changed}")

    # The positive control: the owner reaches the very object through the very URL.
    owner = _client(world, route.owner)
    reached = []
    for method in methods:
        reached.append(_send(owner, method, url, route.body))
        if _got_through(reached[-1]):
            break
    else:
        problems.append(f"positive control {route.owner}: {[r.status_code for r in reached]}")
    assert not problems, problems


# --- no access check that `python -O` would strip -------------------------------------------------

APPS = ("servicehall", "catalog", "queueing", "appointments", "cases", "feedback", "staffing")
CHECK_PREFIXES = ("access_", "may_", "_may_", "require_", "_require", "acts_as", "covers_", "works_at")


def test_no_access_check_is_an_assert() -> None:
    # ruff's S101 is ignored project-wide: the asserts of the apps narrow types for mypy. An
    # assert that decided who may do something would vanish under `python -O`: none may sit in
    # an access module or a check function (access_*, may_*, _require_*...).
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found: list[str] = []
    checked = 0
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            whole_module = path.name == "access.py"
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef):
                    continue
                if not (whole_module or node.name.startswith(CHECK_PREFIXES)):
                    continue
                checked += 1
                found += [
                    f"{path.relative_to(root)}:{inner.lineno} in {node.name}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Assert)
                ]
    assert checked > 50
    assert not found, found


# --- the admin: hall-owned rows of hall B ----------------------------------------------------------

# Registered admin models and the lookup from the model to its hall. A hall's supervisor may use
# the admin (is_staff, view permissions); the rows of another hall must not exist for them.
ADMIN_HALL_PATHS = {
    "queueing.queuecategory": "hall",
    "queueing.window": "hall",
    "queueing.hallqueuesettings": "hall",
    "queueing.ticket": "hall",
    "queueing.assistancerequest": "hall",
    "queueing.waitalert": "hall",
    "queueing.dailystat": "hall",
    "queueing.boardmessage": "hall",
    "queueing.kioskdevice": "hall",
    "appointments.slotplan": "hall",
    "appointments.slot": "hall",
    "appointments.hallbookingsettings": "hall",
    "appointments.booking": "hall",
    "appointments.reminder": "booking__hall",
    "appointments.checkinfailure": "hall",
    "cases.case": "hall",
    "cases.correctionnotice": "case__hall",
    "cases.casewarningsummary": "hall",
    "cases.forwarding": "from_hall",
    "cases.urgentrequest": "hall",
    "cases.writtenreport": "hall",
    "cases.bundlecase": "hall",
    "feedback.rating": "hall",
    "feedback.rectificationorder": "hall",
    "feedback.ratingappeal": "order__hall",
    "feedback.satisfactionmonth": "hall",
    "feedback.report": "hall",
    "staffing.secondment": "hall",
    "staffing.trainingrecord": "user__staff_profile__hall",
    "staffing.skillcertification": "user__staff_profile__hall",
    "staffing.attendancerecord": "hall",
    "staffing.conductincident": "secondment__hall",
    "staffing.replacementrequest": "secondment__hall",
    "staffing.assessmentproposal": "secondment__hall",
    "staffing.surgeflag": "hall",
}
# Registered admin models that belong to no hall, with the reason.
ADMIN_NOT_HALL_OWNED = {
    "auth.user": "staff accounts: administrators only (auth permissions)",
    "auth.group": "the roles: administrators only",
    "servicehall.auditevent": "the audit trail: administrators only (tests/servicehall/test_audit_trail.py)",
    "servicehall.twofactordevice": "staff accounts' second factor: administrators only (test_two_factor.py)",
    "catalog.department": PUBLIC_CATALOG,
    "catalog.serviceitem": PUBLIC_CATALOG,
    "catalog.guideversion": PUBLIC_CATALOG,
    "catalog.bundle": PUBLIC_CATALOG,
    "catalog.calendarday": "the working-day calendar: the same for the whole city",
    "catalog.searchsynonym": "the search synonyms: one list for the city",
    "catalog.hall": PUBLIC_CATALOG,
    "appointments.bookingperson": "scoped by the halls of the person's bookings (appointments/admin.py)",
    "cases.applicant": "applicants' identities: read-only, administrators (no role is granted to view them)",
    "feedback.ratingpolicy": "the rating policy: one for the city",
    "feedback.reportcategory": "the report categories: one list for the city",
    "staffing.conductcode": "the code of conduct: one for the city",
}


def test_every_admin_model_is_placed() -> None:
    from django.contrib import admin

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert set(ADMIN_HALL_PATHS) | set(ADMIN_NOT_HALL_OWNED) == registered
    assert not set(ADMIN_HALL_PATHS) & set(ADMIN_NOT_HALL_OWNED)


@pytest.mark.postgres
@needs_postgres
def test_a_hall_supervisor_finds_no_row_of_another_hall_in_the_admin(world, db) -> None:
    from django.apps import apps

    outsider = Client()
    outsider.force_login(world.users[SUPERVISOR_A])  # staff of Tianhe, may use the admin
    owner = Client()
    owner.force_login(world.users[ADMIN])
    problems: list[str] = []
    checked = 0
    for label, path in sorted(ADMIN_HALL_PATHS.items()):
        model = apps.get_model(label)
        row = model._default_manager.filter(**{f"{path}__code": HALL_B}).order_by("pk").first()
        if row is None:
            continue  # no row of hall B in the world (kiosks, booking settings, check-in failures...)
        checked += 1
        meta = model._meta
        for view in ("change", "history"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[row.pk])
            before = _writes()
            response = outsider.get(url)
            if response.status_code == 200:
                problems.append(f"{label} {view}: 200")
            if changed := _changed(before, _writes()):
                problems.append(f"{label} {view} wrote {changed}")
            if owner.get(url).status_code != 200:
                problems.append(f"positive control {label} {view}")
    assert checked >= 25, checked
    assert not problems, problems
