"""Public catalog pages: home, guides, halls, bundles. Server-rendered; htmx swaps the results."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from catalog import selectors
from catalog.filters import GuideFilter, HallFilter
from catalog.models import Hall
from servicehall import extensions
from servicehall.clock import local_date
from servicehall.http import HtmxHttpRequest
from servicehall.pagination import paginate, requested_page

# A city centre offers a thousand items: its page shows the first ones and links to the
# paginated guide list filtered by the hall.
HALL_ITEMS_SHOWN = 30


@require_safe
def home(request: HttpRequest) -> TemplateResponse:
    today = local_date()
    halls = list(selectors.halls_list().filter(level__in=[Hall.Level.CITY, Hall.Level.DISTRICT]))
    return TemplateResponse(
        request,
        "catalog/home.html",
        {
            "filter": GuideFilter(queryset=selectors.current_guides(today=today)),
            "halls": halls,
            "bundles": list(selectors.bundles_list()),
            "guide_count": selectors.current_guides(today=today).count(),
            "home_sections": extensions.sections(extensions.HOME_ACTIONS),
        },
    )


@require_safe
def guide_list(request: HtmxHttpRequest) -> TemplateResponse:
    today = local_date()
    number, page_error = requested_page(request)
    filterset = GuideFilter(request.GET or None, queryset=selectors.current_guides(today=today))
    valid = filterset.is_valid() if filterset.is_bound else True
    page = paginate(
        filterset.qs if valid else filterset.queryset.none(), page_number=number, per_page=settings.GUIDE_PAGE_SIZE
    )
    template = (
        "catalog/guide_list.html#results" if request.htmx and not request.htmx.boosted else "catalog/guide_list.html"
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "page_error": page_error,
            "query": query.urlencode(),
            # Secondary filters stay folded on small screens unless one is in use.
            "more_filters_open": any(request.GET.get(name) for name in filterset.filters if name != "q"),
            "long_options": {} if request.htmx else selectors.filter_options(),
        },
        status=400 if (not valid or page_error) else 200,
    )


@require_safe
def guide_detail(request: HttpRequest, code: str, number: int | None = None) -> TemplateResponse:
    today = local_date()
    version = selectors.guide_for_item(code=code, today=today, number=number)
    context = selectors.guide_context(version=version, today=today)
    # What apps above the catalog offer for this item (appointments: "预约办理").
    context["guide_sections"] = extensions.sections(extensions.GUIDE_ACTIONS)
    return TemplateResponse(request, "catalog/guide_detail.html", context)


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
def hall_detail(request: HttpRequest, code: str) -> TemplateResponse:
    hall = selectors.hall_detail(code=code)
    items, item_count = selectors.hall_items_preview(hall=hall, limit=HALL_ITEMS_SHOWN)
    return TemplateResponse(
        request,
        "catalog/hall_detail.html",
        {
            "hall": hall,
            # Weekend days served by appointment only (staggered service): no walk-in tickets.
            "by_appointment": any(hours.appointment_only for hours in hall.opening_hours.all()),
            "items": items,
            "item_count": item_count,
            # What apps above the catalog offer at this hall (appointments: booking, rest-day service).
            "hall_sections": extensions.sections(extensions.HALL_PAGE),
        },
    )


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
