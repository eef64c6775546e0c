"""The API docs page (/api/docs/) needs no exception to the site's Content Security Policy: its
style and scripts are files (the browser test tests/browser/test_api_docs.py watches for
violations in Chromium)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_needs_no_exception_to_the_policy(client, settings) -> None:
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert "<style" not in html and "<script>" not in html
    assert "/static/css/api_docs.css" in html
    # The same policy as every other page: no 'unsafe-inline' for this one.
    home = client.get("/")

    def policy(response) -> str:
        return re.sub(r" 'nonce-[^']+'", "", response["Content-Security-Policy"])

    assert policy(docs) == policy(home)
    assert "unsafe-inline" not in docs["Content-Security-Policy"]
