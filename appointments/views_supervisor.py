"""The supervisors' appointment pages (预约管理; REQUIREMENTS §5, issue 4 "Staff and supervisors").

- ``/supervisor/halls/<code>/appointments/``: a hall's slots on a day with their bookings, fill
  rate, check-ins and no-shows, the day's totals, a summary per day over a date range and the
  hall's slot plans; a form to change the day's seats of a queue and one per slot to close it.
- ``/supervisor/suspensions/``: the people whose online booking is suspended, with a form to lift
  a suspension (audited by the service).

Same scope as the queue dashboard (``servicehall.access.supervisor_required`` and
``supervised_hall_ids``): supervisors (政务服务管理部门) and administrators, or superusers; one
tied to a hall sees that hall, a citywide one every hall; other staff get 403 and anonymous
visitors the login page. Plain pages and forms: a POST that fails renders the page again with the
form's messages (400, or the service's status), one that succeeds redirects back with a message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from appointments import services, stats
from appointments.access import access_booking_person, access_supervised_slot
from appointments.config import resolve, rules_for
from appointments.forms_staff import (
    CapacityForm,
    DayForm,
    RangeForm,
    ReasonForm,
    close_form,
    day_form,
    lift_form,
    range_form,
)
from appointments.models import BookingPerson
from appointments.services import BookingError
from catalog.access import access_hall
from catalog.models import Hall
from servicehall.access import staff_profile, staff_scope, supervised_hall_ids, supervisor_required
from servicehall.clock import SHANGHAI, local_date
from servicehall.http import post_action
from servicehall.pagination import paginate, requested_page
from servicehall.roles import SUPERVISION_ROLES

HALL_PAGE = "appointments/supervisor/hall.html"
SUSPENSIONS_PAGE = "appointments/supervisor/suspensions.html"
SUSPENSIONS_PER_PAGE = 50


# The refusal other staff read on the 403 page.
NOT_A_SUPERVISOR = gettext_lazy("预约管理仅向政务服务管理部门和系统管理员开放。")


def _back(request: HttpRequest, name: str, *args: Any, anchor: str = "") -> HttpResponse:
    """Redirect to the page the form was on: the forms post to the page's own query string."""
    query = request.GET.urlencode()
    return redirect(reverse(name, args=args) + (f"?{query}" if query else "") + anchor)


# --- A hall's appointments ---------------------------------------------------------------------


@dataclass
class HallPage:
    hall: Hall
    now: dt.datetime
    today: dt.date
    day_form: DayForm
    range_form: RangeForm
    day: stats.HallDay | None
    range: stats.HallRange | None


def _load(request: HttpRequest, hall: Hall, *, day: dt.date | None = None) -> HallPage:
    """The day (``?date=``, today by default) and the range (``?start=&end=``, two weeks around
    the day) the page shows; ``day`` overrides the query (a slot being closed shows its day)."""
    now = timezone.now()
    today = local_date(now)
    form = day_form({"date": day.isoformat()} if day else request.GET, today=today)
    shown = form.cleaned_data["date"] if form.is_valid() else None
    ranged = range_form(request.GET, around=shown or today)
    return HallPage(
        hall=hall,
        now=now,
        today=today,
        day_form=form,
        range_form=ranged,
        day=stats.hall_day(hall=hall, day=shown, now=now) if shown else None,
        range=stats.hall_range(hall=hall, start=ranged.cleaned_data["start"], end=ranged.cleaned_data["end"])
        if ranged.is_valid()
        else None,
    )


@dataclass
class SlotItem:
    row: stats.SlotRow
    form: ReasonForm | None  # None: closed or over, nothing to close


def _render_hall(
    request: HttpRequest,
    page: HallPage,
    *,
    capacity_form: CapacityForm | None = None,
    failed_close: tuple[int, ReasonForm] | None = None,
    error: str = "",
    status: int = 200,
) -> TemplateResponse:
    items: list[SlotItem] = []
    if page.day is not None:
        if capacity_form is None:
            capacity_form = CapacityForm(categories=page.day.categories, today=page.today, day=page.day.day)
        for row in page.day.rows:
            form = None
            if row.closable:
                if failed_close is not None and failed_close[0] == row.slot.pk:
                    form = failed_close[1]
                else:
                    form = close_form(row.slot.pk)
            items.append(SlotItem(row, form))
    if not (page.day_form.is_valid() and page.range_form.is_valid()):
        status = max(status, 400)
    day = page.day.day if page.day else None
    query = {"date": day.isoformat()} if day else {}
    if page.range is not None:
        query |= {"start": page.range.start.isoformat(), "end": page.range.end.isoformat()}
    return TemplateResponse(
        request,
        HALL_PAGE,
        {
            "hall": page.hall,
            "now": page.now,
            "today": page.today,
            "day_form": page.day_form,
            "range_form": page.range_form,
            "day": page.day,
            "range": page.range,
            "slot_items": items,
            "capacity_form": capacity_form,
            "can_change_capacity": page.day is not None and page.day.day >= page.today and bool(page.day.categories),
            "plans": stats.hall_plans(hall=page.hall),
            "query": urlencode(query),
            "previous_day": (day - dt.timedelta(days=1)).isoformat() if day else "",
            "next_day": (day + dt.timedelta(days=1)).isoformat() if day else "",
            "error": error,
        },
        status=status,
    )


@require_safe
@supervisor_required(message=NOT_A_SUPERVISOR)
def hall_appointments(request: HttpRequest, code: str) -> TemplateResponse:
    """One hall's bookings on a day, per slot, and per day over a range; its slot plans."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    return _render_hall(request, _load(request, hall))


@supervisor_required(message=NOT_A_SUPERVISOR)
@post_action("supervisor-appointments", "code", keep_query=True)
def day_capacity(request: HttpRequest, code: str) -> HttpResponse:
    """Change the seats of every slot of one queue on the page's day (not below what is booked)."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    page = _load(request, hall)
    if page.day is None:
        return _render_hall(request, page, status=400)
    form = CapacityForm(request.POST, categories=page.day.categories, today=page.today, day=page.day.day)
    status = 400
    if form.is_valid():
        category = form.category_seats()
        try:
            changed = services.day_set_capacity(
                hall=hall,
                category_id=category.category.pk,
                day=page.day.day,
                capacity=form.cleaned_data["capacity"],
                actor=request.user,
            )
        except BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = exc.status
        else:
            messages.success(
                request,
                _("已将 %(day)s %(letter)s类（%(name)s）的 %(n)s 个时段调整为每时段 %(capacity)s 人。")
                % {
                    "day": page.day.day.isoformat(),
                    "letter": category.category.letter,
                    "name": category.category.display_name,
                    "n": changed,
                    "capacity": form.cleaned_data["capacity"],
                },
            )
            return _back(request, "supervisor-appointments", hall.code, anchor="#capacity")
    return _render_hall(request, page, capacity_form=form, status=status)


@supervisor_required(message=NOT_A_SUPERVISOR)
@post_action("supervisor-appointments", "code", keep_query=True)
def slot_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Close one slot of the hall: its bookings are told and may move to another time."""
    slot = access_supervised_slot(request.user, code, pk)
    hall = slot.hall
    form = close_form(slot.pk, request.POST)
    status, error = 400, ""
    if slot.is_closed:
        status, error = 409, _("该时段已于此前关闭（%(reason)s）。") % {"reason": slot.closed_reason}
    elif slot.ends_at <= timezone.now():
        status, error = 409, _("该时段已经结束，无需关闭。")
    elif form.is_valid():
        try:
            displaced = services.slot_close(slot=slot, reason=form.cleaned_data["reason"], actor=request.user)
        except BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = exc.status
        else:
            messages.success(
                request,
                _("已关闭 %(time)s %(letter)s类预约时段；%(n)s 位预约人将收到关闭通知，可通过管理链接改约。")
                % {
                    "time": slot.starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                    "letter": slot.category.letter,
                    "n": displaced,
                },
            )
            return _back(request, "supervisor-appointments", hall.code, anchor="#slots")
    page = _load(request, hall, day=slot.date)
    return _render_hall(request, page, failed_close=(slot.pk, form), error=error, status=status)


# --- Suspended people --------------------------------------------------------------------------


@dataclass
class PersonItem:
    person: BookingPerson
    form: ReasonForm


def _render_suspensions(
    request: HttpRequest,
    *,
    failed: tuple[str, ReasonForm] | None = None,
    error: str = "",
    status: int = 200,
) -> TemplateResponse:
    scope = staff_scope(request.user)
    now = timezone.now()
    number, page_error = requested_page(request)
    page = paginate(
        stats.suspended_people(hall_ids=supervised_hall_ids(request.user), now=now),
        page_number=number,
        per_page=SUSPENSIONS_PER_PAGE,
    )
    # The hall a supervisor is tied to, named in the heading, and whose no-show rule the page
    # states; a citywide supervisor reads the default rule.
    profile = staff_profile(request.user)
    hall = profile.hall if profile is not None and not scope.citywide else None
    items = [
        PersonItem(person, failed[1] if failed is not None and failed[0] == person.pk else lift_form(person.pk))
        for person in page
    ]
    if failed is not None and not error and not any(item.person.pk == failed[0] for item in items):
        # The person left the list meanwhile (lifted by someone else, or the suspension ended).
        error = " ".join(str(message) for field_errors in failed[1].errors.values() for message in field_errors)
    return TemplateResponse(
        request,
        SUSPENSIONS_PAGE,
        {
            "scope": scope,
            "hall": hall,
            "rules": rules_for(hall) if hall is not None else resolve(None),
            "now": now,
            "page": page,
            "items": items,
            "error": error or page_error,
            "query": request.GET.urlencode(),
        },
        status=400 if page_error and status == 200 else status,
    )


@require_safe
@supervisor_required(message=NOT_A_SUPERVISOR)
def suspensions(request: HttpRequest) -> TemplateResponse:
    """People whose online booking is suspended and who booked at a hall in the user's scope."""
    return _render_suspensions(request)


@supervisor_required(message=NOT_A_SUPERVISOR)
@post_action("supervisor-suspensions", keep_query=True)
def suspension_lift(request: HttpRequest) -> HttpResponse:
    """Lift one person's suspension, with a reason (the service records who, when and why)."""
    person = access_booking_person(request.user, request.POST.get("person", "").strip())
    form = lift_form(person.pk, request.POST)
    status = 400
    if form.is_valid():
        try:
            services.suspension_lift(person=person, actor=request.user, reason=form.cleaned_data["reason"])
        except BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = exc.status
        else:
            messages.success(
                request, _("已解除预约人 %(person)s 的预约暂停，其可再次网上预约。") % {"person": person.id_masked}
            )
            return _back(request, "supervisor-suspensions")
    return _render_suspensions(request, failed=(person.pk, form), status=status)
