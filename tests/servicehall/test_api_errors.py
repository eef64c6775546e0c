"""One error shape for the whole API, and a schema that says what the API does (issue 9).

schemathesis runs the whole schema in test_schemathesis.py; these pin what it found, one by one.
"""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from appointments.models import Booking
from queueing.models import Ticket
from servicehall.errors import DomainError, api_exception_handler
from servicehall.personal_data import validate_id_number
from tests.queueing.factories import NOW, id_number, make_queue_hall

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def test_a_field_named_code_does_not_overwrite_the_error_code() -> None:
    # A check-in refused on its "code" field reached clients as {"code": "invalid"}, the message lost.
    response = api_exception_handler(DomainError("没有找到该预约。", field="code", code="not_found", status=404), {})
    assert response is not None and response.status_code == 404
    assert response.data == {
        "detail": "没有找到该预约。",
        "code": "not_found",
        "errors": {"code": ["没有找到该预约。"]},
    }


def test_validation_errors_name_every_field_under_errors(client) -> None:
    qh = make_queue_hall()
    response = client.post(
        f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "", "priority": "vip"}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert set(body["errors"]) == {"category", "priority"} and body["detail"] == "提交的内容有误，请按各项提示修改。"


def test_a_path_no_route_matches_is_a_json_404(client) -> None:
    # A window id that is not a number matches no route: the API still answers in its error shape.
    response = client.get("/api/v1/windows/abc/tickets/1/finish/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "没有找到该接口或对象。", "code": "not_found", "errors": {}}
    assert client.get("/nowhere/").headers["Content-Type"].startswith("text/html")


def test_an_anonymous_write_without_a_body_is_what_the_schema_documents(client) -> None:
    """Cancelling by token takes no body, and the schema says so: a client that sends none is not
    refused for its missing content type (the token in the path is the key)."""
    qh = make_queue_hall()
    with time_machine.travel(NOW, tick=False):  # a working-day morning: the hall is open
        issued = client.post(
            f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "A"}, content_type="application/json"
        )
    assert issued.status_code == 201
    token = issued.json()["token"]
    response = client.generic("POST", f"/api/v1/tickets/{token}/cancel/")  # no body, no Content-Type
    assert response.status_code == 200 and Ticket.objects.get(token=token).status == "cancelled"
    form = client.post(f"/api/v1/tickets/{token}/cancel/", {"x": "1"})  # a body that is not JSON
    assert form.status_code == 415


def test_json_bodies_are_taken_at_their_type(client) -> None:
    qh = make_queue_hall()
    response = client.post(
        f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": 1, "id_number": 2}, content_type="application/json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"category", "id_number"}
    assert not Ticket.objects.exists() and not Booking.objects.exists()


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "²"}, {"page_size": "0"}, {"page_size": "101"}])
def test_pages_out_of_the_documented_bounds_are_400(client, params) -> None:
    response = client.get("/api/v1/departments/", params)
    assert response.status_code == 400 and set(response.json()["errors"]) == set(params)


@pytest.mark.parametrize("zero", ["\u0660", "\uff10"])  # Arabic-Indic and full-width digits
def test_id_numbers_are_ascii_digits(zero) -> None:
    # Python's \d matched them, and int() reads them as the same number: another text, another
    # digest, for the same person.
    valid = id_number("19900307")
    validate_id_number(valid)
    other = valid[:17].translate({ord(str(d)): chr(ord(zero) + d) for d in range(10)}) + valid[17]
    with pytest.raises(ValidationError, match="18位"):
        validate_id_number(other)


def test_every_operation_documents_its_errors_in_one_shape() -> None:
    schema = _schema()
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail", "errors"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = {int(code) for code in operation["responses"]}
            errors = {code for code in statuses if code >= 400}
            assert errors, (method, path)
            for code in errors:
                assert operation["responses"][str(code)]["content"]["application/json"]["schema"] == error
            if method == "post":
                assert {403, 409, 415} <= errors, path
            if "{" in path:
                assert 404 in errors, path


def test_the_schema_states_the_bounds_the_api_checks() -> None:
    schema = _schema()
    text = json.dumps(schema)
    assert '"format": "time"' not in text  # times of day carry no offset
    hall = schema["components"]["schemas"]["Hall"]["properties"]["parent"]
    assert hall["nullable"] is True
    items = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert items["page"]["minimum"] == 1 and items["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    deadline = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/calendar/deadline/"]["get"]["parameters"]}
    assert (deadline["days"]["minimum"], deadline["days"]["maximum"]) == (0, 365)
    body = schema["components"]["schemas"]["BookingCreateRequest"]["properties"]
    assert body["id_number"]["format"] == "cn-resident-id" and body["mobile"]["pattern"] == "^1[3-9][0-9]{9}$"
    # Only a transfer takes a body among the actions on a ticket.
    actions = schema["paths"]
    assert "requestBody" in actions["/api/v1/windows/{id}/tickets/{ticket_pk}/transfer/"]["post"]
    assert "requestBody" not in actions["/api/v1/windows/{id}/tickets/{ticket_pk}/finish/"]["post"]
    # JSON only, as the API parses.
    create = actions["/api/v1/bookings/"]["post"]["requestBody"]["content"]
    assert list(create) == ["application/json"]


@pytest.mark.parametrize(
    ("body", "zh", "en"),
    [
        (
            "null",
            "请求体不能为空（null）：请发送一个JSON对象，即 {…}。",
            "The request body is empty (null): send a JSON object, {…}.",
        ),
        (
            "[1]",
            "请求体须为JSON对象，即 {…}，而不是数组。",
            "The request body must be a JSON object, {…}, not an array.",
        ),
        (
            '"A"',
            "请求体须为JSON对象，即 {…}，而不是字符串。",
            "The request body must be a JSON object, {…}, not a string.",
        ),
    ],
    ids=["null", "list", "string"],
)
def test_a_body_that_is_not_an_object_is_refused_in_clear_words(client, body: str, zh: str, en: str) -> None:
    """Finding 7: "No data provided" in English under zh-hans, and "无效数据。期待为字典类型，得到的是
    list 。" (Python's type name) for a list."""
    qh = make_queue_hall()
    url = f"/api/v1/halls/{qh.hall.code}/tickets/"
    with time_machine.travel(NOW, tick=False):
        chinese = client.post(url, body, content_type="application/json", headers={"accept-language": "zh-hans"})
        english = client.post(url, body, content_type="application/json", headers={"accept-language": "en"})
    assert chinese.status_code == english.status_code == 400
    assert chinese.json() == {"detail": zh, "code": "invalid", "errors": {"non_field_errors": [zh]}}
    assert english.json()["detail"] in (en, zh)  # English once /tmp/i18n/citizen.tsv is in the catalogue
    assert "No data provided" not in english.json()["detail"] and "list" not in english.json()["detail"]
    assert not Ticket.objects.exists()
