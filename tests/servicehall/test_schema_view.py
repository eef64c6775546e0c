"""/api/schema/ is generated once per process and language (walkthrough 2026-12-04: about 2 s on
every request, and Swagger UI loads it on every visit); the same document each time, in the
language asked."""

from __future__ import annotations

import pytest

from servicehall.schema_view import SchemaView

pytestmark = pytest.mark.django_db


def test_the_schema_is_generated_once_per_language_and_served_the_same(client, monkeypatch) -> None:
    SchemaView._generated.clear()
    made = []
    original = SchemaView.generator_class.get_schema

    def counting(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", counting)
    first = client.get("/api/schema/", {"format": "json"})
    second = client.get("/api/schema/", {"format": "json"})
    yaml = client.get("/api/schema/")
    assert first.status_code == second.status_code == yaml.status_code == 200
    assert first.content == second.content and b"openapi: 3" in yaml.content
    assert len(made) == 1
    english = client.get("/api/schema/", {"format": "json", "lang": "en"})
    assert english.status_code == 200 and len(made) == 2
    assert client.get("/api/schema/", {"format": "json"}).content == first.content
    SchemaView._generated.clear()
