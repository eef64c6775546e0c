"""Forwarding (转办, Art. 12; cases/forwarding.py): an item on the citywide list received at one
hall, forwarded to the hall of jurisdiction, taken over or returned; who may act on each side;
the transfer time; the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import forwarding, services
from cases.models import Case, CaseEvent, Forwarding
from catalog.models import GuideVersion, Hall
from servicehall import notifications, roles
from servicehall.notifications import MemoryBackend
from tests.cases.factories import D, at
from tests.cases.test_pages import application_data
from tests.catalog import factories
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def outbox(settings) -> list[notifications.Notification]:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def citywide(world):
    """The food licence (market department; handled at the city centre and at Tianhe, both with
    market staff) is on the citywide list; the hukou move is on no list."""
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    return world


def received_at_tianhe(world, now=None) -> Case:
    return world.receive(world.licence, now=now or at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)


def forward(world, case, *, now=None, collect_at=Forwarding.CollectAt.RECEIVED_HALL) -> Forwarding:
    return forwarding.case_forward(
        case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at=collect_at, now=now or at(TODAY, 10)
    )


def test_an_item_not_on_the_lists_is_not_forwarded(citywide):
    world = citywide
    case = world.receive(world.hukou, now=at(TODAY, 9))
    with pytest.raises(services.CaseError) as refused:
        forwarding.case_forward(
            case=case,
            actor=world.clerk,
            to_hall=world.tianhe,
            collect_at=Forwarding.CollectAt.ELECTRONIC,
            now=at(TODAY, 10),
        )
    assert refused.value.code == "not_on_list"
    assert refused.value.status == 422
    assert "不在全市通办、跨域通办或跨境通办事项清单上" in str(refused.value.message)
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert not Forwarding.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.FORWARDED).exists()


def test_a_hall_without_the_item_or_its_department_cannot_receive_it(citywide):
    world = citywide
    haizhu = factories.hall(code="HZ", name="海珠区政务服务中心")
    haizhu.items.add(world.licence)  # handles the item, but no market staff there
    case = received_at_tianhe(world)
    with pytest.raises(services.CaseError) as refused:
        forwarding.case_forward(
            case=case, actor=world.tianhe_clerk, to_hall=haizhu, collect_at="electronic", now=at(TODAY, 10)
        )
    assert refused.value.code == "no_jurisdiction"
    assert refused.value.field == "to_hall"
    staff_user("haizhu-market", role=roles.WINDOW_STAFF, hall_=haizhu, dept=world.market)
    assert (
        forwarding.case_forward(
            case=case, actor=world.tianhe_clerk, to_hall=haizhu, collect_at="electronic", now=at(TODAY, 10)
        ).to_hall
        == haizhu
    )
    assert list(forwarding.jurisdiction_halls(case)) == [world.city, haizhu]


def test_forward_accept_then_the_receiving_hall_acts_and_the_sender_cannot(
    citywide, outbox, django_capture_on_commit_callbacks
):
    world = citywide
    case = received_at_tianhe(world)
    with django_capture_on_commit_callbacks(execute=True):
        sent = forward(world, case)
    case.refresh_from_db()
    assert case.status == Case.Status.FORWARDING
    assert sent.scope == Forwarding.Scope.CITYWIDE
    assert [n.data["kind"] for n in outbox] == ["forwarding_sent"]
    assert "market-clerk" in outbox[0].recipients and "tianhe-clerk" not in outbox[0].recipients

    # In transit: the sending hall may not accept it, nor may the receiving hall yet.
    with pytest.raises(services.CaseError) as refused:
        services.case_accept(case=case, actor=world.tianhe_clerk, now=at(TODAY, 11))
    assert refused.value.status == 409
    with pytest.raises(services.CaseError) as refused:
        services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 11))
    assert refused.value.status == 403
    # The sender cannot take its own forwarding over.
    with pytest.raises(services.CaseError) as refused:
        forwarding.forwarding_accept(forwarding=sent, actor=world.tianhe_clerk, now=at(TODAY, 11))
    assert refused.value.status == 403

    with django_capture_on_commit_callbacks(execute=True):
        forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    assert (case.hall, case.received_at_hall, case.collect_hall) == (world.city, world.tianhe, world.tianhe)
    assert case.status == Case.Status.RECEIVED
    assert outbox[-1].data["kind"] == "forwarding_accepted"
    with pytest.raises(services.CaseError) as refused:  # taken over once only
        forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 12))
    assert refused.value.status == 409
    with pytest.raises(services.CaseError) as refused:  # and not passed on again
        forwarding.case_forward(
            case=case, actor=world.market_clerk, to_hall=world.tianhe, collect_at="electronic", now=at(TODAY, 12)
        )
    assert (refused.value.status, refused.value.code) == (409, "already_forwarded")

    # The sending hall may no longer act; the receiving hall accepts and decides as usual.
    with pytest.raises(services.CaseError) as refused:
        services.case_accept(case=case, actor=world.tianhe_clerk, now=at(TODAY, 12))
    assert refused.value.status == 403
    services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12))
    case.refresh_from_db()
    assert case.accepted_on == TODAY
    assert case.due_on == D(2026, 12, 7)  # 10 working days from Mon 23 Nov, the day not counted
    assert case.clock.hall_id == world.city.pk
    services.case_review_start(case=case, actor=world.market_chief, now=at(TODAY, 13))
    with pytest.raises(services.CaseError):
        services.case_decide(case=case, actor=world.tianhe_market_chief, approved=True, now=at(TODAY, 14))
    services.case_decide(case=case, actor=world.market_chief, approved=True, now=at(TODAY, 14))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_result_ready(case=case, actor=world.market_chief, now=at(TODAY, 15))
    # The result is collected where the applicant chose: the hall that received it, told so.
    assert outbox[-1].data["kind"] == "forwarding_result"
    assert "tianhe-clerk" in outbox[-1].recipients
    with pytest.raises(services.CaseError) as refused:
        services.case_collect(case=case, actor=world.market_clerk, method="window", now=at(TODAY, 16))
    assert refused.value.status == 403
    services.case_collect(case=case, actor=world.tianhe_clerk, method="window", now=at(TODAY, 16))
    case.refresh_from_db()
    assert case.status == Case.Status.COLLECTED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[:3] == [CaseEvent.Kind.RECEIVED, CaseEvent.Kind.FORWARDED, CaseEvent.Kind.FORWARD_ACCEPTED]


def test_return_needs_a_reason_and_sends_the_case_back(citywide):
    world = citywide
    case = received_at_tianhe(world)
    sent = forward(world, case)
    for blank in ("", "   "):
        with pytest.raises(services.CaseError) as refused:
            forwarding.forwarding_return(forwarding=sent, actor=world.market_clerk, reason=blank, now=at(TODAY, 11))
        assert refused.value.status == 400
        assert refused.value.field == "reason"
    sent.refresh_from_db()
    assert sent.status == Forwarding.Status.SENT
    with pytest.raises(services.CaseError) as refused:  # not by the sender
        forwarding.forwarding_return(forwarding=sent, actor=world.tianhe_clerk, reason="x", now=at(TODAY, 11))
    assert refused.value.status == 403

    forwarding.forwarding_return(
        forwarding=sent, actor=world.market_clerk, reason="申请人住所不在本辖区，请转天河", now=at(TODAY, 11)
    )
    sent.refresh_from_db()
    case.refresh_from_db()
    assert sent.status == Forwarding.Status.RETURNED
    assert sent.return_reason == "申请人住所不在本辖区，请转天河"
    assert (case.status, case.hall, case.received_at_hall) == (Case.Status.RECEIVED, world.tianhe, None)
    assert case.events.filter(kind=CaseEvent.Kind.FORWARD_RETURNED, note__contains="不在本辖区").exists()
    # Back at the sending hall: it may accept the case itself, or forward it again.
    again = forward(world, case, now=at(TODAY, 12))
    assert again.status == Forwarding.Status.SENT
    assert Forwarding.objects.filter(case=case).count() == 2


def test_transfer_time_with_fixed_timestamps(citywide):
    world = citywide
    first = received_at_tianhe(world, now=at(TODAY, 9))
    second = received_at_tianhe(world, now=at(TODAY, 9))
    third = received_at_tianhe(world, now=at(TODAY, 9))
    a = forward(world, first, now=at(TODAY, 10))
    b = forward(world, second, now=at(TODAY, 10))
    forward(world, third, now=at(TODAY, 10))
    with time_machine.travel(at(TODAY + dt.timedelta(days=1), 12), tick=False):
        forwarding.forwarding_accept(
            forwarding=a, actor=world.market_clerk, now=at(TODAY + dt.timedelta(days=1), 11) + dt.timedelta(minutes=30)
        )
        forwarding.forwarding_return(forwarding=b, actor=world.market_clerk, reason="材料不属本辖区", now=at(TODAY, 12))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.duration == dt.timedelta(hours=25, minutes=30)
    assert b.duration == dt.timedelta(hours=2)
    with CaptureQueriesContext(connection) as queries:
        figures = forwarding.forwarding_figures(hall_ids=[world.city.pk], since=at(TODAY, 0))
    assert len(queries) == 1
    assert (figures.in_transit, figures.accepted, figures.returned) == (1, 1, 1)
    assert figures.average_transfer_seconds == (25.5 + 2) / 2 * 3600
    other = factories.hall(code="HZ", name="海珠区政务服务中心")
    assert forwarding.forwarding_figures(hall_ids=[other.pk]).in_transit == 0


def test_progress_page_says_where_the_case_is(citywide, client):
    world = citywide
    case = received_at_tianhe(world)
    sent = forward(world, case)
    page = client.get(reverse("case-progress-token", args=[case.progress_token]))
    assert "2026-11-23 由天河区政务服务中心收件，正在转至广州市政务服务中心办理" in page.content.decode()
    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    text = client.get(reverse("case-progress-token", args=[case.progress_token])).content.decode()
    assert "已转至广州市政务服务中心办理（2026-11-23 接收）" in text
    assert "转办中" not in text
    api = client.get(reverse("api:case-progress", args=[case.progress_token])).json()
    assert [(t["from_hall"], t["to_hall"], t["status"]) for t in api["transfers"]] == [
        ("天河区政务服务中心", "广州市政务服务中心", "accepted")
    ]
    assert api["hall_name"] == "广州市政务服务中心"


def test_pages_across_halls(citywide, client):
    world = citywide
    case = received_at_tianhe(world)
    third = factories.hall(code="HZ", name="海珠区政务服务中心")
    stranger = staff_user("haizhu-clerk", role=roles.WINDOW_STAFF, hall_=third, dept=world.market)

    client.force_login(world.tianhe_clerk)
    detail = client.get(reverse("case-detail", args=[case.number])).content.decode()
    assert reverse("case-forward", args=[case.number]) in detail
    assert client.get(reverse("case-forward", args=[case.number])).status_code == 200
    # A bad choice comes back on the form, nothing saved.
    bad = client.post(
        reverse("case-forward", args=[case.number]), {"to_hall": str(third.pk), "collect_at": "electronic"}
    )
    assert bad.status_code == 400
    assert not Forwarding.objects.exists()
    sent = client.post(
        reverse("case-forward", args=[case.number]), {"to_hall": str(world.city.pk), "collect_at": "received_hall"}
    )
    assert sent.status_code == 302
    found = Forwarding.objects.get()

    # The hall it is on its way to sees it in its inbox and on the case page; a third hall does not.
    client.force_login(world.market_clerk)
    inbox = client.get(reverse("case-forwarding-inbox")).content.decode()
    assert case.number in inbox and "待接收（1）" in inbox
    assert (
        reverse("case-forwarding-accept", args=[found.pk])
        in client.get(reverse("case-detail", args=[case.number])).content.decode()
    )
    no_reason = client.post(reverse("case-forwarding-return", args=[found.pk]), {f"return-{found.pk}-reason": ""})
    assert no_reason.status_code == 400
    assert "退回转办须写明理由" in no_reason.content.decode()
    client.force_login(stranger)
    assert client.get(reverse("case-detail", args=[case.number])).status_code == 404
    assert client.post(reverse("case-forwarding-accept", args=[found.pk])).status_code == 404

    client.force_login(world.market_clerk)
    assert client.post(reverse("case-forwarding-accept", args=[found.pk])).status_code == 302
    # The sending hall keeps a read-only view: the case, where it went, no action.
    client.force_login(world.tianhe_clerk)
    page = client.get(reverse("case-detail", args=[case.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "已转至广州市政务服务中心办理" in text
    assert reverse("case-action", args=[case.number, "accept"]) not in text
    outgoing = client.get(reverse("case-forwarding-inbox")).content.decode()
    assert case.number in outgoing and "已接收" in outgoing
    assert client.post(reverse("case-action", args=[case.number, "accept"]), {}).status_code == 403


def test_the_inbox_lists_the_latest_handled_forwardings_first(citywide, client):
    """ "最近接收或退回的转办": the latest taken over first, not the oldest sent (bench/README.md,
    issue 11: with a year of history the inbox showed the hall's first forwardings, and sorted
    every one of them to find them)."""
    world = citywide
    earlier = forward(world, received_at_tianhe(world), now=at(TODAY, 10))
    later = forward(world, received_at_tianhe(world), now=at(TODAY, 11))
    forwarding.forwarding_accept(forwarding=earlier, actor=world.market_clerk, now=at(TODAY, 12))
    forwarding.forwarding_accept(forwarding=later, actor=world.market_clerk, now=at(TODAY, 13))
    assert [f.pk for f in forwarding.handled_in(hall_id=world.city.pk)] == [later.pk, earlier.pk]
    client.force_login(world.market_clerk)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("case-forwarding-inbox"))
    assert [f.pk for f in page.context["handled"]] == [later.pk, earlier.pk]
    for _ in range(3):
        forward(world, received_at_tianhe(world), now=at(TODAY, 14))
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("case-forwarding-inbox")).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)


def test_supervisor_pages_show_forwardings_in_transit(citywide, client):
    world = citywide
    forward(world, received_at_tianhe(world))
    client.force_login(world.city_supervisor)
    text = client.get(reverse("supervisor-cases")).content.decode()
    assert "转办中（待接收）" in text
    assert 'data-figure="in-transit">1<' in text


def test_api_forward_list_accept_return(citywide, client):
    world = citywide
    case = received_at_tianhe(world)
    client.force_login(world.tianhe_clerk)
    url = reverse("api:case-forward", args=[case.number])
    bad = client.post(url, {"to_hall": "TH", "collect_at": "nowhere"}, content_type="application/json")
    assert bad.status_code == 400
    assert "collect_at" in bad.json()["errors"]
    response = client.post(url, {"to_hall": "GZ-CITY", "collect_at": "electronic"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["to_hall"], body["transfer_seconds"]) == ("sent", "GZ-CITY", None)
    pk = body["id"]

    client.force_login(world.market_clerk)
    listed = client.get(reverse("api:case-forwardings"))
    assert [row["case"] for row in listed.json()] == [case.number]
    refused = client.post(reverse("api:case-forwarding-return", args=[pk]), {}, content_type="application/json")
    assert refused.status_code == 400
    accepted = client.post(reverse("api:case-forwarding-accept", args=[pk]))
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert client.post(reverse("api:case-forwarding-accept", args=[pk])).status_code == 409

    hukou = world.receive(world.hukou, now=at(TODAY, 9))
    client.force_login(world.clerk)
    not_listed = client.post(
        reverse("api:case-forward", args=[hukou.number]),
        {"to_hall": "TH", "collect_at": "electronic"},
        content_type="application/json",
    )
    assert not_listed.status_code == 422
    assert not_listed.json()["code"] == "not_on_list"


def test_incoming_list_queries_do_not_grow(citywide, client):
    world = citywide
    client.force_login(world.market_clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:case-forwardings")).status_code == 200
        return len(queries)

    for _ in range(2):
        forward(world, received_at_tianhe(world))
    few = count()
    for _ in range(6):
        forward(world, received_at_tianhe(world))
    assert count() == few
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("case-forwarding-inbox")).status_code == 200
    pages = len(queries)
    for _ in range(3):
        forward(world, received_at_tianhe(world))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("case-forwarding-inbox")).status_code == 200
    assert len(queries) == pages
    assert Hall.objects.count() == 2


def test_the_application_page_receives_a_listed_item_for_forwarding(citywide, client):
    world = citywide
    url = reverse("case-remote-application")
    client.force_login(world.tianhe_clerk)
    form = client.get(url, {"item": world.licence.code}).content.decode()
    assert 'value="forward"' in form
    data = application_data(world, world.licence, outcome="forward")
    data["channel"] = "mail"
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-forward", args=[case.number])
    assert (case.status, case.hall, case.accepted_on) == (Case.Status.RECEIVED, world.tianhe, None)

    # An item on no list: no such button, and the outcome refused with nothing saved.
    client.force_login(world.clerk)
    assert 'value="forward"' not in client.get(url, {"item": world.hukou.code}).content.decode()
    data = application_data(world, world.hukou, outcome="forward")
    data["channel"] = "mail"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "不能收件转办" in refused.content.decode()
    assert Case.objects.count() == 1


def test_any_hall_receives_a_listed_item_it_does_not_handle_only_to_forward_it(citywide, client):
    world = citywide
    GuideVersion.objects.filter(item=world.stamp).update(citywide=True)  # handled at the city only
    tianhe_items = [world.licence]
    assert list(world.tianhe.items.all()) == tianhe_items
    with pytest.raises(services.CaseError) as refused:  # not accepted where it is not handled
        world.receive(world.stamp, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe, outcome="accept")
    assert refused.value.field == "outcome"
    assert not Case.objects.exists()
    case = world.receive(world.stamp, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    with pytest.raises(services.CaseError) as refused:
        services.case_accept(case=case, actor=world.tianhe_clerk, now=at(TODAY, 10))
    assert refused.value.code == "forward_only"
    sent = forwarding.case_forward(
        case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="electronic", now=at(TODAY, 10)
    )
    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    assert services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12)).accepted_on == TODAY
    # An item on no list stays refused at a hall that does not handle it.
    with pytest.raises(services.CaseError) as refused:
        world.receive(world.hukou, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    assert refused.value.field == "item"

    # The application page offers it apart, with only "收件并转办".
    client.force_login(world.tianhe_clerk)
    page = client.get(reverse("case-remote-application"), {"item": world.stamp.code}).content.decode()
    assert "通办事项（本大厅收件后转办）" in page
    assert 'value="forward"' in page and 'value="accept"' not in page


def test_receive_and_forward_is_refused_before_the_case_exists(citywide, client):
    """Issue 11: "收件并转办" for an application that could not be forwarded (no other hall handles
    the item with its department there; an item on no list) is refused with the reason and
    leaves no case behind, from the page and the API alike."""
    from tests.cases.test_api import receive_body

    world = citywide
    world.city.items.remove(world.licence)  # only Tianhe handles it now: nowhere to forward it
    url = reverse("case-remote-application")
    client.force_login(world.tianhe_clerk)
    data = application_data(world, world.licence, outcome="forward")
    data["channel"] = "mail"
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert (
        "没有其他办理“食品经营许可”并有广州市市场监督管理局派驻工作人员的大厅，不能收件转办" in refused.content.decode()
    )
    assert not Case.objects.exists()

    body = receive_body(world, world.licence, outcome="forward")
    api = client.post("/api/v1/cases/", body, content_type="application/json")
    assert api.status_code == 422 and api.json()["code"] == "no_jurisdiction"
    body = receive_body(world, world.hukou, outcome="forward")
    client.force_login(world.clerk)
    api = client.post("/api/v1/cases/", body, content_type="application/json")
    assert api.status_code == 422 and api.json()["code"] == "not_on_list"
    assert not Case.objects.exists()

    world.city.items.add(world.licence)  # the city centre handles it again: received, to forward
    client.force_login(world.tianhe_clerk)
    api = client.post(
        "/api/v1/cases/", receive_body(world, world.licence, outcome="forward"), content_type="application/json"
    )
    assert api.status_code == 201 and api.json()["status"] == "received"
    response = client.post(url, data)
    assert response.status_code == 302 and Case.objects.count() == 2


def test_result_ready_goes_to_the_comprehensive_windows_and_the_sender_not_every_counter_account(
    citywide, outbox, django_capture_on_commit_callbacks
):
    # Art. 11 ¶2 一窗出证 / 统一反馈: the result is handed out at the comprehensive window of the
    # collecting hall. A walkthrough saw every counter account of the hall told, chief
    # representatives included.
    from queueing.models import Window

    world = citywide
    desk = staff_user("tianhe-desk", role=roles.WINDOW_STAFF, hall_=world.tianhe, dept=world.market)
    specialised = staff_user("tianhe-specialised", role=roles.WINDOW_STAFF, hall_=world.tianhe, dept=world.market)
    idle = staff_user("tianhe-idle", role=roles.WINDOW_STAFF, hall_=world.tianhe, dept=world.market)
    Window.objects.create(hall=world.tianhe, number=1, kind=Window.Kind.COMPREHENSIVE, is_open=True, staff=desk)
    Window.objects.create(hall=world.tianhe, number=2, kind=Window.Kind.SPECIALISED, is_open=True, staff=specialised)
    # Another hall's comprehensive window is not the collecting hall's.
    Window.objects.filter(pk=world.window.pk).update(kind=Window.Kind.COMPREHENSIVE)

    case = received_at_tianhe(world)
    sent = forward(world, case)
    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    services.case_accept(case=case, actor=world.market_clerk, now=at(TODAY, 12))
    services.case_review_start(case=case, actor=world.market_chief, now=at(TODAY, 13))
    services.case_decide(case=case, actor=world.market_chief, approved=True, now=at(TODAY, 14))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_result_ready(case=case, actor=world.market_chief, now=at(TODAY, 15))
    told = [n for n in outbox if n.data["kind"] == "forwarding_result"]
    assert len(told) == 1
    assert sorted(told[0].recipients) == ["tianhe-clerk", "tianhe-desk"]
    assert world.tianhe_market_chief.username not in told[0].recipients
    assert idle.username not in told[0].recipients and specialised.username not in told[0].recipients

    # Nobody at a comprehensive window and the sender gone: the hall's window staff, still no chief.
    Window.objects.filter(hall=world.tianhe).update(is_open=False, staff=None)
    type(world.tianhe_clerk).objects.filter(pk=world.tianhe_clerk.pk).update(is_active=False)
    fallback = forwarding._result_desk_staff(sent, world.tianhe.pk)
    assert fallback == ["tianhe-desk", "tianhe-idle", "tianhe-specialised"]
