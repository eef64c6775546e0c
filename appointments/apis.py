"""Appointments API under /api/v1/: slot availability, bookings (create, then view, cancel and
reschedule by the private manage token), check-in at the kiosk or a window, and booking
statistics for supervisors. Same services as the pages; every refusal is the service's
``BookingError``, answered as JSON with its status (400, 409, 429) and the field it concerns.

Personal data stays out of URLs (a booking is reached by its unguessable token, a check-in by ID
number is a POST body) and out of responses (ID and mobile numbers and names are masked).
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import selectors, services
from appointments.access import access_booking_by_token, access_check_in_desk, access_statistics_halls
from appointments.config import rules_for
from appointments.extras import booking_extras
from appointments.models import Booking, Slot
from catalog.models import Hall, ServiceItem
from queueing import services as queue_services
from queueing.access import access_kiosk_device, kiosk_device_of
from queueing.apis import AssistanceCreateSerializer
from queueing.models import QueueCategory, Ticket
from servicehall.api_fields import IdNumberField, JsonBodySerializer, MobileField
from servicehall.clock import local_date
from servicehall.errors import DomainError, not_found_with
from servicehall.http import client_address
from servicehall.personal_data import mask_mobile, mask_name
from servicehall.plain_api import plain_answer, plain_json_body
from servicehall.schema import ERROR_404, ERROR_422, ERROR_429, NOT_BLANK_PATTERN
from servicehall.throttling import ScopedCounterThrottle

STATISTICS_MAX_DAYS = 366
KIND_HELP = gettext_lazy("regular 工作日正常时段、extended 工作日延时服务、staggered 周末及节假日错时服务")


# --- Serializers ------------------------------------------------------------------------------


class SlotQuerySerializer(serializers.Serializer):
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=1, help_text=gettext_lazy("排队类别字母，如 A；不填则为全部类别")
    )
    start = serializers.DateField(required=False, help_text=gettext_lazy("起始日期（默认今天）"))
    end = serializers.DateField(required=False, help_text=gettext_lazy("截止日期（默认可预约的最后一天）"))
    # No rule across start and end: the view answers only the days from today to the last
    # bookable one (a horizon of at most 30 working days), so an end before the start, or a range
    # beyond the horizon, is simply fewer days or none (the schema cannot state such a rule).


class AvailableSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=gettext_lazy("预约时要提交的时段编号"))
    category = serializers.CharField(help_text=gettext_lazy("排队类别字母"))
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()


class AvailableDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    seats_left = serializers.IntegerField(help_text=gettext_lazy("当天剩余名额合计"))
    full = serializers.BooleanField(help_text=gettext_lazy("当天已约满"))
    slots = AvailableSlotSerializer(many=True)


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = QueueCategory
        fields = ["letter", "name", "name_en"]


class AvailabilitySerializer(serializers.Serializer):
    hall = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    bookable_until = serializers.DateField(help_text=gettext_lazy("可预约的最后一天"))
    categories = CategoryRefSerializer(many=True)
    days = AvailableDaySerializer(many=True)


class HallRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hall
        fields = ["code", "name", "name_en", "address", "address_en"]


class ItemRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["code", "name", "name_en"]


class SlotRefSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Slot
        fields = ["id", "date", "starts_at", "ends_at", "kind", "kind_display"]


class TicketRefSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=gettext_lazy("排队号状态，如 waiting、called、done"))
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["number", "status", "token", "url"]

    def get_url(self, ticket: Ticket) -> str:
        return reverse("queue-ticket", args=[ticket.token])


class BookingSerializer(serializers.ModelSerializer):
    """A booking as its holder sees it: ID number, mobile number and name masked."""

    status = serializers.CharField(
        help_text=gettext_lazy(
            "booked 已预约、checked_in 已签到、cancelled 已取消、no_show 爽约、displaced 时段已关闭待改约"
        )
    )
    status_display = serializers.CharField(source="get_status_display")
    hall = HallRefSerializer()
    category = CategoryRefSerializer()
    item = ItemRefSerializer(allow_null=True)
    slot = SlotRefSerializer()
    name = serializers.SerializerMethodField(help_text=gettext_lazy("姓名（脱敏）"))
    id_number = serializers.CharField(source="person.id_masked", help_text=gettext_lazy("身份证号码（脱敏）"))
    mobile = serializers.SerializerMethodField(help_text=gettext_lazy("手机号码（脱敏）"))
    manage_until = serializers.SerializerMethodField(
        help_text=gettext_lazy("网上取消或改约的截止时间（时段被大厅关闭时不受此限）")
    )
    ticket = TicketRefSerializer(allow_null=True, help_text=gettext_lazy("签到后取得的排队号"))

    class Meta:
        model = Booking
        fields = [
            "code",
            "status",
            "status_display",
            "hall",
            "category",
            "item",
            "slot",
            "name",
            "id_number",
            "mobile",
            "created_at",
            "cancelled_at",
            "checked_in_at",
            "manage_until",
            "ticket",
        ]

    def get_name(self, booking: Booking) -> str:
        return mask_name(booking.name)

    def get_mobile(self, booking: Booking) -> str:
        return mask_mobile(booking.mobile)

    def get_manage_until(self, booking: Booking) -> dt.datetime:
        return timezone.localtime(booking.slot.starts_at - rules_for(booking.hall_id).cancel_before)


class BookingCreatedSerializer(BookingSerializer):
    manage_token = serializers.CharField(
        help_text=gettext_lazy("私密管理令牌：凭此查看、取消或改约，请妥善保管，不要转发他人")
    )

    class Meta(BookingSerializer.Meta):
        fields = ["manage_token", *BookingSerializer.Meta.fields]


class BookingCreateSerializer(JsonBodySerializer):
    slot = serializers.IntegerField(help_text=gettext_lazy("时段编号（见可预约时段）"))
    name = serializers.CharField(max_length=40, help_text=gettext_lazy("姓名"))
    id_number = IdNumberField(help_text=gettext_lazy("居民身份证号码（18位）"))
    mobile = MobileField(help_text=gettext_lazy("手机号码，用于接收预约提醒"))
    item = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text=gettext_lazy("办理事项编码（可选）")
    )
    assistance = AssistanceCreateSerializer(
        required=False, help_text=gettext_lazy("需要陪同办理或帮办代办时填写（可选）")
    )

    def get_fields(self) -> dict[str, Any]:
        # What apps above appointments ask for with a booking (appointments/extras.py).
        fields = super().get_fields()
        for extra in booking_extras():
            fields[extra.name] = extra.api_field()
        return fields


class RescheduleSerializer(JsonBodySerializer):
    slot = serializers.IntegerField(help_text=gettext_lazy("新时段编号"))


class CheckInSerializer(JsonBodySerializer):
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=gettext_lazy("预约码"))
    id_number = IdNumberField(required=False, allow_blank=True, help_text=gettext_lazy("居民身份证号码（无预约码时）"))
    mobile_last4 = serializers.RegexField(
        r"^[0-9]{4}$",
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("预约手机号码后四位：未登录时凭身份证号码签到必填（否则 403）"),
    )
    # The booking code or the ID number (servicehall.schema reads this into the schema).
    openapi_schema_extra = {
        "anyOf": [
            {"required": ["code"], "properties": {"code": {"minLength": 1, "pattern": NOT_BLANK_PATTERN}}},
            {"required": ["id_number"], "properties": {"id_number": {"minLength": 1}}},
        ]
    }


class CheckInResultSerializer(serializers.Serializer):
    booking = serializers.CharField(help_text=gettext_lazy("预约码"))
    ticket = serializers.CharField(help_text=gettext_lazy("排队号，如 YA003"))
    token = serializers.CharField(help_text=gettext_lazy("排队号查询令牌"))
    url = serializers.CharField(help_text=gettext_lazy("排队进度页面"))
    category = serializers.CharField()
    priority = serializers.CharField(help_text=gettext_lazy("appointment 为预约优先号；迟到则为空（普通号）"))
    late = serializers.BooleanField(help_text=gettext_lazy("超过签到时间，取得普通号"))
    message = serializers.CharField()


class StatisticsQuerySerializer(serializers.Serializer):
    hall = serializers.CharField(required=False, allow_blank=True, max_length=20)
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict) -> dict:
        # An end before the start is an empty range (no rows). A range too long is well formed
        # but refused by a rule the schema cannot state (it spans two fields): 422, documented.
        if (attrs["end"] - attrs["start"]).days >= STATISTICS_MAX_DAYS:
            raise DomainError(
                _("一次最多查询%(days)s天。") % {"days": STATISTICS_MAX_DAYS},
                field="end",
                code="range_too_long",
                status=422,
            )
        return attrs


class BookingStatSerializer(serializers.Serializer):
    date = serializers.DateField()
    hall = serializers.CharField()
    hall_name = serializers.CharField()
    slots = serializers.IntegerField(help_text=gettext_lazy("时段数"))
    closed_slots = serializers.IntegerField(help_text=gettext_lazy("已关闭的时段数"))
    capacity = serializers.IntegerField(help_text=gettext_lazy("名额：未关闭时段的名额合计"))
    bookings = serializers.IntegerField(
        help_text=gettext_lazy("已约：未关闭时段中被占用的名额（已预约、已签到、爽约）")
    )
    fill_rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("预约率（%）：已约 ÷ 名额"))
    checked_in = serializers.IntegerField(help_text=gettext_lazy("已签到"))
    no_shows = serializers.IntegerField(help_text=gettext_lazy("爽约"))
    no_show_rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("爽约率（%）：爽约 ÷（签到 + 爽约）"))
    displaced = serializers.IntegerField(help_text=gettext_lazy("时段被关闭、尚未改约的预约"))
    cancelled = serializers.IntegerField(help_text=gettext_lazy("已取消的预约"))


# --- Lookups ----------------------------------------------------------------------------------


def _slot(pk: int) -> Slot:
    """The slot asked for, or a 404 naming the field (the services read it again, locked)."""
    slots = Slot.objects
    try:
        return slots.get(pk=pk)  # ``get``, not ``first``: no ORDER BY (the default one joins the category)
    except Slot.DoesNotExist:
        raise DomainError(_("没有找到该预约时段，请重新选择。"), field="slot", code="not_found", status=404) from None


def _unknown_slot(payload: BookingCreateSerializer) -> dict[str, list[str]]:
    """With other fields wrong, a slot number naming no slot: the 404 it is alone, naming the
    other fields too (walkthrough finding 3). Read only on this refusal's path."""
    pk = payload.initial_data.get("slot") if isinstance(payload.initial_data, dict) else None
    if "slot" in payload.errors or not isinstance(pk, int) or isinstance(pk, bool):
        return {}
    if Slot.objects.filter(pk=pk).exists():
        return {}
    return {"slot": [_("没有找到该预约时段，请重新选择。")]}


def _no_store(response: Response) -> Response:
    """Personal data (even masked) is not kept by browsers or proxies."""
    response["Cache-Control"] = "no-store"
    return response


# --- Availability -----------------------------------------------------------------------------


class SlotAvailabilityView(APIView):
    # Public: anyone may look for a time before booking.
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Bookable slots of a hall by day, with seats left",
        description=(
            "Open slots that have not started, from `start` (default today) to `end` (default the "
            "last bookable day; never beyond it), for one queue category or all of them."
        ),
        tags=["appointments"],
        parameters=[SlotQuerySerializer],
        responses=AvailabilitySerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hall = selectors.hall_or_404(code=code)
        categories = list(QueueCategory.objects.filter(hall=hall, is_active=True).order_by("order", "letter"))
        letter = (query.validated_data.get("category") or "").upper()
        if letter:
            categories = [c for c in categories if c.letter == letter]
            if not categories:
                raise DomainError(_("本大厅没有该排队类别。"), field="category", code="not_found", status=404)
        now = timezone.now()
        today = local_date(now)
        last = services.horizon_end(hall=hall, today=today)
        start = max(query.validated_data.get("start") or today, today)
        end = min(query.validated_data.get("end") or last, last)
        body = {
            "hall": hall.code,
            "start": start,
            "end": end,
            "bookable_until": last,
            "categories": CategoryRefSerializer(categories, many=True).data,
            "days": selectors.availability(hall=hall, categories=categories, start=start, end=end, now=now)
            if start <= end
            else [],
        }
        return Response(body)


# --- Bookings ---------------------------------------------------------------------------------


class BookingCreateView(APIView):
    """Real-name booking (ID and mobile number checked); rate limits per client address and per
    mobile number against scalpers (黄牛) are applied by the service."""

    # Public: applicants book without an account; the service checks who they are.
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Book a slot",
        tags=["appointments"],
        request=BookingCreateSerializer,
        # 404: no such slot or item; 429: the service's limits per address and per mobile number.
        responses={201: BookingCreatedSerializer, 404: ERROR_404, 422: ERROR_422, 429: ERROR_429},
    )
    def post(self, request: Request) -> Response:
        payload = BookingCreateSerializer(data=request.data)
        if not payload.is_valid():
            unknown = _unknown_slot(payload)
            raise not_found_with(payload.errors, unknown) if unknown else serializers.ValidationError(payload.errors)
        data = payload.validated_data
        now = timezone.now()
        slot = services.slot_for_booking(data["slot"], id_number=data["id_number"], now=now)
        if slot is None:
            raise DomainError(_("没有找到该预约时段，请重新选择。"), field="slot", code="not_found", status=404)
        item = None
        if data.get("item"):
            item = ServiceItem.objects.filter(code=data["item"].strip()).first()
            if item is None:
                raise DomainError(_("没有找到该办理事项。"), field="item", code="not_found", status=404)
        # What an app above asked for with the booking (appointments/extras.py, e.g. 急事急办):
        # every one checked before anything is saved, then saved in the booking's transaction.
        asked = [(extra, extra.api_clean(item, data[extra.name])) for extra in booking_extras() if data.get(extra.name)]
        # The service's own transaction is enough unless an extra is to be saved with it.
        with transaction.atomic() if asked else nullcontext():
            wish = queue_services.assistance_wish(**data["assistance"]) if data.get("assistance") else None
            booking = _book(request, slot, data, now=now, item=item, assistance=wish)
            for extra, cleaned in asked:
                extra.api_attach(booking, cleaned)
        if asked or booking.assistance_id is not None:
            booking = access_booking_by_token(booking.manage_token)
        else:
            # The answer from what was just written, not read back: the booking, its slot (with
            # hall and category, read by ``slot_for_booking``), item and person are all here, and it has no ticket
            # or assistance request yet (issue 14: reading it back with its seven relations cost
            # PostgreSQL more to plan than the whole booking to write).
            booking.hall, booking.category = slot.hall, slot.category
        return _no_store(Response(BookingCreatedSerializer(booking).data, status=status.HTTP_201_CREATED))

    @classmethod
    def as_view(cls, **initkwargs):  # noqa: ANN206 - returns a view function
        drf_view = super().as_view(**initkwargs)

        def view(request: HttpRequest) -> HttpResponse:
            answered = book_plainly(request)
            return answered if answered is not None else drf_view(request)

        # What drf-spectacular reads to document the endpoint; CSRF as DRF decides it.
        view.cls, view.initkwargs, view.csrf_exempt = drf_view.cls, drf_view.initkwargs, True
        return view


def _book(
    request: HttpRequest,
    slot: Slot,
    person: dict[str, Any],
    *,
    now: dt.datetime,
    item: ServiceItem | None = None,
    assistance: Any = None,
) -> Booking:
    """The API's booking of ``slot`` for ``person`` (its name, ID and mobile number), on either path."""
    return services.booking_create(
        slot=slot,
        name=person["name"],
        id_number=person["id_number"],
        mobile=person["mobile"],
        item=item,
        client_ip=client_address(request),
        source="api",
        assistance=assistance,
        now=now,
        fresh=True,
    )


_BOOKING_FIELDS = frozenset({"slot", "name", "id_number", "mobile"})
_BOOKING_ALLOW = "POST, OPTIONS"
_NO_STORE = {"Cache-Control": "no-store"}
# The body's fields as the DRF view's serializer reads them (each validated alone, unbound).
_PLAIN_FIELDS = {
    "name": serializers.CharField(max_length=40),
    "id_number": IdNumberField(),
    "mobile": MobileField(),
}


def book_plainly(request: HttpRequest) -> HttpResponse | None:
    """The booking without DRF around it (issue 14): an anonymous JSON body of exactly the slot,
    name, ID and mobile number, each valid as the DRF view's serializer would find it, for a slot
    that exists. The service's answer is given here, a refusal included (a full slot: most
    requests once a popular slot has filled), since the service has counted its rate limits by
    then; anything else (an item, an assistance wish, a wrong field, an unknown slot) returns None
    before the service is called, and the DRF view serves it."""
    data = plain_json_body(request, fields=_BOOKING_FIELDS)
    if data is None or data.keys() != _BOOKING_FIELDS:
        return None
    pk = data["slot"]
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    values: dict[str, str] = {}
    for name, field in _PLAIN_FIELDS.items():
        if not isinstance(data[name], str):
            return None
        try:
            values[name] = field.run_validation(data[name])
        except serializers.ValidationError:
            return None
    now = timezone.now()
    slot = services.slot_for_booking(pk, id_number=values["id_number"], now=now)
    if slot is None:
        return None
    try:
        booking = _book(request, slot, values, now=now)
    except DomainError as exc:
        return plain_answer(exc.as_dict(), status=exc.status, allow=_BOOKING_ALLOW)
    booking.hall, booking.category = slot.hall, slot.category
    return plain_answer(
        BookingCreatedSerializer(booking).data, status=status.HTTP_201_CREATED, allow=_BOOKING_ALLOW, **_NO_STORE
    )


class BookingDetailView(APIView):
    # Public: the unguessable manage token is the key (``access_booking_by_token``).
    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="A booking, by its manage token", tags=["appointments"], responses=BookingSerializer)
    def get(self, request: Request, token: str) -> Response:
        return _no_store(Response(BookingSerializer(access_booking_by_token(token)).data))


class BookingCancelView(APIView):
    # Public: the unguessable manage token is the key (``access_booking_by_token``).
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Cancel a booking (up to 2 hours before, by default)",
        tags=["appointments"],
        request=None,
        responses=BookingSerializer,
    )
    def post(self, request: Request, token: str) -> Response:
        booking = services.booking_cancel(booking=access_booking_by_token(token))
        return _no_store(Response(BookingSerializer(access_booking_by_token(booking.manage_token)).data))


class BookingRescheduleView(APIView):
    # Public: the unguessable manage token is the key (``access_booking_by_token``).
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Move a booking to another slot of the same hall",
        description="The new seat is secured before the old one is given back: a refusal changes nothing.",
        tags=["appointments"],
        request=RescheduleSerializer,
        responses=BookingSerializer,
    )
    def post(self, request: Request, token: str) -> Response:
        booking = access_booking_by_token(token)
        payload = RescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.booking_reschedule(booking=booking, new_slot=_slot(payload.validated_data["slot"]))
        return _no_store(Response(BookingSerializer(access_booking_by_token(booking.manage_token)).data))


# --- Check-in ---------------------------------------------------------------------------------


class KioskCheckInThrottle(ScopedCounterThrottle):
    """Anonymous check-ins (the hall's kiosk) per client address, against trying ID numbers
    one after another; signed-in window staff are not limited. The rate is the scope's own if
    configured, otherwise the ticket-issue rate (THROTTLE_TICKET_ISSUE): a check-in issues a
    ticket."""

    def allow_request(self, request, view) -> bool:  # noqa: ANN001 - DRF's signature
        # A registered kiosk has limits of its own (``booking_check_in``); the kiosks of a hall
        # often share one address, which must not lock the whole hall out.
        if request.user.is_authenticated or kiosk_device_of(request) is not None:
            return True
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        own = self.THROTTLE_RATES.get(self.scope) if self.scope is not None else None
        return own or self.THROTTLE_RATES["ticket_issue"]


class CheckInView(APIView):
    """Check in with the booking code or ID number: at the hall's kiosk (anonymous, limited per
    address) or by signed-in window staff of the hall."""

    # Public: the hall's kiosk has no account; signed-in users are checked by
    # ``access_check_in_desk`` (counter staff of that very hall).
    permission_classes = [permissions.AllowAny]
    throttle_classes = [KioskCheckInThrottle]
    throttle_scope = "booking_check_in"

    @extend_schema(
        summary="Check in a booking and get a ticket",
        description=(
            "From 30 minutes before to 15 minutes after the slot starts (defaults): a priority ticket (Y) "
            "called from the slot's start. Later: a normal ticket, and the message says why. "
            "Without signing in: the booking code, or the ID number with the mobile's last four digits. "
            "A registered kiosk sends its credential in the `X-Kiosk-Device` header (403 if it names no "
            "active kiosk of the hall): its failures are limited per kiosk (429) instead of per address; "
            "five wrong ID and mobile pairs for a booking stop its check-in by ID number for the day."
        ),
        tags=["appointments"],
        request=CheckInSerializer,
        responses=CheckInResultSerializer,
    )
    def post(self, request: Request, code: str) -> Response:
        desk = access_check_in_desk(request.user, code)
        device = access_kiosk_device(request, desk.hall.pk) if desk.staff is None else None
        payload = CheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = services.booking_check_in(
                hall=desk.hall,
                code=payload.validated_data.get("code", ""),
                id_number=payload.validated_data.get("id_number", ""),
                via=desk.via,
                staff=desk.staff,
                # Staff at a window see the person and their ID card; anyone else proves more.
                mobile_last4=None if desk.staff is not None else payload.validated_data.get("mobile_last4", ""),
                device=device,
            )
        except services.BookingError as exc:
            # The ID number alone is enough for staff, not for this caller: a matter of who asks,
            # which the schema cannot state per caller, so 403 rather than 400 (issue 9).
            if exc.code == "mobile_last4_required":
                exc.status = status.HTTP_403_FORBIDDEN
            raise
        ticket = result.ticket
        return _no_store(
            Response(
                {
                    "booking": result.booking.code,
                    "ticket": ticket.number,
                    "token": ticket.token,
                    "url": reverse("queue-ticket", args=[ticket.token]),
                    "category": result.booking.category.letter,
                    "priority": ticket.priority,
                    "late": result.late,
                    "message": result.message,
                }
            )
        )


# --- Statistics -------------------------------------------------------------------------------


def _statistic(row: selectors.HallDayFigures) -> dict[str, Any]:
    """One row of the statistics, with the definitions of the supervisors' pages."""
    figures = row.figures
    return {
        "date": row.date,
        "hall": row.hall_code,
        "hall_name": row.hall_name,
        "slots": figures.slots,
        "closed_slots": figures.closed_slots,
        "capacity": figures.capacity,
        "bookings": figures.booked,
        "fill_rate": None if figures.fill_rate is None else round(figures.fill_rate, 1),
        "checked_in": figures.checked_in,
        "no_shows": figures.no_show,
        "no_show_rate": None if figures.no_show_rate is None else round(figures.no_show_rate, 1),
        "displaced": figures.displaced,
        "cancelled": row.cancelled,
    }


class BookingStatisticsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Booking statistics per hall and day (supervisors)",
        tags=["supervision"],
        parameters=[StatisticsQuerySerializer],
        responses={
            200: BookingStatSerializer(many=True),
            404: ERROR_404,
            422: ERROR_422,
        },
    )
    def get(self, request: Request) -> Response:
        # Who supervises nothing gets 403 before their query is even read (the scope is kept on
        # the user: asking again below costs no query).
        access_statistics_halls(request.user)
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hall_ids = access_statistics_halls(request.user, query.validated_data.get("hall", ""))
        rows = selectors.booking_statistics(
            start=query.validated_data["start"], end=query.validated_data["end"], hall_ids=hall_ids
        )
        return Response([_statistic(row) for row in rows])
