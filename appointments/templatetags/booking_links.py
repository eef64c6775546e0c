"""Where booking starts, for pages other apps draw (the catalog's guide and hall pages) and for
the booking start page itself.

The guide page belongs to ``catalog``, which does not know appointments exist; the section
appointments adds to it (``servicehall.extensions.GUIDE_ACTIONS``) reads here whether the item
can be booked and where its "预约办理" leads, and the hall page's section
(``extensions.HALL_PAGE``) what booking offers at the hall. One query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from appointments import selectors
from catalog.models import Hall, ServiceItem
from queueing.access import kiosk_device_of
from queueing.models import QueueCategory, Ticket
from queueing.qr import qr_data_uri
from servicehall.clock import local_date
from servicehall.memo import memoised

register = template.Library()


@register.simple_tag(name="booking_entry_url")
def entry_url(entry: selectors.BookableHall, item: ServiceItem | None = None) -> str:
    """Where booking at ``entry``'s hall starts. With an item that one of its queues covers, that
    queue's days (step 3); with an item several cover, the hall's queues with the item chosen
    (step 2: the person picks the queue); without an item, the hall's queues."""
    hall_url = reverse("booking-hall", args=[entry.hall.code])
    if item is None:
        return hall_url
    query = urlencode({"item": item.code})
    if len(entry.categories) == 1:
        return f"{reverse('booking-days', args=[entry.hall.code, entry.categories[0].category.letter])}?{query}"
    return f"{hall_url}?{query}"


@dataclass
class ItemOffer:
    """Where the guide page's "预约办理" leads, and the halls that book the item."""

    url: str
    halls: list[selectors.BookableHall]


@register.simple_tag
def item_booking(item: ServiceItem) -> ItemOffer | None:
    """None when no hall books ``item`` (a hall that serves it, with an active slot plan of an
    active queue covering it). With one hall, the link goes straight into that hall's booking;
    with several, to the list of those halls with the item kept. One query."""
    halls = selectors.bookable_halls(today=local_date(), item=item)
    if not halls:
        return None
    if len(halls) == 1:
        return ItemOffer(entry_url(halls[0], item), halls)
    return ItemOffer(f"{reverse('booking-start')}?{urlencode({'item': item.code})}", halls)


@register.simple_tag
def hall_booking(hall: Hall) -> selectors.HallOffer:
    """Whether the hall offers slots soon, and its weekend and holiday service days (one query)."""
    return selectors.hall_offer(hall=hall, now=timezone.now())


@register.simple_tag
def queue_booking_url(category: QueueCategory) -> str:
    """Where booking ``category`` starts (its days), or "" when it takes no online bookings. One
    query."""
    if not selectors.category_is_bookable(category=category, today=local_date()):
        return ""
    return reverse("booking-days", args=[category.hall.code, category.letter])


@dataclass
class KioskOffer:
    """Booking at the kiosk's hall: the page, and a QR code of its full address for a phone."""

    path: str
    qr: str


@register.simple_tag
def kiosk_booking(hall: Hall, request: HttpRequest) -> KioskOffer | None:
    """None when the hall takes no online bookings soon (a street hall or a station without slot
    plans): the kiosk then offers only the other halls, never a link to a page that says no.
    The kiosk's own button leads to the booking steps in the kiosk's layout; the QR code to the
    site's, for the person's phone."""
    if not selectors.hall_offer(hall=hall, now=timezone.now()).bookable:
        return None
    path = reverse("booking-kiosk-hall", args=[hall.code])
    return KioskOffer(path, qr_data_uri(request.build_absolute_uri(reverse("booking-hall", args=[hall.code]))))


@register.simple_tag
def kiosk_checks_in(hall: Hall) -> bool:
    """Whether the kiosk offers check-in: the hall has slots today or later (a hall with no slot
    plans, a street hall or a station, has none). One query, remembered for half a minute: the
    kiosk's start page is refreshed all day long."""
    today = local_date()
    return memoised(("kiosk-checks-in", hall.pk, today), lambda: selectors.hall_has_slots(hall=hall, start=today))


@register.simple_tag
def kiosk_slip_check_in(ticket: Ticket, request: HttpRequest) -> bool:
    """Whether a normal ticket just taken at the kiosk with an ID number is offered check-in
    instead (issue 8): someone holding a booking for today may not know to check in. The offer
    depends only on the ticket and on the hall having bookings left to check in today, never on
    whether this ID number has one: the ID typed may not be the typist's own, and the check-in
    asks the booking's mobile number's last four digits. Only on a registered kiosk of the hall,
    as check-in by ID number (issue 9 §3). One query, and none for other tickets."""
    if ticket.source != Ticket.Source.KIOSK or ticket.status != Ticket.Status.WAITING:
        return False
    if not ticket.id_hash or ticket.priority:
        return False
    device = kiosk_device_of(request)
    if device is None or device.hall_id != ticket.hall_id:
        return False
    return selectors.hall_has_bookings_to_check_in(hall=ticket.hall_id, day=ticket.service_date)
