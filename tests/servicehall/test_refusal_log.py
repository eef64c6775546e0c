"""A page refused by the permission checks is logged as one line, without a traceback; a server
error keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from servicehall import roles
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db


def test_a_refused_page_is_one_warning_line_without_a_traceback(client, caplog) -> None:
    factories.hall()
    client.force_login(staff_user("citywide-supervisor", role=roles.SUPERVISOR))  # no hall, so no desk

    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get(reverse("assistance-desk"))

    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /staff/assistance/")
    ]
    assert records[0].exc_info is None and not records[0].exc_text
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = exc
    logger = logging.getLogger("django.request")
    for status, kept in ((500, True), (403, False), (404, False)):
        record = logger.makeRecord(
            "django.request", logging.ERROR, __file__, 1, "x", (), (type(error), error, error.__traceback__)
        )
        record.status_code = status
        assert all(f.filter(record) for f in logger.filters)
        assert (record.exc_info is not None) is kept, status
