"""The API's front door and its plainest refusals (walkthrough finding 17): /api/ and /api/v1/
point to the documentation, an anonymous caller of a signed-in operation gets 401 with a
challenge, and a body that is not JSON is refused in the language of the request."""

from __future__ import annotations

import pytest

from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/", "/api/v1/"])
def test_the_api_roots_point_to_the_docs_and_the_schema(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["docs"] == "/api/docs/" and body["schema"] == "/api/schema/"
    assert "/api/docs/" in body["detail"]
    assert client.get("/api/docs/").status_code == 200
    # The Chinese as written, as in the API's own answers, not escaped into ASCII sequences.
    assert "接口文档见" in response.content.decode() and "\\u" not in response.content.decode()


def test_a_body_that_is_not_json_is_refused_with_its_chinese_as_written(client) -> None:
    response = client.post("/api/v1/bookings/", data="slot=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    assert "须为 JSON" in response.content.decode() and "\\u" not in response.content.decode()


def test_one_field_error_names_its_field_in_the_detail(client) -> None:
    from queueing.models import QueueCategory
    from tests.catalog import factories

    QueueCategory.objects.create(hall=factories.hall(code="FIELD"), letter="A", name="综合业务")
    body = client.post("/api/v1/halls/FIELD/tickets/", data={}, content_type="application/json").json()
    # DRF's "请填写此项。" alone does not say which field; the detail does.
    assert body["code"] == "invalid" and list(body["errors"]) == ["category"]
    assert body["detail"] == f"category：{body['errors']['category'][0]}"


def test_an_anonymous_caller_of_a_signed_in_operation_gets_401_with_a_challenge(client) -> None:
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Cookie realm="servicehall"')
    assert 'form-action="/accounts/login/"' in response["WWW-Authenticate"]
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_signed_in_but_not_allowed_is_still_403(client) -> None:
    from servicehall import roles
    from tests.catalog import factories

    client.force_login(staff_user("polish-clerk", role=roles.WINDOW_STAFF, hall_=factories.hall()))
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 403 and "WWW-Authenticate" not in response


def test_the_schema_documents_401_for_signed_in_operations_only() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    alerts = schema["paths"]["/api/v1/alerts/"]["get"]
    assert "401" in alerts["responses"] and alerts["security"] == [{"cookieAuth": []}]
    items = schema["paths"]["/api/v1/items/"]["get"]
    assert "401" not in items["responses"]


def malformed(client, **extra):
    return client.post("/api/v1/bookings/", data='{"slot": 1,, }', content_type="application/json", **extra)


def test_a_malformed_json_body_is_refused_in_chinese_with_where_it_went_wrong(client) -> None:
    response = malformed(client)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求体不是有效的JSON：第1行第12列有误。",
        "code": "parse_error",
        "errors": {},
    }


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_a_malformed_json_body_is_refused_in_english_when_asked(client, settings, how) -> None:
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = malformed(client, HTTP_ACCEPT_LANGUAGE="zh-CN")
    else:
        response = malformed(client, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert response["Content-Language"] == "en"
    # The English of the message is the translators' (locale/); the decoder's own English is gone.
    assert "Expecting" not in response.json()["detail"]


def test_pages_still_ignore_accept_language(client) -> None:
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "zh-hans"
    api = client.get("/api/", HTTP_ACCEPT_LANGUAGE="en")
    assert api["Content-Language"] == "en" and "Accept-Language" in api["Vary"]
