"""The published satisfaction page (/ratings/) kept in the page cache (issue 14, docs/caching.md):
per rollup generation, query, language and month; the rollup's run is visible on the next
request; a supervisor's button is drawn per request, never kept; with Redis down the page is
rendered from the database."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import page_cache
from feedback import ratings, rollup_ratings, statistics_cache
from feedback.models_ratings import RatingPolicy
from servicehall import cache as shared_cache
from tests.cases.factories import World, make_world
from tests.feedback.ratings_world import D, at, rate_ticket

NOV = D(2026, 11, 1)
URL = reverse("ratings-public") + "?month=2026-11"


@pytest.fixture
def world(db) -> World:
    world = make_world()
    for level in ("satisfied", "dissatisfied", "basic"):
        rate_ticket(world, level, finished_at=at(D(2026, 11, 10)))
    rollup_ratings.satisfaction_rollup(month=NOV)
    return world


def text(response) -> str:
    return response.content.decode()


def queries(client: Client, url: str, **headers: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured.captured_queries), response


def test_a_cached_page_costs_no_query_and_answers_304(world: World, client) -> None:
    first, response = queries(client, URL)
    assert first >= 3 and "66.7%" in text(response)
    again, response = queries(client, URL)
    assert again == 0 and "66.7%" in text(response)
    etag = response.headers["ETag"]
    assert "no-cache" in response.headers["Cache-Control"]
    count, not_modified = queries(client, URL, if_none_match=etag)
    assert count == 0 and not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["ETag"] == etag


def test_the_rollup_running_is_visible_at_once(world: World, client) -> None:
    client.get(URL)
    before = client.get(URL)
    assert "66.7%" in text(before) and "共 1 行" in text(before)
    rate_ticket(world, "very_satisfied", finished_at=at(D(2026, 11, 12)))
    assert "66.7%" in text(client.get(URL)), "new ratings show once rolled up, not before"
    rollup_ratings.satisfaction_rollup(month=NOV)  # the hourly job (or "recompute now")
    after = client.get(URL, headers={"if-none-match": before.headers["ETag"]})
    assert after.status_code == 200 and "75.0%" in text(after)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] >= before.headers["Last-Modified"]


def test_the_policy_shown_on_the_page_is_visible_at_once(world: World, client) -> None:
    assert "单列数量，不计入满意度" in text(client.get(URL))
    RatingPolicy.objects.create(defaults_in_statistics=True)
    assert ratings.policy().defaults_in_statistics
    assert "计入满意度。" in text(client.get(URL)) and "单列数量" not in text(client.get(URL))


def test_kept_per_query_and_language_and_bad_queries_never_kept(world: World, client) -> None:
    by_hall = text(client.get(URL))
    by_window = text(client.get(URL + "&scope=window"))
    assert "1号窗口" in by_window and "1号窗口" not in by_hall
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(URL)
    assert english.headers["Content-Language"] == "en" and "66.7%" in text(english)
    assert text(english) != by_hall
    del client.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    # A bad month is a 400 beside its field, rendered every time; unknown parameters are not kept.
    for _ in range(2):
        count, bad = queries(client, reverse("ratings-public") + "?month=May")
        assert bad.status_code == 400 and "月份格式" in text(bad) and count > 0
        assert "ETag" not in bad.headers
        count, tracked = queries(client, URL + "&utm_source=x")
        assert tracked.status_code == 200 and count > 0


def test_the_supervisors_button_is_drawn_per_request_and_never_kept(world: World, client) -> None:
    anonymous = text(client.get(URL))
    assert "立即重新汇总本月" not in anonymous
    supervisor = Client()
    supervisor.force_login(world.supervisor)
    mine = supervisor.get(URL)
    assert "立即重新汇总本月" in text(mine) and "csrfmiddlewaretoken" in text(mine)
    assert "ETag" not in mine.headers  # a signed-in visitor's shell: no 304
    clerk = Client()
    clerk.force_login(world.clerk)
    assert "立即重新汇总本月" not in text(clerk.get(URL))
    assert "立即重新汇总本月" not in text(client.get(URL))
    for _expires, stored in page_cache._local.values():
        kept = repr(stored.payload)
        assert "立即重新汇总本月" not in kept and "csrfmiddlewaretoken" not in kept


def test_the_supervisors_recompute_now_is_visible_at_once(world: World) -> None:
    supervisor = Client()
    supervisor.force_login(world.supervisor)
    this_month = reverse("ratings-public")
    supervisor.get(this_month)
    response = supervisor.post(reverse("ratings-rollup-now"), follow=True)
    assert response.status_code == 200 and "本月满意度已重新汇总" in text(response)


DEAD_REDIS = "redis://127.0.0.1:6399/0"


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_page_is_rendered_from_the_database(world: World, client, settings) -> None:
    settings.CACHES = {"default": {**django_settings.REDIS_CACHE, "LOCATION": DEAD_REDIS}}
    shared_cache.reset_state()
    statistics_cache.forget()
    try:
        response = client.get(URL)
        assert response.status_code == 200 and "66.7%" in text(response)
        assert "ETag" not in response.headers
        assert shared_cache.degraded()
        rate_ticket(world, "very_satisfied", finished_at=at(D(2026, 11, 12)))
        rollup_ratings.satisfaction_rollup(month=NOV)
        assert "75.0%" in text(client.get(URL))
        assert not [key for key in page_cache._local if key.startswith(page_cache.ENTRY_PREFIX)]
    finally:
        shared_cache.reset_state()


def test_redis_answering_again_bumps_the_rollup_generation(world: World) -> None:
    before = statistics_cache.generation()
    assert before is not None
    shared_cache._state.update(since=1.0)  # as if an outage had just ended
    shared_cache._came_back()
    assert statistics_cache.generation() != before
