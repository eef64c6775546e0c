"""The items handled for a queue ticket (Art. 8 ¶4): recorded by the clerk at the ticket's window
(console and API), by a case received from the ticket, and counted per item on the supervisors'
live hall dashboard and cases page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, TicketItem
from catalog.models import ServiceItem
from queueing.models import QueueCategory, Ticket
from servicehall.audit import AuditEvent
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday
HTMX = {"HX-Request": "true", "HX-Target": "console-panel"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 11), tick=False):
        yield


def minute(hour: int, minute_: int, day: dt.date = TODAY) -> dt.datetime:
    return at(day, hour) + dt.timedelta(minutes=minute_)


def category(world) -> QueueCategory:
    queue = QueueCategory.objects.filter(hall=world.city, letter="A").first()
    if queue is None:
        queue = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务")
        queue.items.add(world.licence)
    return queue


def ticket(world, n: int, *, status: str = Ticket.Status.CALLED, day: dt.date = TODAY, **times) -> Ticket:
    times.setdefault("arrived_at", minute(9, 0, day))
    if status in Ticket.AT_WINDOW:
        times.setdefault("called_at", minute(10, 0, day))
    return Ticket.objects.create(
        hall=world.city,
        category=category(world),
        number=f"A{n:03d}",
        sequence=n,
        token=f"ticket-token-{day:%Y%m%d}-{n}",
        source=Ticket.Source.KIOSK,
        issued_at=times["arrived_at"],
        service_date=day,
        status=status,
        window=world.window if status != Ticket.Status.WAITING else None,
        staff=world.clerk if status != Ticket.Status.WAITING else None,
        **times,
    )


def record_url(world, t: Ticket) -> str:
    return reverse("case-ticket-item-record", args=[world.window.pk, t.pk])


# --- Recording at the console ------------------------------------------------------------------


def test_the_console_offers_the_queues_items_first_and_records_a_consultation(client, world):
    t = ticket(world, 1)
    client.force_login(world.clerk)
    page = client.get(reverse("staff-home"), {"all_items": "1"}).content.decode()
    assert "本次办理事项（A001）" in page and record_url(world, t) in page
    # The queue's item comes before the hall's others.
    assert page.index(world.licence.name) < page.index(world.hukou.name)

    response = client.post(record_url(world, t), {"item": world.hukou.code, "outcome": "consultation"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已记录 A001 办理事项：户口迁入登记（咨询）。" in body
    assert f"{world.hukou.name}：咨询" in body
    record = TicketItem.objects.get()
    assert (record.ticket_id, record.item_id, record.outcome, record.case) == (
        t.pk,
        world.hukou.pk,
        "consultation",
        None,
    )
    assert record.recorded_by == world.clerk
    assert AuditEvent.objects.filter(action="ticket.item_recorded").count() == 1

    # The same item again changes its outcome; without JavaScript the form goes back to the console.
    response = client.post(record_url(world, t), {"item": world.hukou.code, "outcome": "collected"})
    assert response.status_code == 302 and response.url == reverse("staff-home")
    assert list(TicketItem.objects.values_list("outcome", flat=True)) == ["collected"]


def item_options(body: str) -> list[str]:
    """The item codes offered by the console's "本次办理事项" select."""
    select = body[body.index('id="ticket-item-item"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="(\d+)"', select)


def test_the_picker_lists_the_queues_items_and_the_others_a_click_away(client, world):
    """As on the application page: the ticket's queue's items only, a link to the hall's others,
    and an item recorded for the ticket (or chosen in a refused record) listed all the same."""
    t = ticket(world, 1)  # queue A names the licence only
    client.force_login(world.clerk)
    page = client.get(reverse("staff-home")).content.decode()
    assert item_options(page) == [world.licence.code]
    panel = reverse("console-panel", args=[world.window.pk])
    assert "显示本大厅全部事项（另有 2 项）" in page and f'hx-get="{panel}?all_items=1"' in page
    # The link: the panel again (htmx), or the console page, with every item of the hall.
    for response in (
        client.get(panel, {"all_items": "1"}, headers=HTMX),
        client.get(reverse("staff-home"), {"all_items": "1"}),
    ):
        body = response.content.decode()
        assert item_options(body) == [world.licence.code, world.hukou.code, world.stamp.code]
        assert "显示本大厅全部事项" not in body and 'name="all_items" value="1"' in body
    # A refused record keeps the list asked for, and the other item chosen.
    body = client.post(
        record_url(world, t), {"item": world.hukou.code, "outcome": "", "all_items": "1"}, headers=HTMX
    ).content.decode()
    assert item_options(body) == [world.licence.code, world.hukou.code, world.stamp.code]
    body = client.post(record_url(world, t), {"item": world.hukou.code, "outcome": ""}, headers=HTMX).content.decode()
    assert item_options(body) == [world.licence.code, world.hukou.code]
    assert f'<option value="{world.hukou.code}" selected>' in body and "另有 1 项" in body
    # Another item recorded stays listed (to change its outcome); the rest stay a click away.
    body = client.post(
        record_url(world, t), {"item": world.hukou.code, "outcome": "consultation"}, headers=HTMX
    ).content.decode()
    assert item_options(body) == [world.licence.code, world.hukou.code]
    assert "显示本大厅全部事项（另有 1 项）" in body
    # Any item of the hall is recorded, listed or not.
    client.post(record_url(world, t), {"item": world.stamp.code, "outcome": "consultation"}, headers=HTMX)
    assert set(TicketItem.objects.values_list("item__code", flat=True)) == {world.hukou.code, world.stamp.code}
    # A queue naming none of the hall's items lists them all.
    category(world).items.clear()
    body = client.get(reverse("staff-home")).content.decode()
    assert item_options(body) == [world.licence.code, world.hukou.code, world.stamp.code]
    assert "显示本大厅全部事项" not in body


def test_the_picker_costs_the_same_queries_at_3_and_23_items(client, world):
    t = ticket(world, 1)
    client.force_login(world.clerk)
    panel = reverse("console-panel", args=[world.window.pk])

    def count(**params: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(panel, params, headers=HTMX).status_code == 200
        return len(ctx.captured_queries)

    client.post(record_url(world, t), {"item": world.hukou.code, "outcome": "consultation"}, headers=HTMX)
    few, few_all = count(), count(all_items="1")
    for n in range(20):
        item = ServiceItem.objects.create(
            code=f"05001{n:05d}", item_type="05", name=f"其他事项{n}", department=world.police
        )
        world.city.items.add(item)
        if n % 2:
            category(world).items.add(item)
        else:
            TicketItem.objects.create(
                ticket=t, item=item, outcome="consultation", recorded_by=world.clerk, recorded_at=minute(10, n)
            )
    assert (count(), count(all_items="1")) == (few, few_all)


def test_record_and_finish_in_one_step(client, world):
    t = ticket(world, 1, status=Ticket.Status.SERVING, started_at=minute(10, 5))
    client.force_login(world.clerk)
    response = client.post(
        record_url(world, t), {"item": world.licence.code, "outcome": "consultation", "finish": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "该号已办结" in response.content.decode()
    t.refresh_from_db()
    assert t.status == Ticket.Status.DONE and t.finished_at == at(TODAY, 11)
    assert TicketItem.objects.filter(ticket=t, item=world.licence).exists()


def test_a_bad_item_or_outcome_is_a_form_error_and_saves_nothing(client, world):
    t = ticket(world, 1)
    elsewhere = ServiceItem.objects.create(
        code="0300101000", item_type="03", name="别处的事项", department=world.market
    )
    client.force_login(world.clerk)
    for data, message in (
        ({"item": "9999999999", "outcome": "consultation"}, "请选择本大厅办理的事项。"),
        ({"item": elsewhere.code, "outcome": "consultation"}, "本大厅不办理“别处的事项”。"),
        ({"item": world.licence.code, "outcome": "received"}, "请选择办理结果。"),
        ({"item": "", "outcome": ""}, "请选择本大厅办理的事项。"),
    ):
        response = client.post(record_url(world, t), data, headers=HTMX)
        assert response.status_code == 400, data
        assert message in response.content.decode()
        assert 'aria-invalid="true"' in response.content.decode()
    assert not TicketItem.objects.exists()


def test_only_the_clerk_signed_in_at_the_tickets_window_records(client, world):
    t = ticket(world, 1)
    # A colleague of the same hall, not signed in at the window.
    client.force_login(world.market_clerk)
    response = client.post(record_url(world, t), {"item": world.licence.code, "outcome": "consultation"}, headers=HTMX)
    assert response.status_code == 403
    with pytest.raises(services.CaseError) as refused:
        services.ticket_item_record(ticket=t, item=world.licence, outcome="consultation", actor=world.market_clerk)
    assert refused.value.status == 403
    # Another hall's clerk does not reach the window at all.
    client.force_login(world.tianhe_clerk)
    assert client.post(record_url(world, t), {"item": world.licence.code, "outcome": "consultation"}).status_code == 403
    # A waiting ticket (not at any window) and someone else's finished ticket are refused.
    waiting = ticket(world, 2, status=Ticket.Status.WAITING)
    with pytest.raises(services.CaseError) as refused:
        services.ticket_item_record(ticket=waiting, item=world.licence, outcome="consultation", actor=world.clerk)
    assert refused.value.status == 403
    Ticket.objects.filter(pk=t.pk).update(status=Ticket.Status.NO_SHOW, finished_at=minute(10, 3))
    t.refresh_from_db()
    with pytest.raises(services.CaseError) as refused:
        services.ticket_item_record(ticket=t, item=world.licence, outcome="consultation", actor=world.clerk)
    assert refused.value.status == 409
    assert not TicketItem.objects.exists()


def test_a_case_received_from_a_ticket_records_its_item_and_outcome(world):
    t = ticket(world, 1)
    case = world.receive(
        world.licence,
        now=minute(10, 20),
        outcome="accept_deferred",
        states={"经营场所使用证明": "missing"},
        channel=Case.Channel.WINDOW,
        window=world.window,
        ticket=t,
    )
    record = TicketItem.objects.get()
    assert (record.ticket_id, record.item_id, record.outcome, record.case_id) == (
        t.pk,
        world.licence.pk,
        TicketItem.Outcome.ACCEPTED_DEFERRED,
        case.pk,
    )
    assert record.recorded_at == minute(10, 20) and record.recorded_by == world.clerk
    # A refused outcome leaves nothing behind, the ticket's item included.
    with pytest.raises(services.CaseError):
        world.receive(
            world.hukou,
            now=minute(10, 30),
            outcome="accept",
            states={"户口簿": "missing"},
            channel=Case.Channel.WINDOW,
            window=world.window,
            ticket=t,
        )
    assert TicketItem.objects.count() == 1
    # A case by post has no ticket and records nothing.
    world.receive(world.hukou, now=minute(10, 40), outcome="accept")
    assert TicketItem.objects.count() == 1


# --- The figures per item ----------------------------------------------------------------------


def handled(world, t: Ticket, item: ServiceItem, outcome: str = "consultation", case: Case | None = None) -> None:
    TicketItem.objects.create(
        ticket=t, item=item, outcome=outcome, case=case, recorded_by=world.clerk, recorded_at=t.arrived_at
    )


def figures_world(world) -> None:
    """Hand-counted: 食品经营许可 on A001 (waited 10, served 20 minutes) and A002 (waited 30, still
    being served); 户口迁入登记 on A001 only. A001 brought two cases of the licence: it counts once."""
    a1 = ticket(
        world,
        1,
        status=Ticket.Status.DONE,
        arrived_at=minute(9, 0),
        called_at=minute(9, 10),
        started_at=minute(9, 12),
        finished_at=minute(9, 32),
    )
    a2 = ticket(
        world,
        2,
        status=Ticket.Status.SERVING,
        arrived_at=minute(9, 5),
        called_at=minute(9, 35),
        started_at=minute(9, 36),
    )
    mail_case = world.receive(world.licence, now=minute(9, 20), outcome="accept")
    handled(world, a1, world.licence, "accepted", case=mail_case)
    handled(world, a1, world.licence, "consultation")
    handled(world, a1, world.hukou, "consultation")
    handled(world, a2, world.licence, "other")
    # Not today, or still waiting: neither changes today's figures.
    yesterday = ticket(world, 1, status=Ticket.Status.DONE, day=TODAY - dt.timedelta(days=1))
    handled(world, yesterday, world.hukou)


def test_figures_per_item_against_hand_computed_waits(world):
    figures_world(world)
    rows = {
        row.item_code: row for row in selectors.item_ticket_figures(hall_ids=[world.city.pk], start=TODAY, end=TODAY)
    }
    licence, hukou = rows[world.licence.code], rows[world.hukou.code]
    assert (licence.tickets, licence.cases) == (2, 1)
    assert licence.average_wait_seconds == pytest.approx((10 + 30) / 2 * 60)
    assert licence.average_service_seconds == pytest.approx(20 * 60)
    assert (hukou.tickets, hukou.cases, hukou.average_wait_minutes, hukou.average_service_minutes) == (1, 0, 10, 20)
    assert selectors.item_ticket_figures(hall_ids=[world.tianhe.pk], start=TODAY, end=TODAY) == []


def test_the_live_hall_dashboard_shows_todays_figures_per_item(client, world):
    client.force_login(world.supervisor)
    url = reverse("supervisor-hall", args=[world.city.code])
    empty = client.get(url).content.decode()
    assert "按事项统计（今日）" in empty and "今日窗口尚未记录办理事项。" in empty
    figures_world(world)
    for response in (client.get(url), client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-live"})):
        page = response.content.decode()
        assert response.status_code == 200
        assert "按事项统计（今日）" in page and "今日窗口尚未记录办理事项。" not in page
        row = page[page.index(f'<span class="code">{world.licence.code}</span>') :].split("</tr>")[0]
        assert [cell.split(">")[1] for cell in row.split('<td class="num"')[1:]] == [
            "2</td",
            "1</td",
            "20.0</td",
            "20.0</td",
        ]


def test_the_figures_cost_one_query_and_the_live_dashboard_the_same_at_5_and_50_tickets(client, world):
    client.force_login(world.supervisor)
    url = reverse("supervisor-hall", args=[world.city.code])
    live = {"HX-Request": "true", "HX-Target": "hall-live"}

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            t = ticket(world, n, status=Ticket.Status.DONE, started_at=minute(10, 1), finished_at=minute(10, 9))
            handled(world, t, world.licence if n % 2 else world.hukou)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as figures:
            selectors.item_ticket_figures(hall_ids=[world.city.pk], start=TODAY, end=TODAY)
        figure_queries = len(figures.captured_queries)  # read now: the next request clears the log
        client.get(url, headers=live)  # warm what the page caches
        with CaptureQueriesContext(connection) as page:
            assert client.get(url, headers=live).status_code == 200
        return figure_queries, len(page.captured_queries)

    add(1, 5)
    few = queries()
    add(6, 45)
    assert few == queries()
    assert few[0] == 1


def test_the_supervisors_cases_page_counts_tickets_without_cases_too(client, world):
    figures_world(world)
    client.force_login(world.supervisor)
    response = client.get(reverse("supervisor-hall-cases", args=[world.city.code]))
    figures = {row.item_code: row for row in response.context["figures"]}
    assert figures[world.hukou.code].tickets == 2  # a consultation today and one yesterday, no case
    assert figures[world.licence.code].cases == 1


# --- API ---------------------------------------------------------------------------------------


def test_the_api_records_and_lists_a_tickets_items(client, world):
    t = ticket(world, 1)
    url = f"/api/v1/tickets/{t.pk}/items/"
    client.force_login(world.clerk)
    response = client.post(url, {"item": world.licence.code, "outcome": "collected"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "collected" and response.json()["item"] == world.licence.code
    bad = client.post(url, {"item": "9999999999", "outcome": "collected"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["item"] == ["请选择本大厅办理的事项。"]
    listed = client.get(url)
    assert listed.status_code == 200
    assert [(row["item"], row["outcome_display"]) for row in listed.json()] == [(world.licence.code, "领取结果")]
    client.force_login(world.market_clerk)
    refused = client.post(url, {"item": world.licence.code, "outcome": "other"}, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(world.tianhe_clerk)
    assert client.get(url).status_code == 403
    assert TicketItem.objects.count() == 1


def test_an_item_recorded_by_mistake_is_taken_back_but_not_a_cases(client, world):
    t = ticket(world, 1)
    client.force_login(world.clerk)
    client.post(record_url(world, t), {"item": world.hukou.code, "outcome": "consultation"}, headers=HTMX)
    record = TicketItem.objects.get()
    remove = reverse("case-ticket-item-remove", args=[world.window.pk, t.pk, record.pk])
    page = client.get(reverse("staff-home")).content.decode()
    assert remove in page and "移除“户口迁入登记”" in page
    client.force_login(world.market_clerk)  # not at the window
    assert client.post(remove, headers=HTMX).status_code == 403
    client.force_login(world.clerk)
    response = client.post(remove, headers=HTMX)
    assert response.status_code == 200 and "已移除 A001 的办理事项：户口迁入登记。" in response.content.decode()
    assert not TicketItem.objects.exists()
    assert AuditEvent.objects.filter(action="ticket.item_removed").count() == 1

    case = world.receive(
        world.licence, now=minute(10, 20), outcome="accept", channel=Case.Channel.WINDOW, window=world.window, ticket=t
    )
    own = TicketItem.objects.get(case=case)
    response = client.delete(f"/api/v1/tickets/{t.pk}/items/{own.pk}/")
    assert response.status_code == 409 and TicketItem.objects.filter(pk=own.pk).exists()
    client.post(
        f"/api/v1/tickets/{t.pk}/items/",
        {"item": world.hukou.code, "outcome": "other"},
        content_type="application/json",
    )
    mistaken = TicketItem.objects.get(case=None)
    assert client.delete(f"/api/v1/tickets/{t.pk}/items/{mistaken.pk}/").status_code == 204
    assert list(TicketItem.objects.values_list("pk", flat=True)) == [own.pk]


def test_the_item_figures_api_counts_tickets_without_cases(client, world):
    figures_world(world)
    client.force_login(world.supervisor)
    day = TODAY.isoformat()
    response = client.get("/api/v1/cases/item-figures/", {"hall": world.city.code, "start": day, "end": day})
    assert response.status_code == 200
    rows = {row["item_code"]: row for row in response.json()}
    assert rows[world.hukou.code]["tickets"] == 1 and rows[world.hukou.code]["cases"] == 0
    assert rows[world.licence.code]["average_wait_seconds"] == pytest.approx(20 * 60)
