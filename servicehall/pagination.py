"""Pagination shared by the pages and the API."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """``page`` that is not a positive whole number is a 400 naming the field; a page past
    the end is a 404 (there is no such page)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is not None and (not raw.isdigit() or int(raw) < 1):
                raise ValidationError({name: [_("必须是正整数。")]})
        return super().paginate_queryset(queryset, request, view)


def paginate(object_list, *, page_number: int, per_page: int) -> Page:
    """A page of ``object_list``; a number past the end gives the last page."""
    paginator = Paginator(object_list, per_page)
    return paginator.get_page(page_number)


def requested_page(request: HttpRequest) -> tuple[int, str]:
    """The page's ``page`` query parameter: (number, error message or '')."""
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        return 1, gettext("页码必须是正整数。")
    return int(raw), ""
