"""What the 好差评 ratings add to pages drawn by the apps below (servicehall/extensions.py): the
rating link and QR code of a served ticket (its public page, the kiosk slip) and of a completed
case (its progress page and printed documents), and a hall's rectification and satisfaction
figures on the supervisors' live dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from cases.models import Case
from catalog.models import Hall
from feedback import ratings, rollup_ratings
from feedback.models_ratings import Rating, RectificationOrder, SatisfactionMonth
from queueing.models import Ticket
from queueing.qr import qr_data_uri
from servicehall.clock import local_date

register = template.Library()


@register.filter
def overdue_state(order: RectificationOrder) -> str:
    """``RectificationOrder.overdue_state`` today (Asia/Shanghai): "open", "late" or ""."""
    return order.overdue_state(local_date())


@dataclass(frozen=True)
class RatingLink:
    url: str
    qr: str
    ratable: bool  # served or completed, and not rated yet
    rated: Rating | None


def _absolute(context: dict[str, Any], url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


@register.simple_tag(takes_context=True)
def ticket_rating_link(context: dict[str, Any], ticket: Ticket) -> RatingLink:
    """The ticket's rating link and QR code, and its rating if any (one query; none before the
    ticket is done)."""
    url = _absolute(context, reverse("rating-ticket", args=[ticket.token]))
    rated = Rating.objects.filter(ticket_id=ticket.pk).first() if ticket.status == Ticket.Status.DONE else None
    return RatingLink(
        url=url, qr=qr_data_uri(url), ratable=ticket.status == Ticket.Status.DONE and rated is None, rated=rated
    )


def _case_link(context: dict[str, Any], case: Case | None) -> RatingLink | None:
    if case is None:
        return None
    url = _absolute(context, reverse("rating-case", args=[case.progress_token]))
    completed = case.status in ratings.COMPLETED_CASE_STATUSES
    rated = Rating.objects.filter(case_id=case.pk).first() if completed else None
    return RatingLink(url=url, qr=qr_data_uri(url), ratable=completed and rated is None, rated=rated)


@register.simple_tag(takes_context=True)
def case_rating_link(context: dict[str, Any], case: Case) -> RatingLink | None:
    return _case_link(context, case)


@register.simple_tag(takes_context=True)
def case_rating_link_by_number(context: dict[str, Any], number: str) -> RatingLink | None:
    """For the progress page, which has the case's number (two queries)."""
    return _case_link(context, Case.objects.filter(number=number).only("pk", "status", "progress_token").first())


@dataclass(frozen=True)
class HallRatingFigures:
    open_orders: int
    overdue_orders: int
    appeals: int
    this_month: SatisfactionMonth | None
    last_month: SatisfactionMonth | None
    month: dt.date
    previous: dt.date


@register.simple_tag
def hall_rating_figures(hall: Hall, now: dt.datetime) -> HallRatingFigures:
    """Open and overdue rectification orders and appeals waiting at ``hall`` (one aggregate
    query), and its satisfaction this month and last (one query)."""
    from django.db.models import Count, Q

    counts = RectificationOrder.objects.filter(hall=hall, status__in=RectificationOrder.OPEN).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(overdue=True, status=RectificationOrder.Status.RECTIFYING)),
        appeals=Count("pk", filter=Q(status=RectificationOrder.Status.APPEALED)),
    )
    month = ratings.month_start(local_date(now))
    previous = ratings.month_start(month - dt.timedelta(days=1))
    rows = rollup_ratings.hall_satisfaction(hall_id=hall.pk, months=[month, previous])
    return HallRatingFigures(
        open_orders=counts["open"],
        overdue_orders=counts["overdue"],
        appeals=counts["appeals"],
        this_month=rows.get(month),
        last_month=rows.get(previous),
        month=month,
        previous=previous,
    )


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.simple_tag(takes_context=True)
def rectification_open_count(context: dict[str, Any]) -> int | None:
    """Open orders the signed-in user may see (one query), or None for nobody signed in."""
    from feedback import rectification

    user = context["request"].user
    if not user.is_authenticated:
        return None
    return rectification.orders_visible(user).filter(status__in=RectificationOrder.OPEN).count()
