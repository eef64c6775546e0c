"""Fetch the appointments' objects *and* check the user may touch them, in one call.

Views and APIs call these instead of a bare query, so that none of them forgets the check. Who
may act where is the kernel's answer (``servicehall.access``); halls are fetched by
``catalog.access``, which answers 403 for a hall outside the user's scope. A slot or a person
of another hall answers 404 like an unknown one, so that no one can probe another hall's lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from appointments import selectors
from appointments.models import Booking, BookingLookup, BookingPerson, Slot
from appointments.services import LOOKUP_VERIFIED_MINUTES
from catalog.access import access_hall
from catalog.models import Hall
from servicehall import roles
from servicehall.access import AnyUser, supervised_hall_ids


def access_booking_by_token(token: str) -> Booking:
    """The booking of a manage token, with everything its pages show (one query), or 404.

    The unguessable token is the only key to a booking (the applicant has no account): whoever
    holds it may see, cancel and move the booking, so nothing else is checked.
    """
    booking = (
        Booking.objects.select_related("hall", "category", "item", "slot", "person", "ticket", "assistance")
        .filter(manage_token=token)
        .first()
    )
    if booking is None:
        raise Http404(_("没有找到该预约，请核对短信中的管理链接是否完整。"))
    return booking


def access_confirmed_lookup(token: str, *, now: dt.datetime) -> BookingLookup | None:
    """The "find my bookings" lookup of ``token`` (the session's), if its code was confirmed in
    the last ``LOOKUP_VERIFIED_MINUTES`` (one query); None otherwise. The session that asked for
    the code and typed it is the only key to the list, so nothing else is checked."""
    if not token:
        return None
    return BookingLookup.objects.filter(
        token=token, verified_at__gt=now - dt.timedelta(minutes=LOOKUP_VERIFIED_MINUTES)
    ).first()


@dataclass(frozen=True)
class CheckInDesk:
    """Where a check-in happens: a window of the hall (its signed-in staff) or the hall's kiosk."""

    hall: Hall
    via: str  # "window" or "kiosk"
    staff: AnyUser | None


def access_check_in_desk(user: AnyUser, code: str) -> CheckInDesk:
    """Signed-in staff check in at a window of their own hall (403 elsewhere, and for staff who do
    not work at a counter); an anonymous request is the hall's kiosk. 404 for an unknown hall."""
    if user.is_authenticated:
        hall = access_hall(user, code, roles_allowed=roles.COUNTER_ROLES)
        return CheckInDesk(hall=hall, via="window", staff=user)
    return CheckInDesk(hall=selectors.hall_or_404(code=code), via="kiosk", staff=None)


def access_supervised_slot(user: AnyUser, code: str, pk: int) -> Slot:
    """A slot of the hall ``code``, which the supervisor covers (403 otherwise), with its hall
    and queue; 404 for a slot of another hall."""
    hall = access_hall(user, code, roles_allowed=roles.SUPERVISION_ROLES)
    slot = Slot.objects.select_related("category").filter(hall=hall, pk=pk).first()
    if slot is None:
        raise Http404(_("没有找到该预约时段。"))
    slot.hall = hall
    return slot


def access_booking_person(user: AnyUser, pk: str) -> BookingPerson:
    """Someone who booked at a hall the supervisor covers (anyone, for a citywide supervisor);
    404 otherwise, 403 for a user who supervises nothing."""
    hall_ids = supervised_hall_ids(user)
    people = BookingPerson.objects.filter(pk=pk)
    if hall_ids is not None:
        people = people.filter(Exists(Booking.objects.filter(person=OuterRef("pk"), hall_id__in=hall_ids)))
    person = people.first() if pk else None
    if person is None:
        raise Http404(_("没有找到该预约人。"))
    return person


def access_statistics_halls(user: AnyUser, code: str = "") -> list[int] | None:
    """The halls whose booking statistics the user reads: those they supervise (None: every
    hall), or only ``code`` when asked for and covered. 403 for a hall outside their scope and
    for users who supervise nothing; 404 for an unknown hall."""
    hall_ids = supervised_hall_ids(user)
    if not code:
        return hall_ids
    hall = selectors.hall_or_404(code=code)
    if hall_ids is not None and hall.pk not in hall_ids:
        raise PermissionDenied(_("您没有查看该大厅的权限。"))
    return [hall.pk]
