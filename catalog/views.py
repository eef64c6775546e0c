"""Public catalog pages: home, guides, halls, bundles. Server-rendered; htmx swaps the results.

The home page, the guide list and the guide pages are served from the page cache
(catalog/page_cache.py, docs/caching.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.http import quote_etag
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from catalog import page_cache, selectors
from catalog.cached_pages import cached_page, render_main
from catalog.filters import GuideFilter, HallFilter
from catalog.models import Hall, ServiceItem
from servicehall import extensions
from servicehall.clock import local_date
from servicehall.http import HtmxHttpRequest, vary_on_htmx, wants_fragment
from servicehall.pagination import paginate, requested_page

# A city centre offers a thousand items: its page shows the first ones and links to the
# paginated guide list filtered by the hall.
HALL_ITEMS_SHOWN = 30


# Where a cached main part leaves room for the sections other apps add (rendered per request).
GUIDE_LIST_PARAMS = frozenset({*GuideFilter.base_filters, "page"})


@require_safe
def home(request: HttpRequest) -> HttpResponseBase:
    today = local_date()
    ctx = page_cache.context(today)

    def compute() -> tuple[dict[str, Any], bool]:
        halls = list(selectors.halls_list().filter(level__in=[Hall.Level.CITY, Hall.Level.DISTRICT]))
        main = render_main(
            "catalog/home.html",
            {
                "halls": halls,
                "bundles": list(selectors.bundles_list()),
                "guide_count": selectors.current_guides(today=today).count(),
            },
        )
        return {"title": gettext("首页"), **main}, True

    digest = page_cache.entry_key(ctx, ("home", get_language(), ctx.state and ctx.state.current_digest))
    return cached_page(request, ctx, digest, compute, sections=extensions.sections(extensions.HOME_ACTIONS))


@require_safe
def guide_list(request: HtmxHttpRequest) -> HttpResponseBase:
    today = local_date()
    ctx = page_cache.context(today)
    pairs, bounded = page_cache.query_parts(request, GUIDE_LIST_PARAMS)
    results_only = wants_fragment(request)
    searching = any(name == "q" and value.strip() for name, value in pairs)

    def compute() -> tuple[dict[str, Any], bool]:
        number, page_error = requested_page(request)
        filterset = GuideFilter(request.GET or None, queryset=selectors.current_guides(today=today))
        valid = filterset.is_valid() if filterset.is_bound else True
        page = paginate(
            filterset.qs if valid else filterset.queryset.none(),
            page_number=number,
            per_page=settings.GUIDE_PAGE_SIZE,
        )
        status = 400 if (not valid or page_error) else 200
        context = {
            "filter": filterset,
            "page": page,
            "page_error": page_error,
            # The query of the pagination links, in the key's (sorted) order.
            "query": urlencode([(name, value) for name, value in pairs if name != "page"]),
            # Secondary filters stay folded on small screens unless one is in use.
            "more_filters_open": any(request.GET.get(name) for name in filterset.filters if name != "q"),
            "long_options": {} if results_only else selectors.filter_options(),
        }
        if results_only:
            html = render_to_string("catalog/guide_list.html#results", {**context, "LANGUAGE_CODE": get_language()})
            return {"title": "", "before": html, "after": "", "status": status}, status == 200 and bounded
        main = render_main("catalog/guide_list.html", context)
        return {"title": gettext("办事指南"), **main, "status": status}, status == 200 and bounded

    digest = page_cache.entry_key(
        ctx,
        (
            "guides",
            get_language(),
            results_only,
            pairs,
            ctx.state and ctx.state.current_digest,
            # A search's results follow the search documents, rebuilt apart from the guides.
            ctx.generation.search if searching and ctx.generation is not None else "",
        ),
    )
    seconds = page_cache.SEARCH_SECONDS if searching else page_cache.ENTRY_SECONDS
    if not results_only:
        return vary_on_htmx(
            cached_page(request, ctx, digest, compute, sections=[], seconds=seconds, conditional=bounded)
        )
    # htmx swaps the results in: the fragment alone, the same for everyone (no shell, no token).
    etag = quote_etag(digest) if ctx.caching and bounded else None
    if etag is not None:
        not_modified = page_cache.conditional(request, etag=etag, last_modified=ctx.last_modified, private=True)
        if not_modified is not None:
            return vary_on_htmx(not_modified)
    payload = page_cache.entry(ctx, digest, compute, seconds=seconds).payload
    response = HttpResponse(payload["before"], status=payload["status"])
    if etag is not None and response.status_code == 200:
        page_cache.set_validators(response, etag=etag, last_modified=ctx.last_modified, private=True)
    return vary_on_htmx(response)


@require_safe
def guide_detail(request: HttpRequest, code: str, number: int | None = None) -> HttpResponseBase:
    today = local_date()
    ctx = page_cache.context(today)
    # (version in effect, latest published) of the item: None for an unknown code, served uncached.
    versions = ctx.state.versions.get(code) if ctx.state is not None else None

    def compute() -> tuple[dict[str, Any], bool]:
        version = selectors.guide_for_item(code=code, today=today, number=number)
        context = selectors.guide_context(version=version, today=today)
        item = version.item
        main = render_main("catalog/guide_detail.html", context)
        return {
            "title": item.display_name,
            **main,
            # What the sections need of the item (appointments: whether a hall books it).
            "item": {"pk": item.pk, "code": item.code, "name": item.name, "name_en": item.name_en},
            "is_current": context["is_current"],
        }, versions is not None

    def extra(payload: dict[str, Any]) -> dict[str, object]:
        return {"item": ServiceItem(**payload["item"]), "is_current": payload["is_current"]}

    digest = page_cache.entry_key(ctx, ("guide", get_language(), code, number, versions))
    return cached_page(
        request,
        ctx,
        digest,
        compute,
        sections=extensions.sections(extensions.GUIDE_ACTIONS),
        extra=extra,
        conditional=versions is not None,
    )


@require_safe
def guide_print(request: HttpRequest, code: str) -> TemplateResponse:
    today = local_date()
    version = selectors.guide_for_item(code=code, today=today)
    context = selectors.guide_context(version=version, today=today)
    context["printed_on"] = today
    return TemplateResponse(request, "catalog/guide_print.html", context)


@require_safe
def hall_list(request: HttpRequest) -> TemplateResponse:
    filterset = HallFilter(request.GET or None, queryset=selectors.halls_list())
    valid = filterset.is_valid() if filterset.is_bound else True
    halls = list(filterset.qs) if valid else []
    return TemplateResponse(
        request, "catalog/hall_list.html", {"filter": filterset, "halls": halls}, status=200 if valid else 400
    )


@require_safe
def hall_detail(request: HttpRequest, code: str) -> HttpResponseBase:
    """A hall's page: its address, hours, zones, the halls under it and the first items it
    offers, served from the page cache (everything shown is the catalog's structure: the key
    moves with any change of a hall, its hours, zones or items, a department or an item). The
    sections other apps add are drawn per request: booking's offer (kept 30 s per process for an
    anonymous visitor, as on the guide page) and the live queue, which the browser loads from the
    queue snapshot (``queue-hall-status``)."""
    ctx = page_cache.context(local_date())

    def compute() -> tuple[dict[str, Any], bool]:
        hall = selectors.hall_detail(code=code)  # 404 for an unknown code: raised, never kept
        items, item_count = selectors.hall_items_preview(hall=hall, limit=HALL_ITEMS_SHOWN)
        main = render_main(
            "catalog/hall_detail.html",
            {
                "hall": hall,
                # Weekend days served by appointment only (staggered service): no walk-in tickets.
                "by_appointment": any(hours.appointment_only for hours in hall.opening_hours.all()),
                "items": items,
                "item_count": item_count,
            },
        )
        return {
            "title": hall.display_name,
            **main,
            # What the sections need of the hall (booking reads its slots, the queue its code).
            "hall": {"pk": hall.pk, "code": hall.code, "name": hall.name, "name_en": hall.name_en},
        }, True

    def extra(payload: dict[str, Any]) -> dict[str, object]:
        return {"hall": Hall(**payload["hall"])}

    digest = page_cache.entry_key(ctx, ("hall", get_language(), code))
    return cached_page(request, ctx, digest, compute, sections=extensions.sections(extensions.HALL_PAGE), extra=extra)


@require_safe
def bundle_list(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "catalog/bundle_list.html", {"bundles": list(selectors.bundles_list())})


@require_safe
def bundle_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    bundle, stages = selectors.bundle_detail(pk=pk, today=local_date())
    departments = sorted(
        {member.item.department for stage in stages for member, _g in stage["members"]} - {bundle.lead_department},
        key=lambda d: d.code,
    )
    return TemplateResponse(
        request,
        "catalog/bundle_detail.html",
        {
            "bundle": bundle,
            "stages": stages,
            "cooperating": departments,
            "bound": sum(stage["longest"] for stage in stages),
        },
    )
