"""Annual assessment proposals API under /api/v1/staffing/assessments/ (年度考核建议, Art. 8 ¶1):
everybody to assess in a year with their figures and proposal, save (or revise) a proposal,
submit it, and the CSV for the sending department. Supervisors of the hall; the same services
and refusals as the pages (400 naming the field, 403, 409 for a submitted proposal)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Department, Hall
from servicehall.access import supervised_hall_ids
from servicehall.api_fields import JsonBodySerializer
from servicehall.clock import local_date
from servicehall.schema import ERROR_404, ERROR_409
from staffing import assessments
from staffing.access import access_secondment
from staffing.models import AssessmentProposal


def _no_store(response: Any) -> Any:
    response["Cache-Control"] = "no-store"
    return response


class FiguresSerializer(serializers.Serializer):
    tickets_served = serializers.IntegerField(help_text=gettext_lazy("本年度在本大厅办结的排队号"))
    avg_service_minutes = serializers.FloatField(allow_null=True, help_text=gettext_lazy("平均办理时长（分钟）"))
    ratings = serializers.IntegerField(help_text=gettext_lazy("计入统计的评价数"))
    satisfied = serializers.IntegerField()
    satisfaction_pct = serializers.FloatField(allow_null=True)
    bad_ratings = serializers.IntegerField()
    bad_upheld = serializers.IntegerField(help_text=gettext_lazy("申诉复核维持的差评"))
    bad_overturned = serializers.IntegerField(help_text=gettext_lazy("申诉复核撤销的差评"))
    reports_attributed = serializers.IntegerField(
        help_text=gettext_lazy("反映的窗口在办事当日由本人签到的“办不成事”反映")
    )
    reports_department = serializers.IntegerField(help_text=gettext_lazy("转派本单位（本大厅）的“办不成事”反映"))
    incidents = serializers.IntegerField()
    attendance_days = serializers.IntegerField()


class ProposalSerializer(serializers.ModelSerializer):
    grade_display = serializers.CharField(source="get_grade_display")
    status_display = serializers.CharField(source="get_status_display")
    evidence = FiguresSerializer(help_text=gettext_lazy("保存时的数据快照"))

    class Meta:
        model = AssessmentProposal
        fields = [
            "id",
            "secondment",
            "year",
            "grade",
            "grade_display",
            "justification",
            "evidence",
            "status",
            "status_display",
            "revised_at",
            "submitted_at",
        ]


class AssessmentRowSerializer(serializers.Serializer):
    secondment = serializers.IntegerField(source="s.pk")
    staff_number = serializers.CharField(source="s.staff_number")
    name = serializers.CharField(source="s.user.staff_profile.display_name", default="")
    hall = serializers.CharField(source="s.hall.code")
    department = serializers.CharField(source="s.department.code")
    figures = FiguresSerializer()
    proposal = ProposalSerializer(allow_null=True)


class ProposalInSerializer(JsonBodySerializer):
    secondment = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(min_value=assessments.FIRST_YEAR, max_value=2100)
    grade = serializers.ChoiceField(
        choices=AssessmentProposal.Grade.choices,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择建议等次。")},
    )
    justification = serializers.CharField(
        max_length=4000, help_text=gettext_lazy("考核意见：至少10个字；优秀、不称职至少50个字")
    )


class AssessmentQuerySerializer(serializers.Serializer):
    """The filters of the list and the export (the schema states the year's bounds)."""

    year = serializers.IntegerField(
        required=False, min_value=assessments.FIRST_YEAR, max_value=2100, help_text="Default: last year"
    )
    hall = serializers.CharField(required=False, help_text="Hall code")
    department = serializers.CharField(required=False, help_text="Sending department code")


FILTERS = [AssessmentQuerySerializer]


def _chosen(request: Request) -> dict[str, Any]:
    params = request.query_params
    hall_ids = supervised_hall_ids(request.user)
    errors: dict[str, list[str]] = {}
    query = AssessmentQuerySerializer(data=params)
    if not query.is_valid():
        errors.update({name: [str(m) for m in messages] for name, messages in query.errors.items()})
    # A later year lists who is in post with no figures yet: harmless, and within the schema.
    year = query.validated_data.get("year") if not errors else None
    year = year or assessments.default_year(local_date())
    hall = department = None
    if params.get("hall"):
        hall = Hall.objects.filter(code=params["hall"]).first()
        if hall is None or (hall_ids is not None and hall.pk not in hall_ids):
            errors["hall"] = [_("请从您管理的大厅中选择。")]
    if params.get("department"):
        department = Department.objects.filter(code=params["department"]).first()
        if department is None:
            errors["department"] = [_("没有找到该部门。")]
    if errors:
        raise serializers.ValidationError(errors)
    return {"year": year, "hall_ids": hall_ids, "hall": hall, "department": department}


def _rows(chosen: dict[str, Any]) -> Any:
    return assessments.assessment_rows(
        hall_ids=chosen["hall_ids"],
        year=chosen["year"],
        hall_id=chosen["hall"].pk if chosen["hall"] else None,
        department_id=chosen["department"].pk if chosen["department"] else None,
    )


class AssessmentListView(generics.GenericAPIView):
    serializer_class = AssessmentRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Everybody to assess in a year: figures and proposal (null: none yet)",
        tags=["staffing"],
        parameters=FILTERS,
        responses={200: AssessmentRowSerializer(many=True), 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        chosen = _chosen(request)
        page: list[Any] = self.paginate_queryset(_rows(chosen)) or []
        entries = [
            {"s": row, "figures": assessments.figures_of(row), "proposal": assessments.proposal_of(row)} for row in page
        ]
        return _no_store(self.get_paginated_response(AssessmentRowSerializer(entries, many=True).data))

    @extend_schema(
        summary="Propose (or revise) a person's grade for a year",
        description="Supervisors of the person's hall. The figures of the year are saved with the proposal. "
        "`justification` at least 10 characters, 50 for 优秀 (excellent) and 不称职 (incompetent); 优秀 needs "
        "tickets served or attendance in the year. A submitted proposal cannot be changed (409).",
        tags=["staffing"],
        request=ProposalInSerializer,
        responses={200: ProposalSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request) -> Response:
        payload = ProposalInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        secondment = access_secondment(request.user, data["secondment"])
        proposal = assessments.proposal_save(
            secondment=secondment,
            actor=request.user,
            year=data["year"],
            grade=data["grade"],
            justification=data["justification"],
        )
        return _no_store(Response(ProposalSerializer(proposal).data, status=status.HTTP_200_OK))


class ProposalSubmitView(APIView):
    @extend_schema(
        summary="Submit a proposal to the sending department (locks it)",
        tags=["staffing"],
        request=None,
        responses={200: ProposalSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        proposal = AssessmentProposal.objects.select_related("secondment").filter(pk=pk).first()
        if proposal is None:
            raise Http404(_("没有找到该考核建议。"))
        hall_ids = supervised_hall_ids(request.user)
        if hall_ids is not None and proposal.secondment.hall_id not in hall_ids:
            raise PermissionDenied(_("您只能查看本大厅的派驻人员。"))
        proposal = assessments.proposal_submit(proposal=proposal, actor=request.user)
        return _no_store(Response(ProposalSerializer(proposal).data))


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else str(data).encode()


class AssessmentExportView(APIView):
    # JSON first: a refusal is the API's JSON error; the export itself is the CSV response.
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        summary="The year's proposals as CSV for the sending department (UTF-8 with BOM)",
        tags=["staffing"],
        parameters=FILTERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8 with a byte-order mark"),
            404: ERROR_404,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        chosen = _chosen(request)
        body = assessments.csv_text(assessments.export_rows(_rows(chosen)), year=chosen["year"])
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assessment-{chosen["year"]}.csv"'
        return _no_store(response)
