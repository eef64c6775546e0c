"""Pagination shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# PostgreSQL's OFFSET is a bigint; a page number beyond any list (``?page=99999999999``) must
# not reach the database as one.
MAX_OFFSET = 2**31


class PortalPagination(PageNumberPagination):
    """``page`` that is not a positive whole number, or a ``page_size`` beyond ``max_page_size``,
    is a 400 naming the field; a page past the end is a 404 (there is no such page). The schema
    states the same bounds, so a request it allows is never refused (issue 9)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is not None and (not (raw.isascii() and raw.isdigit()) or int(raw) < 1):
                raise ValidationError({name: [_("必须是正整数。")]})
        size = request.query_params.get(self.page_size_query_param)
        if size is not None and int(size) > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("每页最多 %(max)s 条。") % {"max": self.max_page_size}]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def paginate(object_list, *, page_number: int, per_page: int) -> Page:
    """A page of ``object_list``; a number past the end gives the last page."""
    paginator = Paginator(object_list, per_page)
    return paginator.get_page(page_number)


class UncountedPage(Page):
    """A page of a list that is never counted (``paginate_uncounted``): whether a next page
    exists comes from one row read beyond the page, so nothing here asks the paginator for its
    ``count`` (``Page.start_index``, ``end_index`` and the page-number checks all would)."""

    counted = False

    def __init__(self, object_list: list[Any], number: int, paginator: Paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


def paginate_uncounted(object_list: QuerySet[Any], *, page_number: int, per_page: int) -> Page:
    """A page of a list that grows without bound, without the paginator's ``COUNT(*)``: that
    reads every row of the list on every view (the urgent inbox's decided requests: 15–50 ms
    at 100k, bench/README.md), while the page itself, read from an index in its order, costs
    the same at any size. The page reads ``per_page + 1`` rows (the extra one says whether
    there is a next page) and the pager shows "第 N 页" without the total.

    A number past the end counts once and gives the last page, as ``paginate`` does; so does a
    number too large for an ``OFFSET``, which no list reaches."""
    start = (page_number - 1) * per_page
    if start < MAX_OFFSET:
        rows = list(object_list[start : start + per_page + 1])
        if rows or page_number == 1:
            return UncountedPage(
                rows[:per_page], page_number, Paginator(object_list, per_page), more=len(rows) > per_page
            )
    return paginate(object_list, page_number=page_number, per_page=per_page)


def requested_page(request: HttpRequest) -> tuple[int, str]:
    """The page's ``page`` query parameter: (number, error message or '')."""
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        return 1, gettext("页码必须是正整数。")
    return int(raw), ""
