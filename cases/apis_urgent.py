"""Urgent matters API under /api/v1/ (急事急办, Art. 10 ¶3; cases/urgent.py): record a request on
a case (counter staff of the hall), list and read the requests of the chief representative's
department at their hall, approve (a shorter promised limit) or refuse (a reason; a written report
to the hall's management department), book a staggered slot reserved for urgent matters, and the
supervisors' written reports. Same services and refusals as the pages (``CaseError`` as JSON: 400
for a field of the wrong shape, 422 for a rule, 409 for a request already decided, 403 for anyone
but the department's chief representative at that hall)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.models import Slot
from cases import urgent
from cases.access import access_case
from cases.models import UrgentRequest, WrittenReport
from cases.services import CaseError
from servicehall.access import supervised_hall_ids
from servicehall.api_fields import IdNumberField, JsonBodySerializer, MobileField
from servicehall.personal_data import mask_mobile
from servicehall.schema import ERROR_409, ERROR_422


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


class UrgentRequestSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    department = serializers.CharField(source="department.code")
    item = serializers.CharField(source="item.code", allow_null=True, default=None)
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    booking = serializers.CharField(source="booking.code", allow_null=True, default=None)
    ticket = serializers.CharField(
        source="ticket.number", allow_null=True, default=None, help_text=gettext_lazy("在取号机申请时的排队号")
    )
    mobile = serializers.SerializerMethodField(help_text=gettext_lazy("联系手机（脱敏）"))
    reason_category_display = serializers.CharField(source="get_reason_category_display")
    status_display = serializers.CharField(source="get_status_display")
    decided_by = serializers.CharField(source="decided_by.get_username", allow_null=True, default=None)
    staggered_booking = serializers.CharField(source="staggered_booking.code", allow_null=True, default=None)
    report = serializers.SerializerMethodField(help_text=gettext_lazy("不予急办时生成的书面报告编号"))

    class Meta:
        model = UrgentRequest
        fields = [
            "id",
            "hall",
            "department",
            "item",
            "case",
            "booking",
            "ticket",
            "applicant_masked",
            "mobile",
            "reason_category",
            "reason_category_display",
            "reason_text",
            "status",
            "status_display",
            "requested_at",
            "promised_days",
            "due_before",
            "due_after",
            "decided_by",
            "decided_at",
            "decision_reason",
            "staggered_booking",
            "report",
        ]

    def get_mobile(self, obj: UrgentRequest) -> str:
        return mask_mobile(obj.mobile)

    def get_report(self, obj: UrgentRequest) -> str | None:
        try:
            return obj.report.number
        except WrittenReport.DoesNotExist:
            return None


class WrittenReportSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.name")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    item = serializers.CharField(source="request.item.code", allow_null=True, default=None)
    item_name = serializers.CharField(source="request.item.name", allow_null=True, default=None)
    case = serializers.CharField(source="request.case.number", allow_null=True, default=None)
    applicant_masked = serializers.CharField(source="request.applicant_masked")
    reason_category = serializers.CharField(source="request.reason_category")
    reason_text = serializers.CharField(source="request.reason_text")
    refusal_reason = serializers.CharField(source="request.decision_reason")
    refused_by = serializers.CharField(source="request.decided_by.get_username", allow_null=True, default=None)
    refused_at = serializers.DateTimeField(source="request.decided_at")

    class Meta:
        model = WrittenReport
        fields = [
            "id",
            "number",
            "created_at",
            "hall",
            "hall_name",
            "department",
            "department_name",
            "item",
            "item_name",
            "case",
            "applicant_masked",
            "reason_category",
            "reason_text",
            "refusal_reason",
            "refused_by",
            "refused_at",
            "read_at",
        ]


class RequestInSerializer(JsonBodySerializer):
    reason_category = serializers.ChoiceField(
        choices=UrgentRequest.Reason.choices,
        help_text=gettext_lazy(
            "急办事由：medical 就医、travel 出行、school 就学、employment 就业、"
            "business 企业生产经营急需、deadline 法定期限将至、other 其他"
        ),
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择急办事由。")},
    )
    reason_text = serializers.CharField(
        max_length=urgent.REASON_MAX_CHARS,
        help_text=gettext_lazy("具体情况（至少5个字；“其他”至少10个字）"),
        error_messages={
            "required": gettext_lazy("请写明需要紧急办理的具体情况。"),
            "blank": gettext_lazy("请写明需要紧急办理的具体情况。"),
        },
    )


class UrgentAskSerializer(RequestInSerializer):
    """急事急办 asked with an online booking (``POST /api/v1/bookings/``, field ``urgent``)."""


class ApproveInSerializer(JsonBodySerializer):
    promised_days = serializers.IntegerField(
        min_value=0,
        max_value=999,
        help_text=gettext_lazy(
            "急办承诺时限（工作日）：已受理的自今日起计，须少于剩余工作日；尚未受理的自受理之日起计"
        ),
    )
    reason = serializers.CharField(max_length=urgent.REASON_MAX_CHARS, required=False, allow_blank=True)


class RefuseInSerializer(JsonBodySerializer):
    reason = serializers.CharField(
        max_length=urgent.REASON_MAX_CHARS,
        help_text=gettext_lazy("不予急办的理由（必填，告知申请人并写入书面报告）"),
        error_messages={
            "required": gettext_lazy("不予急办须写明理由。"),
            "blank": gettext_lazy("不予急办须写明理由。"),
        },
    )


class StaggeredInSerializer(JsonBodySerializer):
    slot = serializers.IntegerField(
        min_value=1, max_value=2**62, help_text=gettext_lazy("为急事急办预留的错时服务时段")
    )
    name = serializers.CharField(max_length=40)
    id_number = IdNumberField()
    mobile = MobileField()


class CaseUrgentView(APIView):
    @extend_schema(
        summary="Record an applicant's request for urgent handling of a case (急事急办)",
        description="Counter staff of the case's hall; one request waits per case. A reason category of the list "
        "and a description are required.",
        tags=["urgent"],
        request=RequestInSerializer,
        responses={201: UrgentRequestSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        case = access_case(request.user, number)
        payload = RequestInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        row = urgent.urgent_request_case(
            case=case, actor=request.user, category=data["reason_category"], text=data["reason_text"]
        )
        return _no_store(Response(UrgentRequestSerializer(row).data, status=status.HTTP_201_CREATED))


class UrgentListView(generics.ListAPIView):
    """The urgent requests of the chief representative's department at their hall (none for
    anyone else), newest first, paginated."""

    serializer_class = UrgentRequestSerializer

    @extend_schema(
        summary="The urgent requests of the chief representative's department at their hall", tags=["urgent"]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[UrgentRequest]:
        return urgent.pending_for(self.request.user).select_related("staggered_booking", "report")


class UrgentDetailView(APIView):
    @extend_schema(summary="An urgent request", tags=["urgent"], responses=UrgentRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _no_store(Response(UrgentRequestSerializer(urgent.request_for_decider(request.user, pk)).data))


class UrgentApproveView(APIView):
    @extend_schema(
        summary="Approve urgent handling with a shorter promised limit",
        description="Only the chief representative of the department at the hall (403 otherwise). `promised_days` "
        "must be fewer than the working days the case still has (an accepted case: counted from today, today not "
        "counted) or than the guide's promised limit (a case not yet accepted, or a booking: counted from the "
        "acceptance). The case's deadline is recomputed and the applicant told.",
        tags=["urgent"],
        request=ApproveInSerializer,
        responses={200: UrgentRequestSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = urgent.request_for_decider(request.user, pk)
        payload = ApproveInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        row = urgent.urgent_approve(
            request=row, actor=request.user, promised_days=data["promised_days"], reason=data.get("reason", "")
        )
        return _no_store(Response(UrgentRequestSerializer(row).data))


class UrgentRefuseView(APIView):
    @extend_schema(
        summary="Refuse urgent handling with a reason: a written report (书面报告) to the hall's management department",
        tags=["urgent"],
        request=RefuseInSerializer,
        responses={201: WrittenReportSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = urgent.request_for_decider(request.user, pk)
        payload = RefuseInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = urgent.urgent_refuse(request=row, actor=request.user, reason=payload.validated_data["reason"])
        return _no_store(Response(WrittenReportSerializer(report).data, status=status.HTTP_201_CREATED))


class UrgentStaggeredView(APIView):
    @extend_schema(
        summary="Book a weekend or holiday staggered slot reserved for urgent matters for an approved request",
        tags=["urgent"],
        request=StaggeredInSerializer,
        responses={200: UrgentRequestSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = urgent.request_for_decider(request.user, pk)
        payload = StaggeredInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        slot = Slot.objects.filter(pk=data["slot"], hall_id=row.hall_id).first()
        if slot is None:
            raise CaseError(_("没有找到该预约时段，请重新选择。"), field="slot", code="not_found", status=404)
        urgent.urgent_book_staggered(
            request=row,
            actor=request.user,
            slot=slot,
            name=data["name"],
            id_number=data["id_number"],
            mobile=data["mobile"],
            now=timezone.now(),
        )
        return _no_store(Response(UrgentRequestSerializer(urgent.request_for_decider(request.user, pk)).data))


class ReportListView(generics.ListAPIView):
    """Written reports of refused urgent requests (书面报告) of the halls the supervisor covers."""

    serializer_class = WrittenReportSerializer

    @extend_schema(
        summary="Written reports of refused urgent requests (书面报告), for the supervisors covering the hall",
        tags=["urgent"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        supervised_hall_ids(request.user)  # 403 for anyone who supervises nothing
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[WrittenReport]:
        return urgent.reports_for(self.request.user)


class ReportDetailView(APIView):
    @extend_schema(summary="A written report (书面报告)", tags=["urgent"], responses=WrittenReportSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _no_store(Response(WrittenReportSerializer(urgent.report_or_404(request.user, pk)).data))


def urlpatterns_urgent() -> list[Any]:
    from django.urls import path

    return [
        path("cases/<str:number>/urgent/", CaseUrgentView.as_view(), name="case-urgent"),
        path("urgent-requests/", UrgentListView.as_view(), name="urgent-requests"),
        path("urgent-requests/<int:pk>/", UrgentDetailView.as_view(), name="urgent-request"),
        path("urgent-requests/<int:pk>/approve/", UrgentApproveView.as_view(), name="urgent-request-approve"),
        path("urgent-requests/<int:pk>/refuse/", UrgentRefuseView.as_view(), name="urgent-request-refuse"),
        path(
            "urgent-requests/<int:pk>/staggered-booking/",
            UrgentStaggeredView.as_view(),
            name="urgent-request-staggered",
        ),
        path("urgent-reports/", ReportListView.as_view(), name="urgent-reports"),
        path("urgent-reports/<int:pk>/", ReportDetailView.as_view(), name="urgent-report"),
    ]
