"""Booking pages (REQUIREMENTS §5, Art. 10 ¶2: 24-hour online booking; §6 care mode).

A person books in four steps that each work without JavaScript: a hall (findable by district),
a queue and optionally an item (with the materials to bring, from the item's current guide),
a day and slot of the booking horizon, and their name, ID and mobile number. The booking's
private manage page (its unguessable token is the only key) shows the code, a QR code for the
kiosk scanner and what to bring, and lets the person cancel or move the booking. Someone who
lost the SMS finds their bookings by ID and mobile number, confirmed by a one-time code
(``find``, ``find_code``, ``find_list``). At the hall, the kiosk's check-in page turns the
booking into a ticket.

Every rule is the services' (``appointments.services``): a refusal comes back as a
``BookingError`` whose message and HTTP status the page shows, and nothing has changed. No ID
number ever appears in a URL: personal data is only POSTed, and redirects carry the token.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from appointments import selectors, services
from appointments.access import access_booking_by_token, access_confirmed_lookup
from appointments.config import resolve, rules_for
from appointments.extras import booking_extras
from appointments.forms import (
    BookingForm,
    CheckInForm,
    DistrictFilterForm,
    ItemChoiceForm,
    LookupCodeForm,
    LookupForm,
    SlotChoiceForm,
    parse_day,
)
from appointments.models import Booking, BookingLookup, Slot
from appointments.services import BookingError
from catalog import selectors as catalog_selectors
from catalog.models import GuideVersion, ServiceItem
from queueing.access import access_kiosk_device
from queueing.models import QueueCategory
from queueing.qr import qr_data_uri
from servicehall import extensions
from servicehall.clock import local_date
from servicehall.errors import DomainError, add_domain_error
from servicehall.http import client_address
from servicehall.personal_data import mask_mobile, mask_name

# Without a chosen item, the manage page lists the items its queue covers, up to this many.
CATEGORY_ITEMS_SHOWN = 30
# The fields of the booking form a refusal of ``booking_create`` may concern.
PERSON_FIELDS = ("name", "id_number", "mobile")


# --- Helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """Where the booking steps are drawn and lead: the site's own pages, or the same steps inside
    a hall's kiosk (``/halls/<code>/kiosk/book/…``, issue 8). The kiosk's steps use its layout (no
    site navigation, care mode, back to the kiosk's start when idle), never link off the kiosk,
    and end on a page that shows the code but keeps the private manage link off the shared
    screen. The mode is the address itself, so it cannot leak into another page or browser, and
    it carries no personal data."""

    kiosk: bool
    layout: str
    hall_url: str  # URL names of step 2 (hall code) and step 3 (hall code, queue letter)
    days_url: str


SITE = Flow(kiosk=False, layout="base.html", hall_url="booking-hall", days_url="booking-days")
KIOSK = Flow(
    kiosk=True,
    layout="queueing/public/kiosk_base.html",
    hall_url="booking-kiosk-hall",
    days_url="booking-kiosk-days",
)
# The booking just made at a kiosk, kept in the session (its pk and hall, never the manage token)
# only until the confirmation page has shown it once, and for at most this long.
KIOSK_BOOKED_SESSION_KEY = "kiosk_booked"
KIOSK_BOOKED_SECONDS = 120


def _flow_context(flow: Flow) -> dict[str, Any]:
    return {"flow": flow, "kiosk": flow.kiosk, "care_mode": True} if flow.kiosk else {"flow": flow, "kiosk": False}


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"appointments/public/{template}", context, status=status)


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the URL is the only key to a booking: keep its pages out of search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _manage_url(booking: Booking, **query: str) -> str:
    url = reverse("booking-manage", args=[booking.manage_token])
    return f"{url}?{urlencode(query)}" if query else url


def _item_query(item: ServiceItem | None) -> str:
    """The item carried along the pages: its code only, never personal data."""
    return urlencode({"item": item.code}) if item is not None else ""


def _current_guide(item: ServiceItem | None, today: dt.date) -> GuideVersion | None:
    """The item's current guide (the very record the guide page shows), or None."""
    if item is None:
        return None
    try:
        return catalog_selectors.guide_for_item(code=item.code, today=today)
    except Http404:
        return None


def _materials(guide: GuideVersion | None) -> dict[str, Any]:
    materials = list(guide.materials.all()) if guide is not None else []
    return {
        "guide": guide,
        "materials": materials,
        "has_later_materials": any(m.may_follow_later for m in materials),
    }


def _slot_rows(slots: list[Slot], *, current: int | None = None) -> list[dict[str, Any]]:
    """Each slot with what the picker shows of it: open (choosable), full, closed (by the hall,
    or by the calendar: its day made a rest day) or current."""
    rows = []
    open_at = {slot.starts_at for slot in slots if not slot.is_closed}
    for slot in slots:
        if slot.pk != current and slot.is_closed and slot.closed_by_calendar and slot.starts_at in open_at:
            continue  # a rest day's closed working-day slot, replaced by the staggered one at its time
        if slot.pk == current:
            state = "current"
        elif slot.is_closed and slot.closed_by_calendar:
            state = "rest_day"
        elif slot.is_closed:
            state = "closed"
        elif slot.seats_left == 0:
            state = "full"
        else:
            state = "open"
        rows.append({"slot": slot, "state": state, "choosable": state == "open"})
    return rows


def _unavailable(slot: Slot, now: dt.datetime) -> tuple[str, int]:
    """Why a slot the picker shows as closed or full cannot be chosen (the services' answer),
    and the HTTP status of that refusal."""
    refused = services.slot_refusal(slot=slot, now=now)
    if refused is None:  # not for a row read as closed or full; kept for the type checker
        return _("请从列表中选择一个时段。"), 400
    return str(refused.message), refused.status


def _no_online_change(slot: Slot, now: dt.datetime) -> int | None:
    """The hall's cancel limit in hours when ``slot`` starts within it (booked, it can no longer
    be cancelled or moved online: the walkthrough booked one and was told only afterwards)."""
    rules = rules_for(slot.hall_id)
    return rules.cancel_before_hours if slot.starts_at - now < rules.cancel_before else None


def _change_blocked(booking: Booking, now: dt.datetime) -> BookingError | None:
    """Why the booking can no longer be cancelled or moved online (the services' own rule)."""
    return services.booking_change_refusal(booking, now=now)


def _picker(
    *, category: QueueCategory, now: dt.datetime, day: dt.date | None, current: int | None = None
) -> dict[str, Any]:
    """The days of the horizon and, for a chosen day, its slots: a fixed number of queries."""
    today = local_date(now)
    end = services.horizon_end(hall=category.hall_id, today=today)
    days = selectors.bookable_days(category=category, start=today, end=end, now=now)
    context: dict[str, Any] = {
        "today": today,
        "horizon_end": end,
        "horizon_working_days": rules_for(category.hall_id).horizon_working_days,
        "days": days,
        "day": None,
        "slot_rows": [],
        "day_error": "",
    }
    if day is not None:
        if day in {d.date for d in days}:
            context["day"] = day
            context["slot_rows"] = _slot_rows(selectors.day_slots(category=category, day=day, now=now), current=current)
            for row in context["slot_rows"]:
                row["no_online_change"] = _no_online_change(row["slot"], now)
        else:
            context["day_error"] = _(
                "%(day)s 没有可预约的时段（已过去、超出可预约范围或不开放预约），请从列表中选择日期。"
            ) % {"day": day.isoformat()}
    return context


# --- Step 1: a hall --------------------------------------------------------------------------


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The halls that take bookings, filterable by district, each with what it offers. With an
    item (``?item=<code>``, from the guide page's "预约办理"), only the halls that book it, each
    leading on with the item kept."""
    today = local_date()
    form = DistrictFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    district = form.cleaned_data.get("district", "") if form.is_bound and valid else ""
    item: ServiceItem | None = None
    item_error = ""
    item_form = ItemChoiceForm(request.GET)
    if not item_form.is_valid():
        item_error = str(item_form.errors["item"][0])
    elif item_form.cleaned_data["item"]:
        item = ServiceItem.objects.filter(code=item_form.cleaned_data["item"]).only("code", "name", "name_en").first()
        if item is None:
            item_error = _("没有找到该事项，请从办事指南重新选择，或直接选择大厅预约。")
    valid = valid and not item_error
    halls = selectors.bookable_halls(today=today, district=district, item=item) if valid else []
    return _render(
        request,
        "start.html",
        {
            "form": form,
            "halls": halls,
            "district": district,
            "item": item,
            "item_error": item_error,
            "rules": resolve(None),
        },
        status=200 if valid else 400,
    )


# --- Step 2: a queue and optionally an item --------------------------------------------------


@require_safe
def hall(request: HttpRequest, code: str) -> HttpResponse:
    """A hall's bookable queues; choosing an item shows the materials to bring from its guide."""
    return _hall(request, code, SITE)


@never_cache
@require_safe
def kiosk_hall(request: HttpRequest, code: str) -> HttpResponse:
    """Booking at the kiosk's own hall: its queues, in the kiosk's layout."""
    return _hall(request, code, KIOSK)


def _hall(request: HttpRequest, code: str, flow: Flow) -> HttpResponse:
    today = local_date()
    hall_, categories = selectors.bookable_categories(code=code, today=today)
    form = ItemChoiceForm(request.GET or None)
    item: ServiceItem | None = None
    covering: list[selectors.CategoryWithItems] = []
    item_error = ""
    if form.is_bound and not form.is_valid():
        item_error = str(form.errors["item"][0])
    elif form.is_bound and form.cleaned_data["item"]:
        wanted = form.cleaned_data["item"]
        covering = [c for c in categories if any(i.code == wanted for i in c.item_list)]
        if covering:
            item = next(i for i in covering[0].item_list if i.code == wanted)
        else:
            item_error = _("本大厅暂不能预约办理所选事项，请从下列业务中选择，或到其他大厅预约。")
    return _render(
        request,
        "hall.html",
        {
            "hall": hall_,
            "categories": categories,
            "item": item,
            "covering": covering,
            "item_error": item_error,
            "item_query": _item_query(item),
            **_materials(_current_guide(item, today)),
            **_flow_context(flow),
        },
        status=400 if item_error else 200,
    )


# --- Step 3: a day and a slot ----------------------------------------------------------------


@never_cache
@require_safe
def days(request: HttpRequest, code: str, letter: str) -> HttpResponse:
    """The bookable days of a queue and the slots of the chosen day. The slot picker submits
    here (``?day=…&slot=…``) and a choosable slot leads on to the booking form."""
    return _days(request, code, letter, SITE)


@never_cache
@require_safe
def kiosk_days(request: HttpRequest, code: str, letter: str) -> HttpResponse:
    """Step 3 at the kiosk: the days and slots of one of its hall's queues."""
    return _days(request, code, letter, KIOSK)


def _days(request: HttpRequest, code: str, letter: str, flow: Flow) -> HttpResponse:
    now = timezone.now()
    category = selectors.bookable_category(code=code, letter=letter, today=local_date(now))
    errors: list[str] = []
    item: ServiceItem | None = None
    item_form = ItemChoiceForm(request.GET)
    if not item_form.is_valid():
        errors.append(str(item_form.errors["item"][0]))
    elif item_form.cleaned_data["item"]:
        item = selectors.category_item(category=category, code=item_form.cleaned_data["item"])
        if item is None:
            errors.append(_("该预约业务不包含所选事项，请返回重新选择事项，或不选事项直接预约。"))
    day = None
    raw_day = request.GET.get("day", "")
    if raw_day:
        day = parse_day(raw_day)
        if day is None:
            errors.append(_("日期格式不正确，请从列表中选择日期。"))
    context = _picker(category=category, now=now, day=day)
    if context["day_error"]:
        errors.append(context["day_error"])
    status = 400 if errors else 200

    slot_error = ""
    # The picker's form sends ``choose``: submitting it without a slot is answered with an error,
    # not taken for a visit of the day (a radio group sends nothing when none is checked).
    submitted = "slot" in request.GET or "choose" in request.GET
    if submitted and context["day"] is not None and not errors:
        chosen = next((r for r in context["slot_rows"] if str(r["slot"].pk) == request.GET.get("slot")), None)
        if not request.GET.get("slot"):
            slot_error, status = _("请选择一个时段。"), 400
        elif chosen is None:
            slot_error, status = _("请从列表中选择一个时段。"), 400
        elif not chosen["choosable"]:
            slot_error, status = _unavailable(chosen["slot"], now)
        else:
            url = _form_url(chosen["slot"], flow)
            return HttpResponseRedirect(f"{url}?{_item_query(item)}" if item else url)

    return _render(
        request,
        "days.html",
        {
            **context,
            "hall": category.hall,
            "category": category,
            "item": item,
            "item_query": _item_query(item),
            "errors": errors,
            "slot_error": slot_error,
            "chosen_slot": request.GET.get("slot", ""),
            **_flow_context(flow),
        },
        status=status,
    )


# --- Step 4: who books -----------------------------------------------------------------------


def _form_url(slot: Slot, flow: Flow) -> str:
    if flow.kiosk:
        return reverse("booking-kiosk-form", args=[slot.hall.code, slot.pk])
    return reverse("booking-form", args=[slot.pk])


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, ID and mobile number, and consent; POST books the seat (``booking_create``)."""
    return _booking_form(request, selectors.slot_for_booking(pk=pk), SITE)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_booking_form(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Step 4 at the kiosk, for a slot of the kiosk's own hall (404 for another hall's)."""
    slot = selectors.slot_for_booking(pk=pk)
    if slot.hall.code != code:
        raise Http404(_("没有找到该预约时段。"))
    return _booking_form(request, slot, KIOSK)


# Refusals because of a booking the person holds (the same hall that day, too many active).
HOLDS_A_BOOKING = frozenset({"duplicate", "too_many"})


def _booking_form(request: HttpRequest, slot: Slot, flow: Flow) -> HttpResponse:
    now = timezone.now()
    # The item comes along as a query parameter, and back as a hidden field of the form.
    item_code = (request.POST if request.method == "POST" else request.GET).get("item", "").strip()
    item = None
    if item_code and ItemChoiceForm({"item": item_code}).is_valid():
        item = selectors.category_item(category=slot.category, code=item_code)
    item_refused = bool(item_code) and item is None
    status = 200
    refusal = None
    holds_one = False
    if request.method == "POST":
        form = BookingForm(request.POST, shared_screen=flow.kiosk)
        # What apps above ask for with the booking (appointments/extras.py); not on a kiosk.
        extra_forms = [] if flow.kiosk else [(x, x.form_class(request.POST, item=item)) for x in booking_extras()]
        extras_valid = all([extra_form.is_valid() for _x, extra_form in extra_forms])  # noqa: C419 - every form's errors
        if form.is_valid() and item_refused:
            form.add_error(None, _("所选事项不属于该排队类别。"))
        elif form.is_valid() and extras_valid:
            try:
                with transaction.atomic():
                    booking = services.booking_create(
                        slot=slot,
                        item=item,
                        client_ip=client_address(request),
                        source="kiosk" if flow.kiosk else "web",
                        **form.create_kwargs(),
                    )
                    for _x, extra_form in extra_forms:
                        extra_form.attach(booking)
            # An extra refused in the booking's transaction (an urgent request nobody could
            # decide: cases' 422 ``no_chief``) books nothing either.
            except DomainError as exc:
                add_domain_error(form, exc, fields=PERSON_FIELDS)
                status = exc.status
                # A booking the person already holds: where to see, change or cancel it.
                holds_one = exc.code in HOLDS_A_BOOKING
            else:
                if flow.kiosk:
                    # A shared screen: the confirmation has a fixed address and shows the
                    # booking once; the manage link goes only to the person's phone by SMS.
                    request.session[KIOSK_BOOKED_SESSION_KEY] = {
                        "hall": slot.hall.code,
                        "booking": booking.pk,
                        "until": time.time() + KIOSK_BOOKED_SECONDS,
                    }
                    return HttpResponseRedirect(reverse("booking-kiosk-done", args=[slot.hall.code]))
                # The token, never the personal data, goes into the address.
                return HttpResponseRedirect(_manage_url(booking, new="1"))
        if status == 200:
            status = 400
    else:
        form = BookingForm(initial={"item": item.code if item else ""}, shared_screen=flow.kiosk)
        extra_forms = [] if flow.kiosk else [(x, x.form_class(item=item)) for x in booking_extras()]
        # Why the slot cannot be booked, before anyone types their data: the services' answer.
        refused = services.slot_refusal(slot=slot, now=now)
        if refused is not None:
            refusal = (str(refused.message), refused.status)
        elif item_refused:
            refusal = (_("所选事项不属于该排队类别，请返回重新选择。"), 400)
        if refusal is not None:
            status = refusal[1]
    return _render(
        request,
        "form.html",
        {
            "slot": slot,
            "hall": slot.hall,
            "category": slot.category,
            "item": item,
            "item_query": _item_query(item),
            "form": form,
            "booking_extra_forms": [(extra.template, extra_form) for extra, extra_form in extra_forms],
            "form_url": _form_url(slot, flow),
            "refusal": refusal[0] if refusal else "",
            "holds_a_booking": holds_one,
            "no_online_change": None if refusal else _no_online_change(slot, now),
            **_flow_context(flow),
        },
        status=status,
    )


@never_cache
@require_safe
def kiosk_booking_done(request: HttpRequest, code: str) -> HttpResponse:
    """The end of a booking made at the kiosk: the code and its QR code for check-in, and the
    SMS notice, but no manage link. It forgets itself: the session's note of the booking is
    removed as it is shown, so reloading it, the back button or the next person finds the
    kiosk's start instead; kiosk.js returns there after a minute idle."""
    kiosk_url = reverse("queue-kiosk", args=[code])
    booked = request.session.pop(KIOSK_BOOKED_SESSION_KEY, None) if request.method == "GET" else None
    if not isinstance(booked, dict) or booked.get("hall") != code or booked.get("until", 0) < time.time():
        return HttpResponseRedirect(kiosk_url)
    booking = get_object_or_404(
        Booking.objects.select_related("hall", "category", "item", "slot", "person", "assistance"),
        pk=booked.get("booking"),
    )
    rules = rules_for(booking.hall_id)
    context = {
        "booking": booking,
        "slot": booking.slot,
        "hall": booking.hall,
        "category": booking.category,
        "masked_name": mask_name(booking.name),
        "masked_mobile": mask_mobile(booking.mobile),
        "checkin_opens": booking.slot.starts_at - rules.checkin_before,
        "checkin_closes": booking.slot.starts_at + rules.checkin_after,
        "qr": qr_data_uri(booking.code),
        **_flow_context(KIOSK),
    }
    return _private(_render(request, "kiosk_done.html", context))


# --- The manage page -------------------------------------------------------------------------


def _what_to_bring(booking: Booking, today: dt.date) -> dict[str, Any]:
    """The item's guide materials; without an item (or a guide), the items the queue covers."""
    context = _materials(_current_guide(booking.item, today))
    if context["guide"] is None:
        items = list(
            booking.category.items.order_by("code").only("code", "name", "name_en")[: CATEGORY_ITEMS_SHOWN + 1]
        )
        context["category_items"] = items[:CATEGORY_ITEMS_SHOWN]
        context["more_category_items"] = len(items) > CATEGORY_ITEMS_SHOWN
    return context


def _booking_context(booking: Booking, *, blocked: BookingError | None) -> dict[str, Any]:
    """What the manage, cancel and reschedule pages show of a booking (personal data masked);
    ``blocked`` is why it can no longer be changed online, if so."""
    rules = rules_for(booking.hall_id)
    starts = booking.slot.starts_at
    return {
        "booking": booking,
        "slot": booking.slot,
        "hall": booking.hall,
        "category": booking.category,
        "masked_name": mask_name(booking.name),
        "masked_mobile": mask_mobile(booking.mobile),
        "checkin_opens": starts - rules.checkin_before,
        "checkin_closes": starts + rules.checkin_after,
        "checkin_before_minutes": rules.checkin_before_minutes,
        "checkin_after_minutes": rules.checkin_after_minutes,
        "cancel_before_hours": rules.cancel_before_hours,
        "can_change": blocked is None,
        "change_blocked": str(blocked.message) if blocked is not None else "",
        "is_displaced": booking.status == Booking.Status.DISPLACED,
    }


@never_cache
@require_safe
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The private page of a booking: code and QR code, time and place, what to bring, the
    check-in rules, its status, and links to cancel or reschedule."""
    now = timezone.now()
    booking = access_booking_by_token(token)
    context = _booking_context(booking, blocked=_change_blocked(booking, now))
    context.update(_what_to_bring(booking, local_date(now)))
    context["qr"] = qr_data_uri(booking.code)
    context["new"] = request.GET.get("new") == "1"
    context["booking_sections"] = extensions.sections(extensions.BOOKING_MANAGE)
    return _private(_render(request, "manage.html", context))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """A confirmation step, then ``booking_cancel``."""
    now = timezone.now()
    booking = access_booking_by_token(token)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking)
        except BookingError as exc:
            error, status = str(exc.message), exc.status
        else:
            messages.success(request, _("预约已取消，名额已释放。如仍需办理，可以重新预约。"))
            return HttpResponseRedirect(_manage_url(booking))
    blocked = _change_blocked(booking, now)
    if not error and blocked is not None:
        error, status = str(blocked.message), blocked.status
    context = _booking_context(booking, blocked=blocked)
    context["error"] = error
    return _private(_render(request, "cancel.html", context, status=status))


@never_cache
@require_http_methods(["POST"])
def assistance_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The manage page's "撤销帮办/陪同申请" button: ``booking_assistance_withdraw``, then back."""
    booking = access_booking_by_token(token)
    try:
        services.booking_assistance_withdraw(booking=booking)
    except BookingError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已撤销帮办/陪同申请，预约不变。到达后如需协助，仍可告知大厅工作人员。"))
    return HttpResponseRedirect(_manage_url(booking))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """Another day and slot of the same hall and queue, with the same picker as booking; POST
    calls ``booking_reschedule``, which secures the new seat before releasing the old one."""
    now = timezone.now()
    booking = access_booking_by_token(token)
    error = slot_error = ""
    status = 200
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        valid = form.is_valid()
        day = form.cleaned_data.get("day")
        new_slot = selectors.category_slot(category=booking.category, pk=form.cleaned_data["slot"]) if valid else None
        if not valid and "slot" in form.errors:
            slot_error, status = str(form.errors["slot"][0]), 400
        elif not valid:
            error, status = _("日期格式不正确，请从列表中选择日期。"), 400
        elif new_slot is None:
            slot_error, status = _("请从列表中选择一个时段。"), 400
        else:
            day = day or new_slot.date
            try:
                services.booking_reschedule(booking=booking, new_slot=new_slot)
            except BookingError as exc:
                if exc.field == "slot":
                    slot_error = str(exc.message)
                else:
                    error = str(exc.message)
                status = exc.status
            else:
                messages.success(request, _("改约成功，原时段的名额已释放。请按新的时间到大厅签到。"))
                return HttpResponseRedirect(_manage_url(booking))
    else:
        raw_day = request.GET.get("day", "")
        day = parse_day(raw_day) if raw_day else None
        if raw_day and day is None:
            error, status = _("日期格式不正确，请从列表中选择日期。"), 400

    blocked = _change_blocked(booking, now)
    context = _booking_context(booking, blocked=blocked)
    if blocked is not None:
        # Too close to the start, or no longer booked: say why, and offer no picker.
        if not error:
            error, status = str(blocked.message), blocked.status
        context.update({"days": [], "day": None, "slot_rows": []})
    else:
        picker = _picker(category=booking.category, now=now, day=day, current=booking.slot_id)
        if picker["day_error"] and not error:
            error, status = picker["day_error"], 400
        context.update(picker)
    context.update({"error": error, "slot_error": slot_error, "chosen_slot": request.POST.get("slot", "")})
    return _private(_render(request, "reschedule.html", context, status=status))


# --- Find my bookings ------------------------------------------------------------------------

# The session holds the lookup's token (never the ID or mobile number): the code and list pages
# have no key in their address, so the list's address gives nothing to whoever sees it.
LOOKUP_SESSION_KEY = "booking_lookup"


def _lookup_token(request: HttpRequest) -> str:
    return str(request.session.get(LOOKUP_SESSION_KEY, ""))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """ID and mobile number; POST starts a lookup (``booking_lookup_start``) and goes on to the
    code page, whether or not there are bookings to find: the answer is the same either way."""
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                lookup = services.booking_lookup_start(
                    id_number=form.cleaned_data["id_number"],
                    mobile=form.cleaned_data["mobile"],
                    client_ip=client_address(request),
                )
            except BookingError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                request.session[LOOKUP_SESSION_KEY] = lookup.token
                return HttpResponseRedirect(reverse("booking-find-code"))
        if status == 200:
            status = 400
    else:
        form = LookupForm()
    return _private(_render(request, "find.html", {"form": form}, status=status))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def find_code(request: HttpRequest) -> HttpResponse:
    """The one-time code; POST checks it (``booking_lookup_verify``) and goes on to the list."""
    token = _lookup_token(request)
    lookup = BookingLookup.objects.filter(token=token).only("mobile", "expires_at").first() if token else None
    if lookup is None:
        messages.info(request, _("请填写身份证号码和手机号码，获取验证码。"))
        return HttpResponseRedirect(reverse("booking-find"))
    status = 200
    restart = False
    if request.method == "POST":
        form = LookupCodeForm(request.POST)
        if form.is_valid():
            try:
                services.booking_lookup_verify(token=token, code=form.cleaned_data["code"])
            except BookingError as exc:
                form.add_error("code", str(exc.message))
                status = exc.status
                restart = exc.code in ("expired", "too_many_attempts")
            else:
                request.session.cycle_key()  # a new session id once the code has proved who this is
                return HttpResponseRedirect(reverse("booking-find-list"))
        if status == 200:
            status = 400
    else:
        form = LookupCodeForm()
    context = {
        "form": form,
        "masked_mobile": mask_mobile(lookup.mobile),
        "expires_at": lookup.expires_at,
        "code_minutes": services.LOOKUP_CODE_MINUTES,
        "code_attempts": services.LOOKUP_CODE_ATTEMPTS,
        "restart": restart,
    }
    return _private(_render(request, "find_code.html", context, status=status))


@never_cache
@require_safe
def find_list(request: HttpRequest) -> HttpResponse:
    """The bookings of a confirmed lookup, each linking to its manage page."""
    now = timezone.now()
    lookup = access_confirmed_lookup(_lookup_token(request), now=now)
    if lookup is None:
        messages.info(request, _("查询已结束或已超时，请重新验证。"))
        return HttpResponseRedirect(reverse("booking-find"))
    found = selectors.found_bookings(lookup=lookup, now=now)
    person = next((b.person for b in [*found.upcoming, *found.recent]), None)
    context = {
        "found": found,
        "masked_mobile": mask_mobile(lookup.mobile),
        "masked_id": person.id_masked if person is not None else "",
        "recent_days": selectors.FOUND_RECENT_DAYS,
        "verified_minutes": services.LOOKUP_VERIFIED_MINUTES,
    }
    return _private(_render(request, "find_list.html", context))


@require_http_methods(["POST"])
def find_end(request: HttpRequest) -> HttpResponse:
    """Forget the lookup in this session (a shared computer)."""
    request.session.pop(LOOKUP_SESSION_KEY, None)
    messages.success(request, _("已退出预约查询。"))
    return HttpResponseRedirect(reverse("booking-find"))


# --- Kiosk check-in --------------------------------------------------------------------------

NOT_A_KIOSK = gettext_noop(
    "本机不是本大厅登记的自助终端，不能凭身份证号码签到：请使用预约码签到，或到窗口出示身份证件签到。"
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_check_in(request: HttpRequest, code: str) -> HttpResponse:
    """At the hall's kiosk (care mode): the booking code or ID number turns today's booking into
    a ticket (a priority Y ticket on time, a normal one when late), whose slip can be printed."""
    hall_ = selectors.hall_or_404(code=code)
    # Check-in by ID number belongs to the hall's registered kiosks (and its windows): a browser
    # that merely opens this address checks in by booking code (issue 9 §3).
    device = access_kiosk_device(request, hall_.pk)
    status = 200
    result = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        # A slip's ticket stands for the ID number typed for it: the same rule.
        by_id = form.is_valid() and (form.cleaned_data["id_number"].strip() or form.cleaned_data["ticket"])
        if by_id and device is None:
            form.add_error(None, _(NOT_A_KIOSK))
            status = 403
        elif form.is_valid():
            # From a normal ticket's slip (appointments/kiosk/slip_check_in.html): the ID number
            # typed for that ticket stands for the person, known only by its digest.
            held = (
                selectors.kiosk_ticket(hall=hall_, token=form.cleaned_data["ticket"], day=local_date())
                if form.cleaned_data["ticket"]
                else None
            )
            try:
                if form.cleaned_data["ticket"] and held is None:
                    raise BookingError(
                        _("该排队号已叫号、已取消或已失效，请输入预约码或身份证号码签到。"), field="code"
                    )
                result = services.booking_check_in(
                    hall=hall_,
                    code=form.cleaned_data["code"],
                    id_number=form.cleaned_data["id_number"],
                    person_digest=held.id_hash if held is not None else "",
                    mobile_last4=form.cleaned_data["mobile_last4"],
                    via="kiosk",
                    device=device,
                    codes_only=device is None,
                )
            except BookingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
                if exc.code == "id_number_as_code":
                    # A public screen: the ID number typed is not shown back (walkthrough).
                    shown = request.POST.copy()
                    shown["code"] = ""
                    form.data = shown
            else:
                form = CheckInForm()  # the next person starts with an empty form
        else:
            status = 400
    else:
        form = CheckInForm()
    return _render(
        request,
        "kiosk_checkin.html",
        {
            "hall": hall_,
            "form": form,
            "result": result,
            "rules": rules_for(hall_),
            "care_mode": True,
            "kiosk_device": device,
        },
        status=status,
    )
