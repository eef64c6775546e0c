"""Cached pages in their per-request shell (issue 14): the main part of a page rendered without
the request and kept by ``catalog.page_cache``, served inside the shell drawn for this request.
Used by the catalog's pages and by other apps' public pages (the ratings statistics)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalog import page_cache
from servicehall.clock import local_date

SECTIONS_SLOT = "<!--catalog:sections-->"


def render_main(template: str, context: dict[str, object]) -> dict[str, str]:
    """A page's main part rendered without the request (nothing of the user, the session, the
    CSRF token or the CSP nonce can be in it), split where the sections go."""
    slot = mark_safe(SECTIONS_SLOT)  # noqa: S308 - a constant HTML comment
    html = render_to_string(f"{template}#main", {**context, "sections_slot": slot, "LANGUAGE_CODE": get_language()})
    before, _slot, after = html.partition(SECTIONS_SLOT)
    return {"before": before, "after": after}


def cached_page(
    request: HttpRequest,
    ctx: page_cache.Context,
    digest: str,
    compute: Callable[[], tuple[dict[str, Any], bool]],
    *,
    sections: Sequence[str],
    extra: Callable[[dict[str, Any]], dict[str, object]] | None = None,
    seconds: int = page_cache.ENTRY_SECONDS,
    conditional: bool = True,
) -> HttpResponseBase:
    """Serve a cached main part inside the per-request shell, answering 304 when the browser
    already has this page (same main part, language, care mode and CSRF cookie)."""
    etag = page_cache.page_etag(request, quote_etag(digest)) if ctx.caching and conditional else None
    if etag is not None:
        not_modified = page_cache.conditional(request, etag=etag, last_modified=ctx.last_modified, private=True)
        if not_modified is not None:
            return not_modified
    payload = page_cache.entry(ctx, digest, compute, seconds=seconds).payload
    context = {
        "page_title": payload["title"],
        "main_before": mark_safe(payload["before"]),  # noqa: S308 - rendered by our templates, escaped there
        "main_after": mark_safe(payload["after"]),  # noqa: S308
        "sections": sections,
        **(extra(payload) if extra is not None else {}),
    }
    status = payload.get("status", 200)
    response: HttpResponseBase
    if page_cache.anonymous_shell_allowed(request):
        structure = ctx.generation.structure if ctx.generation is not None else ""
        response = HttpResponse(_anonymous_page(request, context, structure), status=status)
    else:  # a session (a signed-in user's nav) or messages: the whole shell drawn for this request
        response = TemplateResponse(request, "catalog/cached_page.html", context, status=status)
    if etag is not None and response.status_code == 200:
        page_cache.set_validators(response, etag=etag, last_modified=ctx.last_modified, private=True)
    return response


def _anonymous_page(request: HttpRequest, context: dict[str, Any], structure: str) -> str:
    """The page for a visitor without a session: the shell of this language, care mode and
    navigation entry, drawn once per process with markers, filled with this request's CSRF token,
    CSP nonce, path, title, main part and sections."""
    item = context.get("item")
    hall = context.get("hall")
    section_context = {
        "item": item,
        "hall": hall,
        "is_current": context.get("is_current"),
        "LANGUAGE_CODE": get_language(),
    }

    def render_section(section: str) -> Callable[[], str]:
        return lambda: render_to_string(section, section_context)

    sections = "".join(
        page_cache.section_html(
            (
                section,
                get_language(),
                item.pk if item is not None else None,
                hall.pk if hall is not None else None,
                context.get("is_current"),
                local_date(),
                structure,  # the catalog's halls and their items: booking reads them too
            ),
            render_section(section),
        )
        for section in context["sections"]
    )
    shell = page_cache.anonymous_shell(request)
    return page_cache.fill_shell(
        shell,
        request,
        title=context["page_title"],
        main=f"{context['main_before']}{sections}{context['main_after']}",
    )
