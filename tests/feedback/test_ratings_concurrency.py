"""Races against PostgreSQL: eight people rating one ticket at once leave one rating and one
order; two overdue jobs at once flag an order once."""

from __future__ import annotations

import pytest

from feedback import ratings, rectification
from feedback.models_ratings import Rating, RectificationEvent, RectificationOrder
from feedback.ratings import RatingError
from tests.cases.factories import make_world
from tests.concurrency import in_threads
from tests.feedback.ratings_world import D, at, rate_ticket, rating_input, ticket
from tests.markers import needs_postgres

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]


def test_eight_ratings_of_one_ticket_at_once_leave_one() -> None:
    world = make_world()
    t = ticket(world)

    def rate(k: int) -> str:
        try:
            ratings.rating_submit_ticket(ticket=t, data=rating_input("very_dissatisfied" if k % 2 else "dissatisfied"))
        except RatingError as exc:
            return exc.code
        return "rated"

    results = in_threads(8, rate)
    assert results.count("rated") == 1
    assert results.count("already_rated") == 7
    assert Rating.objects.count() == 1
    assert RectificationOrder.objects.count() == 1


def test_two_overdue_runs_at_once_flag_each_order_once() -> None:
    world = make_world()
    orders = []
    for n in range(5):
        rating = rate_ticket(world, "dissatisfied", finished_at=at(D(2026, 11, 2), 9 + n))
        order = RectificationOrder.objects.get(rating=rating)
        orders.append(
            rectification.order_verify(
                order=order, actor=world.police_chief, valid=True, reason="属实", now=at(D(2026, 11, 2), 15)
            )
        )
    flagged = in_threads(2, lambda _k: rectification.orders_flag_overdue(now=at(D(2026, 11, 20))))
    assert sum(flagged) == 5
    assert RectificationOrder.objects.filter(overdue=True).count() == 5
    assert RectificationEvent.objects.filter(kind=RectificationEvent.Kind.OVERDUE).count() == 5
