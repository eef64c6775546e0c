"""Replacement requests API under /api/v1/staffing/replacements/ (要求派出单位更换, Art. 8 ¶2):
list (the same filters as the page), make one, close it (the replacement in post) or withdraw it.
Supervisors of the hall; the same services and refusals as the pages (``StaffingError`` as JSON:
400 naming the field, 403, 409 for a second open request or a request already closed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Department, Hall
from servicehall.api_fields import JsonBodySerializer
from servicehall.clock import local_date
from servicehall.schema import ERROR_404, ERROR_409
from staffing import replacements
from staffing.access import access_secondment, replacement_scope
from staffing.models import ReplacementRequest, Secondment


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


class _PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.staff_profile.display_name", default="")
    hall = serializers.CharField(source="hall.code")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = Secondment
        fields = ["id", "staff_number", "name", "hall", "department", "seconded_from"]


class ReplacementSerializer(serializers.ModelSerializer):
    secondment = _PersonSerializer()
    replacement = _PersonSerializer(allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by.get_username")
    overdue = serializers.SerializerMethodField(help_text=gettext_lazy("仍未办结且已过更换期限"))

    class Meta:
        model = ReplacementRequest
        fields = [
            "id",
            "secondment",
            "reason",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "requested_by",
            "requested_at",
            "replacement",
            "closed_at",
            "withdraw_reason",
        ]

    def get_overdue(self, obj: ReplacementRequest) -> bool:
        annotated = getattr(obj, "overdue", None)
        return bool(annotated) if annotated is not None else obj.is_overdue(local_date())


class ReplacementInSerializer(JsonBodySerializer):
    secondment = serializers.IntegerField(min_value=1, help_text=gettext_lazy("要求更换的派驻记录编号"))
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("更换理由（至少10个字）"))
    deadline = serializers.DateField(required=False, help_text=gettext_lazy("更换期限，不早于今天；默认30天后"))


class CloseInSerializer(JsonBodySerializer):
    replacement = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("接替人员的派驻记录编号：同一派出单位、同一大厅、在要求提出之后到岗")
    )


class WithdrawInSerializer(JsonBodySerializer):
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("撤回理由（至少10个字）"))


LIST_PARAMETERS = [
    OpenApiParameter("hall", str, description="Hall code"),
    OpenApiParameter("department", str, description="Sending department code"),
    OpenApiParameter("status", str, enum=ReplacementRequest.Status.values),
    OpenApiParameter("overdue", bool, description="Only open requests past their deadline"),
]


def _access_request(request: Request, pk: int) -> ReplacementRequest:
    """The request, if it concerns a hall the user supervises (403 otherwise), or, for the
    recorded chief representative, their department at their hall (404 otherwise: not theirs to
    know of)."""
    hall_ids, department_id = replacement_scope(request.user)
    found = replacements.request_list(hall_ids=None, today=local_date()).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有找到该更换要求。"))
    if department_id is not None and (
        found.secondment.department_id != department_id or found.secondment.hall_id not in (hall_ids or [])
    ):
        raise Http404(_("没有找到该更换要求。"))
    if hall_ids is not None and found.secondment.hall_id not in hall_ids:
        raise PermissionDenied(_("您只能查看本大厅的派驻人员。"))
    return found


class ReplacementListView(generics.ListAPIView):
    """Replacement requests about the halls the supervisor covers; for the recorded chief
    representative, those addressed to their department at their hall."""

    serializer_class = ReplacementSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Replacement requests to sending departments (要求派出单位更换)",
        description="Supervisors: the halls they cover. The recorded chief representative of a department: the "
        "requests addressed to their department at their hall only (another `department` is refused, 400).",
        tags=["staffing"],
        parameters=LIST_PARAMETERS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _no_store(super().get(request, *args, **kwargs))

    def get_queryset(self) -> QuerySet[ReplacementRequest]:
        params = self.request.query_params
        hall_ids, own_department = replacement_scope(self.request.user)
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
            elif own_department is not None and department.pk != own_department:
                errors["department"] = [_("首席事务代表只能查看本部门的更换要求。")]
        state = params.get("status", "")
        if state and state not in ReplacementRequest.Status.values:
            errors["status"] = [_("请从列表中选择状态。")]
        overdue = params.get("overdue", "")
        if overdue not in ("", "true", "false"):
            errors["overdue"] = [_("必须是 true 或 false。")]
        if errors:
            raise serializers.ValidationError(errors)
        return replacements.request_list(
            hall_ids=hall_ids,
            today=local_date(),
            hall_id=hall.pk if hall else None,
            department_id=own_department if own_department is not None else (department.pk if department else None),
            status=state,
            overdue=overdue == "true",
        )

    @extend_schema(
        summary="Ask the sending department to replace a seconded person",
        description="Supervisors of the person's hall. `reason` at least 10 characters; `deadline` not in the "
        "past (default: 30 days). A second open request for the same person is refused (409). The department's "
        "chief representative at the hall is notified.",
        tags=["staffing"],
        request=ReplacementInSerializer,
        responses={201: ReplacementSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request) -> Response:
        payload = ReplacementInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        secondment = access_secondment(request.user, data["secondment"])
        made = replacements.replacement_request(
            secondment=secondment,
            actor=request.user,
            reason=data["reason"],
            deadline=data.get("deadline") or replacements.default_deadline(local_date()),
        )
        row = replacements.request_list(hall_ids=None, today=local_date()).get(pk=made.pk)
        return _no_store(Response(ReplacementSerializer(row).data, status=status.HTTP_201_CREATED))


class ReplacementCloseView(APIView):
    @extend_schema(
        summary="The replacement is in post: close the request",
        description="Supervisors of the hall, or the recorded chief representative of the sending department at "
        "the hall. `replacement`: the new active secondment of the same department at the same hall, begun on "
        "or after the day of the request. A request already closed or withdrawn: 409.",
        tags=["staffing"],
        request=CloseInSerializer,
        responses={200: ReplacementSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = _access_request(request, pk)
        payload = CloseInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        replacement = Secondment.objects.filter(pk=payload.validated_data["replacement"]).first()
        if replacement is None:
            raise serializers.ValidationError({"replacement": [_("没有找到该派驻记录。")]})
        replacements.replacement_close(request=item, actor=request.user, replacement=replacement)
        row = replacements.request_list(hall_ids=None, today=local_date()).get(pk=item.pk)
        return _no_store(Response(ReplacementSerializer(row).data))


class ReplacementWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw a replacement request",
        description="Supervisors of the hall only (403 for the chief representative). `reason` at least 10 "
        "characters. A request already closed or withdrawn: 409.",
        tags=["staffing"],
        request=WithdrawInSerializer,
        responses={200: ReplacementSerializer, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = _access_request(request, pk)
        payload = WithdrawInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        replacements.replacement_withdraw(request=item, actor=request.user, reason=payload.validated_data["reason"])
        row = replacements.request_list(hall_ids=None, today=local_date()).get(pk=item.pk)
        return _no_store(Response(ReplacementSerializer(row).data))
