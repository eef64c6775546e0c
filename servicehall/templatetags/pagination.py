"""The pager under every paginated list: ``{% load pagination %}{% pagination page %}``.

One template (``templates/_pagination.html``) for all of them, so each has the same accessible
markup: a ``<nav>`` named "分页", the current page marked ``aria-current``, ``rel="prev"`` and
``rel="next"`` links, and "第 N 页，共 M 页". The links keep the page's query string: the
view's ``query`` when it gives one (it may add a default, such as the year shown), otherwise
the request's own parameters; ``page`` and empty parameters dropped either way.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import QueryDict

register = template.Library()


def _kept_query(context: template.Context, query: str | None) -> str:
    if query is None:
        query = context.get("query")
    if query is None:
        request = context.get("request")
        params = request.GET if request is not None else QueryDict()
    else:
        params = QueryDict(str(query))
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        if key != "page":
            kept.setlist(key, [value for value in values if value])
    return kept.urlencode()


@register.inclusion_tag("_pagination.html", takes_context=True)
def pagination(context: template.Context, page: Page, query: str | None = None) -> dict[str, Any]:
    kept = _kept_query(context, query)
    prefix = f"?{kept}&page=" if kept else "?page="
    counted = getattr(page, "counted", True)
    return {
        "page": page,
        # A page of paginate_uncounted knows only whether there is a next page, not the total.
        "shown": page.has_other_pages() if not counted else page.paginator.num_pages > 1,
        "total": page.paginator.num_pages if counted else None,
        "previous_url": f"{prefix}{page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"{prefix}{page.next_page_number()}" if page.has_next() else "",
    }
