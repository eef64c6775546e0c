"""Safe by default: DRF's default permission is IsAuthenticated, so an endpoint is public only
when its view says AllowAny. The public operations of the schema are listed here; a new public
endpoint is a decision made in this list, not an accident."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import api_settings

# (method, path) of every operation an anonymous caller may use.
PUBLIC_OPERATIONS = {
    # The catalog: items with their guides, departments, halls, bundles, the calendar.
    ("GET", "/api/v1/items/"),
    ("GET", "/api/v1/items/{code}/"),
    ("GET", "/api/v1/departments/"),
    ("GET", "/api/v1/departments/{code}/"),
    ("GET", "/api/v1/halls/"),
    ("GET", "/api/v1/halls/{code}/"),
    ("GET", "/api/v1/bundles/"),
    ("GET", "/api/v1/bundles/{id}/"),
    ("GET", "/api/v1/calendar/"),
    ("GET", "/api/v1/calendar/deadline/"),
    # Queues: a hall's live queue, taking a ticket online, following or cancelling it by token.
    ("GET", "/api/v1/halls/{code}/queue/"),
    ("POST", "/api/v1/halls/{code}/tickets/"),
    ("GET", "/api/v1/tickets/{token}/"),
    ("POST", "/api/v1/tickets/{token}/cancel/"),
    # Asking for accompanied or assisted handling for one's ticket, by its token (Art. 10 ¶1).
    ("POST", "/api/v1/tickets/{token}/assistance/"),
    # Appointments: seats left, booking, managing a booking by its private token, check-in.
    ("GET", "/api/v1/halls/{code}/slots/"),
    ("POST", "/api/v1/halls/{code}/check-in/"),
    ("POST", "/api/v1/bookings/"),
    ("GET", "/api/v1/bookings/{token}/"),
    ("POST", "/api/v1/bookings/{token}/cancel/"),
    ("POST", "/api/v1/bookings/{token}/reschedule/"),
    # Cases: an applicant follows their case by its number and the last four digits of their
    # mobile or ID number (rate-limited, no hint whether it exists), or by the private link.
    ("POST", "/api/v1/case-progress/"),
    ("GET", "/api/v1/case-progress/{token}/"),
    ("GET", "/api/v1/bundle-case-progress/{token}/"),
    # “办不成事” reports: the categories, reporting online (rate-limited) and following one's report
    # by its private token (POST: the token stays out of URLs).
    ("GET", "/api/v1/report-categories/"),
    ("POST", "/api/v1/reports/online/"),
    ("POST", "/api/v1/report-progress/"),
    # 好差评: rating a served ticket or a completed case by the private token of its link (the
    # ticket page's, the case progress link's), and the published satisfaction (评价公开).
    ("GET", "/api/v1/ratings/tickets/{token}/"),
    ("POST", "/api/v1/ratings/tickets/{token}/"),
    ("GET", "/api/v1/ratings/cases/{token}/"),
    ("POST", "/api/v1/ratings/cases/{token}/"),
    ("GET", "/api/v1/ratings/statistics/"),
}


def _operations() -> dict[tuple[str, str], dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def _is_public(operation: dict) -> bool:
    # drf-spectacular lists an empty requirement ({}) when anonymous callers are let in; no
    # security at all would mean no authentication is asked for, public too.
    security = operation.get("security")
    return not security or {} in security


def test_the_default_permission_is_to_be_signed_in() -> None:
    assert api_settings.DEFAULT_PERMISSION_CLASSES == [IsAuthenticated]


@pytest.mark.django_db
def test_the_public_operations_are_exactly_the_allow_list() -> None:
    operations = _operations()
    public = {key for key, operation in operations.items() if _is_public(operation)}
    assert public == PUBLIC_OPERATIONS
    assert len(operations) > len(public), "staff operations must be in the schema too"


@pytest.mark.django_db
def test_staff_operations_refuse_anonymous_callers(client) -> None:
    # Beyond the schema's word: every staff operation answers 401/403 to an anonymous caller
    # before it looks at its arguments.
    checked = 0
    for (method, path), operation in _operations().items():
        if _is_public(operation):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code in (401, 403), (method, path, response.status_code)
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_a_refusal_says_why_in_chinese(client) -> None:
    from servicehall import roles
    from tests.catalog import factories
    from tests.servicehall.factories import staff_user

    hall = factories.hall()
    client.force_login(staff_user("perm-clerk", role=roles.WINDOW_STAFF, hall_=hall))
    for path in ("/api/v1/alerts/", "/api/v1/statistics/daily/", "/api/v1/statistics/bookings/"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["detail"] == "仅政务服务管理部门和系统管理员可以查看。", path
