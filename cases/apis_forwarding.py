"""Forwarding API under /api/v1/ (转办, Art. 12; cases/forwarding.py): forward a received case to
the hall of jurisdiction, list a hall's incoming (or outgoing) forwardings, take one over or
return it with a reason. Same services and refusals as the pages (``CaseError`` as JSON: 400 for
a missing reason or a bad choice, 422 for an item not on the lists or a hall without
jurisdiction, 409 for a step the state does not allow, 403 for another hall's staff)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import forwarding as services
from cases.access import access_case
from cases.models import Case, Forwarding
from catalog.models import Hall
from servicehall.access import staff_scope
from servicehall.api_fields import JsonBodySerializer
from servicehall.schema import ERROR_409, ERROR_422


class ForwardingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number")
    item = serializers.CharField(source="case.item.code")
    item_name = serializers.CharField(source="case.item.name")
    applicant_identity = serializers.CharField(
        source="case.applicant.display_identity", help_text=gettext_lazy("身份证号码（脱敏）或统一社会信用代码")
    )
    from_hall = serializers.CharField(source="from_hall.code")
    from_hall_name = serializers.CharField(source="from_hall.name")
    to_hall = serializers.CharField(source="to_hall.code")
    to_hall_name = serializers.CharField(source="to_hall.name")
    department = serializers.CharField(source="department.code")
    status_display = serializers.CharField(source="get_status_display")
    sent_by = serializers.SerializerMethodField()
    transfer_seconds = serializers.SerializerMethodField(
        help_text=gettext_lazy("转出至接收或退回的秒数；转办中为 null")
    )
    post_address = serializers.SerializerMethodField(
        help_text=gettext_lazy("邮寄地址：仅对办理大厅的窗口人员完整显示（单件应答），列表与其他人脱敏；非邮寄为空")
    )

    class Meta:
        model = Forwarding
        fields = [
            "id",
            "case",
            "item",
            "item_name",
            "applicant_identity",
            "from_hall",
            "from_hall_name",
            "to_hall",
            "to_hall_name",
            "department",
            "scope",
            "collect_at",
            "post_address",
            "note",
            "status",
            "status_display",
            "sent_by",
            "sent_at",
            "handled_at",
            "return_reason",
            "transfer_seconds",
        ]

    def get_sent_by(self, obj: Forwarding) -> str:
        return services.staff_name(obj.sent_by)

    def get_post_address(self, obj: Forwarding) -> str:
        # In full for the hall that posts the result (lists stay masked: no viewer in context).
        viewer = self.context.get("viewer")
        if viewer is not None and services.sees_post_address(viewer, obj):
            return obj.post_address
        return services.mask_address(obj.post_address)

    def get_transfer_seconds(self, obj: Forwarding) -> int | None:
        duration = obj.duration
        return None if duration is None else int(duration.total_seconds())


class ForwardInSerializer(JsonBodySerializer):
    to_hall = serializers.CharField(max_length=20, help_text=gettext_lazy("有管辖权的大厅编码"))
    collect_at = serializers.ChoiceField(
        choices=Forwarding.CollectAt.choices,
        help_text=gettext_lazy(
            "申请人选择的结果领取方式：received_hall 收件大厅，jurisdiction 办理大厅，post 邮寄，electronic 电子送达"
        ),
    )
    post_address = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("邮寄地址（collect_at 为 post 时必填）"),
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReturnInSerializer(JsonBodySerializer):
    reason = serializers.CharField(
        max_length=300,
        help_text=gettext_lazy("退回理由（必填）"),
        error_messages={
            "required": gettext_lazy("退回转办须写明理由。"),
            "blank": gettext_lazy("退回转办须写明理由。"),
        },
    )


class ForwardingQuerySerializer(serializers.Serializer):
    box = serializers.ChoiceField(
        choices=[("incoming", "incoming"), ("outgoing", "outgoing")], required=False, default="incoming"
    )
    status = serializers.ChoiceField(choices=Forwarding.Status.choices, required=False, allow_blank=True)


def _rows(pk: int) -> Forwarding:
    return services.forwarding_queryset().get(pk=pk)


class CaseForwardView(APIView):
    @extend_schema(
        summary="Forward a received case to the hall of jurisdiction (转办, 全市通办/跨域通办/跨境通办)",
        description="Only for an item whose case's guide version is on the citywide, cross-region or cross-border "
        "list (422 `not_on_list` otherwise), to another hall that handles the item and has its department stationed "
        "(422 `no_jurisdiction`), for a case received and not yet accepted (409). The case is then `forwarding` "
        "until the other hall takes it over or returns it.",
        tags=["cases"],
        request=ForwardInSerializer,
        responses={201: ForwardingSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        case = access_case(request.user, number, queryset=Case.objects.select_related("hall", "item", "guide_version"))
        payload = ForwardInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        hall = Hall.objects.filter(code=data["to_hall"]).first()
        if hall is None:
            raise serializers.ValidationError({"to_hall": [_("没有该编码的大厅。")]})
        sent = services.case_forward(
            case=case,
            actor=request.user,
            to_hall=hall,
            collect_at=data["collect_at"],
            post_address=data.get("post_address", ""),
            note=data.get("note", ""),
        )
        response = Response(ForwardingSerializer(_rows(sent.pk)).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ForwardingListView(APIView):
    @extend_schema(
        summary="The forwardings of the caller's hall: incoming (default, oldest first) or outgoing",
        tags=["cases"],
        parameters=[ForwardingQuerySerializer],
        responses=ForwardingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = ForwardingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hall_id = services.counter_hall_id(request.user)
        wanted = query.validated_data.get("status", "")
        if query.validated_data["box"] == "outgoing":
            rows = services.outgoing(hall_id=hall_id)
            if wanted:
                rows = rows.filter(status=wanted)
        else:
            rows = services.incoming(hall_id=hall_id, status=wanted or Forwarding.Status.SENT)
        response = Response(ForwardingSerializer(rows[:200], many=True).data)
        response["Cache-Control"] = "no-store"
        return response


def _forwarding_of(request: Request, pk: int) -> Forwarding:
    """A forwarding to or from the caller's hall (supervisors: a hall they cover); 404 otherwise."""
    if pk > 2**62:
        raise Http404(_("没有找到该转办。"))
    found = Forwarding.objects.filter(pk=pk).first()
    scope = staff_scope(request.user)
    if found is None or not (scope.covers_hall(found.to_hall_id) or scope.covers_hall(found.from_hall_id)):
        raise Http404(_("没有找到该转办。"))
    return found


class ForwardingAcceptView(APIView):
    @extend_schema(
        summary="Take a forwarded case over (接收): it becomes a case of this hall, to be accepted here",
        tags=["cases"],
        request=None,
        responses={200: ForwardingSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        found = services.forwarding_accept(forwarding=_forwarding_of(request, pk), actor=request.user)
        data = ForwardingSerializer(_rows(found.pk), context={"viewer": request.user}).data
        return Response(data, headers={"Cache-Control": "no-store"})


class ForwardingReturnView(APIView):
    @extend_schema(
        summary="Return a forwarded case to the hall that received it (退回), with the reason",
        tags=["cases"],
        request=ReturnInSerializer,
        responses={200: ForwardingSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        found = _forwarding_of(request, pk)
        payload = ReturnInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        found = services.forwarding_return(
            forwarding=found, actor=request.user, reason=payload.validated_data["reason"]
        )
        return Response(ForwardingSerializer(_rows(found.pk)).data, headers={"Cache-Control": "no-store"})


def urlpatterns_forwarding() -> list[Any]:
    from django.urls import path

    return [
        path("cases/<str:number>/forward/", CaseForwardView.as_view(), name="case-forward"),
        path("forwardings/", ForwardingListView.as_view(), name="case-forwardings"),
        path("forwardings/<int:pk>/accept/", ForwardingAcceptView.as_view(), name="case-forwarding-accept"),
        path("forwardings/<int:pk>/return/", ForwardingReturnView.as_view(), name="case-forwarding-return"),
    ]
