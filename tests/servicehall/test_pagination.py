"""One pager for every paginated list (templates/_pagination.html, ``{% pagination page %}``):
the same accessible markup everywhere, and the page's own query string kept in its links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory

from servicehall import roles
from servicehall.audit import audit_record
from tests.catalog import factories
from tests.servicehall.factories import staff_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def pager(html: str) -> str:
    match = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert match, "no pager on the page"
    return match.group(0)


def assert_accessible(nav: str, *, number: int, total: int) -> None:
    assert 'aria-label="分页"' in nav
    assert f'<span aria-current="page">第 {number} 页，共 {total} 页</span>' in nav
    assert ('rel="prev"' in nav) == (number > 1)
    assert ('rel="next"' in nav) == (number < total)


@pytest.mark.django_db
def test_two_list_pages_share_the_pager_and_keep_their_parameters(client, catalog) -> None:
    # The guide list (public, its filters in the view's ``query``) ...
    factories.many_items(45, dept=catalog["market"])
    first = client.get("/guides/", {"department": "GZSCJG"}).content.decode()
    nav = pager(first)
    assert_accessible(nav, number=1, total=3)
    assert 'href="?department=GZSCJG&amp;page=2" rel="next"' in nav
    middle = pager(client.get("/guides/", {"department": "GZSCJG", "page": 2}).content.decode())
    assert_accessible(middle, number=2, total=3)
    assert 'href="?department=GZSCJG&amp;page=1" rel="prev"' in middle
    assert 'href="?department=GZSCJG&amp;page=3" rel="next"' in middle

    # ... and the audit trail (administrators, other filters), the same markup.
    admin = staff_user("adm-pager", role=roles.ADMINISTRATOR)
    clerk = staff_user("w-pager", role=roles.WINDOW_STAFF)
    for n in range(60):
        audit_record(actor=clerk, action="window.open", target_type="t", target_id=str(n), summary=f"开窗 {n}")
    client.force_login(admin)
    audit = pager(client.get("/staff/audit/", {"user": "w-pager", "action": "window.open", "page": 2}).content.decode())
    assert_accessible(audit, number=2, total=2)
    assert 'href="?user=w-pager&amp;action=window.open&amp;page=1" rel="prev"' in audit


def test_without_a_query_from_the_view_the_pager_keeps_the_request_parameters() -> None:
    request = RequestFactory().get("/x/", {"status": ["open", "late"], "hall": "", "page": "2"})
    page = Paginator(range(100), 20).page(2)
    html = Template("{% load pagination %}{% pagination page %}").render(Context({"request": request, "page": page}))
    assert 'href="?status=open&amp;status=late&amp;page=1" rel="prev"' in html  # "hall" empty, dropped
    assert 'href="?status=open&amp;status=late&amp;page=3" rel="next"' in html
    # A view's query that still holds ``page`` (one kept for a form's return) is not doubled.
    html = Template("{% load pagination %}{% pagination page %}").render(
        Context({"request": request, "page": page, "query": "month=2026-01&page=2"})
    )
    assert 'href="?month=2026-01&amp;page=3"' in html


def test_a_single_page_has_no_pager() -> None:
    page = Paginator(range(5), 20).page(1)
    assert "<nav" not in Template("{% load pagination %}{% pagination page %}").render(Context({"page": page}))


def test_no_template_draws_its_own_pager() -> None:
    own = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "_pagination.html" and "previous_page_number" in path.read_text(encoding="utf-8")
    ]
    assert not own, f"use {{% pagination page %}} instead: {own}"
