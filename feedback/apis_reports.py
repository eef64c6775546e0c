"""“办不成事” reports API under /api/v1/ (Art. 6 ¶1; feedback/reports.py): register a report
online (public, rate-limited) or at the window (staff), follow it by its private token (POST: the
token stays out of URLs and logs), and the staff's list, detail and the loop's steps. Same services
and refusals as the pages (``ReportError`` as JSON: 400 for a field, 403, 404, 409 for the
report's state, 429)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Department, Hall, ServiceItem
from feedback import reports, selectors_reports
from feedback.models_reports import Report, ReportCategory
from feedback.reports import ReportError, ReportInput
from queueing.models import Window
from servicehall.api_fields import JsonBodySerializer, MobileField
from servicehall.http import client_address
from servicehall.schema import ERROR_404, ERROR_409, ERROR_422, ERROR_429


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


# --- Serializers ---------------------------------------------------------------------------------


class ReportCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportCategory
        fields = ["code", "name", "name_en", "description"]


class ReportSerializer(serializers.ModelSerializer):
    """A report as staff see it: the reporter's mobile number masked, never whole."""

    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.name")
    window = serializers.IntegerField(source="window.number", allow_null=True, default=None)
    item = serializers.CharField(source="item.code", allow_null=True, default=None)
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    status_display = serializers.CharField(source="get_status_display")
    departments = serializers.SerializerMethodField(help_text=gettext_lazy("转派的责任部门编码"))

    class Meta:
        model = Report
        fields = [
            "number",
            "channel",
            "hall",
            "hall_name",
            "window",
            "item",
            "tried_on",
            "category",
            "category_name",
            "problem",
            "contact_name",
            "contact_mobile_masked",
            "status",
            "status_display",
            "registered_at",
            "due_on",
            "due_provisional",
            "next_check_on",
            "flag",
            "departments",
            "resolved_at",
            "resolution",
            "matter_done",
            "followed_up_at",
            "reached",
            "satisfied",
        ]

    def get_departments(self, obj: Report) -> list[str]:
        return [a.department.code for a in obj.assignments.all()]


class ReportEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    note = serializers.CharField()


class ReportAnswerSerializer(serializers.Serializer):
    """One assigned department's answer for its part (部门答复); empty until it answers."""

    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    assigned_at = serializers.DateTimeField()
    answered = serializers.BooleanField()
    answer = serializers.CharField()
    matter_done = serializers.BooleanField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField(source="answered_by.get_username", allow_null=True, default=None)


class ReportDetailSerializer(ReportSerializer):
    answers = ReportAnswerSerializer(source="assignments", many=True, read_only=True)
    events = ReportEventSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "answers", "events"]


class ReportCategoryCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    red = serializers.IntegerField(help_text=gettext_lazy("超过答复期限的"))
    not_done = serializers.IntegerField(help_text=gettext_lazy("办结时事项未能办成的"))


class ReportReceiptSerializer(serializers.Serializer):
    """What the reporter gets once: the reference and the private progress token."""

    number = serializers.CharField()
    progress_token = serializers.CharField(help_text=gettext_lazy("进度查询令牌：仅此一次返回，凭它查询进度"))
    due_on = serializers.DateField()


class ReportProgressSerializer(serializers.Serializer):
    number = serializers.CharField()
    hall = serializers.CharField()
    category = serializers.CharField()
    item = serializers.CharField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    status_display = serializers.CharField()
    registered_on = serializers.DateField()
    due_on = serializers.DateField()
    departments = serializers.ListField(child=serializers.CharField())
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    matter_done = serializers.BooleanField(allow_null=True)
    followed_up_at = serializers.DateTimeField(allow_null=True)


class ReportRegisterInSerializer(JsonBodySerializer):
    hall = serializers.CharField(max_length=20, help_text=gettext_lazy("办事大厅编码"))
    window = serializers.IntegerField(
        min_value=1, max_value=999, required=False, allow_null=True, help_text=gettext_lazy("办事窗口号（可选）")
    )
    item = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=gettext_lazy("事项编码（可选）")
    )
    tried_on = serializers.DateField(help_text=gettext_lazy("办事日期（不晚于今天）"))
    category = serializers.CharField(
        max_length=30, help_text=gettext_lazy("问题类别编码（GET /api/v1/report-categories/）")
    )
    problem = serializers.CharField(max_length=2000, help_text=gettext_lazy("遇到的问题（至少5个字）"))
    contact_name = serializers.CharField(max_length=40)
    mobile = MobileField()

    def report_input(self) -> ReportInput:
        data = self.validated_data
        errors: dict[str, list[str]] = {}
        hall = Hall.objects.filter(code=data["hall"]).first()
        if hall is None:
            errors["hall"] = [_("没有找到该政务服务场所。")]
        window = None
        if hall is not None and data.get("window"):
            window = Window.objects.filter(hall=hall, number=data["window"]).first()
            if window is None:
                errors["window"] = [_("该大厅没有%(n)s号窗口，请核对或留空。") % {"n": data["window"]}]
        item = None
        if data.get("item"):
            item = ServiceItem.objects.filter(code=data["item"]).first()
            if item is None:
                errors["item"] = [_("没有找到该事项。")]
        category = ReportCategory.objects.filter(code=data["category"], is_active=True).first()
        if category is None:
            errors["category"] = [_("请从列表中选择问题类别。")]
        if errors:
            raise ReportError(_("提交的内容有误，请按各项提示修改。"), errors=errors)
        return ReportInput(
            hall=hall,
            window=window,
            item=item,
            tried_on=data["tried_on"],
            problem=data["problem"],
            category=category,
            contact_name=data["contact_name"],
            mobile=data["mobile"],
        )


class ReportProgressInSerializer(JsonBodySerializer):
    token = serializers.CharField(max_length=64, help_text=gettext_lazy("受理时给出的进度查询令牌"))


class ReportAssignInSerializer(JsonBodySerializer):
    departments = serializers.ListField(
        child=serializers.CharField(max_length=20), min_length=1, max_length=20, help_text=gettext_lazy("责任部门编码")
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReportNoteInSerializer(JsonBodySerializer):
    note = serializers.CharField(max_length=2000, help_text=gettext_lazy("督办情况"))
    next_check_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("下一督办节点（不早于今天）")
    )


class ReportResolveInSerializer(JsonBodySerializer):
    resolution = serializers.CharField(max_length=2000, help_text=gettext_lazy("办理结果（必填）"))
    matter_done = serializers.BooleanField(help_text=gettext_lazy("反映人的事项是否已办成"))


class ReportFollowUpInSerializer(JsonBodySerializer):
    reached = serializers.BooleanField(help_text=gettext_lazy("回访电话是否接通"))
    satisfied = serializers.BooleanField(
        required=False, allow_null=True, help_text=gettext_lazy("接通时必填：是否满意；未接通时不填")
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReportReopenInSerializer(JsonBodySerializer):
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("重新转派的原因（必填）"))
    departments = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=20,
        help_text=gettext_lazy("增加的责任部门编码（可选；已转派的部门继续办理）"),
    )


# --- Views ---------------------------------------------------------------------------------------


class CategoryListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ReportCategorySerializer

    @extend_schema(summary="The categories of “办不成事” reports (the ones open for new reports)", tags=["reports"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ReportCategory]:
        return selectors_reports.active_categories()


class OnlineRegisterView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Report a “办不成事” problem online (受理): the reference and the private progress token, once",
        description="No login. Rate-limited per client address (429). The mobile number is stored masked (and "
        "whole only until the follow-up call); it never appears in any answer. A repeat (the same hall, category, "
        "problem and mobile number as a report registered within the last minutes: a double submit, a retried "
        "request) is refused with 409 and code `duplicate`, naming the first report's reference; the first answer's "
        "progress token stays the only one.",
        tags=["reports"],
        request=ReportRegisterInSerializer,
        responses={201: ReportReceiptSerializer, 409: ERROR_409, 422: ERROR_422, 429: ERROR_429},
    )
    def post(self, request: Request) -> Response:
        payload = ReportRegisterInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = reports.report_register(
            data=payload.report_input(), channel=Report.Channel.ONLINE, client_ip=client_address(request)
        )
        body = {"number": report.number, "progress_token": report.progress_token, "due_on": report.due_on}
        return _no_store(Response(ReportReceiptSerializer(body).data, status=status.HTTP_201_CREATED))


class ProgressView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A report's progress by its private token (POST, so the token stays out of URLs and logs)",
        tags=["reports"],
        request=ReportProgressInSerializer,
        responses={200: ReportProgressSerializer, 404: ERROR_404},
    )
    def post(self, request: Request) -> Response:
        payload = ReportProgressInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = selectors_reports.progress_by_token(payload.validated_data["token"])
        if report is None:
            raise ReportError(_("没有找到该反映，请核对进度查询令牌。"), code="not_found", field="token", status=404)
        return _no_store(Response(ReportProgressSerializer(selectors_reports.public_progress(report)).data))


class ReportListView(generics.ListAPIView):
    """Reports the user sees (supervisors: their halls; chief representatives: assigned to their
    department at their hall), newest first, filtered and paginated."""

    serializer_class = ReportSerializer
    queryset = Report.objects.none()  # for the schema; the rows come from get_queryset

    @extend_schema(
        summary="“办不成事” reports: the supervisors' halls, or those assigned to the chief representative's department",
        tags=["reports"],
        parameters=[
            OpenApiParameter("hall", str, description="大厅编码（未知编码：空列表）"),
            OpenApiParameter("status", str, enum=Report.Status.values, description="状态"),
            OpenApiParameter("category", str, description="问题类别编码（未知编码：空列表）"),
            OpenApiParameter("flag", str, enum=["any", "yellow", "red"], description="预警：any 有预警"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[Report]:
        params = self.request.query_params
        status_value = params.get("status", "")
        if status_value and status_value not in Report.Status.values:
            raise ReportError(_("状态无效。"), field="status", status=400)
        flag = params.get("flag", "")
        if flag not in ("", "any", "yellow", "red"):
            raise ReportError(_("预警无效。"), field="flag", status=400)
        hall = None
        if params.get("hall"):
            hall = Hall.objects.filter(code=params["hall"]).first()
            if hall is None:
                return Report.objects.none()
        category = None
        if params.get("category"):
            category = ReportCategory.objects.filter(code=params["category"]).first()
            if category is None:
                return Report.objects.none()
        filters = selectors_reports.ReportFilters(hall=hall, status=status_value, category=category, flag=flag)
        return selectors_reports.report_rows(self.request.user, filters)


class RegisterAtWindowView(APIView):
    @extend_schema(
        summary="Register a report at the “办不成事” window (受理, staff of the hall)",
        tags=["reports"],
        request=ReportRegisterInSerializer,
        responses={201: ReportReceiptSerializer, 422: ERROR_422},
    )
    def post(self, request: Request) -> Response:
        payload = ReportRegisterInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = reports.report_register(data=payload.report_input(), channel=Report.Channel.WINDOW, actor=request.user)
        body = {"number": report.number, "progress_token": report.progress_token, "due_on": report.due_on}
        return _no_store(Response(ReportReceiptSerializer(body).data, status=status.HTTP_201_CREATED))


class CategoryCountsView(APIView):
    @extend_schema(
        summary="Reports per category in the user's scope: all, open, overdue, not got done",
        tags=["reports"],
        responses={200: ReportCategoryCountSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors_reports.report_rows(request.user, selectors_reports.ReportFilters())
        counts = selectors_reports.category_counts(rows)
        codes = dict(ReportCategory.objects.values_list("pk", "code"))
        rows_out = [{**c, "code": codes[c["category_id"]]} for c in counts]
        return _no_store(Response(ReportCategoryCountSerializer(rows_out, many=True).data))


class ReportDetailView(APIView):
    @extend_schema(summary="A “办不成事” report with its steps", tags=["reports"], responses=ReportDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return _no_store(Response(ReportDetailSerializer(selectors_reports.access_report(request.user, number)).data))


def _fresh(request: Request, number: str) -> Response:
    return _no_store(Response(ReportDetailSerializer(selectors_reports.access_report(request.user, number)).data))


class AssignView(APIView):
    @extend_schema(
        summary="转派: assign the report to one or several departments (supervisors of the hall)",
        tags=["reports"],
        request=ReportAssignInSerializer,
        responses={200: ReportDetailSerializer, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportAssignInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        codes = list(dict.fromkeys(payload.validated_data["departments"]))
        departments = list(Department.objects.filter(code__in=codes).order_by("code"))
        unknown = sorted(set(codes) - {d.code for d in departments})
        if unknown:
            raise ReportError(_("没有找到部门：%(codes)s。") % {"codes": "、".join(unknown)}, field="departments")
        reports.report_assign(
            report=report, actor=request.user, departments=departments, note=payload.validated_data.get("note", "")
        )
        return _fresh(request, number)


class NoteView(APIView):
    @extend_schema(
        summary="协调督办: a supervisor's note and, optionally, an intermediate date",
        tags=["reports"],
        request=ReportNoteInSerializer,
        responses={200: ReportDetailSerializer, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportNoteInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        reports.report_note(
            report=report, actor=request.user, note=data["note"], next_check_on=data.get("next_check_on")
        )
        return _fresh(request, number)


class ResolveView(APIView):
    @extend_schema(
        summary="办结: an assigned department's answer for its part, by its chief representative at the hall (the "
        "report is resolved when every assigned department has answered), or the resolution that closes the report, "
        "by a supervisor of the hall",
        tags=["reports"],
        request=ReportResolveInSerializer,
        responses={200: ReportDetailSerializer, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportResolveInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        reports.report_resolve(
            report=report, actor=request.user, resolution=data["resolution"], matter_done=data["matter_done"]
        )
        return _fresh(request, number)


class FollowUpView(APIView):
    @extend_schema(
        summary="回访: the follow-up call after the resolution (supervisors of the hall); closes the loop",
        tags=["reports"],
        request=ReportFollowUpInSerializer,
        responses={200: ReportDetailSerializer, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportFollowUpInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        reports.report_follow_up(
            report=report,
            actor=request.user,
            reached=data["reached"],
            satisfied=data.get("satisfied"),
            note=data.get("note", ""),
        )
        return _fresh(request, number)


class ReopenView(APIView):
    @extend_schema(
        summary="重新转派 (再次督办): send a report whose matter was not done, or whose reporter was not "
        "satisfied, back to the departments with a reason and a new reply date (supervisors of the hall)",
        tags=["reports"],
        request=ReportReopenInSerializer,
        responses={200: ReportDetailSerializer, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        report = selectors_reports.access_report(request.user, number)
        payload = ReportReopenInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        codes = list(dict.fromkeys(payload.validated_data.get("departments") or []))
        departments = list(Department.objects.filter(code__in=codes).order_by("code"))
        unknown = sorted(set(codes) - {d.code for d in departments})
        if unknown:
            raise ReportError(_("没有找到部门：%(codes)s。") % {"codes": "、".join(unknown)}, field="departments")
        reports.report_reopen(
            report=report, actor=request.user, reason=payload.validated_data["reason"], departments=departments
        )
        return _fresh(request, number)


def urlpatterns_reports() -> list[Any]:
    from django.urls import path

    return [
        path("report-categories/", CategoryListView.as_view(), name="report-categories"),
        path("report-progress/", ProgressView.as_view(), name="report-progress"),
        path("reports/online/", OnlineRegisterView.as_view(), name="report-online"),
        path("reports/category-counts/", CategoryCountsView.as_view(), name="report-category-counts"),
        path("reports/", ReportListView.as_view(), name="report-list"),
        path("reports/window/", RegisterAtWindowView.as_view(), name="report-window"),
        path("reports/<str:number>/", ReportDetailView.as_view(), name="report-detail"),
        path("reports/<str:number>/assign/", AssignView.as_view(), name="report-assign"),
        path("reports/<str:number>/notes/", NoteView.as_view(), name="report-note"),
        path("reports/<str:number>/resolve/", ResolveView.as_view(), name="report-resolve"),
        path("reports/<str:number>/follow-up/", FollowUpView.as_view(), name="report-follow-up"),
        path("reports/<str:number>/reopen/", ReopenView.as_view(), name="report-reopen"),
    ]
