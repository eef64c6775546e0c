"""A bundle whose earlier stages use up its whole promised limit: the later stage that takes days
is said plainly to have no time of its own (not "计划于 <due date> 前完成" as if it had)."""

from __future__ import annotations

from django.urls import reverse

from cases import bundles
from catalog.models import Bundle
from tests.cases.factories import D
from tests.cases.test_bundle_fixes import receive, staged  # noqa: F401 (the fixture)


def test_a_stage_left_no_day_says_so(client, world, staged) -> None:  # noqa: F811
    Bundle.objects.filter(pk=staged["bundle"].pk).update(promised_limit_days=5)
    staged["bundle"].refresh_from_db()
    bc = receive(world, staged["bundle"])
    assert bc.due_on == D(2026, 10, 8)
    windows = bundles.stage_windows(bc)
    assert [(w.stage, w.capped, w.no_days_left) for w in windows] == [
        (1, False, False),
        (2, False, False),
        (3, True, True),
    ]
    client.force_login(world.clerk)
    page = client.get(reverse("bundle-case-detail", args=[bc.number])).content.decode()
    assert "本阶段不再另有时间" in page
