"""The supervisor's hall page, section 历史统计与导出 (walkthrough findings): the page, the CSV and the
Excel file round minutes the same way, and a range reaching today says why today has no row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from queueing import dashboard
from queueing.models import DailyStat
from servicehall import roles
from tests.queueing.factories import NOW
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
TODAY = NOW.date()  # 2026-11-26
YESTERDAY = TODAY - dt.timedelta(days=1)
TODAY_NOTE = "今日数据于次日汇总，今日情况见上方实时数据。"
TODAY_NOTE_EN = "Today's figures are compiled tomorrow; for today, see the live queue status above."
XLSX_NOTE = "统计期间包含今天，今日数据于次日汇总，未列入本文件。"

# Seconds whose minutes end in .x5 exactly: 2,853 s = 47.55 min, 3,873 s = 64.55 min, 2,199 s = 36.65
# min. As binary floats they sit just below the half (47.549999…), so ``round()`` gives 47.5.
WAIT_SECONDS, LONGEST_SECONDS, SERVICE_SECONDS = 2853, 3873, 2199
# The minute columns of the exports: average wait, longest wait, average service.
WAIT, LONGEST, SERVICE = 12, 13, 14


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def supervisor(client, qh):
    client.force_login(staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall))
    return client


@pytest.fixture
def half_minutes(qh):
    """Yesterday's roll-up of hall QH: the hall and window 3, each with one person called who
    waited 47.55 min (the longest wait of the day 64.55 min, from the roll-up) and was served in
    36.65 min."""
    common = {"issued": 1, "served": 1, "waited": 1, "service_seconds_total": SERVICE_SECONDS}
    DailyStat.objects.create(
        hall=qh.hall,
        date=YESTERDAY,
        scope="hall",
        max_wait_seconds=LONGEST_SECONDS,
        wait_seconds_total=WAIT_SECONDS,
        **common,
    )
    DailyStat.objects.create(
        hall=qh.hall,
        date=YESTERDAY,
        scope=f"window:{qh.window_b.pk}",
        window=qh.window_b,
        max_wait_seconds=LONGEST_SECONDS,
        wait_seconds_total=WAIT_SECONDS,
        **common,
    )


def _cells(html: str, label: str) -> list[str]:
    """The history cells of the table row headed ``label`` (its first match in ``html``)."""
    found = re.search(rf"<th scope=\"row\">{re.escape(label)}.*?</th>(.*?)</tr>", html, re.S)
    assert found, label
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def _history_page(client, qh, start: dt.date, end: dt.date, **headers) -> str:
    response = client.get(
        reverse("supervisor-hall", args=[qh.hall.code]), {"start": start.isoformat(), "end": end.isoformat()}, **headers
    )
    assert response.status_code == 200
    return response.content.decode()


def _exports(client, qh, start: dt.date, end: dt.date) -> tuple[list[list[str]], openpyxl.Workbook]:
    params = {"hall": qh.hall.code, "start": start.isoformat(), "end": end.isoformat()}
    raw = b"".join(client.get(reverse("supervisor-export-csv"), params).streaming_content).decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("supervisor-export-xlsx"), params).content))
    return list(csv.reader(io.StringIO(raw))), book


# --- One rounding for the page, the CSV and the Excel file ---------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"), [(2853, "47.6"), (3873, "64.6"), (2199, "36.7"), (2847, "47.5"), (0, "0.0"), (59.9, "1.0")]
)
def test_minutes_are_rounded_half_up_on_the_decimal_value(seconds, shown) -> None:
    assert str(dashboard.shown_minutes(seconds / 60)) == shown
    assert dashboard.shown_minutes(None) is None


def test_page_csv_and_excel_show_the_same_minutes_for_a_half_tenth(supervisor, qh, half_minutes) -> None:
    body = _history_page(supervisor, qh, YESTERDAY, YESTERDAY)
    days = body[body.index('id="history-days-caption"') :]
    windows = body[body.index('id="history-windows-caption"') :]
    # History cells: issued, served, no-show, rate, average wait, longest wait, share, average service.
    page_day = _cells(days, YESTERDAY.isoformat())
    page_window = _cells(windows, "3号窗口")
    assert [page_day[4], page_day[5], page_day[7]] == ["47.6", "64.6", "36.7"]
    assert [page_window[4], page_window[5], page_window[7]] == ["47.6", "64.6", "36.7"]

    rows, book = _exports(supervisor, qh, YESTERDAY, YESTERDAY)
    csv_hall, csv_window = rows[1], rows[2]
    assert (csv_hall[4], csv_window[4]) == ("全厅", "3号窗口")
    xlsx = list(book["等候统计"].iter_rows(min_row=2, values_only=True))
    for page_row, csv_row, xlsx_row in ((page_day, csv_hall, xlsx[0]), (page_window, csv_window, xlsx[1])):
        page_minutes = [page_row[4], page_row[5], page_row[7]]
        assert [csv_row[WAIT], csv_row[LONGEST], csv_row[SERVICE]] == page_minutes
        assert [f"{xlsx_row[i]:.1f}" for i in (WAIT, LONGEST, SERVICE)] == page_minutes
        assert [xlsx_row[i] for i in (WAIT, LONGEST, SERVICE)] == [47.6, 64.6, 36.7]


# --- A range reaching today says why today has no row --------------------------------------------


def test_a_range_reaching_today_notes_that_today_is_rolled_up_tomorrow(supervisor, qh, half_minutes) -> None:
    body = _history_page(supervisor, qh, YESTERDAY, TODAY)
    assert TODAY_NOTE in body and 'id="history-today-note"' in body
    assert f"{YESTERDAY.isoformat()} 至 {TODAY.isoformat()}" in body  # the heading names both days
    _rows, book = _exports(supervisor, qh, YESTERDAY, TODAY)
    assert XLSX_NOTE in dict(book["说明"].iter_rows(values_only=True)).values()

    supervisor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _history_page(supervisor, qh, YESTERDAY, TODAY)
    assert TODAY_NOTE_EN in english.replace("&#x27;", "'") and TODAY_NOTE not in english


def test_a_range_ending_before_today_has_no_such_note(supervisor, qh, half_minutes) -> None:
    body = _history_page(supervisor, qh, YESTERDAY - dt.timedelta(days=6), YESTERDAY)
    assert TODAY_NOTE not in body and 'id="history-today-note"' not in body
    _rows, book = _exports(supervisor, qh, YESTERDAY - dt.timedelta(days=6), YESTERDAY)
    assert XLSX_NOTE not in dict(book["说明"].iter_rows(values_only=True)).values()
    # The default range (the last week up to yesterday) has none either.
    assert TODAY_NOTE not in supervisor.get(reverse("supervisor-hall", args=[qh.hall.code])).content.decode()


def test_the_citywide_history_notes_today_and_points_to_the_live_overview(supervisor, qh, half_minutes) -> None:
    """The history of every hall in scope (历史统计与导出) has no live figures above it: a range
    reaching today says that today is rolled up tomorrow and links the live overview."""
    url = reverse("supervisor-history")
    body = supervisor.get(url, {"start": YESTERDAY.isoformat(), "end": TODAY.isoformat()}).content.decode()
    note = re.search(r'<p class="note" id="history-today-note">(.*?)</p>', body)
    assert note is not None and "今日数据于次日汇总" in note.group(1)
    assert f'href="{reverse("supervisor-overview")}"' in note.group(1)
    earlier = supervisor.get(url, {"start": YESTERDAY.isoformat(), "end": YESTERDAY.isoformat()}).content.decode()
    assert 'id="history-today-note"' not in earlier

    supervisor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = supervisor.get(url, {"start": YESTERDAY.isoformat(), "end": TODAY.isoformat()}).content.decode()
    assert "Today&#x27;s figures are compiled tomorrow" in english or "Today's figures are compiled tomorrow" in english


def test_a_range_of_today_only_has_no_table_of_zeros_and_no_exports(supervisor, qh, half_minutes) -> None:
    """Nothing is rolled up for today yet: the citywide page says so (the note and the empty
    state), not a table of halls at 0 with export buttons (walkthrough)."""
    body = supervisor.get(
        reverse("supervisor-history"), {"start": TODAY.isoformat(), "end": TODAY.isoformat()}
    ).content.decode()
    assert 'id="history-today-note"' in body and "所选期间暂无统计数据。" in body
    assert 'id="history-halls-caption"' not in body and "导出 CSV" not in body
    reaching = supervisor.get(
        reverse("supervisor-history"), {"start": YESTERDAY.isoformat(), "end": TODAY.isoformat()}
    ).content.decode()
    assert 'id="history-halls-caption"' in reaching and "导出 CSV" in reaching
