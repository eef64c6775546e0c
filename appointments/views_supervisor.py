"""The supervisors' appointment pages (预约管理; REQUIREMENTS §5, issue 4 "Staff and supervisors").

- ``/supervisor/halls/<code>/appointments/``: a hall's slots on a day with their bookings, fill
  rate, check-ins and no-shows, the day's totals, a summary per day over a date range and the
  hall's slot plans; a form to change the day's seats of a queue and one per slot to close it.
- ``/supervisor/suspensions/``: the people whose online booking is suspended, with a form to lift
  a suspension (audited by the service).

Same scope as the queue dashboard (``servicehall.access``): supervisors (政务服务管理部门) and
administrators, or superusers; one tied to a hall sees that hall, a citywide one every hall;
other staff get 403 and anonymous visitors the login page. Plain pages and forms: a POST that
fails renders the page again with the form's messages (400, or the service's status), one that
succeeds redirects back with a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from appointments import services, stats
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
from appointments.models import BookingPerson, Slot
from appointments.services import BookingError, local_date
from catalog.hours import SHANGHAI
from catalog.models import Hall
from queueing.access import SUPERVISION_ROLES
from servicehall.access import StaffScope, access_hall, staff_scope
from servicehall.pagination import paginate
from servicehall.views import page_number

HALL_PAGE = "appointments/supervisor/hall.html"
SUSPENSIONS_PAGE = "appointments/supervisor/suspensions.html"
SUSPENSIONS_PER_PAGE = 50


def supervisor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only supervisors and administrators (or superusers) go further."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not staff_scope(request.user).has_role(*SUPERVISION_ROLES):
            raise PermissionDenied(_("预约管理仅向政务服务管理部门和系统管理员开放。"))
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _hall_ids(scope: StaffScope) -> list[int] | None:
    """The halls a supervisor covers: None for every hall (citywide)."""
    if scope.citywide:
        return None
    return [scope.hall.pk] if scope.hall is not None else []


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
                failed = failed_close is not None and failed_close[0] == row.slot.pk
                form = failed_close[1] if failed else close_form(row.slot.pk)
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
            "can_change_capacity": day is not None and day >= page.today and bool(page.day.categories),
            "plans": stats.hall_plans(hall=page.hall),
            "query": urlencode(query),
            "previous_day": (day - dt.timedelta(days=1)).isoformat() if day else "",
            "next_day": (day + dt.timedelta(days=1)).isoformat() if day else "",
            "error": error,
        },
        status=status,
    )


@require_safe
@supervisor_only
def hall_appointments(request: HttpRequest, code: str) -> TemplateResponse:
    """One hall's bookings on a day, per slot, and per day over a range; its slot plans."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    return _render_hall(request, _load(request, hall))


@require_POST
@supervisor_only
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


@require_POST
@supervisor_only
def slot_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Close one slot of the hall: its bookings are told and may move to another time."""
    hall = access_hall(request.user, code, roles_allowed=SUPERVISION_ROLES)
    slot = Slot.objects.select_related("category").filter(hall=hall, pk=pk).first()
    if slot is None:
        raise Http404(_("没有找到该预约时段。"))
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
    number, page_error = page_number(request)
    page = paginate(
        stats.suspended_people(hall_ids=_hall_ids(scope), now=now), page_number=number, per_page=SUSPENSIONS_PER_PAGE
    )
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
            "now": now,
            "page": page,
            "items": items,
            "error": error or page_error,
            "query": request.GET.urlencode(),
        },
        status=400 if page_error and status == 200 else status,
    )


@require_safe
@supervisor_only
def suspensions(request: HttpRequest) -> TemplateResponse:
    """People whose online booking is suspended and who booked at a hall in the user's scope."""
    return _render_suspensions(request)


@require_POST
@supervisor_only
def suspension_lift(request: HttpRequest) -> HttpResponse:
    """Lift one person's suspension, with a reason (the service records who, when and why)."""
    scope = staff_scope(request.user)
    pk = request.POST.get("person", "").strip()
    person = stats.person_in_scope(pk=pk, hall_ids=_hall_ids(scope)) if pk else None
    if person is None:
        raise Http404(_("没有找到该预约人。"))
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
