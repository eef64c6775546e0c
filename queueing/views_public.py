"""Public queue pages (REQUIREMENTS §4 "real-time queue progress", Art. 10 ¶4; §6 care mode).

- the kiosk (自助取号) where a person takes a ticket, and the slip it prints;
- the ticket page behind the slip's QR code, whose token is its only key;
- the hall's live queue and the display board, which read only the cached snapshot
  (``queueing.snapshot``), so a hall full of screens and phones polling costs no query.

Polled fragments carry a version of what they show (``?v=``): when nothing changed the server
answers 204 and htmx leaves the page alone, so a screen reader is not told the same thing again
every few seconds and the board does not repaint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from catalog import selectors as catalog_selectors
from catalog.models import Hall, ServiceItem
from queueing import estimator, selectors, services, snapshot, staggered
from queueing.access import renew_kiosk_cookie
from queueing.config import hall_config
from queueing.forms import KioskForm, OnlineTicketForm
from queueing.models import AssistanceRequest, QueueCategory, Ticket
from queueing.qr import qr_data_uri
from servicehall import extensions
from servicehall.clock import SHANGHAI, local_date
from servicehall.errors import add_domain_error
from servicehall.http import HtmxHttpRequest, post_action
from servicehall.personal_data import mask_id_number, normalize_id_number, validate_id_number
from servicehall.throttling import scope_hit

# A kiosk button names the first few items of its queue so people find the right one.
KIOSK_ITEMS_SHOWN = 3
# Phones poll their ticket, hall pages their queue, hall screens the board (REQUIREMENTS §4:
# a call must reach the board within 3 seconds).
TICKET_POLL_SECONDS = 5
HALL_POLL_SECONDS = 30
BOARD_POLL_SECONDS = 2
# The board shows as many queues and windows as fit its screen and turns to the next page of
# them this often.
BOARD_PAGE_SECONDS = 10


# --- Reads -----------------------------------------------------------------------------------
# Small reads of the public pages; the heavy ones are the snapshot's.


def _hall_or_404(code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return hall


def _kiosk_categories(hall: Hall) -> QuerySet[QueueCategory]:
    """The hall's active queues with the first few items each covers (a fixed number of queries)."""
    preview = ServiceItem.objects.order_by("code").only("code", "name", "name_en")[:KIOSK_ITEMS_SHOWN]
    return (
        QueueCategory.objects.filter(hall=hall, is_active=True)
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("items", queryset=preview, to_attr="preview_items"))
        .order_by("order", "letter")
    )


def _ticket_or_404(token: str) -> Ticket:
    """The ticket of a token, with what its pages show, in one query."""
    ticket = Ticket.objects.select_related("category", "hall", "window").filter(token=token).first()
    if ticket is None:
        raise Http404(_("没有找到该排队号，请核对二维码或链接是否完整。"))
    return ticket


def _snapshot_or_404(code: str) -> dict[str, Any]:
    data = snapshot.get(code)
    if data is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return data


def _public_or_404(code: str) -> dict[str, Any]:
    """The small public part of the snapshot (what the polled pages show)."""
    data = snapshot.get_public(code)
    if data is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return data


# --- Presentation helpers --------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _name(row: dict[str, Any]) -> str:
    """A snapshot row's name in the interface language (``display_name`` of the model)."""
    return row["name_en"] if row.get("name_en") and _english() else row["name"]


def _local(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=SHANGHAI)


def _version(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _unchanged(request: HtmxHttpRequest, version: str) -> bool:
    """An htmx poll for the version the page already shows."""
    return bool(request.htmx) and request.GET.get("v") == version


def _fragment_or_page(request: HtmxHttpRequest, template: str, partial: str) -> str:
    return f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template


def _no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _issue_inputs_valid(form: KioskForm | OnlineTicketForm, hall: Hall, source: str, now: dt.datetime) -> bool:
    """The issue's own checks of what the person typed (``services.issue_checked``), before the
    page warns that no window serves the queue: a wrong ID number is said at once, beside its
    field, not after the second press (walkthrough)."""
    try:
        services.issue_checked(hall=hall, source=source, now=now, **form.issue_kwargs())
    except services.QueueError as exc:
        add_domain_error(form, exc)
        return False
    return True


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    response = TemplateResponse(request, template, context, status=status)
    # The same URL answers a page or an htmx fragment.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _keep_out_of_search(response: HttpResponse) -> HttpResponse:
    # The token in the URL is the only key to a ticket: keep its pages out of search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _progress(data: dict[str, Any], ticket: Ticket) -> dict[str, Any]:
    """Place in the queue and estimated wait of a ticket, from the snapshot. Checked-in
    appointments whose slot has not started are not among the people ahead: they are counted
    apart, with the time the first of them may be called; a ticket that is itself such an
    appointment says when its slot starts, and its estimate is never earlier."""
    now = timezone.now()
    row = snapshot.category_row(data, ticket.category_id)
    place = snapshot.place(data, ticket, now=now) if ticket.status == Ticket.Status.WAITING else None
    ahead = place.ahead if place is not None else None
    windows = row["open_windows"] if row else 0
    wait = None
    if row is not None and ahead is not None:
        wait = estimator.row_wait_minutes(row, ahead=ahead, priority=bool(ticket.priority))
    callable_from = ticket.not_before if place is not None and ticket.not_before and ticket.not_before > now else None
    if wait is not None and callable_from is not None:
        wait = max(wait, math.ceil((callable_from - now).total_seconds() / 60))
    return {
        "ahead": ahead,
        "wait_minutes": wait,
        "open_windows": windows,
        "scheduled": place.scheduled if place is not None else 0,
        "scheduled_from": place.scheduled_from if place is not None else None,
        "callable_from": callable_from,
    }


def _today_hours(data: dict[str, Any]) -> dict[str, str] | None:
    hours = data["hours"]
    if hours is None:
        return None
    return {"opens": _local(hours["opens"]).strftime("%H:%M"), "closes": _local(hours["closes"]).strftime("%H:%M")}


# --- Kiosk and slip --------------------------------------------------------------------------


def _unstaffed(public: dict[str, Any], row: dict[str, Any] | None) -> bool:
    """The hall is open but no open window serves the queue: a ticket would wait for nobody."""
    return bool(public["open_now"] and row is not None and row["open_windows"] == 0)


def _elsewhere(rows: list[selectors.ServedElsewhere]) -> list[dict[str, Any]]:
    return [
        {
            **dataclasses.asdict(row),
            "hall_display_name": _name({"name": row.hall_name, "name_en": row.hall_name_en}),
            "display_name": _name({"name": row.name, "name_en": row.name_en}),
        }
        for row in rows
    ]


def _id_number_read(form: KioskForm, hall: Hall, now: dt.datetime) -> tuple[str, dict[str, Any]] | None:
    """Enter after the ID number (walkthrough): the number checked as the ticket will check it,
    and the green channel it brings shown chosen, before a queue is pressed. The message said
    and the choices for the next form; None, with the errors on ``form``, when it is wrong."""
    if not form.is_valid():
        return None
    try:
        _digest, _masked, priority = services.issue_person_checked(
            hall=hall,
            source=Ticket.Source.KIOSK,
            id_number=form.cleaned_data["id_number"],
            priority=form.cleaned_data["priority"],
            now=now,
        )
    except services.QueueError as exc:
        add_domain_error(form, exc)
        return None
    if not form.cleaned_data["id_number"].strip():
        message = _("请先输入身份证号码，或直接按下要办理业务的按钮取号。")
    elif priority == Ticket.Priority.ELDERLY and not form.cleaned_data["priority"]:
        message = _("已读取身份证号码：您已满%(age)s周岁，已为您选择老年人绿色通道。请按下要办理业务的按钮取号。") % {
            "age": hall_config(hall).green_channel_age
        }
    else:
        message = _("已读取身份证号码，请按下要办理业务的按钮取号。")
    number = normalize_id_number(form.cleaned_data["id_number"])
    return message, form.choices_kept(id_number=number, priority=priority)


def _id_number_masked(form: KioskForm, now: dt.datetime) -> str:
    """The ID number as the kiosk's public screen shows it once it is right: masked, the number
    itself going with the queue's button in a hidden input. A wrong one stays as typed, beside
    its error, to be corrected."""
    if form.has_error("id_number"):
        return ""
    value = form["id_number"].value() or ""
    if not value.strip():
        return ""
    try:
        return mask_id_number(validate_id_number(value, today=local_date(now)))
    except ValidationError:
        return ""


def _kiosk_reset(hall: Hall) -> HttpResponse:
    """The idle return to the start (static/js/kiosk.js goes to ``?reset=1``): the next person
    finds the kiosk as it was before anyone touched it, in the hall's language (zh-hans, the
    language cookie gone) whatever the last person switched to. Care mode is always on at the
    kiosk; a care cookie set meanwhile goes too."""
    response = HttpResponseRedirect(reverse("queue-kiosk", args=[hall.code]))
    response.delete_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite="Lax",  # settings.LANGUAGE_COOKIE_SAMESITE
    )
    response.delete_cookie(settings.CARE_MODE_COOKIE, samesite="Lax")
    return response


def _opening(hall: Hall, public: dict[str, Any], now: dt.datetime) -> tuple[bool, dt.datetime | None, bool]:
    """(open now?, the next opening when closed, a day by appointment only?) for the pages that
    take tickets."""
    open_now, next_opening, booking_only = public["open_now"], None, False
    if not open_now:
        next_opening = catalog_selectors.hall_next_opening(hall=hall, after=now)
        if next_opening is not None and next_opening <= now:
            # The snapshot's hours predate an administrator's change (they are remembered for
            # half a minute): the hall is open now, and "next opening" would name a past time.
            open_now, next_opening = True, None
        else:
            # A weekend day by appointment only, or any rest day (a holiday too) with staggered
            # slots booked (queueing.staggered): the bookings are checked in here.
            day = local_date(now)
            booking_only = catalog_selectors.hall_booking_only_on(hall=hall, day=day) or (
                hall.pk in staggered.periods(day)
            )
    return open_now, next_opening, booking_only


def _booking_only_today(code: str) -> bool:
    hall = Hall.objects.prefetch_related("opening_hours").filter(code=code).first()
    if hall is None:
        return False
    day = local_date()
    return catalog_selectors.hall_booking_only_on(hall=hall, day=day) or hall.pk in staggered.periods(day)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """The self-service terminal: one button per queue; care mode is always on. A queue that no
    open window serves says so instead of an estimate, and pressing it offers booking or another
    hall first: the ticket is taken only on a second, explicit press."""
    hall = _hall_or_404(code)
    if request.method != "POST" and "reset" in request.GET:
        return _kiosk_reset(hall)
    choices = QueueCategory.objects.filter(hall=hall, is_active=True)
    now = timezone.now()
    public = snapshot.public(_snapshot_or_404(hall.code), now=now)
    rows = {row["letter"]: row for row in public["categories"]}
    status = 200
    unstaffed = None
    id_read = ""
    if request.method == "POST":
        form = KioskForm(request.POST, categories=choices)
        if form.clears_id_number():
            form = KioskForm(initial=form.choices_kept(id_number="", priority=""), categories=choices)
        elif form.reads_id_number():
            read = _id_number_read(form, hall, now)
            if read is None:
                status = 400
            else:
                id_read, kept = read
                form = KioskForm(initial=kept, categories=choices)
        elif form.is_valid() and _issue_inputs_valid(form, hall, Ticket.Source.KIOSK, now):
            category = form.cleaned_data["category"]
            if _unstaffed(public, rows.get(category.letter)) and not form.cleaned_data["confirm_unstaffed"]:
                unstaffed = {
                    "category": category,
                    "row": rows[category.letter],
                    "elsewhere": _elsewhere(selectors.served_elsewhere(hall=hall, category=category, now=now)),
                }
            else:
                try:
                    result = services.ticket_issue(hall=hall, source=Ticket.Source.KIOSK, **form.issue_kwargs())
                    wish = form.assistance_wish()
                    if wish is not None:  # 帮办代办、陪同办: to the hall's assistance desk with the ticket
                        services.assistance_request(
                            hall=hall, wish=wish, source=AssistanceRequest.Source.KIOSK, ticket=result.ticket
                        )
                except services.QueueError as exc:
                    add_domain_error(form, exc)
                    status = exc.status
                else:
                    slip_url = reverse("queue-slip", args=[result.ticket.token])
                    # The slip says the person already had this ticket (no session needed at a kiosk).
                    return HttpResponseRedirect(f"{slip_url}?existing=1" if result.existing else slip_url)
        else:
            status = 400
    else:
        form = KioskForm(categories=choices)

    open_now, next_opening, booking_only = _opening(hall, public, now)
    response = _render(
        request,
        "queueing/public/kiosk.html",
        {
            "hall": hall,
            "form": form,
            "categories": [
                (category, rows.get(category.letter), _unstaffed(public, rows.get(category.letter)))
                for category in _kiosk_categories(hall)
            ],
            "unstaffed": unstaffed,
            "kiosk_start_sections": extensions.sections(extensions.KIOSK_START),
            "kiosk_unstaffed_sections": extensions.sections(extensions.KIOSK_UNSTAFFED),
            "kiosk_closed_sections": extensions.sections(extensions.KIOSK_CLOSED),
            "open_now": open_now,
            "next_opening": next_opening,
            "booking_only": booking_only,
            "green_channel_age": hall_config(hall).green_channel_age,
            "id_read": id_read,
            "id_number_masked": _id_number_masked(form, now),
            "care_mode": True,
            # A page nobody has touched yet goes back to the start silently when idle.
            "kiosk_start": request.method != "POST",
        },
        status=status,
    )
    renew_kiosk_cookie(request, response, hall_code=hall.code)
    return response


@never_cache
@require_safe
def slip(request: HttpRequest, token: str) -> HttpResponse:
    """The printed slip: the number, the queue, people ahead, the estimate and the QR code."""
    ticket = _ticket_or_404(token)
    data = snapshot.for_ticket(ticket) or {"categories": []}
    ticket_url = request.build_absolute_uri(reverse("queue-ticket", args=[ticket.token]))
    response = _render(
        request,
        "queueing/public/slip.html",
        {
            "ticket": ticket,
            "progress": _progress(data, ticket),
            "qr": qr_data_uri(ticket_url),
            "existing": request.GET.get("existing") == "1",
            "assistance": ticket.assistance_requests.filter(status__in=AssistanceRequest.OPEN).first(),
            "kiosk_slip_sections": extensions.sections(extensions.KIOSK_SLIP),
            "kiosk_slip_printed_sections": extensions.sections(extensions.KIOSK_SLIP_PRINTED),
            "care_mode": True,
        },
    )
    return _keep_out_of_search(response)


# --- Taking a ticket online (线上取号) ----------------------------------------------------------


def _rate_limited(request: HttpRequest) -> tuple[str, int]:
    """The refusal when this client took too many tickets lately ("" if not) and the seconds to
    wait. The page counts against the API's own counter (scope ``ticket_issue``): one limit for
    both ways of taking a ticket."""
    allowed, wait = scope_hit("ticket_issue", request)
    if allowed:
        return "", 0
    return _("取号过于频繁，请 %(minutes)s 分钟后再试；也可以到大厅的自助取号机取号。") % {
        "minutes": max(1, math.ceil(wait / 60))
    }, wait


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_take(request: HttpRequest, code: str) -> HttpResponse:
    """A citizen takes a ticket from a phone or a PC (线上取号): the hall's active queues, each
    with its people waiting and estimated wait from the snapshot, an optional ID number and the
    green channel. ``services.ticket_issue`` decides as it does for the kiosk and the API; its
    refusals come back as the form's errors. A ticket taken (or one the person already had in
    that queue) redirects to its page, whose URL holds only the token: the ID number travels in
    the POST body alone and is neither in a URL nor logged."""
    hall = _hall_or_404(code)
    now = timezone.now()
    data = _snapshot_or_404(hall.code)
    public = snapshot.public(data, now=now)
    # Any of the hall's queues is accepted here: the service refuses a stopped one, with its reason.
    form = OnlineTicketForm(
        request.POST if request.method == "POST" else None, categories=QueueCategory.objects.filter(hall=hall)
    )
    open_now, next_opening, booking_only = _opening(hall, public, now)
    status, rate_limited, retry_after, refusal, refused_closed = 200, "", 0, "", False
    rows = {row["letter"]: row for row in public["categories"]}
    unstaffed = None
    if request.method == "POST":
        rate_limited, retry_after = _rate_limited(request)
        if rate_limited or not open_now:
            # Nothing is checked: the choices stay as made, with no error beside them. While
            # the hall is closed nothing the person could change would help: the page says when
            # it opens (once), and the form is shown disabled.
            status = 429 if rate_limited else 409
            refused_closed = not rate_limited
            form = OnlineTicketForm(
                initial={"category": request.POST.get("category"), "priority": request.POST.get("priority")},
                categories=QueueCategory.objects.filter(hall=hall),
            )
        elif not form.is_valid() or not _issue_inputs_valid(form, hall, Ticket.Source.ONLINE, now):
            status = 400
        elif (
            _unstaffed(public, rows.get(form.cleaned_data["category"].letter))
            and not form.cleaned_data["confirm_unstaffed"]
        ):
            # As at the kiosk: no open window serves the queue, so the ticket would wait for
            # nobody. Say so and offer booking or another hall; taking it needs a second press.
            category = form.cleaned_data["category"]
            unstaffed = {
                "category": category,
                "row": rows[category.letter],
                "elsewhere": _elsewhere(selectors.served_elsewhere(hall=hall, category=category, now=now)),
            }
        else:
            try:
                result = services.ticket_issue(hall=hall, source=Ticket.Source.ONLINE, **form.issue_kwargs())
            except services.QueueError as exc:
                if set(exc.field_errors()) & set(form.fields):
                    add_domain_error(form, exc)
                else:
                    # A refusal of the request, not of an answer in it (the hall closed since
                    # the page was drawn): said as such, not as something to correct.
                    refusal = str(exc.message)
                status = exc.status
            else:
                ticket = result.ticket
                if result.existing:
                    messages.info(
                        request,
                        _("您在该业务已有等候中的号码 %(number)s，无需重复取号，以下是您原来的号码。")
                        % {"number": ticket.number},
                    )
                else:
                    messages.success(
                        request,
                        _("取号成功：%(number)s 号。请保存本页链接，留意排队进度，按时到大厅等候叫号。")
                        % {"number": ticket.number},
                    )
                return HttpResponseRedirect(reverse("queue-ticket", args=[ticket.token]))

    response = _render(
        request,
        "queueing/public/ticket_take.html",
        {
            "hall": hall,
            "form": form,
            "choices": [(category, rows.get(category.letter)) for category in _kiosk_categories(hall)],
            "chosen": form["category"].value() or "",
            "chosen_priority": form["priority"].value() or "",
            "open_now": open_now,
            "hours": _today_hours(data),
            "next_opening": next_opening,
            "booking_only": booking_only,
            "green_channel_age": hall_config(hall).green_channel_age,
            "rate_limited": rate_limited,
            "refusal": refusal,
            "refused_closed": refused_closed,
            "unstaffed": unstaffed,
            "take_unstaffed_sections": extensions.sections(extensions.TAKE_UNSTAFFED) if unstaffed else [],
        },
        status=status,
    )
    if rate_limited:
        response.headers["Retry-After"] = str(max(1, retry_after))
    return response


# --- Ticket page -----------------------------------------------------------------------------


def _ticket_page(request: HtmxHttpRequest, ticket: Ticket, *, error: str = "", status: int = 200) -> HttpResponse:
    data = snapshot.for_ticket(ticket) or {"categories": []}
    progress = _progress(data, ticket)
    window = ticket.window.number if ticket.window else None
    version = _version(ticket.status, ticket.number, ticket.category_id, window, progress)
    if not error and _unchanged(request, version):
        return _no_content()
    response = _render(
        request,
        _fragment_or_page(request, "queueing/public/ticket.html", "status"),
        {
            "ticket": ticket,
            "progress": progress,
            "version": version,
            "active": ticket.status in Ticket.ACTIVE,
            "poll_seconds": TICKET_POLL_SECONDS,
            "error": error,
            "ticket_done_sections": extensions.sections(extensions.TICKET_DONE),
            "ticket_page_sections": extensions.sections(extensions.TICKET_PAGE),
        },
        status=status,
    )
    return _keep_out_of_search(response)


@never_cache
@require_safe
def ticket_detail(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A ticket's live progress (the slip's QR code leads here); htmx polls its status part."""
    return _ticket_page(request, _ticket_or_404(token))


@never_cache
@post_action("queue-ticket", "token")
def ticket_cancel(request: HtmxHttpRequest, token: str) -> HttpResponse:
    ticket = _ticket_or_404(token)
    try:
        services.ticket_cancel(ticket=ticket)
    except services.QueueError as exc:
        # Called, served or cancelled meanwhile: show what it is now and why nothing changed.
        return _ticket_page(request, _ticket_or_404(token), error=str(exc.message), status=exc.status)
    # The page itself now explains the cancelled state.
    return HttpResponseRedirect(reverse("queue-ticket", args=[token]))


# --- Hall queue and board (snapshot only) ----------------------------------------------------


def _categories(public: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**row, "display_name": _name(row)} for row in public["categories"]]


@never_cache
@require_safe
def hall_status(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """How many wait in each queue of a hall and for how long, to check before coming."""
    data = _public_or_404(code)
    public = data["public"]
    # What the page shows, as the board's version is: a snapshot is rebuilt every FRESH_SECONDS
    # whether or not anything changed, with its build time and the estimator's inputs (the time
    # to lunch…) moved, and with the whole snapshot in the version every phone's poll rendered the
    # page again (static/js/portal.js moves the time shown on a 204).
    version = _version(
        public["open_now"],
        public["hall"],
        data.get("hours"),
        [
            (c["letter"], c["name"], c["name_en"], c["waiting"], c["longest_wait_minutes"])
            + (c["estimated_wait_minutes"], c["open_windows"])
            for c in public["categories"]
        ],
        [w["is_open"] for w in public["windows"]],
    )
    if _unchanged(request, version):
        return _no_content()
    hours = _today_hours(data)
    return _render(
        request,
        _fragment_or_page(request, "queueing/public/hall_status.html", "queue"),
        {
            "hall": {**public["hall"], "display_name": _name(public["hall"])},
            "open_now": public["open_now"],
            "hours": hours,
            # A day without walk-in hours may be one for bookings only (错时服务): said as the take
            # page says it, not "closed today" (walkthrough). Read only on such a day.
            "booking_only": not public["open_now"] and hours is None and _booking_only_today(code),
            "categories": _categories(public),
            "waiting_total": sum(row["waiting"] for row in public["categories"]),
            "open_windows": sum(1 for window in public["windows"] if window["is_open"]),
            "generated_at": _local(data["generated_at"]),
            "version": version,
            "poll_seconds": HALL_POLL_SECONDS,
        },
    )


def _board_calls(public: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest call of each number, newest first: a recall replaces the earlier call of the
    same number (and carries a new event id, so the board announces it again)."""
    seen: set[str] = set()
    calls = []
    for call in public["recent_calls"]:
        if call["number"] in seen:
            continue
        seen.add(call["number"])
        calls.append(call)
    return calls


@never_cache
@require_safe
def board(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The hall's display board: the latest calls, each window's number, and every queue with
    its people waiting and estimated wait. ``static/js/board.js`` pages the queues and windows
    that do not fit the screen (never a scroll bar on a wall screen)."""
    data = _public_or_404(code)
    public = data["public"]
    calls = _board_calls(public)
    latest = next((c for c in calls if c["current"]), None)
    windows = public["windows"]
    categories = _categories(public)
    version = _version(
        public["open_now"],
        [(c["event"], c["number"], c["window"], c["current"], c.get("urgent")) for c in calls],
        [(w["number"], w["is_open"], w["current"], w["current_status"], w.get("current_urgent")) for w in windows],
        [(c["letter"], c["display_name"], c["waiting"], c["estimated_wait_minutes"]) for c in categories],
        # The supervisor's message for the hall (queueing.services.board_message_post).
        public.get("message"),
    )
    if _unchanged(request, version):
        return _no_content()
    return _render(
        request,
        _fragment_or_page(request, "queueing/public/board.html", "live"),
        {
            "hall": {**public["hall"], "display_name": _name(public["hall"])},
            "open_now": public["open_now"],
            # "Now calling" is the latest call still at its window; a served ticket is only a
            # recent call (the snapshot drops calls at windows since closed).
            "latest": latest,
            "earlier_calls": [c for c in calls if c is not latest],
            "windows": windows,
            "categories": categories,
            "version": version,
            "poll_seconds": BOARD_POLL_SECONDS,
            "page_seconds": BOARD_PAGE_SECONDS,
            "board_message": public.get("message"),
            "board_header_sections": extensions.sections(extensions.BOARD_HEADER),
        },
    )
