"""What appointments adds to the catalog's pages (``servicehall.extensions``): "预约办理" on a guide
page, leading into the booking with the item chosen, shown only where a hall books the item; and
on a hall's page, booking and the weekend and holiday service days that booking offers. Each is
one query, whatever the number of halls, queues and slots.

Time is frozen at Monday 23 November 2026, 10:00 in Guangzhou (``NOW``): the horizon runs to
Wednesday 2 December, so the staggered slots of the weekend of 28–29 November are bookable.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import services
from appointments.models import Slot, SlotPlan
from catalog import page_cache
from catalog.models import CalendarDay, GuideVersion, Hall, Material
from queueing.models import QueueCategory
from tests.appointments.factories import NOW, make_booking_hall
from tests.catalog import factories

ITEM = "0600101000"
SATURDAY = dt.date(2026, 11, 28)
SUNDAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def id_card(bh):
    """An item the hall serves and its queue A covers, with a published guide."""
    item = factories.item(code=ITEM, name="居民身份证换领", halls=[bh.hall])
    bh.a.items.add(item)
    return item


def text(response) -> str:
    return response.content.decode()


def guide(client, code: str = ITEM) -> str:
    response = client.get(reverse("guide-detail", args=[code]))
    assert response.status_code == 200
    return text(response)


def booking_button(body: str) -> str | None:
    """The href of the guide page's "预约办理", or None."""
    match = re.search(r'<a class="button primary" href="([^"]+)">预约办理</a>', body)
    return match.group(1).replace("&amp;", "&") if match else None


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- The guide page's "预约办理" ----------------------------------------------------------------


def test_one_hall_and_one_queue_lead_straight_to_the_days_with_the_item(client, bh, id_card) -> None:
    body = guide(client)

    assert booking_button(body) == reverse("booking-days", args=[bh.hall.code, "A"]) + f"?item={ITEM}"
    assert f"可网上预约到{bh.hall.name}办理" in body
    # The link lands on the days of queue A with the item kept.
    days = client.get(booking_button(body))
    assert days.status_code == 200 and "办理事项：居民身份证换领" in text(days)


def test_one_hall_with_two_queues_covering_the_item_lets_the_person_pick_the_queue(client, bh, id_card) -> None:
    bh.b.items.add(id_card)

    url = booking_button(guide(client))

    assert url == reverse("booking-hall", args=[bh.hall.code]) + f"?item={ITEM}"
    page = text(client.get(url))
    assert "所选事项：居民身份证换领" in page
    assert "下一步：选择 A 户政业务 的预约时间" in page and "下一步：选择 B 社保业务 的预约时间" in page


def test_several_halls_let_the_person_pick_the_hall_with_the_item_kept(client, bh, id_card) -> None:
    other = make_booking_hall("YX")
    Hall.objects.filter(pk=other.hall.pk).update(name="越秀区政务服务中心", district="yuexiu")
    other.hall.items.add(id_card)
    other.a.items.add(id_card)
    other.b.items.add(id_card)
    elsewhere = make_booking_hall("PY")  # books, but not this item
    Hall.objects.filter(pk=elsewhere.hall.pk).update(name="番禺区政务服务中心")

    body = guide(client)

    assert booking_button(body) == reverse("booking-start") + f"?item={ITEM}"
    assert "2 个大厅可网上预约办理" in body
    start = client.get(booking_button(body))
    page = text(start)
    assert start.status_code == 200
    assert "办理事项：居民身份证换领" in page and "共 2 个大厅可网上预约办理该事项" in page
    assert "番禺区政务服务中心" not in page
    # Each hall leads on with the item: straight to the days where one queue covers it, else to
    # the choice of queue.
    assert f'href="{reverse("booking-days", args=[bh.hall.code, "A"])}?item={ITEM}"' in page
    assert f'href="{reverse("booking-hall", args=["YX"])}?item={ITEM}"' in page
    # Narrowing by district keeps the item.
    assert f'<input type="hidden" name="item" value="{ITEM}">' in page
    by_district = text(client.get(reverse("booking-start"), {"district": "yuexiu", "item": ITEM}))
    assert "越秀区政务服务中心" in by_district and bh.hall.name not in by_district


@pytest.mark.parametrize(
    "unbookable",
    [
        lambda bh, item: SlotPlan.objects.filter(hall=bh.hall).update(is_active=False),
        lambda bh, item: SlotPlan.objects.filter(hall=bh.hall).update(valid_until=dt.date(2026, 11, 22)),
        lambda bh, item: QueueCategory.objects.filter(pk=bh.a.pk).update(is_active=False),
        lambda bh, item: bh.a.items.remove(item),  # no queue covers it
        lambda bh, item: bh.hall.items.remove(item),  # the hall does not serve it
    ],
    ids=["plans-off", "plans-expired", "queue-off", "no-queue-covers-it", "hall-does-not-serve-it"],
)
def test_no_button_where_no_hall_books_the_item(client, bh, id_card, unbookable) -> None:
    unbookable(bh, id_card)

    body = guide(client)

    assert booking_button(body) is None and "/book/" not in body.split("<main", 1)[1]


def test_no_button_on_a_historical_version(client, bh, id_card) -> None:
    from catalog import services as catalog_services

    version = catalog_services.guide_draft_create(
        item=id_card,
        effective_from=NOW.date(),
        fields=factories.guide_fields(),
        materials=[{"name": "居民户口簿", "form": Material.Form.ORIGINAL}],
    )
    catalog_services.guide_publish(version=version, actor=None, today=NOW.date())
    old = GuideVersion.objects.get(item=id_card, number=1)

    body = text(client.get(reverse("guide-version", args=[ITEM, old.number])))

    assert booking_button(body) is None
    assert booking_button(guide(client)) is not None


def test_the_start_page_refuses_an_unknown_item(client, bh) -> None:
    for value, message in (("9999999999", "没有找到该事项"), ("12AB", "事项编码应为10位数字")):
        response = client.get(reverse("booking-start"), {"item": value})
        assert response.status_code == 400 and message in text(response)


def test_the_button_costs_one_query_whatever_the_number_of_halls(client, bh, id_card) -> None:
    # The guide page's main part is cached (issue 14, docs/caching.md) and the booking section
    # kept by each process for half a minute: with the process's copies dropped, the page (its
    # main part from the shared cache) costs exactly the button's query.
    guide(client)

    def button_queries() -> int:
        page_cache.forget_sections()
        return queries(client, reverse("guide-detail", args=[ITEM]))

    with_button = button_queries()
    assert with_button == 1
    for k in range(6):
        more = make_booking_hall(f"H{k:02d}")
        more.hall.items.add(id_card)
        more.a.items.add(id_card)
        more.b.items.add(id_card)
    assert booking_button(guide(client)) == reverse("booking-start") + f"?item={ITEM}"

    assert button_queries() == with_button
    SlotPlan.objects.update(is_active=False)
    assert button_queries() == with_button  # the same one query


# --- The hall page -------------------------------------------------------------------------------


def hall_page(client, hall) -> str:
    response = client.get(reverse("hall-detail", args=[hall.code]))
    assert response.status_code == 200
    return text(response)


def rest_days(body: str) -> list[str]:
    section = body.split('class="card-list rest-days"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>|\s+", "", li) for li in re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)]


def test_the_hall_page_offers_booking_and_lists_the_weekend_and_holiday_service_days(client, bh) -> None:
    body = hall_page(client, bh.hall)

    assert f'href="{reverse("booking-hall", args=[bh.hall.code])}">预约本大厅</a>' in body
    assert f'href="{reverse("booking-find")}"' in body
    assert "周末及节假日错时服务" in body
    # Queue A's staggered plan: 9:00–12:00 in slots of an hour with 2 seats, on the weekend in
    # the horizon (the next one, 5–6 December, is not open for booking yet).
    assert rest_days(body) == [
        "11月28日（星期六）9:00–12:00A户政业务（余6个名额）",
        "11月29日（星期日）9:00–12:00A户政业务（余6个名额）",
    ]
    assert f'href="{reverse("booking-days", args=[bh.hall.code, "A"])}?day=2026-11-28#slots"' in body


def test_a_holiday_is_listed_with_its_queues_and_a_full_day_says_so(client, bh) -> None:
    # Tuesday 1 December is a holiday (known before its slots were generated): staggered slots.
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 12, 1), defaults={"kind": CalendarDay.Kind.HOLIDAY, "source": CalendarDay.Source.MANUAL}
    )
    Slot.objects.filter(hall=bh.hall, date=dt.date(2026, 12, 1)).delete()
    SlotPlan.objects.create(
        hall=bh.hall, category=bh.b, kind="staggered", starts=dt.time(14), ends=dt.time(16), slot_minutes=60, capacity=1
    )
    services.slots_generate(start=NOW.date(), end=dt.date(2026, 12, 2), now=NOW)
    Slot.objects.filter(category=bh.a, date=SUNDAY).update(booked=2)  # Sunday's A slots are full
    Slot.objects.filter(pk=bh.slot(SATURDAY, 14, category=bh.b).pk).update(is_closed=True)  # closed: not offered

    days = rest_days(hall_page(client, bh.hall))

    assert days[0] == "11月28日（星期六）9:00–12:00、15:00–16:00A户政业务（余6个名额）；B社保业务（余1个名额）"
    assert days[1] == "11月29日（星期日）9:00–12:00、14:00–16:00A户政业务（已约满）；B社保业务（余2个名额）"
    assert days[2] == "12月1日（星期二）9:00–12:00、14:00–16:00A户政业务（余6个名额）；B社保业务（余2个名额）"
    assert len(days) == 3


def test_touching_plans_of_one_day_read_as_one_stretch(client, bh) -> None:
    SlotPlan.objects.create(
        hall=bh.hall, category=bh.a, kind="staggered", starts=dt.time(12), ends=dt.time(13), capacity=1
    )
    services.slots_ensure_horizon(now=NOW)

    assert rest_days(hall_page(client, bh.hall))[0].startswith("11月28日（星期六）9:00–13:00A")


def test_a_hall_without_weekend_service_says_so_and_one_without_booking_shows_nothing(client, bh) -> None:
    SlotPlan.objects.filter(hall=bh.hall, kind="staggered").update(is_active=False)
    Slot.objects.filter(hall=bh.hall, kind="staggered").delete()
    body = hall_page(client, bh.hall)
    assert "预约本大厅" in body and "近期没有可预约的周末及节假日错时服务" in body

    plain = factories.hall(code="NOBOOK")
    body = hall_page(client, plain)
    assert "预约本大厅" not in body and "错时服务：" not in body and "/book/" not in body.split("<main", 1)[1]


def test_the_hall_section_costs_one_query_whatever_the_number_of_slots(client, bh) -> None:
    # The hall page's main part is cached (issue 14, docs/caching.md) and the booking section
    # kept by each process for half a minute: with the process's copies dropped, the page (its
    # main part from the shared cache) costs exactly the section's query.
    def section_queries(hall) -> int:
        hall_page(client, hall)  # the main part cached
        page_cache.forget_sections()
        return queries(client, reverse("hall-detail", args=[hall.code]))

    small = section_queries(bh.hall)
    assert small == 1
    for letter in "CDEF":
        queue = QueueCategory.objects.create(hall=bh.hall, letter=letter, name=f"业务{letter}")
        for kind, starts, ends in (("regular", 9, 17), ("staggered", 9, 17), ("extended", 17, 20)):
            SlotPlan.objects.create(
                hall=bh.hall,
                category=queue,
                kind=kind,
                starts=dt.time(starts),
                ends=dt.time(ends),
                slot_minutes=5,
                capacity=3,
            )
    services.slots_ensure_horizon(now=NOW)
    assert Slot.objects.filter(hall=bh.hall).count() > 2000

    assert section_queries(bh.hall) == small
    plain = factories.hall(code="NOBOOK")
    assert section_queries(plain) == small


def test_the_kiosk_offers_booking_instead_of_a_queue_no_window_serves(client, bh) -> None:
    # No clerk is signed in at the hall's window: pressing queue A offers booking at this hall,
    # which takes bookings (a hall without slot plans gets no link: tests/queueing/test_kiosk.py).
    start = text(client.get(f"/halls/{bh.hall.code}/kiosk/"))
    assert f'href="{reverse("booking-kiosk-checkin", args=[bh.hall.code])}"' in start
    page = text(client.post(f"/halls/{bh.hall.code}/kiosk/", {"category": "A"}))
    assert "当前无窗口办理该业务" in page
    # The kiosk's button keeps the booking on the kiosk (tests/appointments/test_kiosk_booking.py);
    # the QR code takes it to the person's phone.
    assert f'href="{reverse("booking-kiosk-hall", args=[bh.hall.code])}"' in page
    assert f'href="{reverse("booking-hall", args=[bh.hall.code])}"' not in page
    assert re.search(r'<img class="kiosk-offer-qr" src="data:image/svg\+xml;base64,[^"]+" alt="网上预约的二维码"', page)
