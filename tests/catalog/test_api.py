"""The read-only catalog API, its filters, errors, schema and query counts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.permissions import AllowAny

from catalog import services
from catalog.api_urls import router
from tests.catalog import factories

pytestmark = pytest.mark.django_db


def test_items_list_gives_the_current_guide_with_materials(client, catalog) -> None:
    response = client.get("/api/v1/items/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    first = next(row for row in data["results"] if row["code"] == "0600101000")
    assert first["name"] == "居民身份证换领"
    assert first["department"]["code"] == "GZGA"
    assert first["version"] == 1 and first["effective_from"] == "2026-01-01"
    assert [m["name"] for m in first["materials"]] == ["居民身份证", "户口簿", "近期照片"]
    assert [m["may_follow_later"] for m in first["materials"]] == [False, False, True]
    assert first["halls"] == ["GZ-CITY", "TH"]
    assert first["statutory_limit_days"] == 60 and first["promised_limit_days"] == 20


def test_item_detail_by_code(client, catalog) -> None:
    data = client.get("/api/v1/items/0100201000/").json()
    assert data["name"] == "食品经营许可" and data["applicant_type"] == "legal_person"
    assert client.get("/api/v1/items/0999999999/").status_code == 404


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"q": "身份证"}, {"0600101000"}),
        ({"department": "GZSCJG"}, {"0100201000", "1000301000"}),
        ({"hall": "TH"}, {"0600101000", "1000301000"}),
        ({"scope": "cross_region"}, {"0600102000"}),
        ({"kind": "instant"}, {"1000301000"}),
        ({"item_type": "01"}, {"0100201000"}),
    ],
)
def test_items_filters(client, catalog, params, codes) -> None:
    data = client.get("/api/v1/items/", params).json()
    assert {row["code"] for row in data["results"]} == codes


@pytest.mark.parametrize(
    ("params", "field"),
    [({"scope": "moon"}, "scope"), ({"applicant": "robot"}, "applicant"), ({"page_size": "101"}, "page_size")],
)
def test_invalid_filters_are_400_with_the_field_named(client, catalog, params, field) -> None:
    response = client.get("/api/v1/items/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("params", [{"department": "NOPE"}, {"hall": "NOPE"}])
def test_a_code_that_names_nothing_matches_nothing(client, catalog, params) -> None:
    """Which codes exist is data the schema cannot state: an unknown one is an empty list, as
    any filter that matches nothing (issue 9: a request valid by the schema is not refused)."""
    response = client.get("/api/v1/items/", params)
    assert response.status_code == 200 and response.json()["results"] == []


def test_generating_the_schema_leaves_the_filters_as_they_were(client, catalog) -> None:
    # Reading a filter's form field while documenting it once built the field on the class's
    # filter, and every filter set copied it from there: the API's unknown code became an error.
    from drf_spectacular.generators import SchemaGenerator

    SchemaGenerator().get_schema(request=None, public=True)
    assert client.get("/api/v1/items/", {"department": "NOPE"}).status_code == 200
    assert client.get("/guides/", {"department": "NOPE"}).status_code == 400


def test_empty_filters_mean_not_filtered_and_booleans_are_strict(client, catalog) -> None:
    everything = client.get("/api/v1/items/").json()["count"]
    assert client.get("/api/v1/items/", {"department": "", "hall": "", "kind": ""}).json()["count"] == everything
    assert client.get("/api/v1/calendar/", {"working": "", "year": ""}).status_code == 200
    refused = client.get("/api/v1/calendar/", {"working": "maybe"})
    assert refused.status_code == 400 and "working" in refused.json()["errors"]


def test_departments_halls_bundles(client, catalog) -> None:
    assert {d["code"] for d in client.get("/api/v1/departments/").json()["results"]} == {"GZGA", "GZSCJG"}
    halls = client.get("/api/v1/halls/", {"level": "city"}).json()["results"]
    assert [h["code"] for h in halls] == ["GZ-CITY"]
    hall = client.get("/api/v1/halls/TH/").json()
    assert hall["opening_hours"][0]["morning_opens"] == "09:00:00"
    assert set(hall["items"]) == {"0600101000", "1000301000"}
    assert {h["code"] for h in client.get("/api/v1/halls/", {"item": "0600102000"}).json()["results"]} == {"GZ-CITY"}
    bundle = client.get(f"/api/v1/bundles/{catalog['bundle'].pk}/").json()
    assert bundle["promised_limit_days"] == 8
    assert [(m["stage"], m["code"]) for m in bundle["members"]] == [
        (1, "1000301000"),
        (2, "0100201000"),
        (2, "0600102000"),
    ]
    assert client.get("/api/v1/halls/NOPE/").status_code == 404


def test_calendar_and_deadline(client) -> None:
    services.calendar_fill_year(year=2026)
    october = client.get("/api/v1/calendar/", {"year": 2026, "month": 10, "page_size": 100}).json()
    assert october["count"] == 31
    ten = next(d for d in october["results"] if d["date"] == "2026-10-10")
    assert ten["kind"] == "makeup_workday" and ten["is_working_day"] is True
    working = client.get("/api/v1/calendar/", {"start": "2026-10-01", "end": "2026-10-11", "working": "true"}).json()
    assert [d["date"] for d in working["results"]] == ["2026-10-08", "2026-10-09", "2026-10-10"]
    deadline = client.get("/api/v1/calendar/deadline/", {"start": "2026-09-30", "days": 3}).json()
    assert deadline == {"start": "2026-09-30", "days": 3, "deadline": "2026-10-10", "provisional": False}


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01", "days": 1},
        {"start": "2026-01-01", "days": -1},
        {"start": "2026-01-01"},
        {"start": "2026-01-01", "days": 9999},
    ],
)
def test_deadline_rejects_bad_input_with_400(client, params) -> None:
    response = client.get("/api/v1/calendar/deadline/", params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) & {"start", "days"}


def test_calendar_rejects_bad_month(client) -> None:
    response = client.get("/api/v1/calendar/", {"month": 13})
    assert response.status_code == 400 and "month" in response.json()["errors"]


def test_api_is_read_only(client, catalog) -> None:
    assert client.post("/api/v1/items/", {}, content_type="application/json").status_code in (403, 405)
    assert client.delete("/api/v1/items/0600101000/").status_code in (403, 405)


def test_items_list_query_count_does_not_grow_with_the_catalog(client, catalog) -> None:
    factories.many_items(20, dept=catalog["market"], hall_=catalog["city"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/items/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    factories.many_items(480, dept=catalog["police"], hall_=catalog["city"])
    assert count() == small <= 6


def test_schema_is_served_and_valid(client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/items/" in response.content
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_api_docs_are_served_from_our_own_static_files(client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower() and "unpkg" not in body.lower()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/items/?page=abc", "page"),
        ("/api/v1/items/?page=0", "page"),
        ("/api/v1/items/?page_size=abc", "page_size"),
        ("/api/v1/calendar/?year=2026.5", "year"),
        ("/api/v1/calendar/?start=2026-02-30", "start"),
        ("/api/v1/halls/?item=" + "9" * 20, "item"),
        ("/api/v1/items/?q=%00", "q"),
    ],
)
def test_bad_query_values_are_400_naming_the_field(client, catalog, url, field) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_page_past_the_end_is_404(client, catalog) -> None:
    assert client.get("/api/v1/items/", {"page": 99}).status_code == 404


def test_every_catalog_view_is_public_by_its_own_declaration() -> None:
    # The project default is IsAuthenticated: the catalog must say AllowAny itself, view by view.
    assert {prefix: viewset.permission_classes for prefix, viewset, _basename in router.registry} == {
        prefix: [AllowAny] for prefix in ("items", "departments", "halls", "bundles", "calendar")
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/items/",
        "/api/v1/items/0600101000/",
        "/api/v1/departments/",
        "/api/v1/halls/",
        "/api/v1/halls/TH/",
        "/api/v1/bundles/",
        "/api/v1/calendar/",
        "/api/v1/calendar/deadline/?start=2026-09-30&days=3",
    ],
)
def test_an_anonymous_visitor_reads_the_catalog(client, catalog, url) -> None:
    assert client.get(url).status_code == 200
