"""Queue API under /api/v1/: take a ticket, follow it by token, read a hall's live queue, and —
for signed-in staff — the window actions, wait alerts and daily statistics. Same services,
selectors and access helpers as the pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors as catalog_selectors
from catalog.models import Hall
from queueing import lookups, selectors, services, snapshot
from queueing.access import access_alert, access_assistance, access_desk_hall, access_window, access_window_ticket
from queueing.estimator import row_wait_minutes
from queueing.models import AssistanceRequest, DailyStat, QueueCategory, Ticket, WaitAlert, Window
from servicehall.access import staff_scope, supervised_hall_ids
from servicehall.api_fields import IdNumberField, JsonBodySerializer
from servicehall.dbrouter import replica_reads
from servicehall.errors import DomainError, error_body
from servicehall.http import JsonAnswer
from servicehall.plain_api import plain_answer, plain_json_body
from servicehall.schema import ERROR_404, ERROR_422, NOT_BLANK_PATTERN, PortalAutoSchema, error_response
from servicehall.throttling import ScopedCounterThrottle

# --- Serializers ------------------------------------------------------------------------------


class IssueSerializer(JsonBodySerializer):
    category = serializers.CharField(max_length=1, help_text=gettext_lazy("排队类别字母，如 A"))
    id_number = IdNumberField(
        required=False, allow_blank=True, help_text=gettext_lazy("身份证号码（可选；绿色通道必填）")
    )
    priority = serializers.ChoiceField(
        choices=[("", "—"), ("elderly", "elderly"), ("disabled", "disabled"), ("pregnant", "pregnant")],
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("绿色通道原因（可选）；elderly 须本人年满绿色通道年龄（否则 409）"),
    )
    # The green channel needs the ID number (servicehall.schema reads this into the schema).
    # "No priority" is said as "not a non-empty priority": an ``enum`` here would be rewritten
    # by drf-spectacular's enum post-processing into the field's full choices, allowing any
    # priority without an ID number (schemathesis found it), and OpenAPI 3.0 has no ``const``.
    openapi_schema_extra = {
        "anyOf": [
            {"not": {"required": ["priority"], "properties": {"priority": {"minLength": 1}}}},
            {"required": ["id_number"], "properties": {"id_number": {"minLength": 1}}},
        ]
    }


class TicketStatusSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    hall = serializers.CharField()
    category = serializers.CharField()
    priority = serializers.CharField()
    priority_display = serializers.CharField(
        required=False, help_text=gettext_lazy("优先叫号的说明，如“绿色通道：老年人”“预约”；普通号码为空")
    )
    urgent = serializers.BooleanField(
        required=False, help_text=gettext_lazy("经批准的急事急办，优先叫号（显示为“急”）")
    )
    people_ahead = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("现在可以先于本号叫号的人数（未到预约时段的已签到预约人不计入）")
    )
    scheduled_ahead = serializers.IntegerField(
        required=False, help_text=gettext_lazy("排在本号前面、但未到预约时段而暂不叫号的已签到预约人数")
    )
    scheduled_from = serializers.DateTimeField(
        required=False, allow_null=True, help_text=gettext_lazy("上述预约人中最早的预约时段开始时间")
    )
    callable_from = serializers.DateTimeField(
        required=False, allow_null=True, help_text=gettext_lazy("本号为已签到的预约号时：预约时段开始、开始叫号的时间")
    )
    estimated_wait_minutes = serializers.IntegerField(allow_null=True)
    open_windows = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "等候中的号码：现在办理该业务的开放窗口数。为 0 时没有窗口办理，等候时间无法估算，可改为预约或到其他大厅办理"
        ),
    )
    window = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("叫号后前往的窗口号"))
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    token = serializers.CharField(required=False, help_text=gettext_lazy("仅在取号时返回；凭此查询进度"))
    url = serializers.CharField(required=False)
    existing = serializers.BooleanField(required=False, help_text=gettext_lazy("此人在该队列已有号码，返回原号码"))


def ticket_status(ticket: Ticket, *, data: dict | None = None) -> dict:
    """A ticket as the applicant sees it: position and estimate from the hall's snapshot."""
    data = data if data is not None else snapshot.for_ticket(ticket)
    now = timezone.now()
    place = row = None
    if ticket.status == Ticket.Status.WAITING and data is not None:
        place = snapshot.place(data, ticket, now=now)
        row = snapshot.category_row(data, ticket.category_id)
    # An appointment whose slot has not started is not among the people ahead (no window may
    # call it yet): counted apart, as on the ticket page.
    ahead = place.ahead if place is not None else None
    estimate = (
        row_wait_minutes(row, ahead=ahead, priority=bool(ticket.priority))
        if ahead is not None and row is not None
        else None
    )
    callable_from = ticket.not_before if place is not None and ticket.not_before and ticket.not_before > now else None
    if estimate is not None and callable_from is not None:
        estimate = max(estimate, math.ceil((callable_from - now).total_seconds() / 60))
    window = ticket.window if ticket.window_id and ticket.status in Ticket.AT_WINDOW else None
    return {
        "number": ticket.number,
        "status": ticket.status,
        "status_display": ticket.get_status_display(),
        "hall": ticket.hall.code,
        "category": ticket.category.letter,
        "priority": ticket.priority,
        "priority_display": ticket.priority_label,
        "urgent": ticket.urgent,
        "people_ahead": ahead,
        "scheduled_ahead": place.scheduled if place is not None else 0,
        "scheduled_from": place.scheduled_from if place is not None else None,
        "callable_from": callable_from,
        "estimated_wait_minutes": estimate,
        "open_windows": row["open_windows"] if row is not None else None,
        "window": window.number if window is not None else None,
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
    }


def _normal_ahead(row: dict, sequence: int) -> int:
    """Who is ahead of a normal ticket just numbered ``sequence``, from a published copy of its
    queue that may be a few seconds older or newer than the ticket: everyone the copy shows
    waiting, and every number drawn between the newest the copy knows and this one (a burst of
    issues, each answered from the same copy, walkthrough finding 4); or, from a copy that already
    holds this ticket, everyone waiting but it and those numbered after it."""
    waiting, last = row["waiting"], row.get("last_sequence")
    if last is None:
        return waiting
    if last < sequence:
        return waiting + sequence - last - 1
    return max(0, waiting - (last - sequence + 1))


# A published copy without an estimate older than this is not trusted by a ticket's answer.
NO_ESTIMATE_RECHECK_SECONDS = 10


def issued_status(ticket: Ticket, *, published: Any = lookups.UNREAD) -> dict:
    """The status of a ticket just issued, answered from the hall's published queue (the cached
    public snapshot, at most a few seconds old) rather than by counting the queue in the
    database: issuing stays cheap however long the queue. ``GET /tickets/<token>/`` gives the
    exact position. ``published``: the published queue when the caller has already read it
    (None if there was none)."""
    if ticket.window_id is not None or ticket.status != Ticket.Status.WAITING:
        return ticket_status(Ticket.objects.select_related("hall", "category", "window").get(pk=ticket.pk))
    cached = snapshot.peek_public(ticket.hall_id) if published is lookups.UNREAD else published
    letter = ticket.category.letter
    row = next((c for c in cached["public"]["categories"] if c["letter"] == letter), None) if cached else None
    if row is not None and "priority_waiting" in row:
        # Everyone already waiting is ahead of a normal newcomer; only the priority tickets
        # are ahead of a priority one.
        ahead = row["priority_waiting"] if ticket.priority else _normal_ahead(row, ticket.sequence)
        estimate = row_wait_minutes(row, ahead=ahead, priority=bool(ticket.priority))
        age = ticket.issued_at.timestamp() - cached["generated_at"] if cached else 0
        if estimate is None and age > NO_ESTIMATE_RECHECK_SECONDS:
            # The copy knows no window serving the queue, and is old enough that one may have
            # opened since (walkthrough: the answer said no estimate, the ticket's page 58
            # minutes). The hall's snapshot as it is now (rebuilt if out of date, and published
            # again, so the next issue reads a fresh copy) answers: the common issue, and a
            # burst in a hall with no window open, still read nothing more.
            return ticket_status(ticket)
    else:  # no published queue yet (a hall's first ticket of the day): count
        ahead, estimate = selectors.people_ahead(ticket=ticket, now=ticket.issued_at), None
    return {
        "number": ticket.number,
        "status": ticket.status,
        "status_display": str(Ticket.Status(ticket.status).label),  # get_status_display hashes every choice
        "hall": ticket.hall.code,
        "category": ticket.category.letter,
        "priority": ticket.priority,
        "priority_display": ticket.priority_label,
        "urgent": ticket.urgent,
        "people_ahead": ahead,
        "estimated_wait_minutes": estimate,
        "open_windows": row.get("open_windows") if row is not None else None,
        "window": None,
        "issued_at": ticket.issued_at,
        "called_at": None,
    }


class WindowSerializer(serializers.ModelSerializer):
    categories: serializers.SlugRelatedField[QueueCategory] = serializers.SlugRelatedField(
        slug_field="letter", many=True, read_only=True
    )
    staff = serializers.SerializerMethodField()

    class Meta:
        model = Window
        fields = ["id", "number", "kind", "is_open", "categories", "staff", "signed_in_at"]

    def get_staff(self, window: Window) -> str | None:
        staff = window.staff
        if staff is None:
            return None
        profile = getattr(staff, "staff_profile", None)
        return profile.display_name if profile else staff.get_username()


class WindowTicketSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.letter")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "status",
            "category",
            "priority",
            "urgent",
            "id_masked",
            "arrived_at",
            "called_at",
            "call_count",
        ]


class TransferSerializer(JsonBodySerializer):
    reason = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=1, required=False, allow_blank=True)
    target_window = serializers.IntegerField(required=False, allow_null=True, help_text=gettext_lazy("窗口号"))
    # To a category or to a window, one of the two.
    openapi_schema_extra = {
        "oneOf": [
            {"required": ["category"], "properties": {"category": {"minLength": 1, "pattern": NOT_BLANK_PATTERN}}},
            {"required": ["target_window"], "properties": {"target_window": {"type": "integer"}}},
        ]
    }


class GrantSerializer(JsonBodySerializer):
    reason = serializers.CharField(max_length=200)


class AlertSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    category = serializers.CharField(source="category.letter")
    is_open = serializers.BooleanField()

    class Meta:
        model = WaitAlert
        fields = [
            "id",
            "hall",
            "category",
            "reason",
            "opened_at",
            "waiting",
            "longest_wait_seconds",
            "open_windows",
            "arrivals_per_hour",
            "mean_service_seconds",
            "recommended_extra_windows",
            "acknowledged_at",
            "cause",
            "action",
            "closed_at",
            "is_open",
        ]


class AcknowledgeSerializer(JsonBodySerializer):
    cause = serializers.CharField(max_length=300)
    action = serializers.CharField(max_length=300)


class DailyStatSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    average_wait_seconds = serializers.FloatField(allow_null=True)
    average_service_seconds = serializers.FloatField(allow_null=True)

    class Meta:
        model = DailyStat
        fields = [
            "date",
            "hall",
            "scope",
            "issued",
            "served",
            "no_show",
            "cancelled",
            "expired",
            "waited",
            "average_wait_seconds",
            "max_wait_seconds",
            "average_service_seconds",
            "waited_within_target",
            "hourly",
        ]


class StatsQuerySerializer(serializers.Serializer):
    hall = serializers.CharField(required=False, max_length=20)
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict) -> dict:
        # An end before the start is an empty range (no rows). A range too long is well formed
        # but refused by a rule the schema cannot state (it spans two fields): 422, documented.
        if (attrs["end"] - attrs["start"]).days > 366:
            raise DomainError(_("一次最多查询366天。"), field="end", code="range_too_long", status=422)
        return attrs


class AlertQuerySerializer(serializers.Serializer):
    open = serializers.BooleanField(required=False, help_text=gettext_lazy("只看未解除的预警"))


# --- Public -----------------------------------------------------------------------------------


def _hall(code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    return hall


class HallQueueView(APIView):
    """A hall's live queue. Polled by every phone and screen, so the URL is served by a plain
    Django view (``as_view`` below): one cache read and the snapshot's public JSON, serialised
    once when the snapshot was rebuilt — no DRF request wrapping, negotiation or throttling.
    The class stays for the OpenAPI schema."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="A hall's live queue (waiting, longest wait, estimates, windows, recent calls)",
        tags=["queue"],
        responses=inline_serializer(
            "HallQueue",
            {
                "hall": serializers.DictField(),
                "generated_at": serializers.DateTimeField(),
                "open_now": serializers.BooleanField(),
                "categories": serializers.ListField(child=serializers.DictField()),
                "windows": serializers.ListField(child=serializers.DictField()),
                "recent_calls": serializers.ListField(child=serializers.DictField()),
                "message": serializers.DictField(
                    allow_null=True, help_text="The hall's board message (text, expires_at), or null"
                ),
            },
        ),
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        return hall_queue_json(request, code)

    @classmethod
    def as_view(cls, **initkwargs):  # noqa: ANN206 - returns a view function
        schema_view = super().as_view(**initkwargs)

        def view(request, code: str) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            return hall_queue_json(request, code)

        # What drf-spectacular reads to document the endpoint.
        view.cls, view.initkwargs, view.csrf_exempt = schema_view.cls, schema_view.initkwargs, True
        return view


def hall_queue_json(request, code: str) -> HttpResponse:
    data = snapshot.get_public(code)
    if data is None:
        return JsonAnswer(error_body(_("没有找到该政务服务场所。"), "not_found"), status=404)
    return HttpResponse(data["json"], content_type="application/json")


def read_with_issue_rate_limit(code: str) -> list[str]:
    """What the issue reads from the cache, fetched with its rate limit in one round trip: the
    queue categories' version, the working calendar's (the hall's hours today are remembered
    under it) and, when this process knows the hall's id, the hall's published queue for the
    answer."""
    hall_id = lookups.hall_id_hint(code)
    versions = [lookups.VERSION_KEY, catalog_selectors.CALENDAR_VERSION_KEY]
    return versions if hall_id is None else [*versions, snapshot.public_key(hall_id)]


# Which letters a hall has is its data, not the schema's: an unknown one is an invalid field.
ISSUE_ERROR_400 = error_response(
    "The body is invalid (`code` invalid): `errors` names each field, including a `category` "
    "letter that names no queue of this hall."
)
ISSUE_ERROR_404 = error_response("No hall with this code.")


class TicketIssueView(APIView):
    """Take a ticket online (线上取号) in one of the hall's queues."""

    permission_classes = [permissions.AllowAny]
    # Against scripted mass issuing: per client address, rate from settings (THROTTLE_TICKET_ISSUE).
    throttle_classes = [ScopedCounterThrottle]
    throttle_scope = "ticket_issue"

    def read_with_rate_limit(self, request: Request) -> list[str]:
        """Read by ``ScopedCounterThrottle`` with the count (``read_with_issue_rate_limit``)."""
        self.read_keys = read_with_issue_rate_limit(self.kwargs["code"])
        return self.read_keys

    @extend_schema(
        summary="Take a ticket",
        tags=["queue"],
        request=IssueSerializer,
        responses={
            201: TicketStatusSerializer,
            200: TicketStatusSerializer,
            400: ISSUE_ERROR_400,
            404: ISSUE_ERROR_404,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        payload = IssueSerializer(data=request.data)
        if not payload.is_valid():
            # One 400 naming every wrong field, an unknown queue letter among them.
            raise serializers.ValidationError({**_unknown_category(code, payload), **payload.errors})
        found = getattr(self, "read_with_rate_limit_found", None)
        body, created = issue_answer(
            code,
            payload.validated_data["category"],
            id_number=payload.validated_data.get("id_number", ""),
            priority=payload.validated_data.get("priority", ""),
            found=(self.read_keys, found) if found is not None else None,
        )
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @classmethod
    def as_view(cls, **initkwargs):  # noqa: ANN206 - returns a view function
        drf_view = super().as_view(**initkwargs)

        def view(request, code: str) -> HttpResponse:
            answered = issue_plainly(request, code)
            return answered if answered is not None else drf_view(request, code=code)

        # What drf-spectacular reads to document the endpoint; CSRF as DRF decides it (above).
        view.cls, view.initkwargs, view.csrf_exempt = drf_view.cls, drf_view.initkwargs, True
        return view


def _unknown_category(code: str, payload: IssueSerializer) -> dict[str, list[str]]:
    """With other fields wrong, a well-formed letter naming no queue of the hall: named with
    them in the one 400 (walkthrough finding 3), as it is alone (``issue_answer``). Read only
    on this refusal's path, so a valid request pays nothing for it."""
    letter = payload.initial_data.get("category") if isinstance(payload.initial_data, dict) else None
    if "category" in payload.errors or not isinstance(letter, str) or not letter.strip():
        return {}
    if lookups.issue_category(code, letter.strip().upper()) is not None or not Hall.objects.filter(code=code).exists():
        return {}  # a known queue, or an unknown hall (its 404 comes once the body is right)
    return {"category": [_("本大厅没有该排队类别。")]}


def issue_answer(
    code: str, letter: str, *, id_number: str, priority: str, found: tuple[Sequence[str], dict] | None
) -> tuple[dict, bool]:
    """Issue a ticket in queue ``letter`` of hall ``code``: (the answer's body, created?).
    ``found``: the cache keys read with the rate limit and what was found under them."""
    keys, values = found if found is not None else ((), {})
    version = values.get(lookups.VERSION_KEY) if lookups.VERSION_KEY in keys else lookups.UNREAD
    category = lookups.issue_category(code, letter.upper(), version=version)
    if category is None:
        # The hall in the URL is the resource: unknown, a 404. A letter naming none of its queues
        # is a wrong field of the body: a 400 naming it, as any other invalid input.
        _hall(code)
        raise DomainError(_("本大厅没有该排队类别。"), field="category", code="invalid", status=400)
    hall = category.hall
    calendar_key = catalog_selectors.CALENDAR_VERSION_KEY
    result = services.ticket_issue(
        hall=hall,
        category=category,
        source=Ticket.Source.ONLINE,
        id_number=id_number,
        priority=priority,
        calendar_version=values.get(calendar_key) if calendar_key in keys else catalog_selectors.UNREAD,
    )
    ticket = result.ticket
    ticket.hall, ticket.category = hall, category
    published_key = snapshot.public_key(hall.pk)
    # None: read with the rate limit, and there was none.
    published = values.get(published_key) if published_key in keys else lookups.UNREAD
    body = issued_status(ticket, published=published)
    body.update(token=ticket.token, url=ticket_url(ticket.token), existing=result.existing)
    return body, not result.existing


_PATH_MARK = "0token0"
_ticket_urls: dict[str, str] = {}


def ticket_url(token: str) -> str:
    """``reverse("queue-ticket", args=[token])``, resolved once per script prefix: a token is
    URL-safe already (``secrets.token_urlsafe``), so only the mark in the resolved path changes."""
    prefix = get_script_prefix()
    template = _ticket_urls.get(prefix)
    if template is None:
        template = _ticket_urls[prefix] = reverse("queue-ticket", args=[_PATH_MARK])
    return template.replace(_PATH_MARK, token)


_ISSUE_FIELDS = frozenset({"category", "id_number", "priority"})


def issue_plainly(request: HttpRequest, code: str) -> HttpResponse | None:
    """The ticket issue without DRF around it, for the request the city makes a hundred thousand
    times a day (issue 14: DRF's request, serializer and response were a fifth of an issue): an
    anonymous JSON ``{"category": "A"}``. Anything else — another method or content type, a
    session or credentials, another Accept, a body with other fields or values (an ID number, a
    priority) — returns None and is served by the DRF view, as is every refusal: the rate limit
    counted here is handed to it (``ScopedCounterThrottle`` does not count the request twice),
    so its answers, errors included, are the DRF view's own."""
    data = plain_json_body(request, fields=_ISSUE_FIELDS)
    if data is None:
        return None
    letter = data.get("category")
    if not isinstance(letter, str) or len(letter) != 1 or letter.isspace():
        return None
    if data.get("id_number", "") != "" or data.get("priority", "") != "":
        return None
    decided = ScopedCounterThrottle.decide_plainly(
        request, TicketIssueView.throttle_scope, keys=read_with_issue_rate_limit(code)
    )
    if not decided.allowed:
        return None
    try:
        body, created = issue_answer(code, letter, id_number="", priority="", found=(decided.keys, decided.found))
    except (DomainError, Http404):
        return None  # the DRF view refuses it, with its own body (the rate limit is not counted again)
    return plain_answer(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, allow="POST, OPTIONS")


def _ticket_by_token(token: str) -> Ticket:
    ticket = Ticket.objects.select_related("hall", "category", "window").filter(token=token).first()
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    return ticket


class TicketStatusView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A ticket's status, position and estimated wait", tags=["queue"], responses=TicketStatusSerializer
    )
    def get(self, request: Request, token: str) -> Response:
        response = Response(ticket_status(_ticket_by_token(token)))
        response["Cache-Control"] = "no-store"
        return response


class TicketCancelView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="Give up a waiting ticket", tags=["queue"], request=None, responses=TicketStatusSerializer)
    def post(self, request: Request, token: str) -> Response:
        ticket = services.ticket_cancel(ticket=_ticket_by_token(token))
        return Response(ticket_status(_ticket_by_token(ticket.token)))


# --- Staff: windows ---------------------------------------------------------------------------


class WindowListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="The windows of my hall", tags=["windows"], responses=WindowSerializer(many=True))
    def get(self, request: Request) -> Response:
        hall_id = staff_scope(request.user).hall_id
        if hall_id is None:
            raise DRFPermissionDenied(_("您未归属任何大厅。"))
        return Response(WindowSerializer(selectors.hall_windows(hall_id=hall_id), many=True).data)


class WindowActionView(APIView):
    """Sign in, sign out, call the next ticket."""

    permission_classes = [permissions.IsAuthenticated]
    action_name = ""

    @extend_schema(
        summary="Window action",
        tags=["windows"],
        request=None,
        responses={
            200: inline_serializer(
                "WindowActionResult", {"window": WindowSerializer(), "ticket": WindowTicketSerializer(allow_null=True)}
            )
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        window = access_window(request.user, pk)
        ticket = None
        if self.action_name == "sign-in":
            window = services.window_sign_in(window=window, staff=request.user)
        elif self.action_name == "sign-out":
            window = services.window_sign_out(window=window, staff=request.user).window
        else:
            ticket = services.ticket_call_next(window=window, staff=request.user)
        window = selectors.hall_windows(hall_id=window.hall_id).get(pk=window.pk)
        return Response(
            {"window": WindowSerializer(window).data, "ticket": WindowTicketSerializer(ticket).data if ticket else None}
        )


class _TicketActionSchema(PortalAutoSchema):
    """Only a transfer takes a body (the other actions' URLs say everything)."""

    def get_request_serializer(self):  # noqa: ANN201
        return TransferSerializer if self.view.action_name == "transfer" else None


class WindowTicketActionView(APIView):
    """recall, start, finish, no-show, call (this ticket, out of order), transfer."""

    permission_classes = [permissions.IsAuthenticated]
    action_name = ""
    schema = _TicketActionSchema()

    @extend_schema(
        summary="Act on a ticket at my window",
        tags=["windows"],
        responses=WindowTicketSerializer,
    )
    def post(self, request: Request, pk: int, ticket_pk: int) -> Response:
        window, ticket = access_window_ticket(request.user, pk, ticket_pk)
        staff = request.user
        simple = {
            "recall": services.ticket_recall,
            "start": services.ticket_start,
            "finish": services.ticket_finish,
            "no-show": services.ticket_no_show,
        }
        if self.action_name in simple:
            ticket = simple[self.action_name](window=window, ticket=ticket, staff=staff)
        elif self.action_name == "call":
            ticket = services.ticket_call_specific(window=window, ticket=ticket, staff=staff)
        else:
            payload = TransferSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            letter = (payload.validated_data.get("category") or "").upper()
            number = payload.validated_data.get("target_window")
            category = QueueCategory.objects.filter(hall_id=window.hall_id, letter=letter).first() if letter else None
            target = (
                Window.objects.filter(hall_id=window.hall_id, number=number).first() if number is not None else None
            )
            if letter and category is None:
                raise DomainError(_("本大厅没有该排队类别。"), field="category", code="not_found", status=404)
            if number is not None and target is None:
                raise DomainError(_("本大厅没有该窗口。"), field="target_window", code="not_found", status=404)
            ticket = services.ticket_transfer(
                window=window,
                ticket=ticket,
                staff=staff,
                reason=payload.validated_data["reason"],
                category=category,
                target_window=target,
            )
        return Response(WindowTicketSerializer(ticket).data)


class TicketGrantView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Put a waiting ticket on the green channel",
        tags=["windows"],
        request=GrantSerializer,
        responses=WindowTicketSerializer,
    )
    def post(self, request: Request, pk: int, ticket_pk: int) -> Response:
        window, ticket = access_window_ticket(request.user, pk, ticket_pk)
        payload = GrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_grant_priority(
            window=window, ticket=ticket, staff=request.user, reason=payload.validated_data["reason"]
        )
        return Response(WindowTicketSerializer(ticket).data)


# --- Assisted and accompanied handling (帮办代办、陪同办, Art. 10 ¶1) -------------------------


class AssistanceCreateSerializer(JsonBodySerializer):
    kind = serializers.ChoiceField(
        choices=AssistanceRequest.Kind.values,
        help_text=gettext_lazy("accompany 陪同办；proxy 帮办代办"),
        error_messages={"invalid_choice": gettext_lazy("请选择服务类型：陪同办或帮办代办。")},
    )
    reason = serializers.ChoiceField(
        choices=AssistanceRequest.Reason.values,
        help_text=gettext_lazy("elderly 高龄；disabled 残疾；mobility 行动不便；other 其他（须填写 note）"),
        error_messages={"invalid_choice": gettext_lazy("请选择原因：高龄、残疾、行动不便或其他。")},
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # "other" needs a note (servicehall.schema reads this into the schema).
    openapi_schema_extra = {
        "anyOf": [
            # A pattern, not an enum: drf-spectacular would replace an enum by the field's own.
            {"properties": {"reason": {"pattern": "^(elderly|disabled|mobility)$"}}},
            {"required": ["note"], "properties": {"note": {"minLength": 1, "pattern": NOT_BLANK_PATTERN}}},
        ]
    }


class AssistanceSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    ticket = serializers.CharField(source="ticket.number", allow_null=True, default=None)
    helper = serializers.SerializerMethodField()

    class Meta:
        model = AssistanceRequest
        fields = [
            "id",
            "hall",
            "ticket",
            "service_date",
            "expected_at",
            "source",
            "kind",
            "reason",
            "note",
            "id_masked",
            "status",
            "requested_at",
            "helper",
            "assigned_at",
            "done_at",
        ]

    def get_helper(self, request: AssistanceRequest) -> str | None:
        helper = request.helper
        if helper is None:
            return None
        profile = getattr(helper, "staff_profile", None)
        return profile.display_name if profile else helper.get_username()


class TicketAssistanceView(APIView):
    """Ask for accompanied or assisted handling for a ticket (its token is the key)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedCounterThrottle]
    throttle_scope = "ticket_issue"

    @extend_schema(
        summary="Ask for accompanied (陪同办) or assisted (帮办代办) handling for my ticket",
        tags=["assistance"],
        request=AssistanceCreateSerializer,
        responses={201: AssistanceSerializer, 200: AssistanceSerializer},
    )
    def post(self, request: Request, token: str) -> Response:
        ticket = _ticket_by_token(token)
        payload = AssistanceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wish = services.assistance_wish(**payload.validated_data)
        before = ticket.assistance_requests.filter(status__in=AssistanceRequest.OPEN).first()
        assistance = services.assistance_request(
            hall=ticket.hall, wish=wish, source=AssistanceRequest.Source.ONLINE, ticket=ticket
        )
        body = AssistanceSerializer(assistance).data
        return Response(body, status=status.HTTP_200_OK if before is not None else status.HTTP_201_CREATED)


class AssistanceListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Today's assistance requests of my hall (the assistance desk)",
        tags=["assistance"],
        responses=AssistanceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        hall_id = access_desk_hall(request.user)
        desk = selectors.assistance_desk(hall_id=hall_id, now=timezone.now())
        return Response(AssistanceSerializer([*desk.open, *desk.done], many=True).data)


class AssistanceActionView(APIView):
    """take: I help (recorded as the helper); done: the help was given."""

    permission_classes = [permissions.IsAuthenticated]
    action_name = ""

    @extend_schema(
        summary="Take an assistance request, or mark it done",
        tags=["assistance"],
        request=None,
        responses=AssistanceSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        assistance = access_assistance(request.user, pk)
        act = services.assistance_take if self.action_name == "take" else services.assistance_done
        assistance = act(request=assistance, staff=request.user)
        return Response(AssistanceSerializer(assistance).data)


class WindowTicketAssistanceView(APIView):
    """The clerk signed in at the window opens a request for the walk-in whose ticket is called or
    served there (the applicant asked at the counter). A second open request is refused (409)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Open an assistance request (陪同办 / 帮办代办) for the ticket at my window",
        tags=["assistance"],
        request=AssistanceCreateSerializer,
        responses={201: AssistanceSerializer},
    )
    def post(self, request: Request, pk: int, ticket_pk: int) -> Response:
        window, ticket = access_window_ticket(request.user, pk, ticket_pk)
        payload = AssistanceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wish = services.assistance_wish(**payload.validated_data)
        assistance = services.assistance_request_at_window(window=window, ticket=ticket, staff=request.user, wish=wish)
        return Response(AssistanceSerializer(assistance).data, status=status.HTTP_201_CREATED)


# --- Supervision ------------------------------------------------------------------------------


class AlertListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Wait alerts of the halls I supervise",
        tags=["supervision"],
        parameters=[AlertQuerySerializer],
        responses=AlertSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = AlertQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        halls = supervised_hall_ids(request.user)
        alerts = WaitAlert.objects.select_related("hall", "category").order_by("-opened_at", "-pk")
        if halls is not None:
            alerts = alerts.filter(hall_id__in=halls)
        if query.validated_data.get("open"):
            alerts = alerts.filter(closed_at__isnull=True)
        return Response(AlertSerializer(alerts[:200], many=True).data)


class AlertAcknowledgeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Acknowledge an alert with its cause and action (Art. 8)",
        tags=["supervision"],
        request=AcknowledgeSerializer,
        responses=AlertSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = access_alert(request.user, pk)
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = services.alert_acknowledge(alert=alert, user=request.user, **payload.validated_data)
        return Response(AlertSerializer(alert).data)


class DailyStatsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Daily queue statistics (rolled up each night)",
        tags=["supervision"],
        parameters=[StatsQuerySerializer],
        responses={200: DailyStatSerializer(many=True), 404: ERROR_404, 422: ERROR_422},
    )
    def get(self, request: Request) -> Response:
        halls = supervised_hall_ids(request.user)
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = DailyStat.objects.select_related("hall").filter(
            date__range=(query.validated_data["start"], query.validated_data["end"]), scope="hall"
        )
        code = query.validated_data.get("hall")
        # The nightly roll-ups: read from the replica when there is one (servicehall.dbrouter).
        with replica_reads(request):
            if code:
                hall = _hall(code)
                if halls is not None and hall.pk not in halls:
                    raise DRFPermissionDenied(_("您没有查看该大厅的权限。"))
                rows = rows.filter(hall=hall)
            elif halls is not None:
                rows = rows.filter(hall_id__in=halls)
            data = DailyStatSerializer(rows.order_by("date", "hall__code"), many=True).data
        return Response(data)
