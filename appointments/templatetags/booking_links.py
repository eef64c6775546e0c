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
from queueing.qr import qr_data_uri
from servicehall.clock import local_date

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


@dataclass
class KioskOffer:
    """Booking at the kiosk's hall: the page, and a QR code of its full address for a phone."""

    path: str
    qr: str


@register.simple_tag
def kiosk_booking(hall: Hall, request: HttpRequest) -> KioskOffer | None:
    """None when the hall takes no online bookings soon (a street hall or a station without slot
    plans): the kiosk then offers only the other halls, never a link to a page that says no."""
    if not selectors.hall_offer(hall=hall, now=timezone.now()).bookable:
        return None
    path = reverse("booking-hall", args=[hall.code])
    return KioskOffer(path, qr_data_uri(request.build_absolute_uri(path)))
