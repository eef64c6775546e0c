"""好差评 API under /api/v1/ (``feedback/ratings.py``, ``feedback/rectification.py``,
``feedback/rollup_ratings.py``):

- public: whether a served ticket or completed case may be rated, and rating it, by the private
  token of its link (``ratings/tickets/<token>/``, ``ratings/cases/<token>/``); the published
  monthly satisfaction (``ratings/statistics/``);
- staff: the rectification orders the caller may see, and each step (verify, rectify, follow
  up, appeal, decide the appeal).

Same services and refusals as the pages (``RatingError`` as JSON: 400 for a field, 403 for the
wrong role, 404 for an order the caller may not see, 409 for a state that does not allow it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Hall
from feedback import ratings, rectification, rollup_ratings
from feedback.forms_ratings import month_or_error
from feedback.models_ratings import (
    Level,
    Rating,
    RatingAppeal,
    RectificationEvent,
    RectificationOrder,
    SatisfactionMonth,
)
from servicehall.api_fields import JsonBodySerializer
from servicehall.clock import local_date
from servicehall.errors import DomainError
from servicehall.schema import ERROR_409

LEVEL_HELP = gettext_lazy(
    "very_satisfied 非常满意、satisfied 满意、basic 基本满意、dissatisfied 不满意、very_dissatisfied 非常不满意"
)


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


# --- Serializers -----------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display")
    rectification = serializers.SerializerMethodField(
        help_text="The rectification order's number, if a bad rating opened one"
    )

    class Meta:
        model = Rating
        fields = [
            "kind",
            "level",
            "level_display",
            "overall",
            "efficiency",
            "quality",
            "attitude",
            "comment",
            "source",
            "is_default",
            "rated_at",
            "rectification",
        ]

    def get_rectification(self, obj: Rating) -> str | None:
        order = RectificationOrder.objects.filter(rating=obj).values_list("number", flat=True).first()
        return order


class RatableSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Rating.Kind.choices)
    hall = serializers.CharField()
    ratable = serializers.BooleanField(help_text="Served (or completed) and not rated yet")
    refusal = serializers.CharField(help_text="Why it cannot be rated now (empty when it can)")
    rating = RatingSerializer(allow_null=True)


class RatingInSerializer(JsonBodySerializer):
    level = serializers.ChoiceField(
        choices=Level.choices, help_text=format_lazy("{}{}", gettext_lazy("整体满意度（总体评价）："), LEVEL_HELP)
    )
    overall = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        help_text=gettext_lazy("可不填：整体满意度即 level；填写时须与 level 一致"),
    )
    efficiency = serializers.ChoiceField(choices=Level.choices, help_text=gettext_lazy("服务效率"))
    quality = serializers.ChoiceField(choices=Level.choices, help_text=gettext_lazy("服务水平"))
    attitude = serializers.ChoiceField(choices=Level.choices, help_text=gettext_lazy("服务态度"))
    comment = serializers.CharField(
        max_length=ratings.COMMENT_MAX_CHARS,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("评价内容（可选）"),
    )


class SatisfactionSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.display_name")
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    department_name = serializers.CharField(source="department.display_name", allow_null=True, default=None)
    window = serializers.IntegerField(source="window.number", allow_null=True, default=None)
    counted = serializers.IntegerField(help_text="Ratings counted in the satisfaction")
    satisfaction = serializers.FloatField(
        allow_null=True, help_text="(very_satisfied + satisfied + basic) / counted, 0–1; null without ratings"
    )
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = SatisfactionMonth
        fields = [
            "month",
            "hall",
            "hall_name",
            "department",
            "department_name",
            "window",
            "satisfaction",
            "counted",
            "very_satisfied",
            "satisfied",
            "basic",
            "dissatisfied",
            "very_dissatisfied",
            "defaults",
            "excluded",
            "computed_at",
        ]


class RectificationEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)

    class Meta:
        model = RectificationEvent
        fields = ["kind", "kind_display", "at", "actor", "note"]


class RatingAppealSerializer(serializers.ModelSerializer):
    appealed_by = serializers.CharField(source="appealed_by.get_username")
    decided_by = serializers.CharField(source="decided_by.get_username", allow_null=True, default=None)

    class Meta:
        model = RatingAppeal
        fields = ["reason", "appealed_by", "appealed_at", "decision", "decided_by", "decided_at", "decision_reason"]


class OrderSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    window = serializers.IntegerField(source="rating.window.number", allow_null=True, default=None)
    staff = serializers.CharField(source="rating.staff.get_username", allow_null=True, default=None)
    level = serializers.CharField(source="rating.level")
    comment = serializers.CharField(source="rating.comment")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = RectificationOrder
        fields = [
            "id",
            "number",
            "hall",
            "department",
            "window",
            "staff",
            "level",
            "comment",
            "status",
            "status_display",
            "opened_at",
            "verification_valid",
            "verification_reason",
            "due_on",
            "overdue",
            "measures",
            "follow_up_reached",
            "follow_up_satisfied",
            "follow_up_no_contact",
            "follow_up_note",
        ]


class OrderDetailSerializer(OrderSerializer):
    events = RectificationEventSerializer(many=True)
    appeal = serializers.SerializerMethodField()
    rater_contactable = serializers.SerializerMethodField(
        help_text="Whether the rater left a contact to call back; when false the follow-up is recorded with "
        "reached=null (评价人未留联系方式)"
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "appeal", "rater_contactable"]

    def get_rater_contactable(self, obj: RectificationOrder) -> bool:
        return rectification.rater_contactable(obj.rating)

    @extend_schema_field(RatingAppealSerializer(allow_null=True))
    def get_appeal(self, obj: RectificationOrder) -> dict[str, Any] | None:
        appeal = RatingAppeal.objects.filter(order=obj).select_related("appealed_by", "decided_by").first()
        return RatingAppealSerializer(appeal).data if appeal is not None else None


class VerifyInSerializer(JsonBodySerializer):
    valid = serializers.BooleanField(help_text=gettext_lazy("核实结论：true 属实（限期整改），false 不属实"))
    reason = serializers.CharField(max_length=rectification.TEXT_MAX_CHARS, help_text=gettext_lazy("核实情况和理由"))


class RectifyInSerializer(JsonBodySerializer):
    measures = serializers.CharField(max_length=rectification.TEXT_MAX_CHARS, help_text=gettext_lazy("整改措施"))


class RectificationFollowUpInSerializer(JsonBodySerializer):
    reached = serializers.BooleanField(
        allow_null=True,
        help_text=gettext_lazy(
            "是否联系上评价人；评价人未留联系方式（如平板或链接的匿名评价，见 rater_contactable）时传 null"
        ),
    )
    satisfied = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("评价人是否满意（联系上时必填）")
    )
    note = serializers.CharField(max_length=rectification.TEXT_MAX_CHARS, help_text=gettext_lazy("回访记录"))


class AppealInSerializer(JsonBodySerializer):
    # An appeal says why: the same message as the page and the service,
    # whether the reason is missing, blank or only spaces.
    reason = serializers.CharField(
        max_length=rectification.TEXT_MAX_CHARS,
        help_text=gettext_lazy("申诉理由（必填）"),
        error_messages={
            "required": gettext_lazy("请写明申诉理由。"),
            "blank": gettext_lazy("请写明申诉理由。"),
            "null": gettext_lazy("请写明申诉理由。"),
        },
    )


class AppealDecisionInSerializer(JsonBodySerializer):
    overturn = serializers.BooleanField(help_text=gettext_lazy("true 撤销差评（不计入满意度），false 维持差评"))
    reason = serializers.CharField(max_length=rectification.TEXT_MAX_CHARS, help_text=gettext_lazy("复核意见"))


# --- Public: rating by token -----------------------------------------------------------------


def _ratable(kind: str, subject: Any, refusal: str, rating: Rating | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "hall": subject.hall.code,
        "ratable": not refusal,
        "refusal": refusal,
        "rating": RatingSerializer(rating).data if rating is not None else None,
    }


class _RateView(APIView):
    permission_classes = [permissions.AllowAny]
    kind = ""

    def subject(self, token: str) -> Any:
        raise NotImplementedError

    def refusal(self, subject: Any) -> str:
        raise NotImplementedError

    def existing(self, subject: Any) -> Rating | None:
        field = "ticket_id" if self.kind == Rating.Kind.TICKET else "case_id"
        return Rating.objects.filter(**{field: subject.pk}).first()

    def get(self, request: Request, token: str) -> Response:
        subject = self.subject(token)
        return _no_store(Response(_ratable(self.kind, subject, self.refusal(subject), self.existing(subject))))

    def post(self, request: Request, token: str) -> Response:
        subject = self.subject(token)
        payload = RatingInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = ratings.rating_input_clean(payload.validated_data)
        if self.kind == Rating.Kind.TICKET:
            rating = ratings.rating_submit_ticket(ticket=subject, data=data)
        else:
            rating = ratings.rating_submit_case(case=subject, data=data)
        return _no_store(Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED))


class TicketRatingView(_RateView):
    kind = Rating.Kind.TICKET

    def subject(self, token: str) -> Any:
        ticket = ratings.ticket_by_token(token)
        if ticket is None:
            raise Http404(_("没有找到该号码。"))
        return ticket

    def refusal(self, subject: Any) -> str:
        return ratings.ticket_refusal(subject)

    @extend_schema(
        summary="Whether a ticket may be rated (一次一评), and its rating if given",
        description="By the ticket's private token (the one of its public page).",
        tags=["ratings"],
        responses=RatableSerializer,
    )
    def get(self, request: Request, token: str) -> Response:
        return super().get(request, token)

    @extend_schema(
        summary="Rate a served ticket once (一次一评)",
        description="The overall level (整体满意度, stored as `overall` too) and the hall's other national "
        "indicators (服务效率, 服务水平, 服务态度), and an optional comment. "
        "Refused with 409 for a ticket not served yet (code `not_served`) or rated already (`already_rated`); "
        "nothing is saved. A rating of dissatisfied or worse opens a rectification order.",
        tags=["ratings"],
        request=RatingInSerializer,
        responses={201: RatingSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, token: str) -> Response:
        return super().post(request, token)


class CaseRatingView(_RateView):
    kind = Rating.Kind.CASE

    def subject(self, token: str) -> Any:
        case = ratings.case_by_token(token)
        if case is None:
            raise Http404(_("没有找到该办件。"))
        return case

    def refusal(self, subject: Any) -> str:
        return ratings.case_refusal(subject)

    @extend_schema(
        summary="Whether a case may be rated (一事一评), and its rating if given",
        description="By the case's private progress token (the one of its notices' QR code).",
        tags=["ratings"],
        responses=RatableSerializer,
    )
    def get(self, request: Request, token: str) -> Response:
        return super().get(request, token)

    @extend_schema(
        summary="Rate a completed case once (一事一评)",
        description="A case is completed when not accepted, decided, its result ready or handed out. Refused with "
        "409 for a case not completed (code `not_completed`) or rated already (`already_rated`).",
        tags=["ratings"],
        request=RatingInSerializer,
        responses={201: RatingSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, token: str) -> Response:
        return super().post(request, token)


# --- Public: statistics (评价公开) -------------------------------------------------------------


class StatisticsView(generics.ListAPIView):
    """A month's satisfaction per hall, department or window, from the monthly rollup."""

    permission_classes = [permissions.AllowAny]
    serializer_class = SatisfactionSerializer

    @extend_schema(
        summary="Published satisfaction (评价公开) per hall, department or window for a month",
        description="满意度 = (非常满意 + 满意 + 基本满意) / counted ratings. Ratings count in the month the service "
        "was completed; appeals overturned are excluded; default ratings are listed apart and count only if the "
        "policy says so. Read from the hourly rollup.",
        tags=["ratings"],
        parameters=[
            OpenApiParameter(
                "month", str, description="YYYY-MM (default: this month)", pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
            ),
            OpenApiParameter("hall", str, description="A hall's code"),
            OpenApiParameter("scope", str, enum=["hall", "department", "window"], description="Default: hall"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[SatisfactionMonth]:
        params = self.request.query_params
        month: dt.date | None = ratings.month_start(local_date())
        raw = params.get("month", "")
        if raw:
            month, error = month_or_error(raw)
            if month is None:
                raise DomainError(error, field="month")
        scope = params.get("scope", "") or rollup_ratings.HALL_SCOPE
        if scope not in {"hall", "department", "window"}:
            raise DomainError(_("请从列表中选择统计范围。"), field="scope")
        hall_id = None
        code = params.get("hall", "")
        if code:
            hall_id = Hall.objects.filter(code=code).values_list("pk", flat=True).first()
            if hall_id is None:
                raise DomainError(_("没有找到该政务服务场所。"), field="hall", code="not_found", status=404)
        assert month is not None
        return rollup_ratings.satisfaction_rows(month=month, scope=scope, hall_id=hall_id)


# --- Staff: rectification orders -------------------------------------------------------------


class OrderListView(generics.ListAPIView):
    """Orders the caller may see: a supervisor's halls, a chief representative's department at
    their hall, a clerk's own bad ratings."""

    serializer_class = OrderSerializer

    @extend_schema(
        summary="Rectification orders (差评整改单) the caller may see",
        tags=["rectifications"],
        parameters=[
            OpenApiParameter("status", str, enum=[*RectificationOrder.Status.values, "open"], description="Filter"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[RectificationOrder]:
        rows = rectification.orders_visible(self.request.user).order_by("-opened_at", "-pk")
        wanted = self.request.query_params.get("status", "")
        if wanted == "open":
            rows = rows.filter(status__in=RectificationOrder.OPEN)
        elif wanted:
            if wanted not in RectificationOrder.Status.values:
                raise DomainError(_("请从列表中选择状态。"), field="status")
            rows = rows.filter(status=wanted)
        return rows


class OrderDetailView(APIView):
    @extend_schema(
        summary="A rectification order with its history", tags=["rectifications"], responses=OrderDetailSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        return _no_store(Response(OrderDetailSerializer(rectification.access_order(request.user, pk)).data))


def _order_out(request: Request, pk: int) -> Response:
    return _no_store(Response(OrderDetailSerializer(rectification.access_order(request.user, pk)).data))


class OrderVerifyView(APIView):
    @extend_schema(
        summary="Verify a bad rating (核实): valid (to be rectified within the policy's working days) or not",
        description="The department's chief representative at the hall or a supervisor covering it (403 otherwise); "
        "only an order waiting for verification (409 otherwise).",
        tags=["rectifications"],
        request=VerifyInSerializer,
        responses={200: OrderDetailSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = VerifyInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rectification.order_verify(order=order, actor=request.user, valid=data["valid"], reason=data["reason"])
        return _order_out(request, pk)


class OrderRectifyView(APIView):
    @extend_schema(
        summary="Record the rectification (整改措施)",
        tags=["rectifications"],
        request=RectifyInSerializer,
        responses={200: OrderDetailSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = RectifyInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rectification.order_rectify(order=order, actor=request.user, measures=payload.validated_data["measures"])
        return _order_out(request, pk)


class OrderFollowUpView(APIView):
    @extend_schema(
        summary="Record the follow-up call (回访); the order is closed",
        tags=["rectifications"],
        request=RectificationFollowUpInSerializer,
        responses={200: OrderDetailSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = RectificationFollowUpInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rectification.order_follow_up(
            order=order, actor=request.user, reached=data["reached"], satisfied=data.get("satisfied"), note=data["note"]
        )
        return _order_out(request, pk)


class OrderAppealView(APIView):
    @extend_schema(
        summary="Appeal against the bad rating (申诉): the rated staff member, once",
        tags=["rectifications"],
        request=AppealInSerializer,
        responses={200: OrderDetailSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = AppealInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rectification.order_appeal(order=order, actor=request.user, reason=payload.validated_data["reason"])
        return _order_out(request, pk)


class OrderAppealDecisionView(APIView):
    @extend_schema(
        summary="Decide an appeal (复核): uphold the rating or overturn it (excluded from the statistics)",
        description="A supervisor covering the hall (403 otherwise).",
        tags=["rectifications"],
        request=AppealDecisionInSerializer,
        responses={200: OrderDetailSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = AppealDecisionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rectification.appeal_decide(order=order, actor=request.user, overturn=data["overturn"], reason=data["reason"])
        return _order_out(request, pk)


def urlpatterns_ratings() -> list[Any]:
    from django.urls import path

    return [
        path("ratings/tickets/<slug:token>/", TicketRatingView.as_view(), name="api-rating-ticket"),
        path("ratings/cases/<slug:token>/", CaseRatingView.as_view(), name="api-rating-case"),
        path("ratings/statistics/", StatisticsView.as_view(), name="api-rating-statistics"),
        path("rectifications/", OrderListView.as_view(), name="api-rectifications"),
        path("rectifications/<int:pk>/", OrderDetailView.as_view(), name="api-rectification"),
        path("rectifications/<int:pk>/verify/", OrderVerifyView.as_view(), name="api-rectification-verify"),
        path("rectifications/<int:pk>/rectify/", OrderRectifyView.as_view(), name="api-rectification-rectify"),
        path("rectifications/<int:pk>/follow-up/", OrderFollowUpView.as_view(), name="api-rectification-follow-up"),
        path("rectifications/<int:pk>/appeal/", OrderAppealView.as_view(), name="api-rectification-appeal"),
        path(
            "rectifications/<int:pk>/appeal-decision/",
            OrderAppealDecisionView.as_view(),
            name="api-rectification-appeal-decision",
        ),
    ]
