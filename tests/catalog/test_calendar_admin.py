"""Seeding, correcting and refreshing the working-day calendar."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from catalog import holiday_source, services
from catalog.models import CalendarDay
from catalog.tasks import calendar_ensure_years
from servicehall.models import AuditEvent

pytestmark = pytest.mark.django_db
D = dt.date


def test_seeding_twice_changes_nothing() -> None:
    first = services.calendar_fill_year(year=2026)
    second = services.calendar_fill_year(year=2026)
    assert (first.created, second.created, second.updated) == (365, 0, 0)


def test_a_year_the_package_does_not_confirm_is_provisional() -> None:
    year = 2040  # far beyond any State Council notice
    assert not holiday_source.year_is_confirmed(year)
    result = services.calendar_fill_year(year=year)
    assert result.provisional
    assert CalendarDay.objects.filter(date__year=year, provisional=False).count() == 0


def test_an_administrators_correction_survives_reseeding(admin_user) -> None:
    services.calendar_fill_year(year=2026)
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    services.calendar_day_correct(day=day, kind=CalendarDay.Kind.HOLIDAY, reason="台风停工", actor=admin_user)
    result = services.calendar_fill_year(year=2026)
    assert result.kept_manual == 1
    day.refresh_from_db()
    assert (day.kind, day.reason, day.source) == ("holiday", "台风停工", "manual")
    event = AuditEvent.objects.get(action="calendar.correct")
    assert event.details["before"] == {"kind": "workday", "reason": "", "source": "package"}


def test_reseeding_updates_package_rows_that_changed() -> None:
    services.calendar_fill_year(year=2026)
    CalendarDay.objects.filter(date=D(2026, 10, 10)).update(kind="weekend", reason="")
    result = services.calendar_fill_year(year=2026)
    assert result.updated == 1
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == CalendarDay.Kind.MAKEUP_WORKDAY


@time_machine.travel(dt.datetime(2026, 12, 30, 3, 0, tzinfo=dt.UTC), tick=False)
def test_periodic_job_fills_this_year_and_the_next() -> None:
    results = calendar_ensure_years.delay().get()
    assert [r["year"] for r in results] == [2026, 2027]
    assert CalendarDay.objects.filter(date__year=2027).count() == 365


def test_beat_schedule_runs_the_calendar_job_daily(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["calendar-ensure-years"]
    assert entry["task"] == "catalog.tasks.calendar_ensure_years"
    from servicehall.celery import app

    assert entry["task"] in app.tasks


def test_admin_correction_through_the_change_form(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-31"])
    response = admin_client.post(url, {"kind": "holiday", "reason": "临时调整"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    assert (day.kind, day.source, day.provisional) == ("holiday", "manual", False)


def test_admin_warns_about_provisional_years(admin_client) -> None:
    services.calendar_fill_year(year=2040)
    response = admin_client.get(reverse("admin:catalog_calendarday_changelist"))
    assert response.status_code == 200
    assert "2040年的放假安排尚未由节假日数据包确认" in response.content.decode()


def test_a_change_of_day_type_needs_its_note_beside_the_field(admin_client) -> None:
    """Walkthrough finding 16: Saturday 26 December could be saved as 调休上班 with no 说明,
    although it moves every deadline counted over it."""
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-26"])
    response = admin_client.post(url, {"kind": "makeup_workday", "reason": "  "})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["reason"] and "请填写说明" in errors["reason"][0]
    day = CalendarDay.objects.get(date=D(2026, 12, 26))
    assert (day.kind, day.source) == ("weekend", "package")
    assert not AuditEvent.objects.filter(action="calendar.correct").exists()
    # The service refuses it too (the API, a shell, a form that forgot to ask).
    with pytest.raises(services.CatalogError) as refused:
        services.calendar_day_correct(day=day, kind="makeup_workday", reason="", actor=None)
    assert refused.value.field == "reason"


def test_a_correction_keeps_its_note(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-26"])
    assert admin_client.post(url, {"kind": "makeup_workday", "reason": "穗府办〔2026〕1号"}).status_code == 302
    # Emptying the note of a day that still departs from the package is refused.
    response = admin_client.post(url, {"kind": "makeup_workday", "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["adminform"].form.errors
    day = CalendarDay.objects.get(date=D(2026, 12, 26))
    assert (day.kind, day.reason, day.source) == ("makeup_workday", "穗府办〔2026〕1号", "manual")


def test_reverting_a_correction_gives_the_day_back_to_the_package(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-26"])
    admin_client.post(url, {"kind": "makeup_workday", "reason": "临时加班"})
    response = admin_client.post(url, {"kind": "weekend", "reason": "误改，恢复"}, follow=True)
    assert "已恢复为节假日数据包的数据（周末）" in response.content.decode()
    day = CalendarDay.objects.get(date=D(2026, 12, 26))
    expected = holiday_source.day_info(day.date)
    assert (day.kind, day.reason, day.source, day.provisional) == (
        "weekend",
        expected.reason,
        CalendarDay.Source.PACKAGE,
        expected.provisional,
    )
    revert = AuditEvent.objects.filter(action="calendar.correct").latest("pk")
    assert revert.details["before"]["source"] == "manual" and revert.details["note"] == "误改，恢复"
    assert revert.details["after"]["source"] == "package" and "恢复工作日历" in revert.summary
    # The seeding job looks after it again: nothing kept as a manual correction.
    assert services.calendar_fill_year(year=2026).kept_manual == 0


def test_a_holiday_set_back_needs_no_note_and_takes_the_packages_name() -> None:
    services.calendar_fill_year(year=2026)
    day = CalendarDay.objects.get(date=D(2026, 10, 1))
    services.calendar_day_correct(day=day, kind=CalendarDay.Kind.WORKDAY, reason="测试", actor=None)
    row = services.calendar_day_correct(day=day, kind=CalendarDay.Kind.HOLIDAY, reason="", actor=None)
    assert (row.kind, row.source, row.reason) == ("holiday", "package", holiday_source.day_info(day.date).reason)
    assert row.reason


def test_the_calendar_admin_has_no_english_left_on_the_chinese_page(admin_client) -> None:
    """Walkthrough finding 15: Django 6.1's new "- Select an option -" (every select's empty
    choice, the action select) and the date hierarchy's "Filter by %(field_name)s" are missing
    from Django's own zh_Hans catalogues; the project's (locale/zh_Hans) gives them."""
    services.calendar_fill_year(year=2026)
    changelist = admin_client.get(reverse("admin:catalog_calendarday_changelist")).content.decode()
    change = admin_client.get(reverse("admin:catalog_calendarday_change", args=["2026-12-26"])).content.decode()
    for page in (changelist, change):
        assert "Select an option" not in page and "- 请选择 -" in page
    assert "Filter by" not in changelist and "按日期筛选" in changelist


def test_the_admins_own_captions_read_as_the_interface_speaks(admin_client) -> None:
    """Walkthrough leftover: Django's zh_Hans admin calls the model column 型号名称 (a product's
    model number), its link columns 增加连接 / 更改或查看清单连接, an empty recent-actions box
    无可选的, a list page 选择 X 来修改; the project's catalogue words them as the portal does."""
    services.calendar_fill_year(year=2026)
    index = admin_client.get(reverse("admin:index")).content.decode()
    changelist = admin_client.get(reverse("admin:catalog_calendarday_changelist")).content.decode()
    add = admin_client.get(reverse("admin:catalog_department_add")).content.decode()
    for old in ("型号名称", "增加连接", "更改或查看清单连接", "无可选的", "最近动作"):
        assert old not in index, old
    assert '<th scope="col">数据项</th>' in index and '<th scope="col">新增链接</th>' in index
    assert "最近操作" in index
    assert "选择要修改的工作日历" in changelist and "来修改" not in changelist
    assert "过滤器" not in changelist and "筛选" in changelist
    assert "新增部门" in add and "增加 部门" not in add


def admin_javascript_catalogue(client) -> dict[str, object]:
    """The strings of the admin's jsi18n answer (a JSON object, its Chinese \\u-escaped), by msgid."""
    response = client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});", response.content.decode(), re.S)
    return json.loads(found.group(1)) if found else {}  # none in English, the msgids' language


def test_the_admins_date_picker_strings_follow_the_language(admin_client, settings) -> None:
    """Walkthrough leftover: the date picker's strings come from the admin's JavaScript catalogue,
    which is reached (a same-origin script with the page's CSP nonce) and follows the language
    (zh-hans → Django's zh_Hans, by default and by the switcher's cookie; English by the cookie)."""
    services.calendar_fill_year(year=2026)
    page = admin_client.get(reverse("admin:catalog_calendarday_change", args=["2026-12-26"]))
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert f'<script src="{reverse("admin:jsi18n")}" nonce="{nonce}">' in page.content.decode()
    chinese = admin_javascript_catalogue(admin_client)
    assert (chinese["January"], chinese["December"], chinese["Today"], chinese["Cancel"]) == (
        "一月",
        "十二月",
        "今天",
        "取消",
    )
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert admin_javascript_catalogue(admin_client)["January"] == "一月"
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert admin_javascript_catalogue(admin_client) == {}  # English: the msgids themselves


def test_the_admins_date_picker_has_no_english_left_in_chinese(admin_client) -> None:
    """Django's own zh_Hans catalogue gives the date picker's weekday letters as S M T W T F S and
    lacks Django 6.1's new accessible names of its days and shortcuts ("Today (%(date)s)", …);
    the project's djangojs catalogue (LOCALE_PATHS, merged over the admin's) gives them."""
    catalogue = admin_javascript_catalogue(admin_client)
    assert catalogue["one letter Sunday\x04S"] == "日" and catalogue["one letter Monday\x04M"] == "一"
    for msgid in ("Today (%(date)s)", "%(month)s %(day)s, %(year)s", "%s (today)", "Previous (%(month)s %(year)s)"):
        assert msgid in catalogue, msgid


# --- Searching the calendar by a date as typed (walkthrough 2026-12, walk C) ------------------


def _found(admin_client, term: str) -> list[str]:
    response = admin_client.get(reverse("admin:catalog_calendarday_changelist"), {"q": term})
    assert response.status_code == 200
    return [day.date.isoformat() for day in response.context["cl"].result_list]


@pytest.mark.parametrize(
    "term",
    [
        "2026-12-15",
        "2026/12/15",
        "2026.12.15",
        "2026年12月15日",
        "2026 年 12 月 15 号",
        "20261215",
        "２０２６－１２－１５",
    ],
)
@time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_the_calendar_admin_finds_a_day_by_its_date_as_typed(admin_client, term: str) -> None:
    services.calendar_fill_year(year=2026)
    assert _found(admin_client, term) == ["2026-12-15"]


@time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_the_calendar_admin_finds_a_day_of_every_year_and_a_month(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    services.calendar_fill_year(year=2027)
    assert _found(admin_client, "12-15") == ["2026-12-15", "2027-12-15"]
    assert _found(admin_client, "12月15日") == ["2026-12-15", "2027-12-15"]
    assert len(_found(admin_client, "2026年12月")) == 31


@time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_the_calendar_admin_search_still_finds_notes_and_never_fails(admin_client) -> None:
    services.calendar_fill_year(year=2026)
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    services.calendar_day_correct(day=day, kind=CalendarDay.Kind.HOLIDAY, reason="台风停工", actor=None)
    assert _found(admin_client, "台风") == ["2026-12-31"]
    for nonsense in ["2026-02-30", "13-45", "2026年13月", "明天", "2026-12-15'--", "9" * 40]:
        assert _found(admin_client, nonsense) == []


def test_reverting_without_a_new_note_does_not_claim_one_was_logged(admin_client) -> None:
    """Walkthrough 2026-12-03, finding 6e: the revert's message said the note written had been
    logged when none was written (the correction's own note left as it was, or cleared)."""
    services.calendar_fill_year(year=2026)
    url = reverse("admin:catalog_calendarday_change", args=["2026-12-26"])
    admin_client.post(url, {"kind": "makeup_workday", "reason": "临时加班"})
    for reason in ("临时加班", ""):
        admin_client.post(url, {"kind": "makeup_workday", "reason": "临时加班"})
        page = admin_client.post(url, {"kind": "weekend", "reason": reason}, follow=True).content.decode()
        assert "已恢复为节假日数据包的数据（周末）" in page and "此次修改已记入操作日志" in page
        assert "填写的说明已记入操作日志" not in page
    page = admin_client.post(url, {"kind": "makeup_workday", "reason": "临时加班"})
    page = admin_client.post(url, {"kind": "weekend", "reason": "误改，恢复"}, follow=True).content.decode()
    assert "填写的说明已记入操作日志" in page
