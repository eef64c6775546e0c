"""The booking pages: a hall, a queue and item (with the guide's materials), a day and slot, the
booking form, the private manage page with cancel and reschedule, and check-in at the kiosk.

Time is frozen at Monday 23 November 2026, 10:00 in Guangzhou (``NOW``): the horizon runs to the
7th working day after, Wednesday 2 December; the weekend in between has staggered slots.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import services
from appointments.models import Booking, BookingPerson, Slot, SlotPlan
from catalog.models import Hall, Material
from queueing.models import QueueCategory, Ticket
from servicehall import memo
from servicehall.personal_data import id_digest
from tests.appointments.factories import NOW, make_booking_hall, person
from tests.catalog import factories
from tests.queueing.factories import pair_kiosk

TODAY = NOW.date()
TUESDAY = dt.date(2026, 11, 24)
WEDNESDAY = dt.date(2026, 11, 25)
SATURDAY = dt.date(2026, 11, 28)
HORIZON_END = dt.date(2026, 12, 2)
ITEM_CODE = "0600101000"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def id_card(bh):
    """An item queue A covers, with a published guide listing three materials."""
    item = factories.item(
        code=ITEM_CODE,
        name="居民身份证换领",
        halls=[bh.hall],
        materials=[
            {"name": "居民户口簿", "form": Material.Form.ORIGINAL},
            {"name": "原居民身份证", "form": Material.Form.ORIGINAL, "notes": "遗失的免交"},
            {"name": "数码相片回执", "form": Material.Form.ORIGINAL, "may_follow_later": True},
        ],
    )
    bh.a.items.add(item)
    return item


def text(response) -> str:
    return response.content.decode()


def days_url(bh, category=None, **query) -> str:
    url = reverse("booking-days", args=[bh.hall.code, (category or bh.a).letter])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def form_url(slot) -> str:
    return reverse("booking-form", args=[slot.pk])


def manage_url(booking) -> str:
    return reverse("booking-manage", args=[booking.manage_token])


def checkin_url(bh) -> str:
    return reverse("booking-kiosk-checkin", args=[bh.hall.code])


def book(slot, k: int = 1, **kwargs) -> Booking:
    return services.booking_create(slot=slot, **person(k), **kwargs)


def post_booking(client, slot, k: int = 1, ip: str = "192.0.2.1", **overrides):
    data = {**person(k), "consent": "on", **overrides}
    return client.post(form_url(slot), data, REMOTE_ADDR=ip)


def state(slot) -> tuple[int, int]:
    """(bookings in all, seats booked of ``slot``): what a refusal must leave alone."""
    return Booking.objects.count(), Slot.objects.get(pk=slot.pk).booked


def slot_ids(body: str) -> dict[str, dict[str, str]]:
    """The radio buttons of the slot picker: {"HH:MM": {"pk": …, "disabled": bool-ish, "state": …}}."""
    found = {}
    pattern = re.compile(
        r'<li class="slot slot-(?P<state>\w+)">\s*<input type="radio" name="slot" id="slot-(?P<pk>\d+)" '
        r'value="\d+"(?P<disabled> disabled)?[^>]*>\s*<label[^>]*>\s*<span class="slot-time">(?P<time>[\d:]+)',
    )
    for match in pattern.finditer(body):
        found[match["time"]] = {"pk": match["pk"], "disabled": bool(match["disabled"]), "state": match["state"]}
    return found


# --- Step 1: halls ---------------------------------------------------------------------------


def test_the_start_page_lists_only_halls_taking_bookings_findable_by_district(client, bh, django_assert_num_queries):
    factories.hall(code="NOPLAN", name="未开通预约的中心")
    yuexiu = make_booking_hall("YX")
    Hall.objects.filter(pk=yuexiu.hall.pk).update(district="yuexiu", name="越秀区政务服务中心")
    inactive = factories.hall(code="OFF", name="计划已停用的中心")
    off_queue = QueueCategory.objects.create(hall=inactive, letter="A", name="停用计划")
    SlotPlan.objects.create(
        hall=inactive, category=off_queue, starts=dt.time(9), ends=dt.time(10), capacity=1, is_active=False
    )

    with django_assert_num_queries(1):
        response = client.get(reverse("booking-start"))

    body = text(response)
    assert response.status_code == 200
    assert bh.hall.name in body and "越秀区政务服务中心" in body
    assert "未开通预约的中心" not in body and "计划已停用的中心" not in body
    assert "共 2 个大厅可网上预约" in body
    # What each hall offers: its queues and kinds of slot.
    assert "A 户政业务、B 社保业务" in body
    for label in ("工作日正常时段", "工作日延时服务", "周末及节假日错时服务"):
        assert label in body
    assert f'href="{reverse("booking-hall", args=[bh.hall.code])}"' in body
    assert "可预约今天起 7 个工作日内的时段" in body and "爽约 2 次的，暂停网上预约 90 天" in body

    by_district = client.get(reverse("booking-start"), {"district": "yuexiu"})
    assert by_district.status_code == 200
    assert "越秀区政务服务中心" in text(by_district) and bh.hall.name not in text(by_district)
    assert '<option value="yuexiu" selected>越秀区</option>' in text(by_district)

    nowhere = client.get(reverse("booking-start"), {"district": "conghua"})
    assert nowhere.status_code == 200 and "该区暂无开通网上预约的大厅" in text(nowhere)

    bad = client.get(reverse("booking-start"), {"district": "shenzhen"})
    assert bad.status_code == 400 and "请选择广州市的一个区。" in text(bad)
    assert 'aria-invalid="true"' in text(bad)


# --- Step 2: queue and item ------------------------------------------------------------------


def test_the_hall_page_offers_each_queue_and_its_items(client, bh, id_card) -> None:
    response = client.get(reverse("booking-hall", args=[bh.hall.code]))

    body = text(response)
    assert response.status_code == 200
    assert "A</span> 户政业务" in body and "B</span> 社保业务" in body
    assert '<label for="item-A">选择具体事项（共 1 项，选填）</label>' in body
    assert f'<option value="{ITEM_CODE}">居民身份证换领</option>' in body
    assert f'href="{days_url(bh)}"' in body and f'href="{days_url(bh, bh.b)}"' in body
    assert "居民户口簿" not in body  # materials only once an item is chosen


def test_choosing_an_item_shows_the_materials_of_its_current_guide(client, bh, id_card) -> None:
    # A newer guide version in effect today replaces the old list: the page reads the current one.
    from catalog import services as catalog_services

    version = catalog_services.guide_draft_create(
        item=id_card,
        effective_from=TODAY,
        fields=factories.guide_fields(),
        materials=[
            {"name": "居民户口簿", "form": Material.Form.ORIGINAL},
            {"name": "数码相片回执", "form": Material.Form.ORIGINAL, "may_follow_later": True},
        ],
    )
    catalog_services.guide_publish(version=version, actor=None, today=TODAY)

    response = client.get(reverse("booking-hall", args=[bh.hall.code]), {"item": ITEM_CODE})

    body = text(response)
    assert response.status_code == 200
    assert "所选事项：居民身份证换领" in body
    assert "居民户口簿" in body and "数码相片回执" in body and "可容缺后补" in body
    assert "原居民身份证" not in body  # only in the superseded version
    assert "第 2 版，2026-11-23 起施行" in body
    assert f'href="{reverse("guide-detail", args=[ITEM_CODE])}"' in body
    assert f'<option value="{ITEM_CODE}" selected>' in body
    # On to the days of the queue covering it, carrying the item's code (and nothing else).
    assert f'href="{days_url(bh, item=ITEM_CODE)}"' in body
    assert "下一步：选择 A 户政业务 的预约时间" in body


def test_an_item_the_hall_does_not_book_is_refused(client, bh, id_card) -> None:
    other = factories.item(code="0600199000", name="他处事项")

    for value, message in (
        (other.code, "本大厅暂不能预约办理所选事项"),
        ("12AB", "事项编码应为10位数字"),
    ):
        response = client.get(reverse("booking-hall", args=[bh.hall.code]), {"item": value})
        assert response.status_code == 400
        assert message in text(response) and 'role="alert"' in text(response)


def test_a_hall_without_bookings_is_not_found(client, bh) -> None:
    factories.hall(code="NOPLAN")
    assert client.get(reverse("booking-hall", args=["NOPLAN"])).status_code == 404
    assert client.get(reverse("booking-hall", args=["NOSUCH"])).status_code == 404
    assert client.get(reverse("booking-days", args=[bh.hall.code, "Q"])).status_code == 404
    SlotPlan.objects.filter(category=bh.b).update(is_active=False)
    assert client.get(reverse("booking-days", args=[bh.hall.code, "B"])).status_code == 404


# --- Step 3: days and slots ------------------------------------------------------------------


def test_the_days_page_lists_the_horizon_with_seats_and_kinds(client, bh) -> None:
    Slot.objects.filter(category=bh.a, date=WEDNESDAY).update(booked=F("capacity"))  # a full day
    Slot.objects.filter(pk=bh.slot(TUESDAY, 9).pk).update(is_closed=True)

    response = client.get(days_url(bh))

    body = text(response)
    assert response.status_code == 200
    days = re.findall(r'<li class="day( is-full)?">.*?<span class="day-date">(\d+)月(\d+)日</span>', body, re.S)
    assert [(int(m), int(d), bool(full)) for full, m, d in days] == [
        (11, 23, False),
        (11, 24, False),
        (11, 25, True),
        (11, 26, False),
        (11, 27, False),
        (11, 28, False),
        (11, 29, False),
        (11, 30, False),
        (12, 1, False),
        (12, 2, False),
    ]
    assert "可预约今天至 2026-12-02（7 个工作日内）的时段" in body
    today, tuesday, wednesday, saturday = (
        body[body.index(f"{n}日</span>") :].split("</li>")[0] for n in (23, 24, 25, 28)
    )
    # Today: 10:30, 11:00, 11:30 and eight afternoon slots of 3 seats, two extended slots of 2.
    assert "今天 · 星期一" in today and "余 37 个名额" in today
    assert "工作日正常时段" in today and "工作日延时服务" in today
    # Tuesday: the closed 09:00 slot counts no seat (14 × 3 − 3 + 2 × 2).
    assert "余 43 个名额" in tuesday
    assert "已约满" in wednesday and "<a " not in wednesday
    assert "周末及节假日错时服务" in saturday and "工作日正常时段" not in saturday and "余 6 个名额" in saturday
    assert f'href="{days_url(bh, day="2026-11-24")}#slots"' in body


def test_choosing_a_day_shows_its_slots_but_not_those_already_started(client, bh, clock) -> None:
    clock.move_to(NOW + dt.timedelta(minutes=45))  # 10:45: the 10:30 slot has started
    Slot.objects.filter(pk=bh.slot(TODAY, 11).pk).update(booked=3)
    Slot.objects.filter(pk=bh.slot(TODAY, 13).pk).update(is_closed=True, closed_reason="停电检修")

    response = client.get(days_url(bh, day="2026-11-23"))

    body = text(response)
    assert response.status_code == 200
    slots = slot_ids(body)
    assert list(slots)[:4] == ["11:00", "11:30", "13:00", "13:30"]
    assert "10:30" not in slots and "10:00" not in slots
    assert slots["11:00"]["disabled"] and slots["11:00"]["state"] == "full"
    assert slots["13:00"]["disabled"] and slots["13:00"]["state"] == "closed"
    assert not slots["11:30"]["disabled"] and slots["11:30"]["state"] == "open"
    assert "17:00" in slots and "18:00" in slots  # extended hours
    assert "<legend>选择 11月23日（星期一）的时段</legend>" in body
    assert "已约满" in body and "已关闭" in body and "余 3 个名额" in body
    assert 'aria-current="date"' in body


def test_the_slot_picker_leads_to_the_form_carrying_the_item_code(client, bh, id_card) -> None:
    slot = bh.slot(TUESDAY, 10)

    response = client.get(days_url(bh, day="2026-11-24", item=ITEM_CODE, slot=slot.pk))

    assert response.status_code == 302
    assert response.url == f"{form_url(slot)}?item={ITEM_CODE}"


@pytest.mark.parametrize(
    ("setup", "status", "message"),
    [
        (lambda slot: Slot.objects.filter(pk=slot.pk).update(booked=3), 409, "该时段已约满，请选择其他时间。"),
        (lambda slot: Slot.objects.filter(pk=slot.pk).update(is_closed=True), 409, "该时段已关闭，请选择其他时间。"),
    ],
    ids=["full", "closed"],
)
def test_the_slot_picker_refuses_a_slot_that_cannot_be_chosen(client, bh, setup, status, message) -> None:
    slot = bh.slot(TUESDAY, 10)
    setup(slot)

    response = client.get(days_url(bh, day="2026-11-24", slot=slot.pk))

    assert response.status_code == status
    body = text(response)
    assert f'<p class="field-error" id="slot-error">{message}</p>' in body
    assert 'aria-describedby="slot-error"' in body


def test_bad_days_and_slots_in_the_query_are_refused(client, bh) -> None:
    other_category_slot = bh.slot(TUESDAY, 10, category=bh.b)
    for query, message in (
        ({"day": "2026-11-24", "slot": other_category_slot.pk}, "请从列表中选择一个时段。"),
        ({"day": "24/11/2026"}, "日期格式不正确"),
        ({"day": "2026-12-03"}, "2026-12-03 没有可预约的时段"),
        ({"day": "2026-11-20"}, "2026-11-20 没有可预约的时段"),
        ({"item": "0600199000"}, "该预约业务不包含所选事项"),
    ):
        response = client.get(days_url(bh, **query))
        assert response.status_code == 400, query
        assert message in text(response), query


def test_submitting_the_slot_picker_without_a_slot_says_so(client, bh, id_card) -> None:
    day_url = days_url(bh, day="2026-11-24", item=ITEM_CODE)
    picker = text(client.get(day_url))
    # The picker says it was submitted, and comes back to the slots.
    assert '<input type="hidden" name="choose" value="1">' in picker
    assert f'action="{days_url(bh)}#slots"' in picker

    response = client.get(days_url(bh, day="2026-11-24", item=ITEM_CODE, choose=1))

    assert response.status_code == 400
    body = text(response)
    assert '<p class="field-error" id="slot-error">请选择一个时段。</p>' in body
    assert '<li><a href="#slot-error">请选择一个时段。</a></li>' in body and 'role="alert"' in body
    assert 'aria-describedby="slot-error"' in body
    assert slot_ids(body)["10:00"]["state"] == "open"  # the slots are still there to choose from
    # A plain visit of the day is not an error.
    assert client.get(day_url).status_code == 200


def test_rescheduling_without_choosing_a_slot_says_so(client, bh) -> None:
    booking = book(bh.slot(TUESDAY, 10))

    response = client.post(reverse("booking-reschedule", args=[booking.manage_token]), {"day": "2026-11-25"})

    assert response.status_code == 400
    body = text(response)
    assert '<p class="field-error" id="slot-error">请选择一个时段。</p>' in body
    assert '<a href="#slot-error">请选择一个时段。</a>' in body


def _many_slots_and_bookings(bh) -> None:
    """Five-minute slots for both queues and 200 bookings spread over them."""
    for category in (bh.a, bh.b):
        SlotPlan.objects.create(
            hall=bh.hall,
            category=category,
            kind="extended",
            starts=dt.time(19),
            ends=dt.time(22),
            slot_minutes=5,
            capacity=500,
        )
    services.slots_ensure_horizon(now=NOW)
    slots = list(Slot.objects.filter(category=bh.a, capacity=500).order_by("starts_at")[:200])
    people = BookingPerson.objects.bulk_create(
        BookingPerson(id_hash=f"bulk-{k:04d}", id_masked="1101**********0000") for k in range(200)
    )
    Booking.objects.bulk_create(
        Booking(
            code=f"BULK{k:04d}",
            manage_token=f"bulk-token-{k:04d}",
            hall=bh.hall,
            category=bh.a,
            slot=slot,
            date=slot.date,
            person=people[k],
            name="批量",
            mobile="13800000000",
            created_at=NOW,
        )
        for k, slot in enumerate(slots)
    )
    Slot.objects.filter(pk__in=[s.pk for s in slots]).update(booked=F("booked") + 1)


def test_the_days_page_and_slot_list_take_the_same_queries_whatever_the_data(client, bh) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # Each process keeps a hall's rules for a while: measure with and without them known.
    memo.forget()
    config_cold = [count(days_url(bh)), count(days_url(bh, day="2026-11-24"))]
    small = [count(days_url(bh)), count(days_url(bh, day="2026-11-24"))]
    _many_slots_and_bookings(bh)
    assert Slot.objects.filter(category=bh.a, date=TUESDAY).count() > 50
    memo.forget()
    large_cold = [count(days_url(bh)), count(days_url(bh, day="2026-11-24"))]
    large = [count(days_url(bh)), count(days_url(bh, day="2026-11-24"))]

    assert large == small and large_cold == config_cold
    # The queue, the days (one aggregate query), and the day's slots; the hall's rules and the
    # horizon (from the calendar) once per process.
    assert small == [2, 3] and config_cold == [4, 3]


# --- Step 4: the form ------------------------------------------------------------------------


def test_the_whole_booking_flow_from_hall_to_manage_page(client, bh, id_card) -> None:
    urls = []

    def get(url, **query):
        response = client.get(url, query)
        urls.append(response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", ""))
        if response.status_code == 302:
            urls.append(response.url)
        return response

    start = get(reverse("booking-start"))
    assert start.status_code == 200
    hall_page = get(reverse("booking-hall", args=[bh.hall.code]), item=ITEM_CODE)
    assert "居民户口簿" in text(hall_page)
    days_page = get(days_url(bh), item=ITEM_CODE)
    assert "办理事项：居民身份证换领" in text(days_page)
    day_page = get(days_url(bh), day="2026-11-24", item=ITEM_CODE)
    slot = bh.slot(TUESDAY, 10)
    assert slot_ids(text(day_page))["10:00"] == {"pk": str(slot.pk), "disabled": False, "state": "open"}
    chosen = get(days_url(bh), day="2026-11-24", item=ITEM_CODE, slot=slot.pk)
    form_page = get(chosen.url)
    body = text(form_page)
    assert form_page.status_code == 200
    assert f'<input type="hidden" name="item" value="{ITEM_CODE}" id="id_item">' in body
    assert "2026年11月24日 星期二" in body and "10:00–10:30" in body and "居民身份证换领" in body
    assert 'name="consent"' in body and "个人信息使用说明" in body and 'id="privacy-text"' in body
    assert 'autocomplete="off"' in body and "novalidate" in body

    data = {**person(1), "item": ITEM_CODE, "consent": "on"}
    response = client.post(form_url(slot), data, REMOTE_ADDR="192.0.2.10")

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == manage_url(booking) + "?new=1"
    assert booking.slot == slot and booking.item == id_card and booking.name == "申请人1"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    manage = get(response.url)
    body = text(manage)
    assert manage.status_code == 200
    assert (
        "预约成功" in body
        and f'<p class="booking-code"><span class="visually-hidden">预约码：</span>{booking.code}</p>' in body
    )
    assert 'src="data:image/svg+xml;base64,' in body and f'alt="预约码 {booking.code} 的二维码"' in body
    assert "居民户口簿" in body and "数码相片回执" in body  # what to bring, from the guide
    assert "签到时间：09:30 至 10:15" in body
    assert bh.hall.address in body and f'href="{reverse("hall-detail", args=[bh.hall.code])}"' in body
    # Personal data only masked.
    assert "申**" in body and "申***" not in body and "138****0001" in body and booking.person.id_masked in body
    assert person(1)["id_number"] not in body and person(1)["mobile"] not in body and "申请人1" not in body
    # No ID number in any address the browser saw.
    assert urls and all(person(1)["id_number"] not in url for url in urls)
    assert person(1)["id_number"] not in response.url


def test_the_booking_form_without_an_item_and_with_a_full_slot(client, bh) -> None:
    slot = bh.slot(TUESDAY, 10)
    open_page = client.get(form_url(slot))
    assert open_page.status_code == 200 and 'name="item"' in text(open_page)
    assert "no-store" in open_page.headers["Cache-Control"]

    Slot.objects.filter(pk=slot.pk).update(booked=3)
    full = client.get(form_url(slot))
    assert full.status_code == 409
    assert "该时段已约满，请选择其他时间。" in text(full) and 'name="id_number"' not in text(full)

    assert client.get(form_url(bh.slot(TUESDAY, 11)), {"item": "0600199000"}).status_code == 400
    assert client.get(reverse("booking-form", args=[999999])).status_code == 404


def _suspend(k: int) -> None:
    digest = id_digest(person(k)["id_number"])
    BookingPerson.objects.create(
        id_hash=digest, id_masked="1101**********0000", suspended_until=NOW + dt.timedelta(days=60)
    )


def _book_three_other_days(bh, k: int) -> None:
    for day in (WEDNESDAY, dt.date(2026, 11, 26), dt.date(2026, 11, 27)):
        book(bh.slot(day, 10), k)


@pytest.mark.parametrize(
    ("prepare", "overrides", "status", "message", "field"),
    [
        (None, {"id_number": "110105199003070018"}, 400, "身份证号码校验位不正确，请核对后重新输入。", "id_number"),
        (None, {"id_number": "12345"}, 400, "身份证号码应为18位", "id_number"),
        (None, {"mobile": "12345678901"}, 400, "请输入11位中国大陆手机号码。", "mobile"),
        (None, {"name": ""}, 400, "请填写姓名。", "name"),
        (None, {"consent": ""}, 400, "请阅读个人信息使用说明并勾选同意", "consent"),
        (None, {"item": "0600199000"}, 400, "所选事项不属于该排队类别。", None),
        ("full", {}, 409, "该时段已约满，请选择其他时间。", None),
        ("closed", {}, 409, "该时段已关闭，请选择其他时间。", None),
        ("suspended", {}, 409, "网上预约已暂停至 2027-01-22 10:00", None),
        ("duplicate", {}, 409, "您在该大厅当天已有预约，每人每天在同一大厅只能预约一次。", None),
        ("too_many", {}, 409, "您已有 3 个有效预约，已达上限", None),
        ("past", {}, 409, "该时段已经开始或已过去，请选择其他时间。", None),
        ("beyond", {}, 409, "只能预约今天起 7 个工作日内的时段。", None),
    ],
    ids=[
        "id-check-digit",
        "id-shape",
        "mobile",
        "name",
        "consent",
        "item-of-another-queue",
        "full",
        "closed",
        "suspended",
        "duplicate",
        "too-many",
        "past",
        "beyond-horizon",
    ],
)
def test_each_refusal_shows_its_message_and_status_and_changes_nothing(
    client, bh, clock, prepare, overrides, status, message, field
) -> None:
    slot = bh.slot(TUESDAY, 10)
    if prepare == "full":
        for k in (7, 8, 9):
            book(slot, k)
    elif prepare == "closed":
        Slot.objects.filter(pk=slot.pk).update(is_closed=True)
    elif prepare == "suspended":
        _suspend(1)
    elif prepare == "duplicate":
        book(bh.slot(TUESDAY, 14), 1)
    elif prepare == "too_many":
        _book_three_other_days(bh, 1)
    elif prepare == "past":
        slot = bh.slot(TODAY, 10, 30)
        clock.move_to(NOW + dt.timedelta(minutes=31))
    elif prepare == "beyond":
        services.slots_generate(start=dt.date(2026, 12, 3), end=dt.date(2026, 12, 3), halls=[bh.hall.pk], now=NOW)
        slot = bh.slot(dt.date(2026, 12, 3), 10)
    before = state(slot)

    response = post_booking(client, slot, **overrides)

    assert response.status_code == status
    body = text(response)
    assert message in body
    assert '<div class="error-summary" role="alert"' in body
    if field:
        assert f'<a href="#id_{field}">' in body
        assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', body)
    assert state(slot) == before
    # A booking the person holds is why: the way to it, which the other refusals do not need.
    find = f'<a href="{reverse("booking-find")}">查找我的预约</a>'
    assert (find in body) == (prepare in ("duplicate", "too_many"))
    # What was typed stays in the form (never in an address).
    if not overrides:
        assert f'value="{person(1)["mobile"]}"' in body


def test_the_rate_limit_per_address_answers_429(client, bh, settings) -> None:
    settings.THROTTLE_BOOKING_IP = "2/hour"
    slots = [bh.slot(TUESDAY, 10), bh.slot(WEDNESDAY, 10), bh.slot(dt.date(2026, 11, 26), 10)]
    assert post_booking(client, slots[0], 1, ip="198.51.100.7").status_code == 302
    assert post_booking(client, slots[1], 2, ip="198.51.100.7").status_code == 302
    before = state(slots[2])

    response = post_booking(client, slots[2], 3, ip="198.51.100.7")

    assert response.status_code == 429
    assert "操作过于频繁，请" in text(response)
    assert state(slots[2]) == before
    assert post_booking(client, slots[2], 3, ip="198.51.100.8").status_code == 302


# --- The manage page -------------------------------------------------------------------------


def test_the_manage_page_is_private_and_unknown_tokens_are_not_found(client, bh) -> None:
    booking = book(bh.slot(TUESDAY, 10))

    response = client.get(manage_url(booking))

    body = text(response)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert "booking-success" not in body  # only right after booking
    assert "状态：已预约" in body
    # Without an item: the queue's description (the items it covers) and the ID card.
    assert "请携带本人有效身份证件" in body
    assert client.get(reverse("booking-manage", args=["no-such-token"])).status_code == 404


def test_without_an_item_the_manage_page_lists_what_the_queue_covers(client, bh, id_card) -> None:
    booking = book(bh.slot(TUESDAY, 10))

    body = text(client.get(manage_url(booking)))

    assert "“A 户政业务”可办理以下事项" in body
    assert f'<a href="{reverse("guide-detail", args=[ITEM_CODE])}">居民身份证换领</a>' in body


def test_a_displaced_booking_says_so_and_invites_rescheduling(client, bh) -> None:
    booking = book(bh.slot(TUESDAY, 10))
    services.slot_close(slot=booking.slot, reason="系统升级", actor=None)

    body = text(client.get(manage_url(booking)))

    assert "时段已关闭，待改约" in body
    assert "大厅已关闭您预约的时段（原因：系统升级）" in body
    assert f'href="{reverse("booking-reschedule", args=[booking.manage_token])}"' in body


def test_cancelling_through_the_confirmation_step(client, bh) -> None:
    booking = book(bh.slot(TUESDAY, 10))
    cancel_url = reverse("booking-cancel", args=[booking.manage_token])
    assert f'href="{cancel_url}"' in text(client.get(manage_url(booking)))

    confirm = client.get(cancel_url)
    assert confirm.status_code == 200
    assert f"确认取消预约 {booking.code}" in text(confirm)
    assert confirm.headers["X-Robots-Tag"] == "noindex, nofollow"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED  # a GET changes nothing

    response = client.post(cancel_url)

    assert response.status_code == 302 and response.url == manage_url(booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    page = text(client.get(response.url))
    assert "预约已取消，名额已释放" in page and "状态：已取消" in page
    assert f'href="{cancel_url}"' not in page

    again = client.post(cancel_url)
    assert again.status_code == 409
    assert "该预约当前状态为“已取消”，不能取消或改约。" in text(again)


def test_cancelling_within_two_hours_is_refused(client, bh) -> None:
    booking = book(bh.slot(TODAY, 11, 30))
    cancel_url = reverse("booking-cancel", args=[booking.manage_token])
    message = "开始前 2 小时内不能在网上取消或改约，如有需要请联系大厅。"

    page = text(client.get(manage_url(booking)))
    assert message in page and f'href="{cancel_url}"' not in page
    confirm = client.get(cancel_url)
    assert confirm.status_code == 409 and message in text(confirm) and "确认取消预约" not in text(confirm)

    response = client.post(cancel_url)

    assert response.status_code == 409 and message in text(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED and Slot.objects.get(pk=booking.slot_id).booked == 1


def test_a_slot_starting_within_the_cancel_limit_warns_before_booking(client, bh) -> None:
    """Issue 8 walkthrough: a slot starting within 2 hours was booked without a word that it
    could then not be cancelled online; the picker and the form now say so first."""
    warning = "该时段在 2 小时内开始：预约后不能在网上取消或改约，如有需要请联系大厅。"
    soon, later = bh.slot(TODAY, 11, 30), bh.slot(TODAY, 13)  # at 10:00: in 1.5 and 3 hours

    picker = text(client.get(days_url(bh, day="2026-11-23")))
    rows = {
        m["time"]: m["row"]
        for m in re.finditer(r'<span class="slot-time">(?P<time>[\d:]+)–[\d:]+</span>(?P<row>.*?)</li>', picker, re.S)
    }
    assert "即将开始：预约后不能在网上取消或改约" in rows["11:30"]
    assert "即将开始" not in rows["13:00"]

    assert warning in text(client.get(form_url(soon)))
    assert warning not in text(client.get(form_url(later)))
    # Booked all the same: it is a warning, not a refusal.
    assert post_booking(client, soon).status_code == 302


def test_rescheduling_with_the_same_slot_picker(client, bh) -> None:
    old = bh.slot(TUESDAY, 10)
    booking = book(old)
    url = reverse("booking-reschedule", args=[booking.manage_token])

    page = client.get(url, {"day": "2026-11-24"})
    body = text(page)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex, nofollow"
    slots = slot_ids(body)
    assert slots["10:00"]["state"] == "current" and slots["10:00"]["disabled"]
    assert not slots["10:30"]["disabled"]
    assert f'href="{url}?day=2026-11-25#slots"' in body
    new = bh.slot(WEDNESDAY, 14)

    response = client.post(url, {"day": "2026-11-25", "slot": new.pk})

    assert response.status_code == 302 and response.url == manage_url(booking)
    booking.refresh_from_db()
    assert booking.slot == new and booking.date == WEDNESDAY and booking.status == Booking.Status.BOOKED
    assert Slot.objects.get(pk=old.pk).booked == 0 and Slot.objects.get(pk=new.pk).booked == 1
    assert "改约成功" in text(client.get(response.url))


def test_a_cancelled_bookings_reschedule_page_says_so_with_one_way_back(client, bh) -> None:
    booking = book(bh.slot(TUESDAY, 10))
    services.booking_cancel(booking=booking, now=NOW)
    page = client.get(reverse("booking-reschedule", args=[booking.manage_token]))
    body = text(page)
    assert page.status_code == 409
    # Not "current": the old time with its state, no picker, and one link back (walkthrough).
    assert "当前预约" not in body and "原预约：" in body and "（已取消）" in body
    assert 'class="slot-form"' not in body
    assert body.count(f'href="{manage_url(booking)}"') == 2  # the breadcrumb and the error's link
    assert "不改约，返回我的预约" not in body


@pytest.mark.parametrize(
    ("target", "status", "message"),
    [
        ("full", 409, "该时段已约满，请选择其他时间。"),
        ("other_queue", 400, "请从列表中选择一个时段。"),
        ("same", 409, "请选择与原预约不同的时段。"),
        ("missing", 400, "请选择一个时段。"),
    ],
)
def test_a_refused_reschedule_keeps_the_old_seat(client, bh, target, status, message) -> None:
    old = bh.slot(TUESDAY, 10)
    booking = book(old)
    new = bh.slot(WEDNESDAY, 14)
    if target == "full":
        for k in (7, 8, 9):
            book(new, k)
    data = {
        "full": {"day": "2026-11-25", "slot": new.pk},
        "other_queue": {"day": "2026-11-25", "slot": bh.slot(WEDNESDAY, 10, category=bh.b).pk},
        "same": {"day": "2026-11-24", "slot": old.pk},
        "missing": {"day": "2026-11-25"},
    }[target]
    before = (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=new.pk).booked, Booking.objects.count())

    response = client.post(reverse("booking-reschedule", args=[booking.manage_token]), data)

    assert response.status_code == status
    assert message in text(response)
    booking.refresh_from_db()
    assert booking.slot == old
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=new.pk).booked, Booking.objects.count()) == before


def test_rescheduling_within_two_hours_is_refused_and_a_displaced_booking_may_move(client, bh) -> None:
    soon = book(bh.slot(TODAY, 11, 30), 1)
    url = reverse("booking-reschedule", args=[soon.manage_token])
    page = client.get(url)
    assert page.status_code == 409 and "开始前 2 小时内不能" in text(page) and 'name="slot"' not in text(page)
    response = client.post(url, {"slot": bh.slot(TUESDAY, 11).pk})
    assert response.status_code == 409
    soon.refresh_from_db()
    assert soon.slot == bh.slot(TODAY, 11, 30)

    displaced = book(bh.slot(TUESDAY, 10), 2)
    services.slot_close(slot=displaced.slot, reason="停电检修", actor=None)
    response = client.post(
        reverse("booking-reschedule", args=[displaced.manage_token]), {"slot": bh.slot(TUESDAY, 15).pk}
    )
    assert response.status_code == 302
    displaced.refresh_from_db()
    assert displaced.status == Booking.Status.BOOKED and displaced.slot == bh.slot(TUESDAY, 15)


# --- Kiosk check-in --------------------------------------------------------------------------


def test_the_kiosk_links_to_check_in(client, bh) -> None:
    body = text(client.get(reverse("queue-kiosk", args=[bh.hall.code])))
    assert f'href="{checkin_url(bh)}"' in body and "预约签到" in body

    pair_kiosk(client, bh.hall)  # by ID number only at a registered kiosk (issue 9 §3)
    page = client.get(checkin_url(bh))
    body = text(page)
    assert page.status_code == 200
    assert '<html lang="zh-Hans" class="care">' in body
    assert '<label for="id_code">预约码</label>' in body and '<label for="id_id_number">身份证号码</label>' in body
    assert "签到时间为预约时段开始前 30 分钟至开始后 15 分钟" in body
    assert "no-store" in page.headers["Cache-Control"]


def test_checking_in_on_time_gives_a_priority_ticket_and_its_slip(client, bh) -> None:
    booking = book(bh.slot(TODAY, 10, 30))

    response = client.post(checkin_url(bh), {"code": booking.code.lower(), "id_number": ""})

    body = text(response)
    booking.refresh_from_db()
    ticket = booking.ticket
    assert response.status_code == 200
    assert booking.status == Booking.Status.CHECKED_IN
    assert ticket.number == "YA001"
    assert ticket.priority == Ticket.Priority.APPOINTMENT
    assert f"签到成功，您的预约号为 {ticket.number}，将在 10:30 起优先叫号。" in body
    assert f'<p class="checkin-number"><span class="visually-hidden">您的号码：</span>{ticket.number}</p>' in body
    assert f'href="{reverse("queue-slip", args=[ticket.token])}"' in body
    assert client.get(reverse("queue-slip", args=[ticket.token])).status_code == 200
    assert f"排队号：{ticket.number}" in text(client.get(manage_url(booking)))


def test_checking_in_by_id_number(client, bh) -> None:
    booking = book(bh.slot(TODAY, 10, 30))
    pair_kiosk(client, bh.hall)
    number = person(1)["id_number"]

    last4 = person(1)["mobile"][-4:]
    response = client.post(
        checkin_url(bh), {"code": "", "id_number": f"{number[:6]} {number[6:]}", "mobile_last4": last4}
    )

    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert number not in text(response)


def test_an_id_number_alone_does_not_check_anyone_in(client, bh) -> None:
    # Issue 9 §3: a stranger who knows someone's ID number gets neither their ticket nor a hint.
    booking = book(bh.slot(TODAY, 10, 30))
    pair_kiosk(client, bh.hall)
    number = person(1)["id_number"]
    alone = client.post(checkin_url(bh), {"code": "", "id_number": number})
    assert alone.status_code == 400 and "手机号码的后四位" in text(alone)
    wrong = client.post(checkin_url(bh), {"code": "", "id_number": number, "mobile_last4": "0000"})
    nobody = client.post(checkin_url(bh), {"code": "", "id_number": person(9)["id_number"], "mobile_last4": "0000"})
    assert wrong.status_code == nobody.status_code
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED and not Ticket.objects.exists()


def test_checking_in_late_gives_a_normal_ticket_and_says_why(client, bh, clock) -> None:
    booking = book(bh.slot(TODAY, 10, 30))
    clock.move_to(NOW + dt.timedelta(minutes=50))  # 10:50, after 10:45

    response = client.post(checkin_url(bh), {"code": booking.code})

    body = text(response)
    booking.refresh_from_db()
    assert response.status_code == 200
    assert booking.ticket.number == "A001" and booking.ticket.priority == ""
    assert "您已超过签到时间（10:45），已为您取普通号 A001，按到达顺序叫号。" in body
    assert 'class="checkin-result is-late"' in body


@pytest.mark.parametrize(
    ("data", "status", "message", "field"),
    [
        ("too_early", 409, "签到时间为 11:00 至 11:45，请稍后再来签到。", None),
        ({"code": "ZZZZ2222"}, 404, "没有找到您今天在本大厅的预约", "code"),
        ({"id_number": "110105199003070018"}, 400, "身份证号码校验位不正确", "id_number"),
        ({}, 400, "请输入预约码或身份证号码。", "code"),
        ("displaced", 409, "该预约的时段已被大厅关闭", None),
    ],
)
def test_check_in_refusals_show_their_status(client, bh, data, status, message, field) -> None:
    booking = book(bh.slot(TODAY, 11, 30))
    pair_kiosk(client, bh.hall)
    if data == "displaced":
        services.slot_close(slot=booking.slot, reason="停电检修", actor=None)
    if isinstance(data, str):
        data = {"code": booking.code}

    response = client.post(checkin_url(bh), data)

    body = text(response)
    assert response.status_code == status
    assert message in body and 'class="form-errors kiosk-errors" role="alert"' in body
    if field:
        assert 'aria-invalid="true"' in body and f'<a href="#id_{field}">' in body
    assert Ticket.objects.count() == 0
    assert '<html lang="zh-Hans" class="care">' in body


# --- Care mode, English, phones --------------------------------------------------------------


def test_the_pages_follow_care_mode_and_english(client, bh, id_card) -> None:
    booking = book(bh.slot(TUESDAY, 10), item=id_card)
    urls = [
        reverse("booking-start"),
        reverse("booking-hall", args=[bh.hall.code]) + f"?item={ITEM_CODE}",
        days_url(bh, day="2026-11-24"),
        form_url(bh.slot(TUESDAY, 11)),
        manage_url(booking),
        reverse("booking-cancel", args=[booking.manage_token]),
        reverse("booking-reschedule", args=[booking.manage_token]) + "?day=2026-11-25",
    ]
    client.cookies["servicehall_care"] = "1"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-Hans" class="care">' in text(response), url
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in text(response)
        assert 'href="/static/css/booking.css"' in text(response)
        assert " style=" not in text(response) and "<style" not in text(response) and "<script>" not in text(response)

    client.cookies["servicehall_language"] = "en"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en" class="care">' in text(response), url
    assert bh.hall.name_en in text(client.get(urls[0]))
    assert "Tuesday" in text(client.get(urls[2]))


def test_the_other_pages_take_a_fixed_number_of_queries(client, bh, id_card, django_assert_num_queries) -> None:
    with_item = book(bh.slot(TUESDAY, 10), 1, item=id_card)
    without = book(bh.slot(TUESDAY, 11), 2)
    factories.many_items(40, dept=id_card.department, hall_=bh.hall)
    bh.a.items.add(*bh.hall.items.all())

    # The booking, the guide with its materials (and special steps) the guide page reads, and the
    # urgent requests made with it (cases' BOOKING_MANAGE section; none without an item).
    with django_assert_num_queries(5):
        client.get(manage_url(with_item))
    # The booking, and the first items of its queue.
    with django_assert_num_queries(2):
        client.get(manage_url(without))
    # The hall's bookable queues and their items; with an item, its guide.
    with django_assert_num_queries(2):
        client.get(reverse("booking-hall", args=[bh.hall.code]))
    with django_assert_num_queries(5):
        client.get(reverse("booking-hall", args=[bh.hall.code]), {"item": ITEM_CODE})
    # The slot with its hall and queue and the item (the horizon is known to the process).
    url = form_url(bh.slot(TUESDAY, 13))
    with django_assert_num_queries(2):
        client.get(url, {"item": ITEM_CODE})


def test_a_cancelled_booking_shows_no_check_in_code_or_qr(client, bh) -> None:
    # The walkthrough: "Cancelled", and below it the code, the QR and how to check in with them.
    booking = book(bh.slot(TODAY + dt.timedelta(days=2), 10, 30))
    url = f"/book/manage/{booking.manage_token}/"
    before = text(client.get(url))
    assert 'class="booking-qr"' in before and "需携带的材料" in before
    services.booking_cancel(booking=booking, now=NOW)
    page = text(client.get(url))
    assert "已于" in page and 'class="booking-qr"' not in page and "booking-code-box" not in page
    assert "需携带的材料" not in page  # nothing to bring to a visit that will not happen (walkthrough)
