"""Staffing API under /api/v1/staffing/: the roster of seconded staff (supervisors of the hall:
list with the same filters and flags as the page, record a secondment, end one), their conduct
incidents (read and record), a staff member's own record and the published code of conduct.
Same services and refusals as the pages (``StaffingError`` as JSON: 400 naming the field, 403,
409 for a second active chief representative of a department at a hall)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Department, Hall
from feedback import rectification, selectors_reports
from servicehall.access import signed_in, staff_scope, supervised_hall_ids
from servicehall.api_fields import JsonBodySerializer
from servicehall.clock import local_date
from servicehall.schema import ERROR_404, ERROR_409
from staffing import selectors, services, workload
from staffing.access import (
    DepartmentChoiceError,
    access_department_page,
    access_secondment,
    access_surge,
    surges_visible,
    workload_hall_ids,
)
from staffing.forms import FLAG_CHOICES, PlannerForm
from staffing.models import (
    AttendanceRecord,
    ConductCode,
    ConductIncident,
    Secondment,
    SkillCertification,
    SurgeFlag,
    TrainingRecord,
)


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


class SecondmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.staff_profile.display_name", default="")
    hall = serializers.CharField(source="hall.code")
    department = serializers.CharField(source="department.code")
    role_display = serializers.CharField(source="get_role_display")
    status_display = serializers.CharField(source="get_status_display")
    short_tenure = serializers.BooleanField(read_only=True, help_text=gettext_lazy("派驻计划或实际不足两年"))

    class Meta:
        model = Secondment
        fields = [
            "id",
            "name",
            "staff_number",
            "hall",
            "department",
            "role",
            "role_display",
            "seconded_from",
            "seconded_until",
            "status",
            "status_display",
            "short_tenure",
            "short_tenure_reason",
        ]


class RosterRowSerializer(SecondmentSerializer):
    has_pre_job = serializers.BooleanField(read_only=True, help_text=gettext_lazy("已完成岗前教育"))
    skill_level = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=gettext_lazy("最近认定的技能等级（1–5）")
    )
    incident_count = serializers.IntegerField(read_only=True)
    open_replacement = serializers.BooleanField(read_only=True, help_text=gettext_lazy("已要求派出单位更换，尚未办结"))
    overdue_replacement = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("更换要求已超过期限，接替人员尚未到岗")
    )

    class Meta(SecondmentSerializer.Meta):
        fields = [
            *SecondmentSerializer.Meta.fields,
            "has_pre_job",
            "skill_level",
            "incident_count",
            "open_replacement",
            "overdue_replacement",
        ]


class TrainingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = TrainingRecord
        fields = ["id", "kind", "kind_display", "title", "completed_on", "hours", "provider"]


class SkillSerializer(serializers.ModelSerializer):
    # A number (1 highest, 5 entry) rather than an enum named "level": halls' levels have that name.
    level = serializers.IntegerField(min_value=1, max_value=5, help_text=gettext_lazy("技能等级：1（一级）至5（五级）"))
    level_display = serializers.CharField(source="get_level_display")

    class Meta:
        model = SkillCertification
        fields = ["id", "level", "level_display", "certified_on", "certificate_number"]


class AttendanceSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")

    class Meta:
        model = AttendanceRecord
        fields = ["id", "hall", "window_label", "signed_in_at", "signed_out_at", "sign_out_cause", "minutes"]


class IncidentSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display")
    recorded_by = serializers.CharField(source="recorded_by.get_username")

    class Meta:
        model = ConductIncident
        fields = [
            "id",
            "occurred_on",
            "source",
            "source_display",
            "reference",
            "description",
            "recorded_by",
            "recorded_at",
        ]


class ConductCodeSerializer(serializers.ModelSerializer):
    forbidden_phrases = serializers.ListField(source="phrase_list", child=serializers.CharField())
    forbidden_behaviours = serializers.ListField(source="behaviour_list", child=serializers.CharField())

    class Meta:
        model = ConductCode
        fields = ["title", "forbidden_phrases", "forbidden_behaviours", "dress", "discipline", "published_at"]


class SecondmentInSerializer(JsonBodySerializer):
    username = serializers.CharField(max_length=150, help_text=gettext_lazy("人员的登录用户名"))
    staff_number = serializers.CharField(max_length=20)
    hall = serializers.CharField(max_length=20, help_text=gettext_lazy("大厅编码"))
    department = serializers.CharField(max_length=20, help_text=gettext_lazy("派出单位的部门编码"))
    role = serializers.ChoiceField(
        choices=Secondment.Role.choices, error_messages={"invalid_choice": gettext_lazy("请从列表中选择岗位。")}
    )
    seconded_from = serializers.DateField()
    seconded_until = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=Secondment.Status.choices,
        default=Secondment.Status.ACTIVE,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择状态。")},
    )
    short_tenure_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class EndInSerializer(JsonBodySerializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=gettext_lazy("派驻不足两年的原因（不足两年时必填）")
    )


class IncidentInSerializer(JsonBodySerializer):
    # A declared field (the metaclass moves it into ``fields``), not the serializer's own ``source``.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=ConductIncident.Source.choices, error_messages={"invalid_choice": gettext_lazy("请从列表中选择来源。")}
    )
    occurred_on = serializers.DateField()
    # Length and existence checked by the service, with its message (never cut short).
    reference = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000)


ROSTER_PARAMETERS = [
    OpenApiParameter("hall", str, description="Hall code"),
    OpenApiParameter("department", str, description="Sending department code"),
    OpenApiParameter("flag", str, enum=[value for value, _label in FLAG_CHOICES if value]),
    OpenApiParameter("status", str, enum=Secondment.Status.values, description="Default: planned and active"),
]


class SecondmentListView(generics.ListAPIView):
    """Seconded staff of the halls the supervisor covers, with the roster's flags."""

    serializer_class = RosterRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="The roster of seconded staff (派驻人员) with their flags",
        tags=["staffing"],
        parameters=ROSTER_PARAMETERS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[Secondment]:
        params = self.request.query_params
        hall_ids = supervised_hall_ids(self.request.user)
        errors: dict[str, list[str]] = {}
        hall = department = None
        if params.get("hall"):
            hall = Hall.objects.filter(code=params["hall"]).first()
            if hall is None or (hall_ids is not None and hall.pk not in hall_ids):
                errors["hall"] = [_("请从您管理的大厅中选择。")]
        if params.get("department"):
            department = Department.objects.filter(code=params["department"]).first()
            if department is None:
                errors["department"] = [_("没有找到该部门。")]
        flag, state = params.get("flag", ""), params.get("status", "")
        if flag and flag not in selectors.FLAGS:
            errors["flag"] = [_("请从列表中选择提示类型。")]
        if state and state not in Secondment.Status.values:
            errors["status"] = [_("请从列表中选择状态。")]
        if errors:
            raise serializers.ValidationError(errors)
        return selectors.roster(
            hall_ids=hall_ids,
            hall_id=hall.pk if hall else None,
            department_id=department.pk if department else None,
            flag=flag,
            status=state,
        )

    @extend_schema(
        summary="Record a secondment",
        description="Supervisors of the hall. A secondment planned or ended under two years needs "
        "`short_tenure_reason`; a second active chief representative of a department at a hall is refused (409). "
        "An active secondment sets the person's hall, department, staff number and role group.",
        tags=["staffing"],
        request=SecondmentInSerializer,
        responses={201: SecondmentSerializer, 409: ERROR_409},
    )
    def post(self, request: Request) -> Response:
        payload = SecondmentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = get_user_model().objects.filter(username=data["username"]).first()
        hall = Hall.objects.filter(code=data["hall"]).first()
        department = Department.objects.filter(code=data["department"]).first()
        errors = {}
        if user is None:
            errors["username"] = [_("没有找到该用户。")]
        if hall is None:
            errors["hall"] = [_("没有找到该大厅。")]
        if department is None:
            errors["department"] = [_("没有找到该部门。")]
        if errors:
            raise serializers.ValidationError(errors)
        assert hall is not None and department is not None  # noqa: S101 (narrowing for mypy)
        secondment = services.secondment_create(
            actor=request.user,
            user=user,
            staff_number=data["staff_number"],
            department=department,
            hall=hall,
            role=data["role"],
            seconded_from=data["seconded_from"],
            seconded_until=data.get("seconded_until"),
            status=data["status"],
            short_tenure_reason=data.get("short_tenure_reason", ""),
        )
        return _no_store(Response(SecondmentSerializer(secondment).data, status=status.HTTP_201_CREATED))


class SecondmentDetailView(APIView):
    @extend_schema(summary="A secondment", tags=["staffing"], responses=SecondmentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _no_store(Response(SecondmentSerializer(access_secondment(request.user, pk)).data))


class SecondmentEndView(APIView):
    @extend_schema(
        summary="End a secondment",
        description="Under two years at the hall, `reason` is required.",
        tags=["staffing"],
        request=EndInSerializer,
        responses={200: SecondmentSerializer, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        secondment = access_secondment(request.user, pk)
        payload = EndInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        secondment = services.secondment_end(
            secondment=secondment, actor=request.user, ended_on=data["ended_on"], reason=data.get("reason", "")
        )
        return _no_store(Response(SecondmentSerializer(secondment).data))


class IncidentListView(generics.ListAPIView):
    serializer_class = IncidentSerializer
    filter_backends: list[Any] = []

    @extend_schema(summary="The conduct incidents recorded against a seconded person", tags=["staffing"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[ConductIncident]:
        secondment = access_secondment(self.request.user, self.kwargs["pk"])
        return secondment.incidents.select_related("recorded_by").order_by("-occurred_on", "-pk")

    @extend_schema(
        summary="Record a conduct incident (complaint, bad rating or a supervisor's observation)",
        tags=["staffing"],
        request=IncidentInSerializer,
        responses={201: IncidentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        secondment = access_secondment(request.user, pk)
        payload = IncidentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        incident = services.incident_record(
            secondment=secondment,
            actor=request.user,
            source=data["source"],
            occurred_on=data["occurred_on"],
            description=data["description"],
            reference=data.get("reference", ""),
        )
        return _no_store(Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED))


_STAFF_RECORD = inline_serializer(
    "StaffRecord",
    {
        "secondment": SecondmentSerializer(allow_null=True),
        "has_pre_job": serializers.BooleanField(),
        "trainings": TrainingSerializer(many=True),
        "skills": SkillSerializer(many=True),
        "attendance": AttendanceSerializer(many=True),
    },
)


class MeView(APIView):
    @extend_schema(
        summary="The staff member's own record: secondment, training, skill levels, recent attendance",
        tags=["staffing"],
        responses={200: _STAFF_RECORD, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        if not staff_scope(request.user).roles and not request.user.is_superuser:
            raise Http404(_("没有找到工作人员档案。"))
        user = signed_in(request.user)
        secondment = selectors.current_secondment(user.pk)
        trainings = selectors.trainings_of(user.pk)
        body = {
            "secondment": SecondmentSerializer(secondment).data if secondment else None,
            "has_pre_job": any(row.kind == TrainingRecord.Kind.PRE_JOB for row in trainings),
            "trainings": TrainingSerializer(trainings, many=True).data,
            "skills": SkillSerializer(selectors.skills_of(user.pk), many=True).data,
            "attendance": AttendanceSerializer(selectors.attendance_of(user.pk)[:30], many=True).data,
        }
        return _no_store(Response(body))


class ConductCodeView(APIView):
    @extend_schema(
        summary="The published code of conduct for window staff",
        tags=["staffing"],
        responses={200: ConductCodeSerializer, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        code = selectors.published_code()
        if code is None:
            raise Http404(_("行为规范尚未发布。"))
        return Response(ConductCodeSerializer(code).data)


# --- The workload: window planner and surges (Art. 6 ¶4, Art. 8) -----------------------------


class PlannerHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(help_text=gettext_lazy("本地时间的小时（0–23），时段为该小时起的一小时"))
    open_minutes = serializers.IntegerField(help_text=gettext_lazy("该时段内大厅办公的分钟数"))
    # A declared field (the metaclass moves it into ``fields``), not the serializer's own ``source``.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[workload.Source.OBSERVED, workload.Source.FORECAST],
        help_text=gettext_lazy("observed：当天实际取号；forecast：最近四个同一星期几的可比日（跳过节假日）的平均"),
    )
    arrivals = serializers.FloatField(help_text=gettext_lazy("该时段取号人数（预测为平均值）"))
    mean_service_minutes = serializers.FloatField()
    service_samples = serializers.IntegerField(help_text=gettext_lazy("有办理时长的已办结号数"))
    windows_needed = serializers.IntegerField()
    windows_open = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("该时段按签到记录的平均开放窗口数；尚未到来的时段为 null")
    )
    service_level = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("按实际开放窗口，在目标时间内被叫号的比例")
    )
    verdict = serializers.ChoiceField(
        choices=[workload.Verdict.UNDER, workload.Verdict.OK, workload.Verdict.OVER, workload.Verdict.PLANNED]
    )
    cases_received = serializers.FloatField(
        help_text=gettext_lazy(
            "仅供参考：该时段本大厅受理的办件数（预测为平均值；选定类别时为该类别号的办件）。测算只按取号人数，不计办件。"
        )
    )


class PlanSerializer(serializers.Serializer):
    hall = serializers.CharField(source="hall.code")
    date = serializers.DateField(source="day")
    category = serializers.CharField(source="category.letter", allow_null=True, default=None)
    target_share = serializers.FloatField()
    target_wait_minutes = serializers.IntegerField()
    prior_service_minutes = serializers.FloatField()
    baseline_dates = serializers.ListField(source="baseline", child=serializers.DateField())
    closed = serializers.BooleanField(help_text=gettext_lazy("大厅当天不对外办公"))
    hours = PlannerHourSerializer(many=True)


PLANNER_PARAMETERS = [
    OpenApiParameter("hall", str, required=True, description="Hall code"),
    OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="The day to plan (Asia/Shanghai)"),
    OpenApiParameter("category", str, description="A queue category letter of the hall; the whole hall when absent"),
    OpenApiParameter(
        "target_share",
        int,
        description="Percent of people to be called within the target wait (50–99); default the hall's (80)",
    ),
    OpenApiParameter("target_wait_minutes", int, description="Target wait in minutes (1–120); default the hall's (15)"),
]


def _form_errors(form: Any) -> serializers.ValidationError:
    return serializers.ValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})


class PlannerView(APIView):
    @extend_schema(
        summary="The window planner: windows needed per opening hour of a day against windows open",
        description="Supervisors of the hall, or a chief representative at their hall. Per hour: arrivals (the "
        "day's tickets for hours begun, for hours to come the mean of the last four comparable days on the same "
        "weekday, holidays skipped: `baseline_dates`), "
        "mean service time, the fewest windows calling `target_share` % within `target_wait_minutes` (Erlang C), "
        "and the windows open from the attendance records.",
        tags=["staffing"],
        parameters=PLANNER_PARAMETERS,
        responses={200: PlanSerializer},
    )
    def get(self, request: Request) -> Response:
        hall_ids = workload_hall_ids(request.user)
        form = PlannerForm(request.query_params, hall_ids=hall_ids)
        if not form.is_valid():
            raise _form_errors(form)
        data = form.cleaned_data
        share = data.get("target_share")
        plan = workload.plan_day(
            hall=data["hall"],
            day=data["date"],
            category=data["queue"],
            target_share=share / 100 if share else None,
            target_wait_minutes=data.get("target_wait_minutes"),
            now=timezone.now(),
        )
        return _no_store(Response(PlanSerializer(plan).data))


class SurgeSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    category = serializers.CharField(source="category.letter")
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    increase_percent = serializers.IntegerField(read_only=True)
    status_display = serializers.CharField(source="get_status_display")
    handled_by = serializers.CharField(source="handled_by.get_username", allow_null=True, default=None)

    class Meta:
        model = SurgeFlag
        fields = [
            "id",
            "hall",
            "category",
            "department",
            "date",
            "checked_until",
            "arrivals",
            "baseline",
            "baseline_days",
            "ratio",
            "increase_percent",
            "status",
            "status_display",
            "decision",
            "extra_staff",
            "note",
            "handled_by",
            "handled_at",
        ]
        extra_kwargs = {"checked_until": {"help_text": "Local time (Asia/Shanghai) the count ran to"}}


class SurgeHandleInSerializer(JsonBodySerializer):
    decision = serializers.ChoiceField(
        choices=SurgeFlag.Decision.choices, error_messages={"invalid_choice": gettext_lazy("请选择处理结果。")}
    )
    extra_staff = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("增派人数（1–50），增派人员时必填"),
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("处理说明；无需增派时必填，最多300字")
    )


class SurgeListView(generics.ListAPIView):
    serializer_class = SurgeSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Surge flags: queues taking markedly more tickets than on the same weekday of the last four weeks",
        description="Supervisors see their halls' flags, a chief representative those of queues covering their "
        "department at their hall.",
        tags=["staffing"],
        parameters=[OpenApiParameter("status", str, enum=SurgeFlag.Status.values)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[SurgeFlag]:
        rows = surges_visible(self.request.user)
        state = self.request.query_params.get("status", "")
        if state and state not in SurgeFlag.Status.values:
            raise serializers.ValidationError({"status": [_("请从列表中选择状态。")]})
        if state:
            rows = rows.filter(status=state)
        return rows.select_related("hall", "category", "department", "handled_by").order_by(
            "status", "-date", "hall__code", "category__letter", "pk"
        )


class SurgeDetailView(APIView):
    @extend_schema(summary="A surge flag", tags=["staffing"], responses={200: SurgeSerializer, 404: ERROR_404})
    def get(self, request: Request, pk: int) -> Response:
        return _no_store(Response(SurgeSerializer(access_surge(request.user, pk)).data))


class SurgeHandleView(APIView):
    @extend_schema(
        summary="Record the decision on a surge: extra staff (with how many) or none needed (with the reason)",
        tags=["staffing"],
        request=SurgeHandleInSerializer,
        responses={200: SurgeSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        flag = access_surge(request.user, pk)
        payload = SurgeHandleInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        flag = services.surge_handle(
            flag=flag,
            actor=request.user,
            decision=data["decision"],
            extra_staff=data.get("extra_staff"),
            note=data.get("note", ""),
        )
        return _no_store(Response(SurgeSerializer(flag).data))


# --- The chief representative's department (Art. 8 ¶3) ---------------------------------------


class DepartmentStaffSerializer(RosterRowSerializer):
    signed_in_today = serializers.BooleanField(read_only=True, help_text=gettext_lazy("今日已在本大厅窗口签到"))
    at_window_now = serializers.BooleanField(read_only=True, help_text=gettext_lazy("正在窗口（已签到未签退）"))

    class Meta(RosterRowSerializer.Meta):
        fields = [*RosterRowSerializer.Meta.fields, "signed_in_today", "at_window_now"]


class DepartmentPlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DepartmentDueCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = serializers.CharField(source="item.code")
    status = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)


class DepartmentUrgentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.CharField(source="item.code")
    case = serializers.CharField(source="case.number", default=None, allow_null=True)
    requested_at = serializers.DateTimeField()


class DepartmentReportSerializer(serializers.Serializer):
    number = serializers.CharField()
    category = serializers.CharField(source="category.code")
    status = serializers.CharField()
    due_on = serializers.DateField()
    flag = serializers.CharField()


class DepartmentOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class LinkedIncidentSerializer(IncidentSerializer):
    staff_number = serializers.CharField(source="secondment.staff_number")
    rectification_order = serializers.IntegerField(
        source="rectification_order_id", allow_null=True, help_text=gettext_lazy("差评整改单（id），如有")
    )
    report = serializers.CharField(
        source="report.number", default=None, allow_null=True, help_text=gettext_lazy("“办不成事”反映受理编号，如有")
    )

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "staff_number", "rectification_order", "report"]


class DepartmentPageSerializer(serializers.Serializer):
    hall = DepartmentPlaceSerializer()
    department = DepartmentPlaceSerializer()
    today = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    staff = DepartmentStaffSerializer(many=True)
    items = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("本大厅可办事项编码（前10项）"))
    cases_due = DepartmentDueCaseSerializer(many=True, help_text=gettext_lazy("超期和临期办件，期限最早的10件"))
    urgent_pending = DepartmentUrgentSerializer(many=True)
    reports_open = DepartmentReportSerializer(many=True)
    orders_open = DepartmentOrderSerializer(many=True)
    incidents = LinkedIncidentSerializer(many=True)


def _department_body(summary: selectors.DepartmentSummary) -> dict[str, Any]:
    counts = {
        "staff": summary.staff_counts["total"],
        "short_tenure": summary.staff_counts["short_tenure"],
        "no_pre_job": summary.staff_counts["no_pre_job"],
        "signed_in_today": summary.staff_counts["signed_in_today"],
        "items": summary.item_count,
        **summary.case_counts,
        "urgent_pending": summary.urgent_count,
        "extensions_30_days": summary.extensions_recent,
        "reports_open": summary.report_count,
        "orders_open": summary.order_count,
        "incidents_this_year": summary.incident_count_year,
        "replacements_open": summary.replacement_counts["open"],
        "replacements_overdue": summary.replacement_counts["overdue"],
    }
    return {
        "hall": {"code": summary.hall.code, "name": summary.hall.display_name},
        "department": {"code": summary.department.code, "name": summary.department.display_name},
        "today": summary.today,
        "counts": counts,
        "staff": summary.staff,
        "items": [item.code for item in summary.items],
        "cases_due": summary.cases_due,
        "urgent_pending": summary.urgent_pending,
        "reports_open": summary.reports_open,
        "orders_open": summary.orders_open,
        "incidents": summary.incidents,
    }


class DepartmentView(APIView):
    @extend_schema(
        summary="The chief representative's department at their hall: staff, cases owed, decisions waiting",
        description="The recorded chief representative (the active chief secondment) sees their own department "
        "at their hall; a deputy holding the role is refused (403). Supervisors name the department "
        "(`department`) and, when citywide, the hall (`hall`), within the halls they cover.",
        tags=["staffing"],
        parameters=[
            OpenApiParameter("hall", str, description="Hall code (supervisors; required when citywide)"),
            OpenApiParameter("department", str, description="Department code (supervisors: required)"),
        ],
        responses={200: DepartmentPageSerializer, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        try:
            hall, department = access_department_page(
                request.user,
                hall_code=request.query_params.get("hall", "").strip(),
                department_code=request.query_params.get("department", "").strip(),
            )
        except DepartmentChoiceError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from exc
        summary = selectors.department_summary(hall=hall, department=department, today=local_date())
        return _no_store(Response(DepartmentPageSerializer(_department_body(summary)).data))


# --- Conduct incidents from feedback (Art. 7 ¶2) ---------------------------------------------


class OrderIncidentInSerializer(JsonBodySerializer):
    description = serializers.CharField(max_length=2000)


class ReportIncidentInSerializer(JsonBodySerializer):
    secondment = serializers.IntegerField(min_value=1, help_text=gettext_lazy("被反映工作人员的派驻记录（id）"))
    description = serializers.CharField(max_length=2000)


class IncidentFromOrderView(APIView):
    @extend_schema(
        summary="Record the rated clerk's conduct incident from a bad rating's rectification order",
        description="Supervisors of the order's hall, once the order was found valid on verification; once per "
        "order (409). The source (bad_rating), reference (the order's number) and day (the service's) come "
        "from the order; 409 when the rated clerk has no secondment at the hall.",
        tags=["staffing"],
        request=OrderIncidentInSerializer,
        responses={201: LinkedIncidentSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = rectification.access_order(request.user, pk)
        payload = OrderIncidentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = services.incident_from_order(
            order=order, actor=request.user, description=payload.validated_data["description"]
        )
        return _no_store(Response(LinkedIncidentSerializer(incident).data, status=status.HTTP_201_CREATED))


class IncidentFromReportView(APIView):
    @extend_schema(
        summary='Record a clerk\'s conduct incident from a "办不成事" report or complaint',
        description="Supervisors of the report's hall name the clerk's secondment at that hall; once per report "
        "and person (409). The source (complaint), reference (the report's number) and day (the visit's) come "
        "from the report.",
        tags=["staffing"],
        request=ReportIncidentInSerializer,
        responses={201: LinkedIncidentSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportIncidentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        secondment = Secondment.objects.select_related("hall").filter(pk=data["secondment"]).first()
        if secondment is None:
            raise serializers.ValidationError({"secondment": [_("没有找到该派驻人员。")]})
        incident = services.incident_from_report(
            report=report, secondment=secondment, actor=request.user, description=data["description"]
        )
        return _no_store(Response(LinkedIncidentSerializer(incident).data, status=status.HTTP_201_CREATED))
