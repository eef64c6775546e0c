"""Rectification orders of bad ratings: verify → rectify within 5 working days → follow-up call;
who may take each step, wrong states, appeals and their review, overdue flags across a holiday."""

from __future__ import annotations

import datetime as dt

import pytest

from feedback import rectification
from feedback.models_ratings import Rating, RatingAppeal, RectificationEvent, RectificationOrder
from feedback.ratings import RatingError
from servicehall.models import AuditEvent
from tests.cases.factories import World, make_world
from tests.feedback.ratings_world import D, at, rate_case, rate_ticket

Status = RectificationOrder.Status


@pytest.fixture
def world(db) -> World:
    return make_world()


def _order(world: World, *, day: dt.date | None = None) -> RectificationOrder:
    rating = rate_ticket(world, "very_dissatisfied", finished_at=at(day or D(2026, 11, 24), 10))
    return RectificationOrder.objects.get(rating=rating)


def _followed_up_order(world: World, rating: Rating) -> RectificationOrder:
    order = RectificationOrder.objects.get(rating=rating)
    order = rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="属实")
    return rectification.order_rectify(order=order, actor=world.police_chief, measures="培训")


def test_an_anonymous_rating_is_followed_up_as_no_contact_not_as_not_reached(world: World) -> None:
    """A ticket rated at the tablet or by its link left no contact: 是否联系上评价人 cannot be
    asked; the follow-up records 评价人未留联系方式 instead, honestly."""
    order = _followed_up_order(world, rate_ticket(world, "dissatisfied"))
    assert rectification.rater_contactable(order.rating) is False
    for reached in (True, False):
        with pytest.raises(RatingError) as refused:
            rectification.order_follow_up(
                order=order, actor=world.police_chief, reached=reached, satisfied=True if reached else None, note="x"
            )
        assert (refused.value.field, refused.value.code) == ("reached", "no_contact")
    order = rectification.order_follow_up(
        order=order, actor=world.police_chief, reached=None, satisfied=None, note="整改已落实，评价人未留联系方式"
    )
    assert order.status == Status.CLOSED
    assert (order.follow_up_no_contact, order.follow_up_reached, order.follow_up_satisfied) == (True, None, None)
    event = order.events.get(kind=RectificationEvent.Kind.FOLLOWED_UP)
    assert event.data["no_contact"] is True


def test_a_rating_with_a_contact_is_not_recorded_as_no_contact(world: World) -> None:
    order = _followed_up_order(world, rate_case(world, "dissatisfied"))
    assert rectification.rater_contactable(order.rating) is True
    with pytest.raises(RatingError) as refused:
        rectification.order_follow_up(order=order, actor=world.police_chief, reached=None, satisfied=None, note="x")
    assert (refused.value.field, refused.value.code) == ("reached", "contactable")
    order = rectification.order_follow_up(
        order=order, actor=world.police_chief, reached=False, satisfied=None, note="未接"
    )
    assert (order.follow_up_no_contact, order.follow_up_reached) == (False, False)


def test_the_whole_loop_with_who_and_when(world: World) -> None:
    # A case's rating: its applicant left a contact mobile, so the follow-up call is possible.
    order = RectificationOrder.objects.get(rating=rate_case(world, "very_dissatisfied"))
    order = rectification.order_verify(
        order=order, actor=world.police_chief, valid=True, reason="调看录像，确有态度问题", now=at(D(2026, 11, 24), 15)
    )
    assert order.status == Status.RECTIFYING
    # Tuesday 24 November: five working days, the day itself not counted.
    assert order.due_on == D(2026, 12, 1)
    order = rectification.order_rectify(
        order=order, actor=world.police_chief, measures="约谈窗口人员，组织服务礼仪培训", now=at(D(2026, 11, 27))
    )
    assert order.status == Status.FOLLOW_UP
    order = rectification.order_follow_up(
        order=order,
        actor=world.supervisor,
        reached=True,
        satisfied=True,
        note="电话回访，群众表示满意",
        now=at(D(2026, 11, 30)),
    )
    assert order.status == Status.CLOSED
    events = list(order.events.order_by("at", "pk").values_list("kind", "actor__username"))
    assert events == [
        (RectificationEvent.Kind.OPENED, None),
        (RectificationEvent.Kind.VERIFIED_VALID, "police-chief"),
        (RectificationEvent.Kind.RECTIFIED, "police-chief"),
        (RectificationEvent.Kind.FOLLOWED_UP, "city-centre-supervisor"),
    ]
    assert AuditEvent.objects.filter(action__startswith="rectification.", target_id=str(order.pk)).count() == 4


def test_an_order_found_not_valid_ends_there(world: World) -> None:
    order = rectification.order_verify(
        order=_order(world), actor=world.supervisor, valid=False, reason="经核实，系群众对政策不理解"
    )
    assert order.status == Status.INVALID
    assert order.due_on is None
    with pytest.raises(RatingError) as refused:
        rectification.order_rectify(order=order, actor=world.supervisor, measures="无")
    assert refused.value.status == 409


@pytest.mark.parametrize("who", ["market_chief", "clerk", "tianhe_market_chief", "market_clerk"])
def test_only_the_department_s_chief_or_a_supervisor_verifies(world: World, who: str) -> None:
    order = _order(world)
    with pytest.raises(RatingError) as refused:
        rectification.order_verify(order=order, actor=getattr(world, who), valid=True, reason="属实")
    assert refused.value.status == 403
    order.refresh_from_db()
    assert order.status == Status.VERIFYING
    assert order.events.count() == 1


def test_steps_out_of_order_are_refused_with_the_state(world: World) -> None:
    order = _order(world)
    with pytest.raises(RatingError) as refused:
        rectification.order_rectify(order=order, actor=world.police_chief, measures="培训")
    assert refused.value.status == 409
    assert "待核实" in str(refused.value.message)
    with pytest.raises(RatingError):
        rectification.order_follow_up(order=order, actor=world.police_chief, reached=False, satisfied=None, note="未接")
    with pytest.raises(RatingError) as blank:
        rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="   ")
    assert blank.value.field == "reason"


def test_a_reached_follow_up_says_whether_the_person_is_satisfied(world: World) -> None:
    order = rectification.order_verify(order=_order(world), actor=world.police_chief, valid=True, reason="属实")
    order = rectification.order_rectify(order=order, actor=world.police_chief, measures="培训")
    with pytest.raises(RatingError) as refused:
        rectification.order_follow_up(
            order=order, actor=world.police_chief, reached=True, satisfied=None, note="已联系"
        )
    assert refused.value.field == "satisfied"


# --- Appeals (申诉复核) -------------------------------------------------------------------------


def test_only_the_rated_clerk_appeals_once(world: World) -> None:
    order = _order(world)
    with pytest.raises(RatingError) as refused:
        rectification.order_appeal(order=order, actor=world.market_clerk, reason="不是我办的")
    assert refused.value.status == 403
    appeal = rectification.order_appeal(order=order, actor=world.clerk, reason="群众所需材料不全，已一次性告知")
    assert appeal.status_before == Status.VERIFYING
    order.refresh_from_db()
    assert order.status == Status.APPEALED
    with pytest.raises(RatingError) as again:
        rectification.order_appeal(order=order, actor=world.clerk, reason="再次申诉")
    assert again.value.code == "already_appealed"
    # While the appeal waits, the order is not verified.
    with pytest.raises(RatingError):
        rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="属实")


def test_an_upheld_appeal_returns_the_order_to_where_it_was(world: World) -> None:
    order = rectification.order_verify(order=_order(world), actor=world.police_chief, valid=True, reason="属实")
    due = order.due_on
    rectification.order_appeal(order=order, actor=world.clerk, reason="已按规定办理")
    with pytest.raises(RatingError) as chief:
        rectification.appeal_decide(order=order, actor=world.police_chief, overturn=True, reason="同意")
    assert chief.value.status == 403
    appeal = rectification.appeal_decide(
        order=order, actor=world.supervisor, overturn=False, reason="录像显示确有不耐烦"
    )
    assert appeal.decision == RatingAppeal.Decision.UPHELD
    order.refresh_from_db()
    assert (order.status, order.due_on) == (Status.RECTIFYING, due)
    assert not Rating.objects.get(pk=order.rating_id).excluded


def test_an_overturned_appeal_excludes_the_rating(world: World) -> None:
    order = _order(world)
    rectification.order_appeal(order=order, actor=world.clerk, reason="评价人误评")
    rectification.appeal_decide(order=order, actor=world.city_supervisor, overturn=True, reason="系误评，撤销")
    order.refresh_from_db()
    assert order.status == Status.OVERTURNED
    rating = Rating.objects.get(pk=order.rating_id)
    assert rating.excluded
    assert rating.excluded_reason == "系误评，撤销"
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[-2:] == [RectificationEvent.Kind.APPEALED, RectificationEvent.Kind.APPEAL_OVERTURNED]
    with pytest.raises(RatingError):
        rectification.appeal_decide(order=order, actor=world.supervisor, overturn=False, reason="再议")


def test_a_supervisor_of_another_hall_cannot_decide(world: World) -> None:
    from servicehall import roles
    from tests.servicehall.factories import staff_user

    tianhe_supervisor = staff_user("tianhe-sup", role=roles.SUPERVISOR, hall_=world.tianhe)
    order = _order(world)
    rectification.order_appeal(order=order, actor=world.clerk, reason="已按规定办理")
    with pytest.raises(RatingError) as refused:
        rectification.appeal_decide(order=order, actor=tianhe_supervisor, overturn=True, reason="同意")
    assert refused.value.status == 403
    assert not rectification.orders_visible(tianhe_supervisor).exists()
    assert list(rectification.orders_visible(world.clerk)) == [order]
    assert not rectification.orders_visible(world.market_chief).exists()
    assert list(rectification.orders_visible(world.police_chief)) == [order]


# --- Overdue across a holiday ----------------------------------------------------------------


def test_overdue_flags_count_working_days_across_national_day(world: World) -> None:
    """Verified on Tuesday 29 September 2026: the five working days are 30 September, 8, 9 and
    10 October (a Saturday worked in exchange, 调休) and 12 October; 1–7 October are the National
    Day holiday. Counting calendar days would have flagged it on 7 October."""
    order = _order(world, day=D(2026, 9, 29))
    order = rectification.order_verify(
        order=order, actor=world.police_chief, valid=True, reason="属实", now=at(D(2026, 9, 29), 16)
    )
    assert order.due_on == D(2026, 10, 12)
    other = rectification.order_verify(
        order=_order(world, day=D(2026, 10, 12)),
        actor=world.police_chief,
        valid=True,
        reason="属实",
        now=at(D(2026, 10, 12), 16),
    )

    assert rectification.orders_flag_overdue(now=at(D(2026, 10, 7), 9)) == 0
    assert rectification.orders_flag_overdue(now=at(D(2026, 10, 12), 23)) == 0  # the last day is in time
    assert rectification.orders_flag_overdue(now=at(D(2026, 10, 13), 1)) == 1
    order.refresh_from_db()
    assert order.overdue
    assert order.events.filter(kind=RectificationEvent.Kind.OVERDUE).count() == 1
    # A second run flags nothing twice; the later order is not due yet.
    assert rectification.orders_flag_overdue(now=at(D(2026, 10, 13), 2)) == 0
    other.refresh_from_db()
    assert not other.overdue
    # Rectified late: the order goes on, the flag stays as a record.
    order = rectification.order_rectify(order=order, actor=world.police_chief, measures="培训", now=at(D(2026, 10, 14)))
    assert order.overdue and order.status == Status.FOLLOW_UP


def test_an_order_rectified_in_time_is_never_flagged(world: World) -> None:
    order = rectification.order_verify(
        order=_order(world, day=D(2026, 9, 29)),
        actor=world.police_chief,
        valid=True,
        reason="属实",
        now=at(D(2026, 9, 29)),
    )
    rectification.order_rectify(order=order, actor=world.police_chief, measures="培训", now=at(D(2026, 10, 9)))
    assert rectification.orders_flag_overdue(now=at(D(2026, 10, 20))) == 0


# --- Appeals need a reason; overdue orders are marked 逾期 ------------------------------------


def test_an_appeal_without_a_reason_is_refused_everywhere_and_nothing_changes(world: World, client) -> None:
    import json

    from django.urls import reverse

    order = _order(world)
    with pytest.raises(RatingError) as refused:
        rectification.order_appeal(order=order, actor=world.clerk, reason=" \n ")
    assert refused.value.field == "reason" and str(refused.value.message) == "请写明申诉理由。"
    client.force_login(world.clerk)
    page = client.get(reverse("rectification-detail", args=[order.pk])).content.decode()
    assert "申诉理由" in page
    response = client.post(reverse("rectification-action", args=[order.pk, "appeal"]), {"appeal-reason": "   "})
    assert response.status_code == 400
    assert response.context["action_forms"]["appeal"].errors["reason"] == ["请写明申诉理由。"]
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        api = client.post(
            f"/api/v1/rectifications/{order.pk}/appeal/", data=json.dumps(body), content_type="application/json"
        )
        assert api.status_code == 400, api.content
        assert api.json()["errors"]["reason"] == ["请写明申诉理由。"]
    order.refresh_from_db()
    assert order.status == Status.VERIFYING and not RatingAppeal.objects.exists()


def test_overdue_orders_are_marked_on_the_list_and_the_order_page(world: World, client) -> None:
    import time_machine
    from django.urls import reverse

    late = rectification.order_verify(
        order=_order(world, day=D(2026, 9, 29)),
        actor=world.police_chief,
        valid=True,
        reason="属实",
        now=at(D(2026, 9, 29), 16),
    )
    in_time = rectification.order_verify(
        order=_order(world, day=D(2026, 10, 12)),
        actor=world.police_chief,
        valid=True,
        reason="属实",
        now=at(D(2026, 10, 12), 16),
    )
    client.force_login(world.supervisor)
    # 13 October: past the first order's deadline (12 October), before the job has run.
    with time_machine.travel(at(D(2026, 10, 13), 9), tick=False):
        assert late.overdue_state(D(2026, 10, 13)) == "open" and in_time.overdue_state(D(2026, 10, 13)) == ""
        listed = client.get(reverse("rectification-list")).content.decode()
        assert listed.count(">逾期</span>") == 1
        only = client.get(reverse("rectification-list"), {"overdue": "on"})
        assert [o.pk for o in only.context["page"].object_list] == [late.pk]
        page = client.get(reverse("rectification-detail", args=[late.pk])).content.decode()
        assert ">逾期</span>" in page and "已超过整改期限（2026-10-12）" in page
        assert ">逾期</span>" not in client.get(reverse("rectification-detail", args=[in_time.pk])).content.decode()
        rectification.orders_flag_overdue(now=at(D(2026, 10, 13), 10))
        rectification.order_rectify(order=late, actor=world.police_chief, measures="培训", now=at(D(2026, 10, 13), 11))
        page = client.get(reverse("rectification-detail", args=[late.pk])).content.decode()
        assert "逾期整改" in page and "整改在期限之后完成。" in page
