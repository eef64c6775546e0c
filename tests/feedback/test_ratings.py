"""好差评 ratings: one per served ticket or completed case, what a rating records, refusals with
nothing saved, bad ratings opening orders, default ratings after N days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, TicketItem
from feedback import ratings
from feedback.models_ratings import Rating, RatingPolicy, RectificationEvent, RectificationOrder
from feedback.ratings import RatingError
from queueing.models import Ticket
from servicehall import roles
from tests.cases.factories import World, make_world
from tests.feedback.ratings_world import GOOD, D, at, decided_case, rating_input, ticket
from tests.servicehall.factories import staff_user


@pytest.fixture
def world(db) -> World:
    return make_world()


def test_a_served_ticket_is_rated_once_and_records_where_it_was_served(world: World) -> None:
    t = ticket(world, finished_at=at(D(2026, 11, 26), 10))
    rating = ratings.rating_submit_ticket(
        ticket=t, data=rating_input("very_satisfied", "  很 快 "), now=at(D(2026, 11, 26), 11)
    )
    assert (rating.kind, rating.level, rating.comment) == ("ticket", "very_satisfied", "很 快")
    assert rating.hall_id == world.city.pk
    assert rating.window_id == world.window.pk
    assert rating.staff_id == world.clerk.pk
    assert rating.department_id == world.police.pk  # the clerk is seconded from the police
    assert rating.served_month == D(2026, 11, 1)
    # 整体满意度 is the level, asked once.
    assert rating.overall == "very_satisfied"
    assert (rating.efficiency, rating.quality, rating.attitude) == ("satisfied",) * 3

    with pytest.raises(RatingError) as refused:
        ratings.rating_submit_ticket(ticket=t, data=rating_input("very_dissatisfied"))
    assert refused.value.code == "already_rated"
    assert refused.value.status == 409
    assert "已经评价过" in str(refused.value.message)
    assert Rating.objects.count() == 1
    assert not RectificationOrder.objects.exists()


@pytest.mark.parametrize("status", [Ticket.Status.WAITING, Ticket.Status.SERVING, Ticket.Status.NO_SHOW])
def test_a_ticket_not_served_is_refused_and_nothing_is_saved(world: World, status: str) -> None:
    t = ticket(world, status=status)
    with pytest.raises(RatingError) as refused:
        ratings.rating_submit_ticket(ticket=t, data=rating_input("dissatisfied"))
    assert refused.value.code == "not_served"
    assert refused.value.status == 409
    assert not Rating.objects.exists()
    assert not RectificationOrder.objects.exists()


def test_the_database_keeps_one_rating_per_ticket(world: World) -> None:
    t = ticket(world)
    fields = {
        "kind": "ticket",
        "ticket": t,
        "hall": world.city,
        "level": "satisfied",
        "source": "link",
        "served_at": t.finished_at,
        "served_month": D(2026, 11, 1),
        "rated_at": t.finished_at,
        **{name: "satisfied" for name in ratings.INDICATORS},
    }
    Rating.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(**fields)


def test_a_clerk_without_a_department_gives_the_first_recorded_item_s_department(world: World) -> None:
    helper = staff_user("helper", role=roles.WINDOW_STAFF, hall_=world.city)
    t = ticket(world, staff=helper)
    TicketItem.objects.create(
        ticket=t, item=world.licence, outcome="consultation", recorded_by=helper, recorded_at=t.finished_at
    )
    rating = ratings.rating_submit_ticket(ticket=t, data=rating_input())
    assert rating.department_id == world.market.pk


def test_missing_levels_are_refused_field_by_field(world: World) -> None:
    with pytest.raises(RatingError) as refused:
        ratings.rating_input_clean({"level": "great"})
    assert set(refused.value.errors) == {"level", "efficiency", "quality", "attitude"}
    assert refused.value.errors["level"] == ["请评价整体满意度。"]


def test_the_overall_indicator_is_the_level_asked_once(world: World) -> None:
    """整体满意度 and 总体评价 were two near-identical questions: the level is 整体满意度, stored
    as the ``overall`` indicator too; an ``overall`` sent apart must agree with it."""
    from feedback.forms_ratings import RatingForm

    assert "overall" not in RatingForm().fields
    assert str(RatingForm().fields["level"].label) == "整体满意度"
    data = ratings.rating_input_clean({**GOOD, "level": "dissatisfied"})
    assert (data.level, data.overall) == ("dissatisfied", "dissatisfied")
    with pytest.raises(RatingError) as refused:
        ratings.rating_input_clean({**GOOD, "level": "dissatisfied", "overall": "satisfied"})
    assert set(refused.value.errors) == {"overall"}
    assert ratings.rating_input_clean({**GOOD, "overall": "satisfied"}).overall == "satisfied"


def test_a_completed_case_is_rated_once_with_its_department_and_clerk(world: World) -> None:
    case = decided_case(world, now=at(D(2026, 11, 2)))
    assert case.status == Case.Status.DECIDED
    rating = ratings.rating_submit_case(case=case, data=rating_input("basic"), now=at(D(2026, 11, 5)))
    assert (rating.kind, rating.case_id, rating.ticket_id) == ("case", case.pk, None)
    assert rating.department_id == world.police.pk
    assert rating.staff_id == world.clerk.pk
    assert rating.window_id == world.window.pk
    assert rating.served_at == at(D(2026, 11, 3))  # the day it was decided
    with pytest.raises(RatingError) as refused:
        ratings.rating_submit_case(case=case, data=rating_input())
    assert refused.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_a_case_not_completed_is_refused(world: World) -> None:
    case = world.receive(world.hukou, now=at(D(2026, 11, 2)), outcome="accept")
    with pytest.raises(RatingError) as refused:
        ratings.rating_submit_case(case=case, data=rating_input())
    assert refused.value.code == "not_completed"
    assert "尚未办结" in str(refused.value.message)
    assert not Rating.objects.exists()


def test_a_case_not_accepted_is_completed_and_may_be_rated(world: World) -> None:
    case = world.receive(
        world.hukou,
        now=at(D(2026, 11, 2)),
        outcome="not_accepted",
        reason="不属于本机关职权范围",
        refer_to="区公安分局",
    )
    rating = ratings.rating_submit_case(case=case, data=rating_input("dissatisfied"))
    assert rating.served_at == at(D(2026, 11, 2))
    assert rating.rectification.department_id == world.police.pk


@pytest.mark.parametrize(
    ("level", "opens"),
    [("very_satisfied", False), ("basic", False), ("dissatisfied", True), ("very_dissatisfied", True)],
)
def test_a_bad_rating_opens_a_rectification_order_for_the_department(world: World, level: str, opens: bool) -> None:
    rating = ratings.rating_submit_ticket(ticket=ticket(world), data=rating_input(level), now=at(D(2026, 11, 26), 11))
    order = RectificationOrder.objects.filter(rating=rating).first()
    assert (order is not None) == opens
    if order is not None:
        assert order.status == RectificationOrder.Status.VERIFYING
        assert (order.hall_id, order.department_id) == (world.city.pk, world.police.pk)
        assert order.number == f"ZG20261126{order.pk:06d}"
        assert list(order.events.values_list("kind", flat=True)) == [RectificationEvent.Kind.OPENED]


# --- Default ratings (默认好评) ----------------------------------------------------------------


def test_services_left_unrated_past_the_policy_s_days_get_a_default_rating(world: World) -> None:
    now = at(D(2026, 11, 26), 2)
    old = ticket(world, finished_at=now - dt.timedelta(days=16))
    recent = ticket(world, finished_at=now - dt.timedelta(days=10))
    rated = ticket(world, finished_at=now - dt.timedelta(days=17))
    ratings.rating_submit_ticket(ticket=rated, data=rating_input("dissatisfied"), now=now - dt.timedelta(days=17))
    waiting = ticket(world, status=Ticket.Status.WAITING)
    case = decided_case(world, now=now - dt.timedelta(days=20))

    assert ratings.ratings_record_defaults(now=now) == 2
    defaults = Rating.objects.filter(is_default=True)
    assert {r.ticket_id or r.case_id for r in defaults} == {old.pk, case.pk}
    for r in defaults:
        assert (r.level, r.source, r.overall) == ("satisfied", "default", "")
    assert not Rating.objects.filter(ticket__in=[recent, waiting]).exists()
    assert Rating.objects.get(ticket=rated).level == "dissatisfied"
    # A rerun records nothing twice.
    assert ratings.ratings_record_defaults(now=now) == 0
    assert RectificationOrder.objects.count() == 1


def test_default_ratings_follow_the_policy(world: World) -> None:
    now = at(D(2026, 11, 26), 2)
    ticket(world, finished_at=now - dt.timedelta(days=8))
    RatingPolicy.objects.create(default_after_days=7)
    assert ratings.ratings_record_defaults(now=now) == 1
    RatingPolicy.objects.update(default_ratings_enabled=False)
    ticket(world, finished_at=now - dt.timedelta(days=9))
    assert ratings.ratings_record_defaults(now=now) == 0


def test_the_rating_form_input_keeps_the_comment_short(world: World) -> None:
    with pytest.raises(RatingError) as refused:
        ratings.rating_input_clean({**GOOD, "comment": "长" * 301})
    assert refused.value.field == "comment"
