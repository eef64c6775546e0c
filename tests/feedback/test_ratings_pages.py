"""The 好差评 pages and API: rating by the private link, the links on the ticket page, slip, case
progress and prints, the window's tablet, the rectification pages and endpoints, the dashboard."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from feedback.models_ratings import Rating, RectificationOrder
from queueing.models import Ticket
from servicehall import roles
from tests.cases.factories import World, make_world
from tests.feedback.ratings_world import GOOD, D, at, decided_case, posted, rate_ticket, ticket
from tests.servicehall.factories import staff_user


@pytest.fixture
def world(db) -> World:
    return make_world()


def _post_json(client, url: str, body: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- Rating by link --------------------------------------------------------------------------


def test_rating_a_served_ticket_by_its_link(world: World, client) -> None:
    t = ticket(world)
    url = reverse("rating-ticket", args=[t.token])
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "整体满意度" in page.content.decode()
    missing = client.post(url, {"level": "satisfied"})
    assert missing.status_code == 400
    assert "请评价服务态度。" in missing.content.decode()
    assert not Rating.objects.exists()
    form = posted(level="very_satisfied", comment="很好")
    done = client.post(url, form)
    # POST-redirect-GET: the page thanks once.
    assert done.status_code == 302 and done["Location"] == url
    thanks = client.get(url).content.decode()
    assert "感谢您的评价" in thanks and "非常满意" in thanks
    assert "感谢您的评价" not in client.get(url).content.decode()
    # The same form again (a double click, back and submit): the thanks again, no second rating.
    repeat = client.post(url, {**form, "level": "dissatisfied"}, follow=True)
    assert repeat.redirect_chain == [(url, 302)] and "感谢您的评价" in repeat.content.decode()
    # Another form (another tab, a fresh token): refused, rated already.
    again = client.post(url, posted())
    assert again.status_code == 409
    assert "已经评价过" in again.content.decode()
    assert Rating.objects.get().level == "very_satisfied"


def test_a_waiting_ticket_s_link_says_why_it_cannot_be_rated(world: World, client) -> None:
    t = ticket(world, status=Ticket.Status.WAITING)
    url = reverse("rating-ticket", args=[t.token])
    assert "尚未办理完毕" in client.get(url).content.decode()
    refused = client.post(url, posted())
    assert refused.status_code == 409
    assert not Rating.objects.exists()
    assert client.get(reverse("rating-ticket", args=["no-such-token"])).status_code == 404


def test_the_ticket_page_offers_the_rating_once_served(world: World, client) -> None:
    t = ticket(world)
    page = client.get(reverse("queue-ticket", args=[t.token])).content.decode()
    assert reverse("rating-ticket", args=[t.token]) in page
    rate_ticket(world, "satisfied")  # another ticket
    Rating.objects.all().delete()
    client.post(reverse("rating-ticket", args=[t.token]), posted())
    page = client.get(reverse("queue-ticket", args=[t.token])).content.decode()
    assert "您已评价本次服务：满意" in page
    waiting = ticket(world, status=Ticket.Status.WAITING)
    assert (
        reverse("rating-ticket", args=[waiting.token])
        not in client.get(reverse("queue-ticket", args=[waiting.token])).content.decode()
    )


def test_the_kiosk_slip_carries_the_rating_qr_code(world: World, client) -> None:
    t = ticket(world, status=Ticket.Status.WAITING)
    page = client.get(reverse("queue-slip", args=[t.token])).content.decode()
    assert "服务评价二维码" in page
    # Inside the printed slip (the person keeps it), not in the unprinted part below it.
    printed = page[page.index('<article class="slip"') : page.index("</article>")]
    assert "服务评价二维码" in printed


def test_a_case_is_rated_by_its_progress_link(world: World, client) -> None:
    case = decided_case(world)
    progress = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    url = reverse("rating-case", args=[case.progress_token])
    assert url in progress
    assert client.post(url, posted(level="dissatisfied")).status_code == 302
    rating = Rating.objects.get()
    assert (rating.case_id, rating.department_id) == (case.pk, world.police.pk)
    assert RectificationOrder.objects.filter(rating=rating, department=world.police).exists()
    progress = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    assert "您已评价本件：不满意" in progress


def test_a_bad_rating_promises_a_call_back_only_to_a_rater_who_can_be_reached(world: World, client) -> None:
    """A ticket rated by its link is anonymous: no call back is promised, the 12345 hotline is
    offered instead. A case's applicant left a mobile number: the call back is promised."""
    t = ticket(world)
    url = reverse("rating-ticket", args=[t.token])
    assert client.post(url, posted(level="dissatisfied")).status_code == 302
    assert RectificationOrder.objects.filter(rating__ticket=t).exists()
    thanks = client.get(url).content.decode()
    assert "转交责任部门核实整改" in thanks
    assert "回访。" not in thanks and "并会" not in thanks
    assert "本次评价未留联系方式，我们无法回访您" in thanks and "12345" in thanks

    case = decided_case(world)
    assert case.contact_mobile
    url = reverse("rating-case", args=[case.progress_token])
    assert client.post(url, posted(level="dissatisfied")).status_code == 302
    thanks = client.get(url).content.decode()
    assert "并会按您办事时留下的手机号码回访" in thanks and "无法回访" not in thanks


def test_the_printed_notice_says_where_to_rate(world: World, client) -> None:
    case = world.receive(world.hukou, now=at(D(2026, 11, 2)), outcome="accept")
    client.force_login(world.clerk)
    page = client.get(reverse("case-print", args=[case.number, "acceptance"])).content.decode()
    assert "办结后，可扫描上方二维码" in page
    refused = world.receive(
        world.hukou, now=at(D(2026, 11, 2)), outcome="not_accepted", reason="不属于本机关", refer_to="区局"
    )
    page = client.get(reverse("case-print", args=[refused.number, "not-accepted"])).content.decode()
    assert reverse("rating-case", args=[refused.progress_token]) in page


# --- The window's tablet ---------------------------------------------------------------------


def test_the_tablet_shows_the_ticket_just_served_at_its_window(world: World, client) -> None:
    from django.utils import timezone

    url = reverse("rating-tablet", args=[world.window.pk])
    client.force_login(world.clerk)
    idle = client.get(url)
    assert idle.status_code == 200
    assert "hx-trigger" in idle.content.decode()
    t = ticket(world, finished_at=timezone.now())
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert t.number in page
    submit = reverse("rating-tablet-submit", args=[world.window.pk, t.pk])
    assert client.post(submit, {"level": "satisfied"}).status_code == 400
    thanks = client.post(submit, GOOD, headers={"HX-Request": "true"})
    assert thanks.status_code == 200
    assert "感谢您的评价" in thanks.content.decode()
    assert Rating.objects.get().source == "tablet"
    late = client.post(submit, GOOD)
    assert late.status_code == 409
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("who", ["tianhe_clerk", "supervisor"])
def test_the_tablet_is_for_the_hall_s_counter_staff(world: World, client, who: str) -> None:
    client.force_login(getattr(world, who))
    assert client.get(reverse("rating-tablet", args=[world.window.pk])).status_code == 403


def test_the_tablet_asks_anonymous_visitors_to_sign_in(world: World, client) -> None:
    response = client.get(reverse("rating-tablet", args=[world.window.pk]))
    assert response.status_code == 302


# --- Rectification pages ---------------------------------------------------------------------


def test_the_orders_list_is_empty_then_lists_the_hall_s_orders(
    world: World, client, django_assert_max_num_queries
) -> None:
    client.force_login(world.supervisor)
    empty = client.get(reverse("rectification-list"))
    assert "没有符合条件的整改单" in empty.content.decode()
    for _ in range(12):
        rate_ticket(world, "very_dissatisfied")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("rectification-list"), {"status": "open"})
    assert page.content.decode().count("/staff/rectifications/") >= 12
    assert client.get(reverse("rectification-list"), {"status": "nonsense"}).status_code == 400


def test_the_order_page_walks_the_loop(world: World, client) -> None:
    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    detail = reverse("rectification-detail", args=[order.pk])
    client.force_login(world.police_chief)
    assert "核实结论" in client.get(detail).content.decode()
    blank = client.post(reverse("rectification-action", args=[order.pk, "verify"]), {"verify-valid": "1"})
    assert blank.status_code == 400
    assert "请写明核实情况和理由" in blank.content.decode()
    ok = client.post(
        reverse("rectification-action", args=[order.pk, "verify"]), {"verify-valid": "1", "verify-reason": "属实"}
    )
    assert ok.status_code == 302
    wrong = client.post(
        reverse("rectification-action", args=[order.pk, "follow-up"]),
        {"follow-up-reached": "none", "follow-up-note": "评价人未留联系方式"},
    )
    assert wrong.status_code == 409
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.RECTIFYING
    # Another department's chief does not even see it.
    client.force_login(world.market_chief)
    assert client.get(detail).status_code == 404


def test_the_clerk_appeals_and_the_supervisor_decides_on_the_pages(world: World, client) -> None:
    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    client.force_login(world.clerk)
    assert (
        client.post(
            reverse("rectification-action", args=[order.pk, "appeal"]), {"appeal-reason": "已一次性告知"}
        ).status_code
        == 302
    )
    client.force_login(world.supervisor)
    page = client.get(reverse("rectification-detail", args=[order.pk])).content.decode()
    assert "申诉复核" in page
    assert (
        client.post(
            reverse("rectification-action", args=[order.pk, "decide-appeal"]),
            {"decide-appeal-overturn": "1", "decide-appeal-reason": "误评"},
        ).status_code
        == 302
    )
    assert Rating.objects.get(pk=order.rating_id).excluded


def test_the_hall_dashboard_shows_rectifications_and_satisfaction(world: World, client) -> None:
    from feedback import rollup_ratings
    from servicehall.clock import local_date

    rate_ticket(world, "dissatisfied", finished_at=at(local_date(), 9))
    rollup_ratings.satisfaction_rollup(month=local_date())
    client.force_login(world.supervisor)
    page = client.get(reverse("supervisor-hall", args=[world.city.code])).content.decode()
    assert "未办结整改单" in page
    assert "本月满意度" in page
    assert "0.0%" in page
    overview = client.get(reverse("supervisor-overview")).content.decode()
    assert reverse("rectification-list") in overview


# --- API -------------------------------------------------------------------------------------


def test_rating_by_token_through_the_api(world: World, client) -> None:
    t = ticket(world)
    url = f"/api/v1/ratings/tickets/{t.token}/"
    assert client.get(url).json()["ratable"] is True
    bad = _post_json(client, url, {"level": "great"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"level", "efficiency"} and "overall" not in bad.json()["errors"]
    created = _post_json(client, url, {**GOOD, "level": "very_dissatisfied"})
    assert created.status_code == 201
    assert created.json()["rectification"].startswith("ZG")
    again = _post_json(client, url, GOOD)
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    status = client.get(url).json()
    assert (status["ratable"], status["rating"]["level"]) == (False, "very_dissatisfied")
    waiting = ticket(world, status=Ticket.Status.WAITING)
    refused = _post_json(client, f"/api/v1/ratings/tickets/{waiting.token}/", GOOD)
    assert (refused.status_code, refused.json()["code"]) == (409, "not_served")
    case = world.receive(world.hukou, now=at(D(2026, 11, 2)), outcome="accept")
    refused = _post_json(client, f"/api/v1/ratings/cases/{case.progress_token}/", GOOD)
    assert (refused.status_code, refused.json()["code"]) == (409, "not_completed")


def test_rectification_steps_through_the_api(world: World, client) -> None:
    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    base = f"/api/v1/rectifications/{order.pk}/"
    assert client.get("/api/v1/rectifications/").status_code == 401  # not signed in
    client.force_login(world.market_chief)
    assert client.get(base).status_code == 404
    client.force_login(world.clerk)
    denied = _post_json(client, base + "verify/", {"valid": True, "reason": "属实"})
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    client.force_login(world.police_chief)
    assert client.get("/api/v1/rectifications/").json()["count"] == 1
    early = _post_json(client, base + "rectify/", {"measures": "培训"})
    assert (early.status_code, early.json()["code"]) == (409, "stale")
    verified = _post_json(client, base + "verify/", {"valid": True, "reason": "属实"})
    assert verified.status_code == 200
    assert verified.json()["status"] == "rectifying"
    assert _post_json(client, base + "rectify/", {"measures": "培训"}).json()["status"] == "follow_up"
    assert client.get(base).json()["rater_contactable"] is False
    called = _post_json(client, base + "follow-up/", {"reached": True, "satisfied": True, "note": "满意"})
    assert (called.status_code, called.json()["code"]) == (400, "no_contact")
    closed = _post_json(client, base + "follow-up/", {"reached": None, "note": "评价人未留联系方式"})
    assert closed.json()["status"] == "closed" and closed.json()["follow_up_no_contact"] is True
    assert [e["kind"] for e in closed.json()["events"]] == ["opened", "verified_valid", "rectified", "followed_up"]


def test_appeal_through_the_api(world: World, client) -> None:
    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    base = f"/api/v1/rectifications/{order.pk}/"
    client.force_login(world.clerk)
    assert _post_json(client, base + "appeal/", {"reason": "已按规定办理"}).json()["status"] == "appealed"
    client.force_login(world.police_chief)
    assert _post_json(client, base + "appeal-decision/", {"overturn": True, "reason": "同意"}).status_code == 403
    client.force_login(world.supervisor)
    decided = _post_json(client, base + "appeal-decision/", {"overturn": False, "reason": "维持"})
    assert decided.json()["status"] == "verifying"
    assert decided.json()["appeal"]["decision"] == "upheld"


def test_another_halls_clerk_sees_no_orders(world: World, client) -> None:
    rate_ticket(world, "dissatisfied")
    outsider = staff_user("outsider", role=roles.WINDOW_STAFF, hall_=world.tianhe, dept=world.police)
    client.force_login(outsider)
    assert client.get("/api/v1/rectifications/").json()["count"] == 0


def test_the_admin_edits_the_rules_and_shows_the_records(world: World, client) -> None:
    from django.contrib.auth import get_user_model

    rate_ticket(world, "dissatisfied")
    admin = get_user_model().objects.create_superuser("ratings-admin", password="pw-for-tests-only")
    client.force_login(admin)
    for model in ("rating", "rectificationorder", "ratingappeal", "satisfactionmonth", "ratingpolicy"):
        assert client.get(reverse(f"admin:feedback_{model}_changelist")).status_code == 200, model
    order = RectificationOrder.objects.get()
    assert client.get(reverse("admin:feedback_rectificationorder_change", args=[order.pk])).status_code == 200
    added = client.post(
        reverse("admin:feedback_ratingpolicy_add"),
        {
            "default_after_days": "10",
            "default_ratings_enabled": "on",
            "rectify_working_days": "3",
            "tablet_minutes": "5",
        },
    )
    assert added.status_code == 302
    from feedback import ratings

    rules = ratings.policy()
    assert (rules.default_after_days, rules.defaults_in_statistics, rules.rectify_working_days) == (10, False, 3)
    # One row of rules: no second one.
    assert client.get(reverse("admin:feedback_ratingpolicy_add")).status_code == 403


def test_the_follow_up_form_of_an_anonymous_rating_offers_no_contact(world: World, client) -> None:
    """是否联系上评价人 is not asked of a tablet or link rating that left no contact."""
    from feedback import rectification

    order = RectificationOrder.objects.get(rating=rate_ticket(world, "dissatisfied"))
    order = rectification.order_verify(order=order, actor=world.police_chief, valid=True, reason="属实")
    rectification.order_rectify(order=order, actor=world.police_chief, measures="培训")
    client.force_login(world.police_chief)
    detail = reverse("rectification-detail", args=[order.pk])
    page = client.get(detail).content.decode()
    assert "评价人未留联系方式（无法回访）" in page
    assert "是否联系上评价人" not in page and "已联系上" not in page
    action = reverse("rectification-action", args=[order.pk, "follow-up"])
    assert client.post(action, {"follow-up-reached": "1", "follow-up-note": "已联系"}).status_code == 400
    done = client.post(action, {"follow-up-reached": "none", "follow-up-note": "整改已落实"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.follow_up_no_contact is True and order.follow_up_reached is None
    assert "评价人未留联系方式，无法回访" in client.get(detail).content.decode()


def test_a_rating_form_without_a_valid_token_saves_nothing(world: World, client) -> None:
    t = ticket(world)
    url = reverse("rating-ticket", args=[t.token])
    for bad in ("", "forged"):
        response = client.post(url, {**GOOD, "form_token": bad})
        assert response.status_code == 400 and "表单已过期" in response.content.decode()
    assert not Rating.objects.exists()
