"""Fixes from a browser walkthrough: the staff workbench's case links (servicehall/extensions.py
``STAFF_HOME``), forwarding pages and figures, and the urgent-matter pages."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import forwarding, urgent
from catalog.models import GuideVersion
from tests.cases.factories import D, at

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def citywide(world):
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    return world


# --- 1. The workbench links to the case pages each role may open ------------------------------


def _links(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("staff-home"))
    assert page.status_code == 200
    return page.content.decode()


def test_the_workbench_links_each_role_to_its_case_pages(citywide, client):
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    forwarding.case_forward(
        case=case,
        actor=world.tianhe_clerk,
        to_hall=world.city,
        collect_at="received_hall",
        now=at(TODAY, 10),
    )
    other = world.receive(world.licence, now=at(TODAY, 9), actor=world.market_clerk)
    urgent.urgent_request_case(
        case=other,
        actor=world.market_clerk,
        category="medical",
        text="下周一赴外地住院手术，需要提前办结",
        now=at(TODAY, 11),
    )

    clerk = _links(client, world.market_clerk)
    for name in ("case-list", "bundle-case-list", "case-forwarding-inbox"):
        assert f'href="{reverse(name)}"' in clerk
    assert f'href="{reverse("case-inbox")}"' not in clerk
    assert f'href="{reverse("urgent-inbox")}"' not in clerk
    assert "待接收转办：1" in clerk

    chief = _links(client, world.market_chief)
    for name in ("case-list", "bundle-case-list", "case-inbox", "urgent-inbox", "case-forwarding-inbox"):
        assert f'href="{reverse(name)}"' in chief
    assert "待审批急办：1" in chief

    supervisor = _links(client, world.city_supervisor)
    assert f'href="{reverse("case-list")}"' in supervisor
    assert f'href="{reverse("case-forwarding-inbox")}"' not in supervisor
    assert f'href="{reverse("urgent-inbox")}"' not in supervisor


def test_the_workbench_block_costs_constant_queries(citywide, client):
    world = citywide
    client.force_login(world.market_chief)
    client.get(reverse("staff-home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("staff-home"))
    for _ in range(3):
        case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
        forwarding.case_forward(
            case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="received_hall", now=at(TODAY, 10)
        )
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("staff-home"))
    assert len(after) == len(before)


# --- 2. Forwarding -----------------------------------------------------------------------------


def _taken_over(world):
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    sent = forwarding.case_forward(
        case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="received_hall", now=at(TODAY, 10)
    )
    forwarding.forwarding_accept(forwarding=sent, actor=world.market_clerk, now=at(TODAY, 11))
    case.refresh_from_db()
    return case, sent


def test_a_taken_over_case_says_why_it_cannot_be_forwarded_and_offers_no_form(citywide, client):
    world = citywide
    case, _sent = _taken_over(world)
    client.force_login(world.market_clerk)
    url = reverse("case-forward", args=[case.number])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "本件已由天河区政务服务中心转来，不能再次转办" in text
    assert 'name="to_hall"' not in text
    posted = client.post(url, {"to_hall": "", "collect_at": "received_hall"})
    assert posted.status_code == 409
    assert "本件已由天河区政务服务中心转来" in posted.content.decode()
    assert "该字段是必填项" not in posted.content.decode()


def test_a_forwarded_case_never_in_correction_offers_plain_acceptance(citywide, client):
    world = citywide
    case, _sent = _taken_over(world)
    client.force_login(world.market_clerk)
    text = client.get(reverse("case-detail", args=[case.number])).content.decode()
    assert "受理（材料已补正齐全）" not in text
    assert ">受理</summary>" in text


def test_the_dashboards_label_forwarding_figures_by_direction(citywide, client):
    world = citywide
    _taken_over(world)
    other = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    back = forwarding.case_forward(
        case=other, actor=world.tianhe_clerk, to_hall=world.city, collect_at="received_hall", now=at(TODAY, 10)
    )
    forwarding.forwarding_return(forwarding=back, actor=world.market_clerk, reason="不属本大厅管辖", now=at(TODAY, 11))
    client.force_login(world.city_supervisor)
    tianhe = client.get(reverse("supervisor-hall", args=[world.tianhe.code])).content.decode()
    city = client.get(reverse("supervisor-hall", args=[world.city.code])).content.decode()
    assert "近30天本大厅转出（对方已接收 / 已退回）" in tianhe
    assert 'data-figure="out">1 / 1<' in tianhe and 'data-figure="in">0 / 0<' in tianhe
    assert 'data-figure="out">0 / 0<' in city and 'data-figure="in">1 / 1<' in city
    assert "近30天接收" not in city


def test_the_return_message_spaces_the_case_number(citywide, client):
    world = citywide
    case = world.receive(world.licence, now=at(TODAY, 9), actor=world.tianhe_clerk, hall=world.tianhe)
    sent = forwarding.case_forward(
        case=case, actor=world.tianhe_clerk, to_hall=world.city, collect_at="received_hall", now=at(TODAY, 10)
    )
    client.force_login(world.market_clerk)
    page = client.post(
        reverse("case-forwarding-return", args=[sent.pk]), {f"return-{sent.pk}-reason": "不属本大厅管辖"}, follow=True
    )
    assert f"已将办件 {case.number} 退回天河区政务服务中心。" in page.content.decode()


# --- 3. Urgent matters -------------------------------------------------------------------------


def _urgent_booking(world, client, *, item=True):
    import datetime as dt

    from appointments import services as booking_services
    from appointments.models import Slot, SlotPlan
    from queueing.models import QueueCategory

    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    SlotPlan.objects.create(
        hall=world.city, category=category, kind="regular", starts=dt.time(9), ends=dt.time(11), capacity=2
    )
    booking_services.slots_generate(start=TODAY, end=D(2026, 11, 26), halls=[world.city.pk], now=at(TODAY, 8))
    return Slot.objects.get(category=category, starts_at=at(D(2026, 11, 26), 9))


def test_the_booking_form_asks_for_an_item_before_an_urgent_request(world, client):
    slot = _urgent_booking(world, client)
    url = f"/book/slot/{slot.pk}/"
    without = client.get(url).content.decode()
    assert "申请急事急办须先选择办理事项。" in without
    assert 'name="urgent-wanted"' not in without
    with_item = client.get(url, {"item": world.licence.code}).content.decode()
    assert 'name="urgent-wanted"' in with_item and "申请急事急办须先选择办理事项。" not in with_item


def test_the_manage_page_shows_the_urgent_request_before_and_after_the_decision(world, client):
    from appointments.models import Booking
    from cases.models import UrgentRequest
    from tests.cases.factories import id_number

    slot = _urgent_booking(world, client)
    booked = client.post(
        f"/book/slot/{slot.pk}/",
        {
            "name": "陈志强",
            "id_number": id_number(),
            "mobile": "13800138001",
            "consent": "on",
            "item": world.licence.code,
            "urgent-wanted": "on",
            "urgent-reason_category": "business",
            "urgent-reason_text": "公司下周参加投标须提交许可证",
        },
    )
    assert booked.status_code == 302
    booking = Booking.objects.get()
    manage = f"/book/manage/{booking.manage_token}/"
    before = client.get(manage).content.decode()
    assert "随本预约申请了急事急办（事由：企业生产经营急需）" in before
    assert "正在等待部门首席事务代表审批" in before
    urgent.urgent_approve(
        request=UrgentRequest.objects.get(), actor=world.market_chief, promised_days=3, now=at(TODAY, 14)
    )
    after = client.get(manage).content.decode()
    assert "已获批准：自受理之日起 3 个工作日内办结。" in after


def test_the_approval_page_shows_the_working_days_left(world, client):
    case = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")  # due Mon 7 Dec
    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(TODAY, 11)
    )
    client.force_login(world.market_chief)
    page = client.get(reverse("urgent-detail", args=[request.pk])).content.decode()
    assert "剩余 10 个工作日，截止 2026-12-07" in page


def test_an_instant_item_not_yet_accepted_cannot_be_approved_at_zero_days(world):
    from cases.services import CaseError

    case = world.receive(world.stamp, now=at(TODAY, 9))  # instant (即办), 0 days promised
    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(TODAY, 11)
    )
    with pytest.raises(CaseError) as refused:
        urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=0, now=at(TODAY, 12))
    assert refused.value.field == "promised_days" and "即办件" in str(refused.value.message)
    request.refresh_from_db()
    assert request.status == "requested"


def test_the_report_number_follows_the_reports_own_id_and_names_the_approver(world, client):
    from servicehall.models import StaffProfile

    case = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    first = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(TODAY, 10)
    )
    urgent.urgent_approve(request=first, actor=world.market_chief, promised_days=2, now=at(TODAY, 11))
    other = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    second = urgent.urgent_request_case(
        case=other, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(TODAY, 10)
    )
    StaffProfile.objects.filter(user=world.market_chief).update(display_name="王敏", staff_number="GA1024")
    world.market_chief.refresh_from_db()
    report = urgent.urgent_refuse(request=second, actor=world.market_chief, reason="需现场核查", now=at(TODAY, 14))
    assert report.pk != second.pk
    assert report.number == f"JJBG20261123{report.pk:06d}"

    client.force_login(world.city_supervisor)
    printed = client.get(reverse("urgent-report-print", args=[report.pk])).content.decode()
    assert "王敏（工号 GA1024，首席事务代表）" in printed
    assert 'class="signature"' in printed
    client.force_login(world.market_chief)
    detail = client.get(reverse("urgent-detail", args=[second.pk])).content.decode()
    assert "（王敏，工号 GA1024，2026-11-23 14:00）" in detail
    listing = client.get(reverse("urgent-inbox")).content.decode()
    assert "wrap-cells" in listing


def test_the_urgent_pages_use_translated_separators_in_english(world, client):
    case = world.receive(world.licence, now=at(TODAY, 9), outcome="accept")
    request = urgent.urgent_request_case(
        case=case, actor=world.clerk, category="medical", text="下周一赴外地住院手术，需要提前办结", now=at(TODAY, 10)
    )
    urgent.urgent_approve(request=request, actor=world.market_chief, promised_days=2, reason="同意", now=at(TODAY, 11))
    client.force_login(world.market_chief)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("urgent-detail", args=[request.pk])).content.decode()
    assert "Medical treatment: " in page or ": 下周一赴外地住院手术" in page
    assert ": 同意</dd>" in page and "：同意" not in page
