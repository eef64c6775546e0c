"""What cases adds to pages queueing draws (servicehall/extensions.py): the console's "本次办理事项"
for the current ticket, and the live hall dashboard's figures per item. Queueing does not know
cases; its templates include ours, which read here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

from cases import selectors
from cases.models import TicketItem
from catalog.models import Hall
from queueing.models import Ticket
from servicehall.clock import local_date

register = template.Library()


@dataclass(frozen=True)
class TicketItemPanel:
    choices: selectors.TicketItemChoices
    recorded: list[TicketItem]
    outcomes: list[tuple[str, str]]


@register.simple_tag
def ticket_item_panel(ticket: Ticket) -> TicketItemPanel:
    """The items to pick from (the ticket's queue's first), the outcomes a clerk records, and what
    is recorded for the ticket already. Two queries."""
    outcomes = [(value, str(label)) for value, label in TicketItem.Outcome.choices if value in TicketItem.MANUAL]
    return TicketItemPanel(
        choices=selectors.ticket_item_choices(ticket=ticket),
        recorded=selectors.ticket_items(ticket_id=ticket.pk),
        outcomes=outcomes,
    )


@register.simple_tag
def hall_item_figures(hall: Hall, now: dt.datetime) -> list[selectors.ItemFigures]:
    """Today's waits and service times per item at ``hall`` (one aggregate query)."""
    today = local_date(now)
    return selectors.item_ticket_figures(hall_ids=[hall.pk], start=today, end=today)
