"""``{% page_title %}…{% endpage_title %}``: the page's own title followed by the portal's name,
the name only once when the page is the portal's own or names it (the city hall's pages are titled
with the hall's name, which is the portal's: "线上取号 · 广州市政务服务中心 · 广州市政务服务中心"
otherwise)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import conditional_escape

register = template.Library()

SEPARATOR = " · "


def with_brand(title: str, brand: str) -> str:
    """``title · brand``, or one of them alone when the other is empty or they are the same. A
    part of the title that is the brand itself (a page of the city hall titled "线上取号 ·
    广州市政务服务中心") is left out: the brand ends the title, once."""
    title, brand = title.strip(), brand.strip()
    if not brand:
        return title
    kept = [part.strip() for part in title.split(SEPARATOR) if part.strip() and part.strip() != brand]
    if not kept:
        return brand
    return SEPARATOR.join([*kept, brand])


class PageTitleNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        title = self.nodelist.render(context)
        if context.get("page_title_complete"):
            # The page cache's shell: its title is a marker that ``fill_shell`` replaces with
            # the whole title (``with_brand`` there), so nothing is added here.
            return title
        return with_brand(title, str(conditional_escape(context.get("portal_name") or "")))


@register.tag
def page_title(parser: Parser, token: Token) -> Any:
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)
