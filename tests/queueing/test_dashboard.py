"""The supervisors' dashboard: today's figures, query counts, scope, alerts, history, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Hall
from queueing import dashboard, services
from queueing.models import DailyStat, QueueCategory, Ticket, WaitAlert, Window
from servicehall import memo, roles
from servicehall.access import staff_scope
from servicehall.models import AuditEvent
from tests.catalog import factories
from tests.queueing.factories import NOW, id_number, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
TODAY = NOW.date()
NINE = NOW - 60 * MIN  # 09:00 on the same Thursday
_tokens = itertools.count(1)


@pytest.fixture(autouse=True)
def clock():
    """The pages compute "today" and the longest wait from the clock: freeze it at NOW (10:00)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def city_supervisor(db):
    return staff_user("city-sup", role=roles.SUPERVISOR)


@pytest.fixture
def hall_supervisor(qh):
    return staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)


def text(response) -> str:
    return response.content.decode()


def build_known_day(qh) -> dict[str, Ticket]:
    """A morning at hall QH, through the services (see the figures asserted below).

    A1 09:00 → called 09:10 at window 2 (wait 10), finished 09:20 (service 10)
    A2 09:05 → called 09:26 at window 2 (wait 21), no-show 09:30
    B1 09:10 → called 09:15 at window 3 (wait 5), finished 09:21 from "called" (service 6)
    A3 09:20 → called 09:30 at window 1 (wait 10), serving since 09:31
    B2 09:50 and A4 09:55 still waiting at 10:00 (B2 10 min, A4 5 min)
    """
    qh.sign_in_all(now=NINE)

    def issue(category, minute, **kwargs):
        return services.ticket_issue(
            hall=qh.hall, category=category, source="kiosk", now=NINE + minute * MIN, **kwargs
        ).ticket

    def at(window, minute):
        return {"window": window, "staff": qh.staff[window.number], "now": NINE + minute * MIN}

    a1 = issue(qh.a, 0, id_number=id_number("19900307"))
    a2 = issue(qh.a, 5)
    b1 = issue(qh.b, 10)
    a1 = services.ticket_call_next(**at(qh.window_a, 10))
    services.ticket_start(ticket=a1, **at(qh.window_a, 10))
    b1 = services.ticket_call_next(**at(qh.window_b, 15))
    services.ticket_finish(ticket=a1, **at(qh.window_a, 20))
    a3 = issue(qh.a, 20)
    services.ticket_finish(ticket=b1, **at(qh.window_b, 21))
    assert services.ticket_call_next(**at(qh.window_a, 26)) == a2
    services.ticket_no_show(ticket=a2, **at(qh.window_a, 30))
    assert services.ticket_call_next(**at(qh.comprehensive, 30)) == a3
    services.ticket_start(ticket=a3, **at(qh.comprehensive, 31))
    b2 = issue(qh.b, 50)
    a4 = issue(qh.a, 55)
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "b2": b2}


def bulk_tickets(hall, category, count: int, *, day: dt.date = TODAY, window: Window | None = None) -> None:
    """``count`` tickets of one day in bulk: finished, no-shows and cancelled ones, a few waiting."""
    start = dt.datetime.combine(day, dt.time(9), NOW.tzinfo)
    offset = Ticket.objects.filter(hall=hall, service_date=day).count()
    statuses = [Ticket.Status.DONE, Ticket.Status.DONE, Ticket.Status.NO_SHOW, Ticket.Status.CANCELLED]
    tickets = []
    for k in range(count):
        n = offset + k + 1
        arrived = start + dt.timedelta(seconds=5 * k)
        status = Ticket.Status.WAITING if k % 50 == 49 else statuses[k % 4]
        called = arrived + 7 * MIN if status in (Ticket.Status.DONE, Ticket.Status.NO_SHOW) else None
        tickets.append(
            Ticket(
                hall=hall,
                category=category,
                service_date=day,
                sequence=n,
                number=f"Z{n:05d}",
                token=f"bulk-{next(_tokens)}",
                source=Ticket.Source.KIOSK,
                status=status,
                issued_at=arrived,
                arrived_at=arrived,
                called_at=called,
                started_at=called if status == Ticket.Status.DONE else None,
                finished_at=called + 4 * MIN if called else None,
                window=window if called else None,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=1000)


def stat(hall, day: dt.date, scope: str = "hall", **values) -> DailyStat:
    return DailyStat.objects.create(hall=hall, date=day, scope=scope, **values)


# --- Today's figures ---------------------------------------------------------------------------


def test_overview_figures_of_a_known_morning(qh) -> None:
    build_known_day(qh)
    # Yesterday's tickets and another hall's never count.
    bulk_tickets(qh.hall, qh.a, 40, day=TODAY - dt.timedelta(days=1), window=qh.window_a)
    other = make_queue_hall("OT")
    bulk_tickets(other.hall, other.a, 10)
    scope = staff_scope(staff_user("sup", role=roles.SUPERVISOR, hall_=qh.hall))

    overview = dashboard.city_overview(halls=dashboard.halls_in_scope(scope.hall_ids()), now=NOW)

    assert [row.hall for row in overview.rows] == [qh.hall]
    row = overview.rows[0]
    f = row.figures
    assert (f.issued, f.waiting, f.served, f.no_show, f.waited) == (6, 2, 2, 1, 4)
    assert f.longest_wait_minutes == pytest.approx(10.0)
    assert f.average_wait_minutes == pytest.approx((10 + 21 + 5 + 10) / 4)
    assert f.average_service_minutes == pytest.approx((10 + 6) / 2)
    assert f.no_show_rate == pytest.approx(100 / 3)
    # Four windows open; only the comprehensive window has someone at the counter.
    assert (row.open_windows, row.idle_windows) == (4, 3)
    assert overview.totals.figures.issued == 6 and overview.totals.open_windows == 4


def test_overview_page_shows_each_hall_and_the_totals(client, qh, city_supervisor) -> None:
    build_known_day(qh)
    other = make_queue_hall("OT")
    WaitAlert.objects.create(**_alert_fields(other.hall, other.b))
    Hall.objects.create(
        code="NOQ", name="没有排队的便民服务站", level=Hall.Level.STATION, district="tianhe", address="x"
    )
    client.force_login(city_supervisor)

    response = client.get(reverse("supervisor-overview"))

    assert response.status_code == 200
    body = text(response)
    assert qh.hall.name in body and other.hall.name in body and "没有排队的便民服务站" not in body
    assert "合计" in body and "11.5" in body and "33.3%" in body and "8.0" in body
    assert 'role="status"' in body and 'hx-trigger="every 15s' in body and "<caption" in body
    assert f'href="/supervisor/halls/{other.hall.code}/#alerts"' in body
    # No personal data: neither masked ID numbers nor staff names.
    masked = Ticket.objects.exclude(id_masked="").values_list("id_masked", flat=True).get()
    assert masked not in body and "qh-w1" not in body


def test_hall_figures_per_category_window_and_hour(qh) -> None:
    build_known_day(qh)
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))

    live = dashboard.hall_live(hall=qh.hall, now=NOW)

    a, b = live.categories
    assert (a.figures.issued, a.figures.waiting, a.figures.served, a.figures.no_show) == (4, 1, 1, 1)
    assert a.figures.longest_wait_minutes == pytest.approx(5.0)
    assert a.figures.average_wait_minutes == pytest.approx((10 + 21 + 10) / 3)
    assert a.figures.no_show_rate == pytest.approx(50.0)
    assert a.open_windows == 3 and a.alert_open  # comprehensive, window 2 and the green-channel window
    assert (b.figures.issued, b.figures.waiting, b.figures.served) == (2, 1, 1)
    assert b.figures.longest_wait_minutes == pytest.approx(10.0) and b.figures.no_show_rate == 0
    assert b.open_windows == 2 and not b.alert_open

    windows = {row.window.number: row for row in live.windows}
    assert windows[1].current_number == "A003" and windows[1].current_status == "serving"
    assert not windows[1].is_idle and windows[2].is_idle and windows[4].is_idle
    assert (windows[2].figures.waited, windows[2].figures.served, windows[2].figures.no_show) == (2, 1, 1)
    assert windows[3].figures.average_service_minutes == pytest.approx(6.0)

    hours = {row.hour: row for row in live.hours}
    assert [row.hour for row in live.hours] == list(range(9, 17))
    assert (hours[9].arrivals, hours[9].served, hours[9].waited) == (6, 2, 4)
    assert hours[9].average_wait_minutes == pytest.approx(11.5)
    assert hours[10].arrivals == 0 and hours[10].average_wait_minutes is None
    assert live.totals.figures.issued == 6 and (live.totals.open_windows, live.totals.idle_windows) == (4, 3)
    assert live.totals.open_alerts == 1 and live.totals.unacknowledged_alerts == 1


def test_hall_page_renders_tables_and_an_svg_chart_without_inline_styles(client, qh, hall_supervisor) -> None:
    build_known_day(qh)
    client.force_login(hall_supervisor)

    response = client.get(reverse("supervisor-hall", args=[qh.hall.code]))

    assert response.status_code == 200
    body = text(response)
    assert "按排队类别" in body and "按窗口" in body and "A003" in body and "办理中" in body
    assert "13.7" in body and "50.0%" in body  # A: (10 + 21 + 10) / 3 minutes; 1 no-show of 2
    assert "<svg" in body and 'class="bar bar-arrivals"' in body and "<polyline" in body
    assert "以表格查看分时数据" in body and "09:00–10:00" in body
    # The hour table scrolls in its own box: at 375 px it pushed the page 473 px wide (walkthrough).
    hours = body.split("以表格查看分时数据</summary>")[1]
    assert hours.lstrip().startswith('<div class="table-scroll" role="region"')
    assert ' style="' not in body and "<style" not in body
    assert "<script>" not in body and "onclick" not in body
    assert 'scope="col"' in body and 'scope="row"' in body


def test_the_hourly_table_follows_the_halls_hours_that_day_extended_hours_included(
    client, qh, hall_supervisor, clock
) -> None:
    """Open until 19:00 today (延时服务): the table and chart run to the 18:00–19:00 row, with a
    row for a ticket taken at 18:10, and before the evening's first ticket too."""
    qh.hall.opening_hours.filter(weekday=TODAY.weekday()).update(extended_until=dt.time(19))
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NINE + 30 * MIN)

    morning = dashboard.hall_live(hall=qh.hall, now=NOW)
    assert [row.hour for row in morning.hours] == list(range(9, 19))

    evening = NINE.replace(hour=18, minute=10)
    clock.move_to(evening)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=evening)
    live = dashboard.hall_live(hall=qh.hall, now=evening + 5 * MIN)
    hours = {row.hour: row for row in live.hours}
    assert [row.hour for row in live.hours] == list(range(9, 19))
    assert (hours[9].arrivals, hours[17].arrivals, hours[18].arrivals) == (1, 0, 1)
    client.force_login(hall_supervisor)
    body = text(client.get(reverse("supervisor-hall", args=[qh.hall.code])))
    row = body[body.index('<th scope="row">18:00–19:00</th>') :].split("</tr>")[0]
    assert '<td class="num">1</td>' in row
    assert ">18:00</text>" in body  # the chart's last hour label
    # A day without extended hours: the regular hours (9:00–17:00) and nothing after.
    qh.hall.opening_hours.filter(weekday=TODAY.weekday()).update(extended_until=None, afternoon_closes=dt.time(17))
    memo.forget()
    Ticket.objects.filter(hall=qh.hall, category=qh.b).delete()
    assert [row.hour for row in dashboard.hall_live(hall=qh.hall, now=NOW).hours] == list(range(9, 17))


def test_empty_states(client, qh, hall_supervisor) -> None:
    client.force_login(hall_supervisor)
    body = text(client.get(reverse("supervisor-hall", args=[qh.hall.code])))
    assert "今日暂无取号" in body and "当前没有未解除的预警" in body and "所选期间暂无统计数据" in body
    body = text(client.get(reverse("supervisor-overview")))
    assert "今日暂无取号" in body


def test_polls_get_only_the_partial(client, qh, hall_supervisor) -> None:
    build_known_day(qh)
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    client.force_login(hall_supervisor)
    url = reverse("supervisor-hall", args=[qh.hall.code])

    live = text(client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-live"}))
    assert "<html" not in live and 'role="status"' in live and "A003" in live and "等候预警" not in live

    alerts = text(client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-alerts"}))
    assert "<html" not in alerts and "确认预警" in alerts and "csrfmiddlewaretoken" in alerts

    overview = text(
        client.get(reverse("supervisor-overview"), headers={"HX-Request": "true", "HX-Target": "overview-live"})
    )
    assert "<html" not in overview and "<table" in overview and 'role="status"' in overview


# --- Query counts ------------------------------------------------------------------------------


def _count(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_overview_costs_the_same_queries_for_50_and_5000_tickets_and_for_more_halls(
    client, qh, city_supervisor, django_assert_num_queries
) -> None:
    qh.sign_in_all(now=NINE)
    client.force_login(city_supervisor)
    url = reverse("supervisor-overview")
    bulk_tickets(qh.hall, qh.a, 50, window=qh.window_a)
    client.get(url)  # the session's first request may write it (idle timeout): not the page's cost
    small = _count(client, url)
    bulk_tickets(qh.hall, qh.a, 4950, window=qh.window_a)
    bulk_tickets(qh.hall, qh.b, 3000, day=TODAY - dt.timedelta(days=1), window=qh.window_b)
    for code in ("H2", "H3"):
        extra = make_queue_hall(code)
        bulk_tickets(extra.hall, extra.a, 20)
        WaitAlert.objects.create(**_alert_fields(extra.hall, extra.a))
    stat(qh.hall, TODAY - dt.timedelta(days=7), issued=80, hourly={"9": {"arrivals": 40}})
    assert _count(client, url) == small
    # session, user, the user's groups and profile (staff scope), then halls, queue categories
    # with their settings, tickets by queue, open windows with their queues, open alerts by hall,
    # last week's roll-ups, the halls' opening hours and today's calendar kind, today's
    # assistance requests by hall.
    with django_assert_num_queries(13):
        client.get(url)
    with django_assert_num_queries(13):
        client.get(url, headers={"HX-Request": "true", "HX-Target": "overview-live"})


def test_hall_page_costs_the_same_queries_for_50_and_5000_tickets(
    client, qh, hall_supervisor, django_assert_num_queries
) -> None:
    qh.sign_in_all(now=NINE)
    client.force_login(hall_supervisor)
    url = reverse("supervisor-hall", args=[qh.hall.code])
    bulk_tickets(qh.hall, qh.a, 50, window=qh.window_a)
    stat(qh.hall, TODAY - dt.timedelta(days=1), issued=5, served=4)
    client.get(url)  # the session's first request may write it (idle timeout): not the page's cost
    small = _count(client, url)
    bulk_tickets(qh.hall, qh.a, 2500, window=qh.window_a)
    bulk_tickets(qh.hall, qh.b, 2450, window=qh.window_b)
    for k in range(2, 6):
        stat(qh.hall, TODAY - dt.timedelta(days=k), issued=5, served=4)
        stat(qh.hall, TODAY - dt.timedelta(days=k), scope=f"category:{qh.a.pk}", category=qh.a, issued=5)
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.b, closed_at=NOW - 5 * MIN))
    stat(qh.hall, TODAY - dt.timedelta(days=7), issued=80, hourly={"9": {"arrivals": 40}})
    for n in range(3):
        staff_user(f"extra-clerk-{n}", role=roles.WINDOW_STAFF, hall_=qh.hall)
    services.board_message_post(hall=qh.hall, user=hall_supervisor, text="系统维护", minutes=30, now=NOW)
    assert _count(client, url) == small
    # 4 for the session, user and scope; the hall; today: settings, categories, windows (+ their
    # categories), tickets by category, by window, the calls (by window, staff member and hour),
    # open alerts, last week's roll-up, three hourly series, per staff member, per item and
    # forwardings (the sections cases adds, one aggregate each); controls: windows, tickets at the
    # counters, staff and which of them are logged in, the board message; alerts: open, recently
    # closed; history: days, queues and windows; and today's assistance requests by status (one
    # aggregate); the sections feedback adds: open "办不成事" reports (one aggregate),
    # rectification orders (one aggregate) and this and last month's satisfaction (one query).
    with django_assert_num_queries(33):
        client.get(url)
    with django_assert_num_queries(24):
        client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-live"})
    with django_assert_num_queries(10):
        client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-controls"})


# --- Scope -------------------------------------------------------------------------------------


def test_a_hall_supervisor_sees_only_their_hall(client, qh, hall_supervisor) -> None:
    other = make_queue_hall("OT")
    client.force_login(hall_supervisor)

    body = text(client.get(reverse("supervisor-overview")))
    assert qh.hall.name in body and other.hall.name not in body

    response = client.get(reverse("supervisor-hall", args=[other.hall.code]))
    assert response.status_code == 403 and "没有权限" in text(response)
    params = {"hall": other.hall.code, "start": "2026-11-01", "end": "2026-11-20"}
    assert client.get(reverse("supervisor-export-csv"), params).status_code == 403
    assert client.get(reverse("supervisor-export-xlsx"), params).status_code == 403
    alert = WaitAlert.objects.create(**_alert_fields(other.hall, other.a))
    ack = reverse("supervisor-alert-acknowledge", args=[other.hall.code, alert.pk])
    assert client.post(ack, {"cause": "x", "action": "y"}).status_code == 403
    assert client.get(reverse("supervisor-hall", args=["NOPE"])).status_code == 404


def test_a_city_supervisor_and_an_administrator_see_every_hall(client, qh, city_supervisor) -> None:
    other = make_queue_hall("OT")
    for user in (city_supervisor, staff_user("admin", role=roles.ADMINISTRATOR)):
        client.force_login(user)
        body = text(client.get(reverse("supervisor-overview")))
        assert qh.hall.name in body and other.hall.name in body
        assert client.get(reverse("supervisor-hall", args=[other.hall.code])).status_code == 200


@pytest.mark.parametrize("role", [roles.WINDOW_STAFF, roles.CHIEF_REPRESENTATIVE, None])
def test_other_staff_get_403(client, qh, role) -> None:
    client.force_login(staff_user("someone", role=role, hall_=qh.hall))
    for url in (
        reverse("supervisor-overview"),
        reverse("supervisor-hall", args=[qh.hall.code]),
        reverse("supervisor-history"),
        reverse("supervisor-export-csv") + "?start=2026-11-01&end=2026-11-20",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, qh) -> None:
    url = reverse("supervisor-hall", args=[qh.hall.code])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    # An htmx poll after the session ended takes the whole page to the login form.
    poll = client.get(
        url, headers={"HX-Request": "true", "HX-Target": "hall-live", "HX-Current-URL": f"http://testserver{url}"}
    )
    assert poll.status_code == 204 and poll.headers["HX-Redirect"].startswith("/accounts/login/?next=")
    assert client.get(reverse("supervisor-export-csv")).status_code == 302


# --- Wait alerts -------------------------------------------------------------------------------


def _alert_fields(hall, category, **overrides) -> dict:
    return {
        "hall": hall,
        "category": category,
        "reason": WaitAlert.Reason.LONG_WAIT,
        "opened_at": NOW - 20 * MIN,
        "run_id": "test",
        "waiting": 12,
        "longest_wait_seconds": 35 * 60,
        "open_windows": 2,
        "arrivals_per_hour": 30.0,
        "mean_service_seconds": 480.0,
        "recommended_extra_windows": 1,
        **overrides,
    }


def test_acknowledging_an_alert_records_cause_and_action(client, qh, hall_supervisor) -> None:
    alert = WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    client.force_login(hall_supervisor)
    url = reverse("supervisor-alert-acknowledge", args=[qh.hall.code, alert.pk])

    response = client.post(url, {"cause": "户政系统升级导致办理变慢", "action": "增开2号综合窗口分流"}, follow=True)

    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith("#alerts")
    assert "已记录A类（户政业务）等候预警的原因分析和改进措施。" in text(response)
    alert.refresh_from_db()
    assert alert.acknowledged_by == hall_supervisor and alert.acknowledged_at == NOW
    assert alert.cause == "户政系统升级导致办理变慢" and alert.action == "增开2号综合窗口分流"
    assert AuditEvent.objects.filter(action="wait_alert.acknowledge", target_id=str(alert.pk)).exists()


def test_acknowledging_without_a_cause_is_a_400_with_the_message(client, qh, hall_supervisor) -> None:
    alert = WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    client.force_login(hall_supervisor)
    url = reverse("supervisor-alert-acknowledge", args=[qh.hall.code, alert.pk])

    response = client.post(url, {"cause": "  ", "action": "增开窗口"})

    assert response.status_code == 400
    body = text(response)
    assert "请填写原因分析。" in body and 'aria-invalid="true"' in body and "增开窗口" in body
    alert.refresh_from_db()
    # Only the refused request itself is in the trail (issue 14: every staff write is audited).
    assert alert.acknowledged_at is None
    assert list(AuditEvent.objects.exclude(action__startswith="login.").values_list("action", "details")) == [
        ("request", {"method": "POST", "status": 400})
    ]
    too_long = client.post(url, {"cause": "原" * 301, "action": "增开窗口"})
    assert too_long.status_code == 400 and "原因分析最多 300 字。" in text(too_long)


def test_an_alert_of_another_hall_cannot_be_reached_through_this_hall(client, qh, city_supervisor) -> None:
    other = make_queue_hall("OT")
    alert = WaitAlert.objects.create(**_alert_fields(other.hall, other.a))
    client.force_login(city_supervisor)
    url = reverse("supervisor-alert-acknowledge", args=[qh.hall.code, alert.pk])
    assert client.post(url, {"cause": "x", "action": "y"}).status_code == 404
    # A GET goes to this hall's dashboard (the page the form is on) and reads no alert.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("supervisor-hall", args=[qh.hall.code])


def test_alerts_list_open_first_then_recently_closed(client, qh, hall_supervisor) -> None:
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.b, closed_at=NOW - 60 * MIN, opened_at=NOW - 90 * MIN))
    WaitAlert.objects.create(
        **_alert_fields(qh.hall, qh.b, opened_at=NOW - dt.timedelta(days=10), closed_at=NOW - dt.timedelta(days=10))
    )
    WaitAlert.objects.create(**_alert_fields(qh.hall, qh.a))
    alerts = dashboard.hall_alerts(hall=qh.hall, now=NOW)
    assert [a.category for a in alerts.open] == [qh.a] and len(alerts.recent_closed) == 1
    client.force_login(hall_supervisor)
    body = text(client.get(reverse("supervisor-hall", args=[qh.hall.code])))
    assert body.index("未确认") < body.index("已解除") and "增开 1 个窗口" in body and "35.0" in body


# --- History and exports -----------------------------------------------------------------------

DAY1, DAY2 = dt.date(2026, 11, 23), dt.date(2026, 11, 24)


@pytest.fixture
def history(qh):
    other = make_queue_hall("OT")
    stat(
        qh.hall, DAY1, issued=120, served=100, no_show=10, waited=110, wait_seconds_total=110 * 600,
        max_wait_seconds=1800, service_seconds_total=100 * 480, waited_within_target=88,
    )  # fmt: skip
    stat(qh.hall, DAY2, issued=80, served=60, no_show=20, waited=80, wait_seconds_total=80 * 300, max_wait_seconds=900)
    stat(qh.hall, DAY1, scope=f"category:{qh.a.pk}", category=qh.a, issued=70, served=60, no_show=5, waited=65)
    stat(qh.hall, DAY1, scope=f"window:{qh.window_b.pk}", window=qh.window_b, issued=0, served=40)
    stat(other.hall, DAY1, issued=10, served=9, no_show=1, waited=10, wait_seconds_total=10 * 60)
    return other


def test_hall_history_reads_the_daily_stats(client, qh, hall_supervisor, history) -> None:
    data = dashboard.hall_history(hall=qh.hall, start=DAY1, end=DAY2)
    assert [day.date for day in data.days] == [DAY1, DAY2]
    assert data.totals.served == 160 and data.totals.no_show == 30
    assert data.totals.average_wait_minutes == pytest.approx((110 * 10 + 80 * 5) / 190)
    assert data.totals.longest_wait_minutes == 30
    assert [row.label for row in data.categories] == ["A类 户政业务"] and [row.label for row in data.windows] == [
        "3号窗口"
    ]

    client.force_login(hall_supervisor)
    response = client.get(reverse("supervisor-hall", args=[qh.hall.code]), {"start": "2026-11-23", "end": "2026-11-24"})
    assert response.status_code == 200
    body = text(response)
    assert "2026-11-23" in body and "10.0" in body and "9.1%" in body and "25.0%" in body  # 10/110, 20/80
    assert "export.csv?hall=QH&amp;start=2026-11-23&amp;end=2026-11-24" in body
    # What the queue and window rows add up to (a ticket counts in one queue, in one window if called).
    assert "转办到其他类别的，计入转办后所在的类别" in body and "未被叫号的号码（取消、失效）不计入任何窗口" in body


def test_city_history_adds_up_the_halls_in_scope(client, qh, city_supervisor, history) -> None:
    client.force_login(city_supervisor)
    response = client.get(reverse("supervisor-history"), {"start": "2026-11-23", "end": "2026-11-24"})
    assert response.status_code == 200
    data = response.context["history"]
    assert {row.hall.code: row.figures.served for row in data.halls} == {"QH": 160, "OT": 9}
    assert [(day.date, day.figures.served) for day in data.days] == [(DAY1, 109), (DAY2, 60)]
    assert "合计" in text(response)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-11-24", "end": "2026-11-23"}, "start", "起始日期不能晚于截止日期。"),
        ({"start": "2025-01-01", "end": "2026-11-20"}, "end", "查询期间最长 366 天"),
        ({"start": "2026-11-01", "end": "2026-11-27"}, "end", "截止日期不能晚于今天"),
        ({"start": "2026-02-30", "end": "2026-11-20"}, "start", "起始日期无效"),
        ({"start": "2026-11-01"}, "end", "请填写截止日期。"),
        ({"start": "", "end": "2026-11-20"}, "start", "请填写起始日期。"),
    ],
)
def test_bad_date_ranges_are_a_400_naming_the_field(client, qh, hall_supervisor, params, field, message) -> None:
    client.force_login(hall_supervisor)
    for url in (
        reverse("supervisor-hall", args=[qh.hall.code]),
        reverse("supervisor-history"),
        reverse("supervisor-export-csv"),
        reverse("supervisor-export-xlsx"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, url
        body = text(response)
        assert message in body and f'id="id_{field}_error"' in body, url


def test_a_range_of_exactly_366_days_is_accepted(client, qh, hall_supervisor) -> None:
    client.force_login(hall_supervisor)
    response = client.get(reverse("supervisor-history"), {"start": "2025-11-26", "end": "2026-11-26"})
    assert response.status_code == 200


def test_csv_export_has_a_bom_chinese_headers_and_the_rows(client, qh, hall_supervisor, history) -> None:
    client.force_login(hall_supervisor)
    response = client.get(
        reverse("supervisor-export-csv"), {"hall": qh.hall.code, "start": "2026-11-23", "end": "2026-11-24"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="servicehall-waiting-QH-20261123-20261124.csv"')
    assert "filename*=UTF-8''" in disposition
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["日期", "大厅编码", "大厅名称", "统计层级", "统计范围"] and "平均等候（分钟）" in rows[0]
    assert rows[0][-2:] == ["目标时间内叫号数", "目标时间内叫号占比"]
    assert rows[1] == [
        "2026-11-23", "QH", qh.hall.name, "全厅", "全厅", "120", "100", "10", "9.1%", "0", "0", "110", "10.0", "30.0",
        "8.0", "88", "80.0%",
    ]  # fmt: skip
    assert [row[3:5] for row in rows[1:]] == [
        ["全厅", "全厅"], ["排队类别", "A类 户政业务"], ["窗口", "3号窗口"], ["全厅", "全厅"],
    ]  # fmt: skip
    assert all(row[1] == "QH" for row in rows[1:])  # the other hall is not in this export


def test_xlsx_export_opens_with_openpyxl(client, qh, city_supervisor, history) -> None:
    client.force_login(city_supervisor)
    response = client.get(reverse("supervisor-export-xlsx"), {"start": "2026-11-23", "end": "2026-11-24"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="servicehall-waiting-all-20261123-20261124.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["等候统计"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "大厅编码", "大厅名称")
    # All halls in scope, each day's hall row followed by its queues and windows.
    assert [(row[0].date(), row[1], row[3], row[4]) for row in rows[1:]] == [
        (DAY1, "OT", "全厅", "全厅"),
        (DAY1, "QH", "全厅", "全厅"),
        (DAY1, "QH", "排队类别", "A类 户政业务"),
        (DAY1, "QH", "窗口", "3号窗口"),
        (DAY2, "QH", "全厅", "全厅"),
    ]
    qh_day1 = rows[2]
    assert qh_day1[5:8] == (120, 100, 10) and qh_day1[8] == pytest.approx(10 / 110) and qh_day1[12] == 10.0
    assert qh_day1[16] == pytest.approx(0.8)
    assert sheet.cell(row=3, column=9).number_format == "0.0%"
    assert "说明" in book.sheetnames


def test_exports_neutralise_formula_like_text(client, qh, city_supervisor) -> None:
    hall = factories.hall(code="EVIL", name='=HYPERLINK("http://x")')
    QueueCategory.objects.create(hall=hall, letter="A", name="户政")
    stat(hall, DAY1, issued=1)
    client.force_login(city_supervisor)
    raw = b"".join(
        client.get(
            reverse("supervisor-export-csv"), {"hall": "EVIL", "start": "2026-11-23", "end": "2026-11-23"}
        ).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in raw


# --- Issue 8, bug 4: the exports hold what the pages say they hold -------------------------------


def test_the_history_pages_exports_hold_hall_category_and_window_rows_of_every_hall(
    client, qh, city_supervisor, history
) -> None:
    other = history
    stat(other.hall, DAY1, scope=f"category:{other.b.pk}", category=other.b, issued=10, served=9, waited=10)
    stat(other.hall, DAY1, scope=f"window:{other.comprehensive.pk}", window=other.comprehensive, served=9)
    client.force_login(city_supervisor)
    page = client.get(reverse("supervisor-history"), {"start": "2026-11-23", "end": "2026-11-24"}).content.decode()
    assert "各排队类别和各窗口" in page and "统计层级" in page  # what the page promises

    params = {"start": "2026-11-23", "end": "2026-11-24"}
    raw = b"".join(client.get(reverse("supervisor-export-csv"), params).streaming_content).decode("utf-8-sig")
    csv_rows = [row[:5] for row in csv.reader(io.StringIO(raw))][1:]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("supervisor-export-xlsx"), params).content))
    xlsx_rows = [list(row[:5]) for row in book["等候统计"].iter_rows(min_row=2, values_only=True)]

    expected = [
        ("2026-11-23", "OT", "全厅", "全厅"),
        ("2026-11-23", "OT", "排队类别", "B类 社保业务"),
        ("2026-11-23", "OT", "窗口", "1号窗口"),
        ("2026-11-23", "QH", "全厅", "全厅"),
        ("2026-11-23", "QH", "排队类别", "A类 户政业务"),
        ("2026-11-23", "QH", "窗口", "3号窗口"),
        ("2026-11-24", "QH", "全厅", "全厅"),
    ]
    assert [(r[0], r[1], r[3], r[4]) for r in csv_rows] == expected
    assert [(r[0].date().isoformat(), r[1], r[3], r[4]) for r in xlsx_rows] == expected
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert "各排队类别和各窗口" in notes["统计层级"]


def test_an_excel_export_past_excels_row_limit_is_refused_with_the_way_out(
    client, qh, city_supervisor, history, monkeypatch
) -> None:
    from queueing import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)
    client.force_login(city_supervisor)
    params = {"start": "2026-11-23", "end": "2026-11-24"}

    response = client.get(reverse("supervisor-export-xlsx"), params)

    assert response.status_code == 400
    assert "超过 Excel 的行数上限" in response.content.decode() and "导出 CSV" in response.content.decode()
    assert client.get(reverse("supervisor-export-csv"), params).status_code == 200


# --- Last week's comparison on a day the hall does not open (walkthrough finding 14) -------------


def test_a_hall_open_today_with_no_ticket_against_last_week_reads_minus_100(client, qh, city_supervisor) -> None:
    """Nothing taken by 10:00 at an open hall against 40 last week is alarming: it shows."""
    stat(qh.hall, TODAY - dt.timedelta(days=7), issued=80, hourly={"9": {"arrivals": 40}})
    overview = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=NOW)
    [row] = overview.rows
    assert not row.closed_today and row.issued_change == -100
    client.force_login(city_supervisor)
    assert "今日不开放" not in text(client.get(reverse("supervisor-overview")))


def test_a_hall_closed_today_shows_no_change_and_says_why(client, qh, city_supervisor) -> None:
    from catalog.models import CalendarDay

    open_hall = make_queue_hall("OP")
    # The open hall has its own opening hours on Thursdays; the QH hall none today.
    qh.hall.opening_hours.filter(weekday=TODAY.weekday()).delete()
    for hall in (qh.hall, open_hall.hall):
        stat(hall, TODAY - dt.timedelta(days=7), issued=80, hourly={"9": {"arrivals": 40}})
    bulk_tickets(open_hall.hall, open_hall.a, 30)
    overview = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=NOW)
    rows = {row.hall.code: row for row in overview.rows}
    assert rows["QH"].closed_today and rows["QH"].issued_change is None
    assert not rows["OP"].closed_today and rows["OP"].issued_change == -25
    # The city's total compares the open halls with themselves last week, not with the closed one.
    assert overview.totals.issued_change == -25
    client.force_login(city_supervisor)
    page = text(client.get(reverse("supervisor-overview")))
    assert 'title="今日不开放"' in page and page.count("今日不开放") == 2  # the title and the words
    # A public holiday closes every hall: no red −100 % anywhere.
    CalendarDay.objects.create(date=TODAY, kind=CalendarDay.Kind.HOLIDAY, reason="测试假日")
    Ticket.objects.all().delete()
    overview = dashboard.city_overview(halls=dashboard.halls_in_scope(None), now=NOW)
    assert all(row.closed_today and row.issued_change is None for row in overview.rows)
    assert overview.totals.issued_change is None


def test_the_hall_page_compares_no_change_on_a_day_the_hall_does_not_open(client, qh, hall_supervisor) -> None:
    """The hall's own dashboard as the overview: last week's figures shown, no −100 % against them."""
    stat(qh.hall, TODAY - dt.timedelta(days=7), issued=80, served=60, hourly={"9": {"arrivals": 40, "served": 30}})
    client.force_login(hall_supervisor)
    url = reverse("supervisor-hall", args=[qh.hall.code])
    # Open today with nothing taken by 10:00: −100 % is meant to alarm, and shows.
    live = dashboard.hall_live(hall=qh.hall, now=NOW)
    assert not live.totals.closed_today
    assert {row.label: row.change for row in live.comparison}["取号"] == -100
    page = text(client.get(url))
    assert "-100%" in page and "今日不开放" not in page
    # Closed today (no walk-in hours on Thursdays): the change is "—", with the reason.
    qh.hall.opening_hours.filter(weekday=TODAY.weekday()).delete()
    live = dashboard.hall_live(hall=qh.hall, now=NOW)
    assert live.totals.closed_today and live.totals.last_week is not None
    rows = {row.label: row for row in live.comparison}
    assert rows["取号"].change is None and rows["已办结"].change is None and rows["取号"].last_week_day == 80
    page = text(client.get(url))
    assert "-100%" not in page and 'title="今日不开放"' in page and "本大厅今日不开放" in page
    assert "上周同日全天" in page  # last week's figures are still shown
    # A ticket taken all the same (a checked-in booking on a staggered-service day): compared.
    bulk_tickets(qh.hall, qh.a, 8)
    live = dashboard.hall_live(hall=qh.hall, now=NOW)
    assert not live.totals.closed_today
    assert {row.label: row.change for row in live.comparison}["取号"] == -80
