"""The cached catalog reads (issue 14, docs/caching.md): home, the guide list, the guide pages and
the items API are kept per guide version, language and query, and served with ETag /
Last-Modified; a publish and a version taking effect are visible on the next request; nothing
of one visitor is served to another; with Redis down the pages are rendered from the database."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import page_cache, services
from catalog.models import Hall, HallOpeningHours, HallZone
from servicehall import cache as shared_cache
from tests.catalog import factories
from tests.servicehall.factories import staff_user

CODE = "0600102000"  # 户口迁入登记 (the catalog fixture's)
HALL = "/halls/GZ-CITY/"
PAGES = ["/", "/guides/", f"/guides/{CODE}/", "/guides/?department=GZGA&page=1", HALL]
APIS = ["/api/v1/items/", f"/api/v1/items/{CODE}/"]


def text(response) -> str:
    return response.content.decode()


def queries(client: Client, url: str, **headers: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return len(ctx.captured_queries), response


def publish_revision(item, *, effective_from: dt.date, **fields) -> None:
    draft = services.guide_draft_from_current(item=item, effective_from=effective_from, actor=None)
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save()
    services.guide_publish(version=draft, actor=None, today=min(effective_from, timezone.localdate()))


@pytest.mark.parametrize("url", PAGES + APIS)
def test_a_cached_request_costs_no_query(client, catalog, url) -> None:
    """The first request renders; the next ones are served from the cache without the database
    (the guide page keeps the booking section's one query: booking is read per request)."""
    first, _r = queries(client, url)
    again, response = queries(client, url)
    assert first >= 3, "the first request renders from the database"
    assert again <= (1 if url == f"/guides/{CODE}/" else 0)
    assert response.status_code == 200 and response.headers["ETag"]


def test_a_publish_is_visible_at_once_on_the_page_and_the_api(client, catalog) -> None:
    for url in (f"/guides/{CODE}/", f"/api/v1/items/{CODE}/", "/api/v1/items/", "/guides/"):
        client.get(url)  # cached
    page_etag = client.get(f"/guides/{CODE}/").headers["ETag"]
    api_etag = client.get(f"/api/v1/items/{CODE}/").headers["ETag"]
    publish_revision(
        catalog["hukou"],
        effective_from=timezone.localdate(),
        conditions="新的申请条件：居住满一年。",
        promised_limit_days=3,
    )
    page = client.get(f"/guides/{CODE}/")
    assert "第 2 版" in text(page) and "新的申请条件：居住满一年。" in text(page)
    assert page.headers["ETag"] != page_etag
    item = client.get(f"/api/v1/items/{CODE}/")
    assert item.json()["version"] == 2 and item.json()["conditions"] == "新的申请条件：居住满一年。"
    assert item.headers["ETag"] != api_etag
    listed = {row["code"]: row for row in client.get("/api/v1/items/?page_size=100").json()["results"]}
    assert listed[CODE]["promised_limit_days"] == 3
    # The browser's copy is not confirmed any more: the old ETag gets the new page.
    assert client.get(f"/guides/{CODE}/", headers={"if-none-match": page_etag}).status_code == 200
    assert client.get(f"/api/v1/items/{CODE}/", headers={"if-none-match": api_etag}).status_code == 200


def test_a_publish_for_a_later_date_shows_in_the_history_and_takes_effect_on_its_date(client, catalog) -> None:
    today = timezone.localdate()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert "第 1 版" in text(client.get(f"/guides/{CODE}/"))
        assert client.get(f"/api/v1/items/{CODE}/").json()["version"] == 1
        publish_revision(catalog["hukou"], effective_from=today + dt.timedelta(days=3), conditions="三天后的条件。")
        page = text(client.get(f"/guides/{CODE}/"))
        # Still version 1 in effect, version 2 announced in the history.
        assert "第 1 版 · " in page and "三天后的条件。" not in page and "第 2 版</a>" in page
        assert client.get(f"/api/v1/items/{CODE}/").json()["version"] == 1
        traveller.shift(dt.timedelta(days=3))
        page = text(client.get(f"/guides/{CODE}/"))
        assert "第 2 版 · " in page and "三天后的条件。" in page
        assert client.get(f"/api/v1/items/{CODE}/").json()["version"] == 2
        listed = text(client.get("/guides/?q=户口"))
        assert "户口迁入登记" in listed


def test_a_version_taking_effect_changes_the_etag_and_the_other_guides_keep_theirs(client, catalog) -> None:
    today = timezone.localdate()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        publish_revision(catalog["hukou"], effective_from=today + dt.timedelta(days=1), conditions="明天的条件。")
        etags = {
            url: client.get(url).headers["ETag"] for url in (f"/api/v1/items/{CODE}/", "/api/v1/items/0600101000/")
        }
        traveller.shift(dt.timedelta(days=1))
        assert client.get(f"/api/v1/items/{CODE}/").headers["ETag"] != etags[f"/api/v1/items/{CODE}/"]
        # Only what changed: the other item's answer keeps its ETag (a 304 for the browser).
        other = client.get("/api/v1/items/0600101000/", headers={"if-none-match": etags["/api/v1/items/0600101000/"]})
        assert other.status_code == 304


@pytest.mark.parametrize("url", PAGES + APIS)
def test_conditional_get_answers_304_until_something_changes(client, catalog, url) -> None:
    client.get(url)  # the first page sets the CSRF cookie, which the shell's ETag follows
    response = client.get(url)
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert "no-cache" in response.headers["Cache-Control"]
    count, not_modified = queries(client, url, if_none_match=etag)
    assert not_modified.status_code == 304 and count == 0 and not_modified.content == b""
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200
    # An administrator renames the department (a structure change): every catalog answer changes.
    catalog["police"].name = "广州市公安局（新）"
    catalog["police"].save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    if url.startswith(("/guides/", "/halls/")):
        assert "广州市公安局（新）" in text(changed)


@pytest.mark.parametrize("url", PAGES + APIS)
def test_a_304_is_framed_as_the_pages_and_carries_the_200s_validators(client, catalog, url) -> None:
    """The API's 304 and the pages' go out alike: no body, ``Content-Length: 0`` (a client never
    waits for a body), and the ETag, Last-Modified and Cache-Control the 200 carries (RFC 9110
    §15.4.5), so a cache refreshing its copy from the 304 keeps "no-cache"."""
    client.get(url)
    full = client.get(url)
    not_modified = client.get(url, headers={"if-none-match": full.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers.get("Content-Length", "0") == "0"
    assert "Transfer-Encoding" not in not_modified.headers and "Content-Type" not in not_modified.headers
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        assert not_modified.headers[header] == full.headers[header], header


def test_pages_are_kept_per_language(client, catalog) -> None:
    zh = text(client.get(f"/guides/{CODE}/"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(f"/guides/{CODE}/")
    assert en.headers["Content-Language"] == "en"
    assert "Guangzhou Public Security Bureau" in text(en) and "广州市公安局" not in text(en)
    assert "广州市公安局" in zh
    en_list = text(client.get("/guides/"))
    del client.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    zh_list = text(client.get("/guides/"))
    assert "Guangzhou Public Security Bureau" in en_list and "Guangzhou Public Security Bureau" not in zh_list


def test_the_list_is_keyed_by_its_normalised_query(client, catalog) -> None:
    one = client.get("/guides/?department=GZGA&applicant=individual")
    assert "户口迁入登记" in text(one) and "食品经营许可" not in text(one)
    count, swapped = queries(client, "/guides/?applicant=individual&department=GZGA")
    assert count == 0 and "户口迁入登记" in text(swapped)
    other = text(client.get("/guides/?department=GZSCJG"))
    assert "食品经营许可" in other and "户口迁入登记" not in other
    # An unknown parameter is served, but not kept (the key space stays bounded).
    assert queries(client, "/guides/?department=GZGA&utm=x")[0] > 0
    assert queries(client, "/guides/?department=GZGA&utm=x")[0] > 0
    # A long search is served, not kept; a bad value is a 400, never kept.
    long_q = "/guides/?q=" + "证" * (page_cache.MAX_Q_LENGTH + 1)
    assert queries(client, long_q)[0] > 0 and queries(client, long_q)[0] > 0
    assert client.get("/guides/?department=NOPE").status_code == 400
    # The htmx fragment is kept apart from the page.
    fragment = client.get("/guides/?department=GZGA", headers={"hx-request": "true"})
    assert text(fragment).lstrip().startswith('<section id="results"') and "<html" not in text(fragment)
    assert "<html" in text(client.get("/guides/?department=GZGA"))


def test_the_page_and_its_fragment_say_they_vary_on_htmx_and_a_history_restore_gets_the_page(client, catalog) -> None:
    # Walkthrough: Back after a search (hx-push-url) showed the results fragment alone, unstyled:
    # the browser had cached it under the page's address, nothing telling it apart.
    url = "/guides/?q=户口"
    page = client.get(url)
    fragment = client.get(url, headers={"hx-request": "true"})
    again = client.get(url, headers={"hx-request": "true", "If-None-Match": fragment["ETag"]})
    for response in (page, fragment, again):
        assert "HX-Request" in response["Vary"], response.status_code
    assert "<html" in text(page) and "<html" not in text(fragment) and again.status_code == 304
    # htmx's history restore (its cache missed) asks for the whole page.
    restored = client.get(url, headers={"hx-request": "true", "hx-history-restore-request": "true"})
    assert "<html" in text(restored) and "HX-Request" in restored["Vary"]


def test_nothing_of_one_visitor_is_served_to_another(client, catalog) -> None:
    anonymous = client.get(f"/guides/{CODE}/")
    assert "工作人员登录" in text(anonymous)
    staff = Client()
    staff.force_login(staff_user(username="cache-staff"))
    mine = staff.get(f"/guides/{CODE}/")
    body = text(mine)
    assert "工作台" in body and "工作人员登录" not in body
    # Signed in: no 304 on a page (the shell is the user's), and no ETag to ask with.
    assert "ETag" not in mine.headers
    again = text(client.get(f"/guides/{CODE}/"))
    assert "工作人员登录" in again and 'href="/staff/"' not in again
    # The CSRF token and the CSP nonce are the request's own, never the cached part's.
    other = Client()
    bodies = [other.get(f"/guides/{CODE}/") for _ in range(2)]
    nonces = []
    for response in bodies:
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in text(response)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(r)).group(1) for r in bodies]
    assert tokens[0] != tokens[1]
    for stored in page_cache._local.values():
        html = repr(stored[1].payload)
        assert "csrfmiddlewaretoken" not in html and "nonce" not in html and "X-CSRFToken" not in html


def test_a_hall_change_reaches_the_pages_that_show_it(client, catalog) -> None:
    assert "天河区政务服务中心" in text(client.get("/"))
    tianhe = Hall.objects.get(code="TH")
    tianhe.name = "天河区政务服务中心（新址）"
    tianhe.save()
    assert "天河区政务服务中心（新址）" in text(client.get("/"))
    client.get(f"/api/v1/items/{CODE}/")
    catalog["tianhe"].items.add(catalog["hukou"])
    assert "TH" in client.get(f"/api/v1/items/{CODE}/").json()["halls"]


def test_every_change_the_hall_page_shows_is_visible_at_once(client, catalog) -> None:
    """The hall page's main part is cached per structure generation: the hall itself, its hours,
    zones, the halls under it, its items, their names and departments each move the key."""
    city = catalog["city"]
    assert "广州市政务服务中心" in text(client.get(HALL))
    assert queries(client, HALL)[0] == 0, "served from the cache"

    city.address = "广州市天河区天府路1号（新址）"
    city.save()
    assert "天府路1号（新址）" in text(client.get(HALL))
    hours = HallOpeningHours.objects.get(hall=city, weekday=0)
    hours.extended_until = dt.time(19, 30)
    hours.save()
    assert "延至 19:30" in text(client.get(HALL))
    HallZone.objects.create(hall=city, kind=HallZone.Kind.GUIDANCE, name="新设咨询区")
    assert "新设咨询区" in text(client.get(HALL))
    factories.hall(code="GZ-SUB", name="市中心分厅", parent=city)
    assert "市中心分厅" in text(client.get(HALL))
    city.items.add(catalog["stamp"])  # m2m: the halls' items
    assert "企业印章刻制备案" in text(client.get(HALL))
    catalog["licence"].name = "食品经营许可（新名称）"
    catalog["licence"].save()
    assert "食品经营许可（新名称）" in text(client.get(HALL))
    catalog["market"].name = "广州市市场监管局"
    catalog["market"].save()
    body = text(client.get(HALL))
    assert "广州市市场监管局" in body and "可办理事项（4 项）" in body


def test_the_hall_page_is_kept_per_hall_and_language_with_its_sections_per_request(client, catalog) -> None:
    city, tianhe = text(client.get(HALL)), text(client.get("/halls/TH/"))
    assert "户口迁入登记" in city and "户口迁入登记" not in tianhe and "企业印章刻制备案" in tianhe
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(HALL)
    assert english.headers["Content-Language"] == "en" and "Guangzhou Government Service Centre" in text(english)
    del client.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    # The live queue is not in the cached part: the section other apps add loads it from the
    # hall's queue snapshot on every visit.
    for body in (city, text(client.get(HALL))):
        assert 'hx-get="/halls/GZ-CITY/queue/"' in body
    assert 'hx-get="/halls/GZ-CITY/queue/"' not in repr(
        [entry.payload for _t, entry in page_cache._local.values() if "before" in entry.payload]
    )
    # A signed-in member of staff gets their own shell, and no validators.
    staff = Client()
    staff.force_login(staff_user(username="hall-staff"))
    mine = staff.get(HALL)
    assert "工作台" in text(mine) and "ETag" not in mine.headers and "户口迁入登记" in text(mine)
    assert client.get("/halls/NOPE/").status_code == 404


def test_bulk_writes_are_seen_after_a_bump(client, catalog) -> None:
    before = client.get("/api/v1/items/").json()["count"]
    factories.many_items(3, dept=catalog["market"])  # bulk, then page_cache.bump()
    assert client.get("/api/v1/items/").json()["count"] == before + 3


DEAD_REDIS = "redis://127.0.0.1:6399/0"


@pytest.fixture
def dead_redis(settings):
    """The cache as production configures it, at an address where no Redis listens."""
    settings.CACHES = {"default": {**django_settings.REDIS_CACHE, "LOCATION": DEAD_REDIS}}
    shared_cache.reset_state()
    yield
    shared_cache.reset_state()


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_pages_are_rendered_from_the_database(client, catalog, dead_redis) -> None:
    for url in PAGES + APIS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "ETag" not in response.headers, "no validators while the generations cannot be read"
    assert shared_cache.degraded()
    publish_revision(catalog["hukou"], effective_from=timezone.localdate(), conditions="停机期间发布的条件。")
    assert "停机期间发布的条件。" in text(client.get(f"/guides/{CODE}/"))
    assert client.get(f"/api/v1/items/{CODE}/").json()["version"] == 2
    kept = [key for key in page_cache._local if key.startswith(page_cache.ENTRY_PREFIX)]
    assert not kept, "no page kept in this process while Redis is away"


def test_redis_answering_again_bumps_the_generations(catalog) -> None:
    before = page_cache.generation()
    assert before is not None
    shared_cache._state.update(since=1.0)  # as if an outage had just ended
    shared_cache._came_back()
    after = page_cache.generation()
    assert after is not None and after.guides != before.guides and after.structure != before.structure


def test_a_marker_in_the_query_is_not_filled_in(client, catalog) -> None:
    """The anonymous shell is filled where its markers are, never inside what the request put in."""
    body = text(client.get(f"/guides/?q={page_cache.MAIN_MARK}{page_cache.CSRF_MARK}"))
    assert body.count('<main id="main"') == 1 and body.count('<section id="results"') == 1
    assert f'value="/guides/?q={page_cache.MAIN_MARK}{page_cache.CSRF_MARK}"' in body
