"""What an app above appointments asks for together with a booking.

Booking belongs to ``appointments``, but an urgent request made with it (急事急办) is the work of
``cases``, which sits above: appointments must not import it. So an upper app registers a
``BookingExtra`` from its ``AppConfig.ready()``: a form block for the booking page, a field for
``POST /api/v1/bookings/``, and how to check and save what was asked. The booking views check
every extra before saving anything, and save each in the booking's own transaction, so bad input
books nothing and a booking never exists without what was asked with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BookingExtra:
    # The API field's name (``POST /api/v1/bookings/``) and the key of the page's form block.
    name: str
    # ``form_class(data or None, item=<ServiceItem or None>)``: a form with ``attach(booking)``.
    form_class: Callable[..., Any]
    # The template drawing the form block, included with ``form``.
    template: str
    # A fresh DRF serializer field for the API (``required=False``).
    api_field: Callable[[], Any]
    # Checks what the API received before anything is saved (raises the app's DomainError);
    # returns the value to give ``api_attach``.
    api_clean: Callable[[Any, Any], Any]
    # Saves it with the booking: ``api_attach(booking, cleaned)``.
    api_attach: Callable[[Any, Any], Any]


_extras: dict[str, BookingExtra] = {}


def register(extra: BookingExtra) -> None:
    """Register ``extra`` (idempotent: ready() may run twice in tests)."""
    _extras[extra.name] = extra


def booking_extras() -> tuple[BookingExtra, ...]:
    return tuple(_extras.values())


# Called when a booking is checked in, in the check-in's transaction, with the booking (already
# ``checked_in``), its ticket and the moment: cases calls the ticket of an approved urgent
# matter (急事急办) first (``cases.urgent.on_booking_check_in``).
CheckInHook = Callable[[Any, Any, Any], None]
_check_in_hooks: dict[str, CheckInHook] = {}


def on_check_in(name: str, hook: CheckInHook) -> None:
    """Register ``hook`` under ``name`` (idempotent: ready() may run twice in tests)."""
    _check_in_hooks[name] = hook


def check_in_hooks() -> tuple[CheckInHook, ...]:
    return tuple(_check_in_hooks.values())
