"""Queue test data: a hall with two queues, four windows and their staff; valid ID numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from catalog.models import Hall
from queueing import services
from queueing.models import QueueCategory, Window
from servicehall import roles
from servicehall.clock import SHANGHAI
from tests.catalog import factories
from tests.servicehall.factories import staff_user

# A Thursday morning, a working day.
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
VALID_ID_YOUNG = "11010519900307002X"  # born 1990
VALID_ID_OLD = "110105194912310021"  # born 1949 (check character computed in the fixture)


def id_number(birth: str, seq: str = "002") -> str:
    from servicehall.personal_data import id_number_check_character

    first17 = f"110105{birth}{seq}"
    return first17 + id_number_check_character(first17)


@dataclass
class QueueHall:
    hall: Hall
    a: QueueCategory
    b: QueueCategory
    comprehensive: Window
    window_a: Window
    window_b: Window
    green: Window
    staff: dict[int, Any]

    def sign_in_all(self, now: dt.datetime = NOW) -> None:
        for window in (self.comprehensive, self.window_a, self.window_b, self.green):
            services.window_sign_in(window=window, staff=self.staff[window.number], now=now)
            window.refresh_from_db()


def make_queue_hall(code: str = "QH") -> QueueHall:
    hall = factories.hall(code=code, level=Hall.Level.CITY)
    a = QueueCategory.objects.create(hall=hall, letter="A", name="户政业务", order=1)
    b = QueueCategory.objects.create(hall=hall, letter="B", name="社保业务", order=2)
    comprehensive = Window.objects.create(hall=hall, number=1, kind=Window.Kind.COMPREHENSIVE)
    window_a = Window.objects.create(hall=hall, number=2, kind=Window.Kind.SPECIALISED)
    window_a.categories.add(a)
    window_b = Window.objects.create(hall=hall, number=3, kind=Window.Kind.SPECIALISED)
    window_b.categories.add(b)
    green = Window.objects.create(hall=hall, number=4, kind=Window.Kind.GREEN_CHANNEL)
    green.categories.add(a)
    staff = {n: staff_user(f"{code.lower()}-w{n}", role=roles.WINDOW_STAFF, hall_=hall) for n in (1, 2, 3, 4)}
    return QueueHall(hall, a, b, comprehensive, window_a, window_b, green, staff)


def pair_kiosk(client: Any, hall: Hall, name: str = "一楼大堂1号机") -> Any:
    """Register a kiosk of ``hall`` and give ``client`` its cookie, as pairing the kiosk's browser
    does (``/halls/<code>/kiosk/pair/``). Returns the device."""
    from django.http import HttpResponse

    from queueing.access import KIOSK_COOKIE, set_kiosk_cookie

    device, credential = services.kiosk_device_register(hall=hall, name=name, actor=None)
    response = HttpResponse()
    set_kiosk_cookie(response, hall_code=hall.code, credential=credential)
    client.cookies[KIOSK_COOKIE] = response.cookies[KIOSK_COOKIE].value
    return device


def booking_only_saturdays(hall: Hall) -> None:
    """The hall works on Saturdays 09:00–12:00 for people with a booking only (错时服务)."""
    from catalog.models import HallOpeningHours

    HallOpeningHours.objects.create(
        hall=hall,
        weekday=5,
        morning_opens=dt.time(9),
        morning_closes=dt.time(10, 30),
        afternoon_opens=dt.time(10, 30),
        afternoon_closes=dt.time(12),
        appointment_only=True,
    )
