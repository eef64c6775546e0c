"""Cached public catalog reads (issue 14): the pages' main part and the items API's payload,
kept per guide version, language and query, with conditional GET. Design in docs/caching.md.

What is cached is never per user: a page's ``<main>`` content rendered without the request (no
CSRF token, CSP nonce, user, messages or path in it), and the API's JSON body. The shell around a
page (header, language and care-mode forms with their CSRF token, the signed-in user's link,
messages, the nonced scripts) is rendered per request, as are the sections other apps add to a
page (``servicehall.extensions``: booking reads its own data).

Keys name everything the content depends on:

- the *structure generation*: bumped on any write to departments, halls, items, bundles (and
  their members, hours, zones, the halls' items);
- the guides each key shows, from the per-process *catalog state*: of every item, the version in
  effect today and the latest published one, recomputed when the *guides generation* moves (a
  draft saved or published) or the day changes, so a version taking effect at its date changes
  the keys of exactly the pages that show it (its detail page and the lists, which carry a digest
  of every current version);
- the language, and for lists the normalised query.

The generations live in the shared cache and are read once per request (one ``get_many``). While
the cache (Redis) does not answer, nothing is read from or written to the page cache: pages are
rendered from the database, and once Redis answers again the generations are bumped (a publish
made during the outage reached only its own process's memory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from catalog import search
from servicehall import cache as shared_cache

GUIDES_KEY = "catalog:gen:guides"
STRUCTURE_KEY = "catalog:gen:structure"
SEARCH_KEY = search.GENERATION_KEY
ENTRY_PREFIX = "catalog:page:"
# How long an entry stays in the shared cache. Its key changes with every change it shows, so
# this only bounds what a write that sent no signal (raw SQL, bulk loads not followed by
# ``bump()``) can leave behind, and the memory taken by keys no longer asked for.
ENTRY_SECONDS = 3600
# Searches by words (``q``) are an open-ended key space: cached only when short, and briefly.
SEARCH_SECONDS = 300
MAX_Q_LENGTH = 30
# Each process keeps the latest entries it served in its own memory too (the key holds the
# generations, so a local copy is never stale; the bound is memory).
LOCAL_SECONDS = 60
LOCAL_MAX_ENTRIES = 512
# The catalog state is recomputed at least this often even if no generation moved.
STATE_SECONDS = 60


# --- Generations ----------------------------------------------------------------------------


def _new_generation() -> str:
    return f"{time.time():.6f}:{uuid.uuid4().hex[:8]}"


def _generation_time(value: str) -> float:
    try:
        return float(value.split(":", 1)[0])
    except (ValueError, AttributeError):
        return time.time()


# Each process reads the generations from the shared cache at most this often; a bump in the
# process itself is seen at once (it updates the process's copy), another process's within this
# bound. Settings ``CATALOG_GENERATION_SECONDS`` (0: read on every request).
GENERATION_SECONDS = float(getattr(settings, "CATALOG_GENERATION_SECONDS", 1.0))
_generation_memo: dict[str, tuple[float, Generation]] = {}


def bump(*, guides: bool = True, structure: bool = True) -> None:
    """Move the generations on: every key built from them changes. Now (for this transaction's
    own later reads and the tests) and again once committed (other processes may have rendered
    in between without seeing the uncommitted change)."""
    keys = [key for key, wanted in ((GUIDES_KEY, guides), (STRUCTURE_KEY, structure)) if wanted]

    def do() -> None:
        _generation_memo.clear()
        cache.set_many({key: _new_generation() for key in keys}, timeout=None)

    do()
    transaction.on_commit(do, robust=True)


def forget_generation() -> None:
    """Read the generations again on the next request (the search index's moved on)."""
    _generation_memo.clear()


def bump_after_outage() -> None:
    """Redis answers again: what was published meanwhile bumped only this process's memory."""
    _generation_memo.clear()
    cache.set_many({GUIDES_KEY: _new_generation(), STRUCTURE_KEY: _new_generation()}, timeout=None)


@dataclass(frozen=True)
class Generation:
    guides: str
    structure: str
    # The search index's generation (``catalog.search.GENERATION_KEY``): moves whenever the search
    # documents are rebuilt; part of the key of searches (``q``) only.
    search: str = ""

    @property
    def changed_at(self) -> float:
        return max(_generation_time(self.guides), _generation_time(self.structure))


def generation() -> Generation | None:
    """The current generations, or None while the shared cache is unavailable (serve uncached)."""
    hit = _generation_memo.get("current")
    if hit is not None and hit[0] > time.monotonic() and not shared_cache.degraded():
        return hit[1]
    found = _read_generation()
    if found is not None and GENERATION_SECONDS > 0:
        _generation_memo["current"] = (time.monotonic() + GENERATION_SECONDS, found)
    return found


def _read_generation() -> Generation | None:
    values = cache.get_many([GUIDES_KEY, STRUCTURE_KEY, SEARCH_KEY])
    if shared_cache.degraded():
        return None
    if len(values) < 3:  # never set, or evicted: start new ones (the first process to ask wins)
        for key in (GUIDES_KEY, STRUCTURE_KEY, SEARCH_KEY):
            if key not in values:  # the search index starts its own the same way (selectors.search_index)
                cache.add(key, uuid.uuid4().hex if key == SEARCH_KEY else _new_generation(), timeout=None)
        values = cache.get_many([GUIDES_KEY, STRUCTURE_KEY, SEARCH_KEY])
        if shared_cache.degraded() or GUIDES_KEY not in values or STRUCTURE_KEY not in values:
            return None
    return Generation(
        guides=values[GUIDES_KEY], structure=values[STRUCTURE_KEY], search=str(values.get(SEARCH_KEY, ""))
    )


# --- The catalog state: which version of each item is shown today ---------------------------


@dataclass(frozen=True)
class CatalogState:
    # item code -> (number of the version in effect today, number of the latest published one)
    versions: dict[str, tuple[int | None, int]]
    # a digest of every item's current version (the lists and counts show them)
    current_digest: str
    # the latest effective date on or before today (a version took effect then)
    latest_effective: dt.date | None


_state_lock = threading.Lock()
_state: dict[tuple[str, dt.date], tuple[float, CatalogState]] = {}


def catalog_state(*, guides_generation: str, today: dt.date) -> CatalogState:
    """This process's catalog state for ``today``: one query when the guides generation moved,
    the day changed or ``STATE_SECONDS`` passed."""
    key = (guides_generation, today)
    now = time.monotonic()
    hit = _state.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    state = _compute_state(today)
    with _state_lock:
        _state.clear()
        _state[key] = (now + STATE_SECONDS, state)
    return state


def _compute_state(today: dt.date) -> CatalogState:
    from catalog.models import GuideVersion

    rows = GuideVersion.objects.published().values_list("item__code", "number", "effective_from")
    current: dict[str, tuple[dt.date, int]] = {}
    latest: dict[str, int] = {}
    latest_effective: dt.date | None = None
    for code, number, effective_from in rows:
        latest[code] = max(latest.get(code, 0), number)
        if effective_from <= today:
            if code not in current or (effective_from, number) > current[code]:
                current[code] = (effective_from, number)
            if latest_effective is None or effective_from > latest_effective:
                latest_effective = effective_from
    versions = {code: (current[code][1] if code in current else None, top) for code, top in latest.items()}
    digest = hashlib.blake2b(
        repr(sorted((code, number) for code, (_d, number) in current.items())).encode(), digest_size=12
    ).hexdigest()
    return CatalogState(versions=versions, current_digest=digest, latest_effective=latest_effective)


# --- Entries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A cached answer: what the view needs to serve it, with its validators."""

    payload: dict[str, Any]
    etag: str
    last_modified: float


_local_lock = threading.Lock()
_local: OrderedDict[str, tuple[float, Entry]] = OrderedDict()


def forget() -> None:
    """Drop this process's copies, shells, generations and catalog state (tests)."""
    _shells.clear()
    _generation_memo.clear()
    with _local_lock:
        _local.clear()
    with _state_lock:
        _state.clear()


def _local_get(key: str) -> Entry | None:
    hit = _local.get(key)
    if hit is None or hit[0] <= time.monotonic():
        return None
    with _local_lock:
        if key in _local:
            _local.move_to_end(key)
    return hit[1]


def _local_set(key: str, entry: Entry, *, seconds: float = LOCAL_SECONDS) -> None:
    with _local_lock:
        _local[key] = (time.monotonic() + seconds, entry)
        _local.move_to_end(key)
        while len(_local) > LOCAL_MAX_ENTRIES:
            _local.popitem(last=False)


# Sections other apps add to a cached page (booking's "预约办理") read their own data, which has no
# generation here: each process keeps a section's HTML this long, as ``servicehall.memo`` keeps
# hall settings (a supervisor's change to slot plans shows within it).
SECTION_SECONDS = 30


def forget_sections() -> None:
    """Drop the sections this process keeps (tests)."""
    with _local_lock:
        for key in [key for key in _local if key.startswith("section:")]:
            del _local[key]


def section_html(parts: tuple[object, ...], render: Callable[[], str]) -> str:
    key = "section:" + repr(parts)
    found = _local_get(key)
    if found is not None:
        return str(found.payload["html"])
    html = render()
    _local_set(key, Entry(payload={"html": html}, etag="", last_modified=0.0), seconds=SECTION_SECONDS)
    return html


@dataclass(frozen=True)
class Context:
    """What every key of a request is built from (None generation: serve uncached)."""

    generation: Generation | None
    state: CatalogState | None
    today: dt.date

    @property
    def caching(self) -> bool:
        return self.generation is not None and self.state is not None

    @property
    def last_modified(self) -> float:
        changed = self.generation.changed_at if self.generation is not None else time.time()
        if self.state is not None and self.state.latest_effective is not None:
            midnight = dt.datetime.combine(
                self.state.latest_effective, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE)
            ).timestamp()
            changed = max(changed, midnight)
        return changed


def context(today: dt.date) -> Context:
    gen = generation()
    if gen is None:
        return Context(generation=None, state=None, today=today)
    return Context(generation=gen, state=catalog_state(guides_generation=gen.guides, today=today), today=today)


def entry_key(ctx: Context, parts: Iterable[object]) -> str:
    """The digest naming an answer: ``parts`` with the structure generation. Its quoted form is
    the answer's ETag, known before anything is read or rendered."""
    structure = ctx.generation.structure if ctx.generation is not None else "-"
    return hashlib.blake2b(repr((structure, *parts)).encode(), digest_size=16).hexdigest()


def entry(
    ctx: Context,
    digest: str,
    compute: Callable[[], tuple[dict[str, Any], bool]],
    *,
    seconds: int = ENTRY_SECONDS,
) -> Entry:
    """The entry named ``digest``: from this process's memory, the shared cache, or
    ``compute()``, which returns (payload, cacheable). Nothing is read or kept while ``ctx`` says
    the cache is unavailable."""
    key = ENTRY_PREFIX + digest
    if ctx.caching:
        found = _local_get(key)
        if found is not None:
            return found
        stored = cache.get(key)
        if isinstance(stored, Entry) and not shared_cache.degraded():
            _local_set(key, stored)
            return stored
    payload, cacheable = compute()
    fresh = Entry(payload=payload, etag=quote_etag(digest), last_modified=ctx.last_modified)
    if ctx.caching and cacheable:
        cache.set(key, fresh, timeout=seconds)
        if not shared_cache.degraded():
            _local_set(key, fresh)
    return fresh


def query_parts(request: HttpRequest, allowed: Iterable[str]) -> tuple[tuple[tuple[str, str], ...], bool]:
    """The request's query as sorted (name, value) pairs, and whether it may be cached: only
    known parameters, a short ``q`` and a bounded length (anything else is served uncached)."""
    allowed = set(allowed)
    pairs = tuple(sorted((name, value) for name, values in request.GET.lists() for value in values))
    bounded = (
        all(name in allowed for name, _v in pairs)
        and len(pairs) <= 12
        and all(len(value) <= (MAX_Q_LENGTH if name == "q" else 40) for name, value in pairs)
    )
    return pairs, bounded


# --- The shell of an anonymous page --------------------------------------------------------

# Markers the shell is drawn with, replaced per request (letters only: escaping leaves them be).
CSRF_MARK = "zzcachecsrftokenzz"
NONCE_MARK = "zzcachecspnoncezz"
PATH_MARK = "zzcachefullpathzz"
TITLE_MARK = "zzcachetitlezz"
MAIN_MARK = "zzcachemainzz"

_shells: dict[tuple[str, bool, str], str] = {}


def anonymous_shell_allowed(request: HttpRequest) -> bool:
    """No session and no messages: the visitor is anonymous and nothing waits to be shown, so
    the shell differs from another anonymous visitor's only by the CSRF token, the nonce and the
    path."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _nav_urls() -> frozenset[str]:
    from django.urls import reverse

    return frozenset(reverse(name) for name in ("home", "guide-list", "hall-list", "bundle-list", "booking-start"))


def anonymous_shell(request: HttpRequest) -> str:
    """``catalog/cached_page.html`` for an anonymous visitor, with markers where the request's
    own values go. Kept per process per language, care mode and navigation entry (a handful)."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from servicehall.context_processors import portal

    care_mode = bool(portal(request)["care_mode"])
    path = request.path if request.path in _nav_urls() else ""
    key = (get_language() or "", care_mode, path)
    shell = _shells.get(key)
    if shell is not None:
        return shell

    class ShellRequest:
        """What the shell reads of the request: its path (the current navigation entry) and the
        full path (the language and care-mode forms come back to it), a marker here."""

        def __init__(self, path: str) -> None:
            self.path = path

        def get_full_path(self) -> str:
            return PATH_MARK

    shell = render_to_string(
        "catalog/cached_page.html",
        {
            "page_title": TITLE_MARK,
            "page_title_complete": True,  # the whole <title> is the marker: fill_shell adds the brand
            "main_before": mark_safe(MAIN_MARK),  # noqa: S308 - a marker of letters only
            "main_after": "",
            "sections": [],
            "csrf_token": CSRF_MARK,
            "csp_nonce": NONCE_MARK,
            "request": ShellRequest(path or "/-/"),
            "user": AnonymousUser(),
            "messages": [],
        },
        request=request,
    )
    if len(_shells) < 64:
        _shells[key] = shell
    return shell


_MARKS = re.compile(f"({CSRF_MARK}|{NONCE_MARK}|{PATH_MARK}|{TITLE_MARK}|{MAIN_MARK})")


def fill_shell(shell: str, request: HttpRequest, *, title: str, main: str) -> str:
    """The shell with each marker replaced where the shell has it (never inside a value put in:
    a path or a title holding a marker's letters stays as it is)."""
    from django.conf import settings
    from django.middleware.csp import get_nonce
    from django.middleware.csrf import get_token
    from django.utils.html import escape

    from servicehall.templatetags.page_title import with_brand

    nonce = get_nonce(request)
    values = {
        CSRF_MARK: get_token(request),
        NONCE_MARK: str(nonce) if nonce is not None else "",
        PATH_MARK: escape(request.get_full_path()),
        TITLE_MARK: escape(with_brand(title, str(settings.PORTAL_NAME))),
        MAIN_MARK: main,
    }
    return "".join(values.get(part, part) if index % 2 else part for index, part in enumerate(_MARKS.split(shell)))


# --- Conditional GET -------------------------------------------------------------------------


def conditional(request: HttpRequest, *, etag: str, last_modified: float, private: bool) -> HttpResponseBase | None:
    """A 304 when the request's If-None-Match / If-Modified-Since says it has this answer. It
    carries the validators and ``Cache-Control`` the 200 would have (RFC 9110 §15.4.5: a cache
    refreshes its stored answer's headers from the 304), and no body (``Content-Length: 0``)."""
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if not_modified is not None:
        set_validators(not_modified, etag=etag, last_modified=last_modified, private=private)
    return not_modified


def set_validators(response: HttpResponseBase, *, etag: str, last_modified: float, private: bool) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(int(last_modified))
    # Revalidate on every use: a publish must show at once. Pages carry a CSRF token: private.
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"


def page_etag(request: HttpRequest, entry_etag: str) -> str | None:
    """The ETag of a page: its cached part and what the per-request shell shows (language and
    care mode are in the cookies, the CSRF token follows the CSRF cookie). None (no conditional
    GET) with a session or pending messages: a signed-in user's nav, or a message to show."""
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    shell = "|".join(
        (
            entry_etag,
            cookies.get(settings.LANGUAGE_COOKIE_NAME, ""),
            cookies.get(settings.CARE_MODE_COOKIE, ""),
            cookies.get(settings.CSRF_COOKIE_NAME, ""),
        )
    )
    return quote_etag(hashlib.blake2b(shell.encode(), digest_size=16).hexdigest())


# --- Invalidation ----------------------------------------------------------------------------


def _guides_changed(sender: type, **kwargs: Any) -> None:
    bump(guides=True, structure=False)


def _structure_changed(sender: type, **kwargs: Any) -> None:
    bump(guides=False, structure=True)


def connect() -> None:
    """Bump the generations on every write to the catalog's models (``CatalogConfig.ready``).
    Bulk writes send no signal: call ``bump()`` after them (the demo loader and the bench do)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from catalog import models

    guides: tuple[type[Any], ...] = (models.GuideVersion, models.Material, models.SpecialStep)
    for model in guides:
        post_save.connect(_guides_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}-save")
        post_delete.connect(_guides_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}-delete")
    structure: tuple[type[Any], ...] = (
        models.Department,
        models.Hall,
        models.HallOpeningHours,
        models.HallZone,
        models.ServiceItem,
        models.Bundle,
        models.BundleMember,
    )
    for model in structure:
        post_save.connect(_structure_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}-save")
        post_delete.connect(_structure_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}-delete")
    m2m_changed.connect(_structure_changed, sender=models.Hall.items.through, dispatch_uid="page-cache-hall-items")
    shared_cache.on_recovery(bump_after_outage)
