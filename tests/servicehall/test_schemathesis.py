"""The API says what it does (issue 9): schemathesis runs every operation of the OpenAPI schema,
as an anonymous caller, a window clerk signed in at a window and a supervisor, with every check
it has (no server error; status codes, content types, headers and bodies as documented; schema-
valid requests accepted and invalid ones refused; …), and finds nothing.

The operations come from the schema itself, so a new app's API is covered as soon as its routes
are. Generation is bounded and derandomized (the same cases on every run, a few minutes in all
on PostgreSQL); requests go to the WSGI application in this process, inside the test's
transaction, so nothing they write outlives the test. Path parameters are sometimes swapped for
objects that exist (the hall, a window, a ticket, a booking), so that the operations are run on
real data and not only answered 404.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from appointments import services as booking_services
from catalog.models import Bundle, Department
from queueing import services as queue_services
from queueing.models import DailyStat, Ticket, WaitAlert
from servicehall import roles
from servicehall.personal_data import id_number_check_character
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.catalog import factories as catalog_factories
from tests.queueing.factories import make_queue_hall
from tests.servicehall.factories import staff_user

# Per operation and role: the schema's examples, the coverage phase's boundary and missing-value
# cases, and this many generated cases.
MAX_EXAMPLES = 12
ROLES = ("anonymous", "clerk", "supervisor")
# The one operation whose schema-valid requests may be refused with 400 (see ``_config``).
TICKET_ISSUE = "POST /api/v1/halls/{code}/tickets/"


def _config() -> SchemathesisConfig:
    positive = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261123,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {
                # 422 is answered only where an operation documents it: a rule across two fields
                # that a schema cannot state (a date range too long).
                "positive_data_acceptance": {"expected-statuses": [*positive, "422"]},
            },
            "operations": [
                {
                    # Which queue letters a hall has is its data, not the schema's: a well-formed
                    # letter naming none of them is an invalid field, a 400 naming it. Selected by
                    # its one name (label): schemathesis ORs an entry's include filters, so
                    # include-path with include-method would select every POST as well, and its
                    # list, replacing the one above, would refuse their documented 422s.
                    "include-name": TICKET_ISSUE,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*positive, "400"]}},
                }
            ],
        }
    )


def _schema() -> Any:
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=_config())
    loaded.app = WSGIHandler()
    return loaded


schema = _schema()


@st.composite
def _id_numbers(draw: st.DrawFn) -> str:
    """Resident ID numbers as ``servicehall.personal_data.validate_id_number`` accepts them."""
    born = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2005, 12, 31)))
    first17 = f"440106{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + id_number_check_character(first17)


schemathesis.openapi.format("cn-resident-id", _id_numbers())


@st.composite
def _credit_codes(draw: st.DrawFn) -> str:
    """Unified social credit codes as ``cases.identity.validate_credit_code`` accepts them."""
    from cases.identity import CREDIT_CODE_ALPHABET, credit_code_check_character

    letters = st.sampled_from(CREDIT_CODE_ALPHABET)
    head = "".join(draw(st.lists(letters, min_size=2, max_size=2)))
    body = "".join(draw(st.lists(letters, min_size=9, max_size=9)))
    first17 = f"{head}{draw(st.integers(0, 999999)):06d}{body}"
    return first17 + credit_code_check_character(first17)


schemathesis.openapi.format("cn-credit-code", _credit_codes())


# Objects that exist, by path parameter (filled by the fixture for the running test).
REAL: dict[str, dict[str, list[Any]]] = {}


def _real_values(path: str, name: str) -> list[Any]:
    for prefix, values in REAL.items():
        if path.startswith(prefix) and name in values:
            return values[name]
    return []


@schema.hook
def flatmap_path_parameters(context, path_parameters):  # noqa: ANN001, ANN201
    """Half the time, the objects of the fixture instead of drawn values (only where the drawn
    value has the real one's type: a value drawn to violate the schema stays as it is)."""
    if not path_parameters:
        return st.just(path_parameters)
    real = {name: _real_values(context.operation.path, name) for name in path_parameters}
    choices = {
        name: st.sampled_from(values)
        for name, values in real.items()
        if values and type(path_parameters[name]) is type(values[0])
    }
    if not choices:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(choices).map(lambda d: {**path_parameters, **d}))


def _schema_valid_body(operation: Any, body: dict[str, Any]) -> bool:
    for media in operation.body:
        if media.media_type == "application/json":
            return jsonschema_rs.validator_for(media.validation_schema).is_valid(body)
    return False


@schema.hook
def flatmap_body(context, body):  # noqa: ANN001, ANN201
    """Half the time, fields naming objects (a slot, a queue category, a window, a booking code)
    name ones that exist, where the drawn value has the real one's type, and only in a body the
    schema accepts: a body drawn to violate the schema stays as it is (swapping its bad
    ``category`` for a real one made a valid request that schemathesis then reported as a
    schema-violating request accepted)."""
    if not isinstance(body, dict) or not _schema_valid_body(context.operation, body):
        return st.just(body)
    real = REAL.get("body", {})
    choices = {
        name: st.sampled_from(real[name])
        for name, value in body.items()
        if real.get(name) and type(value) is type(real[name][0])
    }
    if not choices:
        return st.just(body)
    return st.one_of(st.just(body), st.fixed_dictionaries(choices).map(lambda d: {**body, **d}))


@pytest.fixture
def api_world(db):
    """Two halls with queues, windows, waiting tickets, bookable slots, a booking, an alert and a
    day's statistics; the clerk signed in at a window; requests to the WSGI application kept in
    the test's transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with time_machine.travel(NOW, tick=False):
        bh = make_booking_hall()
        qh = make_queue_hall()
        dept = Department.objects.order_by("pk").first() or catalog_factories.department()
        item = catalog_factories.item(code="1100401000", dept=dept, name="测试事项", halls=[qh.hall, bh.hall])
        bundle = Bundle.objects.create(name="测试一件事", lead_department=dept, promised_limit_days=5)
        clerk = qh.staff[2]
        queue_services.window_sign_in(window=qh.window_a, staff=clerk)
        tickets = [
            queue_services.ticket_issue(hall=qh.hall, category=qh.a, source=Ticket.Source.KIOSK).ticket
            for _ in range(3)
        ]
        # A ticket already at the clerk's window, for the actions on it.
        queue_services.ticket_call_next(window=qh.window_a, staff=clerk)
        slot = bh.slot(NOW.date() + dt.timedelta(days=1), 9)
        booking = booking_services.booking_create(slot=slot, **person(1))
        # Today's booking, 25 minutes before its slot: open for check-in.
        today = booking_services.booking_create(slot=bh.slot(NOW.date(), 10, 30), **person(2))
        alert = WaitAlert.objects.create(
            hall=qh.hall,
            category=qh.a,
            reason=WaitAlert.Reason.LONG_WAIT,
            opened_at=NOW,
            run_id="schemathesis",
            waiting=12,
            longest_wait_seconds=2400,
            open_windows=1,
            arrivals_per_hour=20.0,
            mean_service_seconds=300.0,
            recommended_extra_windows=1,
        )
        DailyStat.objects.create(hall=qh.hall, date=NOW.date() - dt.timedelta(days=1), scope="hall", issued=40)
        supervisor = staff_user("schemathesis-supervisor", role=roles.SUPERVISOR, hall_=qh.hall)
    REAL.clear()
    REAL.update(
        {
            "/api/v1/halls/": {"code": [qh.hall.code, bh.hall.code]},
            "/api/v1/items/": {"code": [item.code]},
            "/api/v1/departments/": {"code": [dept.code]},
            "/api/v1/bundles/": {"id": [bundle.pk]},
            "/api/v1/tickets/": {"token": [t.token for t in tickets]},
            "/api/v1/bookings/": {"token": [booking.manage_token]},
            "/api/v1/windows/": {"id": [qh.window_a.pk, qh.comprehensive.pk], "ticket_pk": [t.pk for t in tickets]},
            "/api/v1/alerts/": {"id": [alert.pk]},
            "body": {
                "slot": list(bh.hall.slots.values_list("pk", flat=True)[:5]) + [slot.pk],
                "category": ["A", "B"],
                "target_window": [1, 3],
                "code": [today.code],
            },
        }
    )
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        yield {"clerk": clerk, "supervisor": supervisor}
    REAL.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The signed-in session of the running test (empty for anonymous).
SESSION: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class PortalSession:
    """The staff member's session cookie and its CSRF token, declared to schemathesis as the
    operation's credentials: its auth check then also sends each case without them (and with
    invalid ones) and expects a refusal."""

    def get(self, case, context):  # noqa: ANN001, ANN201
        return dict(SESSION) or None

    def set(self, case, data, context) -> None:  # noqa: ANN001
        case.cookies = {**(case.cookies or {}), "sessionid": data["sessionid"], "csrftoken": data["csrf"]}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrf"]}


@pytest.fixture
def signed_in(api_world, role, client):
    SESSION.clear()
    if role != "anonymous":
        client.force_login(api_world[role])
        SESSION.update(sessionid=client.cookies["sessionid"].value, csrf=get_random_string(32))
    yield role
    SESSION.clear()


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
# One world per operation and role, changed by the cases one after another as a server's would be.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_does_what_the_schema_says(case, signed_in) -> None:
    case.call_and_validate()


def test_every_operation_of_the_schema_is_run() -> None:
    """No operation is left out: the schemathesis test above runs what this lists."""
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert len(operations) >= 30
    assert {"/api/v1/halls/{code}/tickets/", "/api/v1/bookings/", "/api/v1/statistics/daily/"} <= paths


def test_the_tickets_override_is_the_tickets_operations_only() -> None:
    """The 400 accepted for a schema-valid ticket request is accepted there only: every other
    operation keeps the project's statuses (422 among them, where a rule across fields refuses).
    An override selecting more (include-path with include-method selects every POST) made
    schemathesis refuse the documented 422s of the bookings and online reports."""
    config = schema.config
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase in (None, "examples", "coverage", "fuzzing"):
            statuses = config.checks_config_for(operation=operation, phase=phase).positive_data_acceptance
            if operation.label == TICKET_ISSUE:
                assert "400" in statuses.expected_statuses
            else:
                assert "400" not in statuses.expected_statuses, operation.label
                assert "422" in statuses.expected_statuses, operation.label
