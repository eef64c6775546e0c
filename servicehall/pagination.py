"""Pagination shared by the pages and the API."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


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


def requested_page(request: HttpRequest) -> tuple[int, str]:
    """The page's ``page`` query parameter: (number, error message or '')."""
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        return 1, gettext("页码必须是正整数。")
    return int(raw), ""
