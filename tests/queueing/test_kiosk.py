"""The kiosk is a kiosk (issue 8): it warns when no window serves a queue, offering booking or
another hall before a ticket that would wait for nobody, and it has a layout of its own with no
way off the kiosk, large targets and an idle return to the start."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from catalog.models import Hall
from queueing import selectors, services
from queueing.models import QueueCategory, Ticket, Window
from tests.catalog import factories
from tests.queueing.factories import NOW, booking_only_saturdays, id_number

pytestmark = pytest.mark.django_db(transaction=True)
YOUNG = id_number("19900307")
NO_WINDOW = "当前无窗口办理该业务"


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def kiosk_url(qh) -> str:
    return reverse("queue-kiosk", args=[qh.hall.code])


def button(body: str, letter: str) -> str:
    """The kiosk's button of one queue."""
    match = re.search(rf'<button type="submit" name="category" value="{letter}".*?</button>', body, re.S)
    assert match, f"no button for queue {letter}"
    return match.group(0)


def only_b_is_served(qh) -> None:
    """Window 3 (queue B) is open; nobody sits at the comprehensive, A or green-channel windows."""
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW)


def other_hall(code: str, *, level=Hall.Level.DISTRICT, district="tianhe", name="户政业务", open_window=True, **kw):
    """Another hall with one queue and one window for it (open or not)."""
    hall = factories.hall(code=code, level=level, district=district, **kw)
    category = QueueCategory.objects.create(hall=hall, letter="K", name=name, name_en="Household")
    window = Window.objects.create(hall=hall, number=1, kind=Window.Kind.SPECIALISED, is_open=open_window)
    window.categories.add(category)
    return hall, category


def test_the_kiosk_bar_names_the_hall_it_stands_in(client) -> None:
    """Walkthrough: a district hall's kiosk said 广州市政务服务中心 (the portal's name, which is the
    city centre's) above its own hall's name."""
    hall, _category = other_hall("TH-KB")
    body = text(client.get(reverse("queue-kiosk", args=[hall.code])))
    bar = re.search(r'<p class="kiosk-bar-title">(.*?)</p>', body, re.S)
    assert bar and f"{hall.display_name} · 自助服务终端" in bar.group(1)
    assert "广州市政务服务中心" not in bar.group(1)


# --- A queue with no open window -------------------------------------------------------------


def test_a_queue_no_open_window_serves_says_so_instead_of_an_estimate(client, qh) -> None:
    only_b_is_served(qh)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk")

    body = text(client.get(kiosk_url(qh)))

    a, b = button(body, "A"), button(body, "B")
    assert NO_WINDOW in a and "预计等候" not in a and "当前等候 0 人" in a
    assert 'class="kiosk-category is-unstaffed"' in a
    # B: one waiting, one window, the 8-minute prior: a newcomer waits about (1 + ¼) × 8 = 10 minutes.
    assert NO_WINDOW not in b and "当前等候 1 人，预计等候约 10 分钟" in b
    assert 'class="kiosk-category"' in b


def test_every_queue_is_served_by_an_open_comprehensive_window(client, qh) -> None:
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1], now=NOW)
    body = text(client.get(kiosk_url(qh)))
    assert NO_WINDOW not in body and "is-unstaffed" not in body
    assert "当前等候 0 人，无需等候" in button(body, "A")


def test_a_closed_hall_shows_no_such_warning(client, qh, clock) -> None:
    clock.move_to(NOW.replace(hour=18))
    body = text(client.get(kiosk_url(qh)))
    assert "本大厅现不在办公时间" in body and NO_WINDOW not in body


def test_pressing_a_queue_without_a_window_asks_first_and_offers_booking(client, qh) -> None:
    only_b_is_served(qh)

    response = client.post(kiosk_url(qh), {"category": "A", "id_number": YOUNG, "priority": "disabled"})

    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    body = text(response)
    heading = re.search(r'<h2 id="unstaffed-heading"[^>]*>(.*?)</h2>', body, re.S)
    assert heading and "data-kiosk-focus" in heading.group(0)
    assert re.sub(r"<[^>]+>|\s", "", heading.group(1)) == "A户政业务：当前无窗口办理该业务"
    assert "现在取号无法估算等候时间（已有 0 人在等候）" in body
    # This hall takes no online bookings: no link to a booking page that would say so
    # (appointments adds the offer where a hall does: tests/appointments/test_catalog_sections.py).
    assert f'href="{reverse("booking-hall", args=[qh.hall.code])}"' not in body
    # No hall nearby serves it either.
    assert "本区和市级政务服务中心现在也没有开放的窗口办理该业务" in body
    # Taking the ticket anyway is a second, explicit press that carries what was typed.
    form = body[body.index('<form method="post" action="/halls/QH/kiosk/" class="kiosk-confirm">') :]
    form = form[: form.index("</form>")]
    for name, value in (("category", "A"), ("id_number", YOUNG), ("priority", "disabled"), ("confirm_unstaffed", "1")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in form
    assert "仍在本大厅取号（等候时间无法估算）" in form
    assert f'href="{kiosk_url(qh)}"' in form  # or back to choose again
    # The categories are not offered again on this page: one question at a time.
    assert 'name="category" value="B"' not in body


def test_a_wrong_id_number_is_said_before_the_no_window_question(client, qh) -> None:
    only_b_is_served(qh)

    response = client.post(kiosk_url(qh), {"category": "A", "id_number": "110105199003070021", "priority": ""})

    assert response.status_code == 400 and Ticket.objects.count() == 0
    body = text(response)
    assert 'id="unstaffed-heading"' not in body and "身份证号码校验位不正确" in body


def test_taking_the_ticket_anyway_after_the_warning(client, qh) -> None:
    only_b_is_served(qh)

    response = client.post(
        kiosk_url(qh), {"category": "A", "id_number": YOUNG, "priority": "disabled", "confirm_unstaffed": "1"}
    )

    ticket = Ticket.objects.get()
    assert ticket.number == "VA001" and ticket.priority == "disabled" and ticket.source == "kiosk"
    assert response.status_code == 302 and response.url == reverse("queue-slip", args=[ticket.token])
    assert "暂无法估算" in text(client.get(response.url))


def test_a_served_queue_issues_at_once(client, qh) -> None:
    only_b_is_served(qh)
    response = client.post(kiosk_url(qh), {"category": "B"})
    assert response.status_code == 302 and Ticket.objects.get().number == "B001"


def test_errors_of_the_confirmed_press_are_shown_on_the_form(client, qh) -> None:
    """An ID number with a wrong check character is refused when the ticket is taken."""
    only_b_is_served(qh)
    bad = YOUNG[:-1] + ("0" if YOUNG[-1] != "0" else "1")
    response = client.post(kiosk_url(qh), {"category": "A", "id_number": bad, "confirm_unstaffed": "1"})
    assert response.status_code == 400 and "校验位不正确" in text(response)
    assert Ticket.objects.count() == 0


# --- Another hall that serves it ---------------------------------------------------------------


def test_another_hall_is_offered_when_its_window_for_the_queue_is_open(client, qh) -> None:
    """Same district or city level, a queue of the same name (whatever its letter), an open
    window that serves it, and open now: nearest first, then the shorter queue."""
    near, near_queue = other_hall("NEAR", name="户政业务", address="天河区近路1号")
    services.ticket_issue(hall=near, category=near_queue, source="kiosk")
    other_hall("QUIET", name="户政业务")
    other_hall("CITY2", level=Hall.Level.CITY, district="yuexiu")  # the fourth: not shown
    other_hall("FAR", district="panyu")  # another district's centre
    other_hall("SHUT", open_window=False)  # nobody at its window
    other_hall("SOCIAL", name="社保业务")  # another queue
    closed, _ = other_hall("CLOSED")  # a window left open, but the hall has no hours today
    closed.opening_hours.all().delete()
    comprehensive_hall = factories.hall(code="COMP", district="tianhe")
    QueueCategory.objects.create(hall=comprehensive_hall, letter="A", name="户政业务")
    Window.objects.create(hall=comprehensive_hall, number=1, kind=Window.Kind.COMPREHENSIVE, is_open=True)
    inactive, inactive_queue = other_hall("OFF")
    QueueCategory.objects.filter(pk=inactive_queue.pk).update(is_active=False)

    found = selectors.served_elsewhere(hall=qh.hall, category=qh.a, now=NOW)

    assert [(row.hall_code, row.letter, row.open_windows, row.waiting) for row in found] == [
        ("COMP", "A", 1, 0),
        ("QUIET", "K", 1, 0),
        ("NEAR", "K", 1, 1),
    ]
    assert found[2].address == "天河区近路1号" and found[2].same_district

    body = text(client.post(kiosk_url(qh), {"category": "A"}))
    places = re.findall(r'<strong class="kiosk-elsewhere-hall">(.*?)</strong>', body)
    assert places == [Hall.objects.get(code=code).name for code in ("COMP", "QUIET", "NEAR")]
    assert "开放窗口 1 个，当前等候 1 人" in body and "K · 户政业务" in body


def test_a_city_level_centre_of_another_district_is_offered(qh) -> None:
    other_hall("CITY2", level=Hall.Level.CITY, district="yuexiu")
    found = selectors.served_elsewhere(hall=qh.hall, category=qh.a, now=NOW)
    assert [(row.hall_code, row.same_district) for row in found] == [("CITY2", False)]


def test_halls_serving_elsewhere_are_read_once_and_then_from_the_cache(qh, django_assert_num_queries) -> None:
    other_hall("NEAR")
    with django_assert_num_queries(3):  # the queues, their halls' hours, the calendar day
        first = selectors.served_elsewhere(hall=qh.hall, category=qh.a, now=NOW)
    with django_assert_num_queries(0):
        again = selectors.served_elsewhere(hall=qh.hall, category=qh.a, now=NOW)
    assert first == again and len(first) == 1


def test_the_kiosk_costs_no_more_queries_when_queues_have_no_window(client, qh, django_assert_num_queries) -> None:
    client.get(kiosk_url(qh))  # the snapshot and the hall's settings are cached, as in a running kiosk
    with django_assert_num_queries(3):  # the hall, its queues, their first items
        body = text(client.get(kiosk_url(qh)))
    assert body.count(NO_WINDOW) == 2
    qh.sign_in_all()
    client.get(kiosk_url(qh))
    with django_assert_num_queries(3):
        assert NO_WINDOW not in text(client.get(kiosk_url(qh)))


# --- The kiosk's own layout ------------------------------------------------------------------


def links(body: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]*)"', body)


def test_the_kiosk_has_no_site_navigation_and_goes_back_to_the_start_when_idle(client, qh) -> None:
    response = client.get(kiosk_url(qh))

    body = text(response)
    assert '<html lang="zh-Hans" class="care">' in body
    for chrome in ("<nav", "site-header", "site-footer", "skip-link", "main-nav", 'href="/"'):
        assert chrome not in body, chrome
    # No way off the start page: this hall takes no bookings, so not even the check-in (itself a
    # kiosk page) is offered (tests/appointments/test_kiosk_booking.py: where the hall does).
    assert links(body) == []
    body_tag = re.search(r"<body [^>]*>", body).group(0)
    assert f'data-kiosk-home="{kiosk_url(qh)}?reset=1"' in body_tag
    assert 'data-kiosk-idle-seconds="60"' in body_tag and 'data-kiosk-warn-seconds="15"' in body_tag
    assert 'data-kiosk-after-print-seconds="5"' in body_tag
    assert "data-kiosk-start" in body_tag  # untouched: refreshed quietly, no "still there?"
    assert re.search(r'<div class="kiosk-idle" data-kiosk-idle-warning hidden>', body)
    assert '<button type="button" class="button primary kiosk-idle-stay" data-kiosk-stay>继续使用</button>' in body
    # The script carries the response's CSP nonce; no inline script, style or handler.
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script src="/static/js/kiosk.js" nonce="{nonce}" defer></script>' in body
    assert " style=" not in body and not re.search(r"\son[a-z]+=", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)


def test_the_idle_return_to_the_start_restores_the_halls_language(client, qh) -> None:
    """Walkthrough: a visitor switched the kiosk to English and walked away; the idle return
    (static/js/kiosk.js, to data-kiosk-home) left the start page in English for the next one."""
    from django.conf import settings

    assert client.post("/i18n/setlang/", {"language": "en", "next": kiosk_url(qh)}).status_code == 302
    assert '<html lang="en"' in text(client.get(kiosk_url(qh)))
    home = re.search(r'data-kiosk-home="([^"]*)"', text(client.get(kiosk_url(qh)))).group(1)
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == kiosk_url(qh)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    body = text(client.get(response["Location"], follow=True))
    assert '<html lang="zh-Hans" class="care">' in body and "data-kiosk-start" in body


def test_a_kiosk_page_after_a_press_is_not_the_untouched_start(client, qh) -> None:
    body = text(client.post(kiosk_url(qh), {"id_number": YOUNG}))
    assert "data-kiosk-start" not in re.search(r"<body [^>]*>", body).group(0)


def test_the_slip_and_the_check_in_are_kiosk_pages_too(client, qh) -> None:
    qh.sign_in_all()
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket

    slip = text(client.get(reverse("queue-slip", args=[ticket.token])))
    assert "site-header" not in slip and "<nav" not in slip
    assert f'data-kiosk-home="{kiosk_url(qh)}?reset=1"' in slip
    # The ticket page is for the person's phone, through the QR code: no link leads the kiosk there.
    # 急事急办 is offered by a QR code of the phone's form, not a link (tests/cases/test_urgent_kiosk_slip.py).
    assert links(slip) == [kiosk_url(qh)]
    assert "data-print" in slip
    urgent = text(client.get(f"/t/{ticket.token}/urgent/"))
    assert "site-header" not in urgent and "<nav" not in urgent and 'data-kiosk-idle-seconds="60"' in urgent

    check_in = text(client.get(reverse("booking-kiosk-checkin", args=[qh.hall.code])))
    assert "site-header" not in check_in and "<nav" not in check_in
    assert 'data-kiosk-idle-seconds="60"' in check_in


def test_the_kiosk_keeps_its_touch_targets_large() -> None:
    """Care mode's 20 px root: 3rem is 60 px; every kiosk control is at least 48 px high."""
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "queue.css").read_text()
    for rule in (
        ".kiosk-page .button { min-height: 3rem; min-width: 3rem; }",
        ".kiosk-page main a:not(.button) { display: inline-flex; align-items: center; min-height: 3rem; }",
    ):
        assert rule in css
    for selector in (".kiosk-option", ".kiosk-category", ".kiosk-bar-button", "input.kiosk-input"):
        match = re.search(rf"{re.escape(selector)} \{{[^}}]*min-height: ([\d.]+)rem", css)
        assert match and float(match.group(1)) * 20 >= 48, selector


# --- Hours the kiosk tells ---------------------------------------------------------------------


def test_hours_extended_by_an_administrator_take_effect_at_once_at_the_kiosk(client, qh, clock) -> None:
    """Hours are remembered for half a minute per process: a kiosk that remembered "closed"
    must neither refuse a ticket nor name a past time as the next opening once the hall is open."""
    clock.move_to(NOW.replace(hour=17, minute=30))
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2], now=NOW.replace(hour=17, minute=30))
    with pytest.raises(services.QueueError):
        services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    assert "本大厅现不在办公时间" in text(client.get(kiosk_url(qh)))

    qh.hall.opening_hours.filter(weekday=NOW.weekday()).update(extended_until=dt.time(19))

    body = text(client.get(kiosk_url(qh)))
    assert "本大厅现不在办公时间" not in body and "下次开放时间" not in body
    issued = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    assert issued.ticket.number == "A001"


def test_a_booking_only_day_tells_walk_in_visitors_to_check_in_or_book(client, qh, clock) -> None:
    booking_only_saturdays(qh.hall)
    saturday = NOW + dt.timedelta(days=2)
    assert saturday.weekday() == 5
    clock.move_to(saturday)
    body = text(client.get(kiosk_url(qh)))
    assert "今天为错时服务日，本大厅只为已预约的群众办理，现场不能取号。" in body
    assert "本大厅现不在办公时间" not in body
    assert "下次开放时间：2026-11-30 09:00" in body

    clock.move_to(saturday + dt.timedelta(days=1))  # Sunday: closed, no booking-only hours
    body = text(client.get(kiosk_url(qh)))
    assert "本大厅现不在办公时间" in body and "错时服务日" not in body


def test_the_title_names_the_hall_once_where_it_is_the_portals_name(client, qh, settings) -> None:
    settings.PORTAL_NAME = qh.hall.display_name
    title = re.search(r"<title>(.*?)</title>", text(client.get(kiosk_url(qh))), re.S).group(1)
    assert title.count(qh.hall.display_name) == 1
    settings.PORTAL_NAME = "广州市政务服务网"
    title = re.search(r"<title>(.*?)</title>", text(client.get(kiosk_url(qh))), re.S).group(1)
    assert qh.hall.display_name in title and "广州市政务服务网" in title
