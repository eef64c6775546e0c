"""Urgent matters (急事急办, cases/urgent.py) on pages drawn elsewhere: the case page's panel and
the chief representative's inbox section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from cases import urgent
from cases.models import Case, UrgentRequest
from queueing.qr import qr_data_uri
from servicehall import roles
from servicehall.access import staff_scope

register = template.Library()


@dataclass(frozen=True)
class CasePanel:
    requests: list[UrgentRequest]
    may_request: bool  # counter staff of the hall, no request waiting, case not finished
    may_decide: bool
    pending: UrgentRequest | None


@register.simple_tag(takes_context=True)
def case_urgent(context: dict[str, Any], case: Case) -> CasePanel:
    """What the case page shows of urgent handling: the requests and their decisions, the link
    to record one (counter staff of the hall), and the decision link for the chief
    representative. One query."""
    user = context["request"].user
    rows = urgent.requests_of_case(case)
    scope = staff_scope(user)
    pending = next((r for r in rows if r.status == UrgentRequest.Status.REQUESTED), None)
    may_request = (
        scope.has_role(*roles.COUNTER_ROLES)
        and scope.works_at(case.hall_id)
        and case.status not in Case.FINISHED
        and pending is None
        and not case.urgent
    )
    may_decide = pending is not None and urgent.may_decide(user, pending)
    return CasePanel(requests=rows, may_request=may_request, may_decide=may_decide, pending=pending)


@register.simple_tag(takes_context=True)
def urgent_pending_count(context: dict[str, Any]) -> int:
    """How many urgent requests wait for the chief representative's decision."""
    return urgent.pending_for(context["request"].user).filter(status=UrgentRequest.Status.REQUESTED).count()


@register.simple_tag
def booking_urgent(booking: Any) -> list[UrgentRequest]:
    """The urgent requests made with a booking (its manage page), oldest first: one query, none
    for a booking without an item (a request needs one)."""
    if booking.item_id is None:
        return []
    return list(UrgentRequest.objects.filter(booking=booking).order_by("requested_at", "pk"))


@register.simple_tag
def ticket_urgent(ticket: Any) -> UrgentRequest | None:
    """The urgent request asked at the kiosk with ``ticket`` (its slip), if any: one query, none
    for a ticket no longer waiting that never asked (the offer is only for waiting tickets)."""
    return urgent.request_of_ticket(ticket)


@register.simple_tag
def ticket_urgent_offer(ticket: Any) -> bool:
    """Whether the ticket's page offers to ask for 急事急办 (``urgent.ticket_offers_urgent``)."""
    return urgent.ticket_offers_urgent(ticket)


@register.simple_tag
def console_urgent_pending(console: Any) -> list[UrgentRequest]:
    """The urgent requests asked at the kiosk and still waiting for a decision, of the window
    console's current ticket and of the tickets it shows waiting (one query, none when it shows
    no ticket), in the console's order: the clerk sees who may soon be called first."""
    tickets = ([console.current] if console.current else []) + list(console.upcoming)
    order = {ticket.pk: n for n, ticket in enumerate(tickets)}
    if not order:
        return []
    rows = UrgentRequest.objects.filter(ticket_id__in=order, status=UrgentRequest.Status.REQUESTED).select_related(
        "ticket"
    )
    return sorted(rows, key=lambda r: order[r.ticket_id])


@register.simple_tag(takes_context=True)
def urgent_phone_qr(context: dict[str, Any], ticket: Any) -> str:
    """The QR code (a data URI) of the 急事急办 form as a phone's page (``?from=phone``): the
    kiosk's slip shows it instead of a link, so the kiosk never leaves its locked flow."""
    url = reverse("urgent-kiosk", args=[ticket.token]) + "?from=phone"
    return qr_data_uri(context["request"].build_absolute_uri(url))
