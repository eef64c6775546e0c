"""What cases adds to pages queueing draws (servicehall/extensions.py): the console's "本次办理事项"
for the current ticket, and the live hall dashboard's figures per item. Queueing does not know
cases; its templates include ours, which read here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

from cases import selectors
from cases.models import TicketItem
from catalog.models import Hall, ServiceItem
from queueing.models import Ticket
from servicehall.clock import local_date

register = template.Library()


@dataclass(frozen=True)
class TicketItemPanel:
    queue_items: list[ServiceItem]  # the ticket's queue's items, listed first
    other_items: list[ServiceItem]  # the hall's other items listed (all of them, or those kept)
    hidden_items: int  # the hall's items left out of the select, a click away (``all_items``)
    all_items: bool  # the hall's other items were asked for: kept on a refused record
    recorded: list[TicketItem]
    outcomes: list[tuple[str, str]]


@register.simple_tag(takes_context=True)
def ticket_item_panel(context: template.Context, ticket: Ticket, chosen: str | None = None) -> TicketItemPanel:
    """The items to pick from, the outcomes a clerk records, and what is recorded for the ticket
    already. Two queries, whatever the number of items.

    As on the application page (cases.views._application), a ticket whose queue names its items
    lists those; the hall's others are a click away (``?all_items=1``), for a person who queued in
    the wrong line. An item recorded for the ticket already, or ``chosen`` in a refused record, is
    listed all the same. A queue naming no item of the hall lists all of them."""
    outcomes = [(value, str(label)) for value, label in TicketItem.Outcome.choices if value in TicketItem.MANUAL]
    choices = selectors.ticket_item_choices(ticket=ticket)
    recorded = selectors.ticket_items(ticket_id=ticket.pk)
    request = context.get("request")
    asked = request is not None and bool(request.GET.get("all_items") or request.POST.get("all_items"))
    show_all = asked or not choices.queue_items
    kept = {record.item_id for record in recorded}
    listed = [item for item in choices.other_items if show_all or item.pk in kept or (chosen and item.code == chosen)]
    return TicketItemPanel(
        queue_items=choices.queue_items,
        other_items=listed,
        hidden_items=len(choices.other_items) - len(listed),
        all_items=asked,
        recorded=recorded,
        outcomes=outcomes,
    )


@register.simple_tag
def hall_item_figures(hall: Hall, now: dt.datetime) -> list[selectors.ItemFigures]:
    """Today's waits and service times per item at ``hall`` (one aggregate query)."""
    today = local_date(now)
    return selectors.item_ticket_figures(hall_ids=[hall.pk], start=today, end=today)
