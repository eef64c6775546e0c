"""Cases API under /api/v1/ (REQUIREMENTS §8, §10): receiving and settling applications, the
case's steps, the chief representative's inbox and the supervisors' deadline lists for signed-in
staff; the public progress look-up (case number and the last four digits of the applicant's
mobile or ID number, rate-limited, answering the same whether or not the case exists) and the
private progress link. Same services, selectors and access helpers as the pages; every refusal is
the service's ``CaseError``, answered as JSON with its status and fields.

ID and mobile numbers are masked in every response; a case is reached by its number (printed on
its notices, not a secret) for staff, and by the private token or number plus digits for the
applicant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import bundles, forwarding, selectors, services
from cases.access import access_case, access_case_scope, access_inbox, case_hall_ids
from cases.identity import validate_credit_code
from cases.models import Applicant, Case, CaseMaterial, NoticeItem, TicketItem
from catalog.access import access_hall
from catalog.models import EXTENSION_LIMIT_MAX_DAYS, Hall, ServiceItem
from queueing.models import Ticket, Window
from servicehall import roles
from servicehall.access import staff_scope
from servicehall.api_fields import CheckedCharField, IdNumberField, JsonBodySerializer, MobileField
from servicehall.clock import local_date
from servicehall.http import client_address
from servicehall.personal_data import mask_mobile
from servicehall.schema import ERROR_400, ERROR_404, ERROR_409, ERROR_422
from servicehall.throttling import ScopedCounterThrottle

MAX_ID = 2**62  # ids beyond this are nobody's (and would overflow the database's integers)
MAX_LINES = 100


def _no_store(response: Response) -> Response:
    """Personal data (even masked) is not kept by browsers or proxies."""
    response["Cache-Control"] = "no-store"
    return response


# --- Output -----------------------------------------------------------------------------------


def _staff_name(user: Any) -> str:
    profile = getattr(user, "staff_profile", None) if user is not None else None
    if profile is None:
        return user.get_username() if user is not None else ""
    return f"{profile.display_name}（{profile.staff_number}）" if profile.staff_number else profile.display_name


class CaseListSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.name")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    applicant_kind = serializers.CharField(source="applicant.kind")
    applicant_identity = serializers.CharField(
        source="applicant.display_identity", help_text=gettext_lazy("身份证号码（脱敏）或统一社会信用代码")
    )
    contact_mobile = serializers.SerializerMethodField(help_text=gettext_lazy("联系手机（脱敏）"))
    window = serializers.IntegerField(source="window.number", allow_null=True, default=None)
    clock_stopped = serializers.BooleanField()
    warning = serializers.SerializerMethodField(
        help_text=gettext_lazy("空为正常，yellow 临近期限，red 已超期（预警任务最近一次运行时）")
    )

    class Meta:
        model = Case
        fields = [
            "number",
            "status",
            "status_display",
            "channel",
            "hall",
            "hall_name",
            "department",
            "department_name",
            "item",
            "item_name",
            "applicant_kind",
            "applicant_name",
            "applicant_identity",
            "contact_mobile",
            "window",
            "received_on",
            "accepted_on",
            "deemed_accepted",
            "deferred",
            "due_on",
            "due_provisional",
            "clock_stopped",
            "warning",
            "owed_overdue",
            "decision",
        ]

    def get_contact_mobile(self, case: Case) -> str:
        return mask_mobile(case.contact_mobile)

    def get_warning(self, case: Case) -> str:
        clock = getattr(case, "clock", None)
        return clock.warning if clock is not None else ""


class CaseMaterialSerializer(serializers.ModelSerializer):
    material = serializers.IntegerField(source="material_id")
    name = serializers.CharField(source="material.name")
    may_follow_later = serializers.BooleanField(source="material.may_follow_later")
    state_display = serializers.CharField(source="get_state_display")

    class Meta:
        model = CaseMaterial
        fields = ["material", "name", "may_follow_later", "state", "state_display", "note", "supplied_at"]


class NoticeItemSerializer(serializers.ModelSerializer):
    material = serializers.IntegerField(source="material_id")
    name = serializers.CharField(source="material.name")
    problem_display = serializers.CharField(source="get_problem_display")

    class Meta:
        model = NoticeItem
        fields = ["material", "name", "problem", "problem_display", "note"]


class NoticeSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    issued_by = serializers.SerializerMethodField()
    requirements = serializers.CharField()
    before_acceptance = serializers.BooleanField()
    override_reason = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    items = NoticeItemSerializer(many=True)

    def get_issued_by(self, notice: Any) -> str:
        return _staff_name(notice.issued_by)


class OwedSerializer(serializers.Serializer):
    material = serializers.IntegerField(source="material_id")
    name = serializers.CharField(source="material.name")
    due_on = serializers.DateField()
    supplied_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)


class ClockStopSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    special_step = serializers.CharField(source="special_step.name", allow_null=True, default=None)
    note = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class ExtensionSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.DateTimeField()
    due_before = serializers.DateField(allow_null=True)
    due_after = serializers.DateField(allow_null=True)

    def get_approved_by(self, extension: Any) -> str:
        return _staff_name(extension.approved_by)


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_actor(self, event: Any) -> str:
        return _staff_name(event.actor)


class SpecialStepRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    max_days = serializers.IntegerField()


class CaseDetailSerializer(CaseListSerializer):
    guide_version = serializers.IntegerField(
        source="guide_version.number", help_text=gettext_lazy("受理所依据的指南版本号")
    )
    allows_deferred_acceptance = serializers.BooleanField(source="guide_version.allows_deferred_acceptance")
    extension_limit_days = serializers.IntegerField(source="guide_version.extension_limit_days")
    special_steps = SpecialStepRefSerializer(source="guide_version.special_steps", many=True)
    ticket = serializers.CharField(source="ticket.number", allow_null=True, default=None)
    received_by = serializers.SerializerMethodField()
    materials = CaseMaterialSerializer(many=True)
    notices = NoticeSerializer(many=True)
    owed = OwedSerializer(many=True)
    clock_stops = ClockStopSerializer(many=True)
    extensions = ExtensionSerializer(many=True)
    events = EventSerializer(many=True)
    progress_token = serializers.CharField(
        help_text=gettext_lazy("申请人的私密进度链接令牌（印在受理通知书、一次性告知书的二维码中）")
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "guide_version",
            "allows_deferred_acceptance",
            "extension_limit_days",
            "special_steps",
            "contact_name",
            "ticket",
            "received_by",
            "received_at",
            "limit_days",
            "extension_days",
            "clock_stopped_on",
            "not_accepted_reason",
            "refer_to",
            "decision_reason",
            "decided_on",
            "result_ready_at",
            "collection",
            "collection_note",
            "collected_at",
            "materials",
            "notices",
            "owed",
            "clock_stops",
            "extensions",
            "events",
            "progress_token",
        ]

    def get_received_by(self, case: Case) -> str:
        return _staff_name(case.received_by)


def _detail(number: str) -> dict[str, Any]:
    case = selectors.case_by_number(number)
    if case is None:  # pragma: no cover - the caller has just written it
        raise Http404(_("没有找到该办件。"))
    return CaseDetailSerializer(case).data


# --- Input ------------------------------------------------------------------------------------


class CreditCodeField(CheckedCharField):
    """A unified social credit code (GB 32100-2015): 18 characters of its 31-letter alphabet, the
    administrative division in characters 3–8. The schema's ``format: cn-credit-code`` names the
    rule a pattern cannot state (the check character, ``cases.identity``)."""

    openapi_format = "cn-credit-code"
    openapi_pattern = r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"
    max_chars = 18

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(check=validate_credit_code, **kwargs)


class PatternField(serializers.CharField):
    """Text whose shape the schema states as ``openapi_pattern``; the service checks it (400)."""

    def __init__(self, pattern: str, **kwargs: Any) -> None:
        self.openapi_pattern = pattern
        super().__init__(**kwargs)


class ApplicantSerializer(JsonBodySerializer):
    kind = serializers.ChoiceField(
        choices=Applicant.Kind.choices, help_text=gettext_lazy("person 自然人，organisation 法人或其他组织")
    )
    name = serializers.CharField(max_length=100, help_text=gettext_lazy("姓名或单位名称"))
    id_number = IdNumberField(
        required=False, allow_blank=True, help_text=gettext_lazy("自然人：居民身份证号码（18位）")
    )
    credit_code = CreditCodeField(
        required=False, allow_blank=True, help_text=gettext_lazy("法人：统一社会信用代码（18位）")
    )


class MaterialCheckSerializer(JsonBodySerializer):
    material = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=gettext_lazy("指南所列材料的编号"))
    state = serializers.ChoiceField(choices=CaseMaterial.State.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class NoticeLineSerializer(JsonBodySerializer):
    material = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    problem = serializers.ChoiceField(choices=NoticeItem.Problem.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text=gettext_lazy("补正要求"))


class NoticeInSerializer(JsonBodySerializer):
    items = serializers.ListField(child=NoticeLineSerializer(), required=False, max_length=MAX_LINES)
    requirements = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=gettext_lazy("材料以外的其他全部要求")
    )
    override_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("再次告知的理由：引用第一次告知后未重新提交的材料时须填写，仅政务服务管理部门可用"),
    )


def _checks(rows: list[dict[str, Any]]) -> list[services.MaterialCheck]:
    return [services.MaterialCheck(r["material"], r["state"], r.get("note", "")) for r in rows]


def _notice(data: dict[str, Any] | None) -> services.NoticeInput:
    data = data or {}
    return services.NoticeInput(
        lines=[services.NoticeLine(r["material"], r["problem"], r.get("note", "")) for r in data.get("items", [])],
        requirements=data.get("requirements", ""),
        override_reason=data.get("override_reason", ""),
    )


class ReceiveSerializer(JsonBodySerializer):
    hall = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=gettext_lazy("大厅编码（默认为本人所属大厅）")
    )
    item = serializers.CharField(max_length=10, help_text=gettext_lazy("事项编码"))
    channel = serializers.ChoiceField(choices=Case.Channel.choices)
    window = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("窗口收件：本人签到的窗口编号"),
    )
    ticket = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("正在本窗口办理的排队号编号"),
    )
    applicant = ApplicantSerializer()
    mobile = MobileField(help_text=gettext_lazy("联系手机，用于补正、容缺和办结提醒"))
    contact_name = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text=gettext_lazy("经办人")
    )
    materials = serializers.ListField(
        child=MaterialCheckSerializer(), max_length=MAX_LINES, help_text=gettext_lazy("材料清单；未列出的材料视为缺失")
    )
    outcome = serializers.ChoiceField(
        choices=[(o, o) for o in (*services.OUTCOMES, "forward")],
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "收件同时办理：accept 受理，accept_deferred 容缺受理，correction 一次性告知，not_accepted 不予受理，"
            "forward 收件待转办（不能转办时拒绝，不建办件）"
        ),
    )
    notice = NoticeInSerializer(required=False, help_text=gettext_lazy("outcome 为 correction 时的一次性告知内容"))
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=gettext_lazy("不予受理的理由")
    )
    refer_to = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=gettext_lazy("不予受理时告知向何处申请")
    )


class AcceptSerializer(JsonBodySerializer):
    deferred = serializers.BooleanField(default=False, help_text=gettext_lazy("容缺受理"))
    materials = serializers.ListField(
        child=MaterialCheckSerializer(),
        required=False,
        max_length=MAX_LINES,
        help_text=gettext_lazy("受理前再次核对或当场补交的材料"),
    )


class MaterialsSerializer(JsonBodySerializer):
    materials = serializers.ListField(child=MaterialCheckSerializer(), max_length=MAX_LINES)


class NotAcceptSerializer(JsonBodySerializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text=gettext_lazy("理由（必填）"),
        error_messages={
            "required": gettext_lazy("不予受理须写明理由。"),
            "blank": gettext_lazy("不予受理须写明理由。"),
        },
    )
    refer_to = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SpecialStepStartSerializer(JsonBodySerializer):
    step = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=gettext_lazy("指南所列特殊环节的编号"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class NoteSerializer(JsonBodySerializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ExtendSerializer(JsonBodySerializer):
    # The most any guide allows; the case's own guide version's limit (10 unless it says otherwise,
    # less the extensions granted) is the service's 422 on ``days``.
    days = serializers.IntegerField(
        min_value=1,
        max_value=EXTENSION_LIMIT_MAX_DAYS,
        help_text=gettext_lazy(
            "延长的工作日数：与本件已延长的合计不得超过办事指南规定的可延长时限（一般为10个工作日），超过时返回422"
        ),
    )
    reason = serializers.CharField(
        max_length=300,
        help_text=gettext_lazy("理由（必填）"),
        error_messages={"required": gettext_lazy("延期须写明理由。"), "blank": gettext_lazy("延期须写明理由。")},
    )


class DecisionSerializer(JsonBodySerializer):
    approved = serializers.BooleanField(help_text=gettext_lazy("true 准予，false 不予批准"))
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=gettext_lazy("不予批准的理由（不予批准时必填）")
    )


class CollectSerializer(JsonBodySerializer):
    method = serializers.ChoiceField(
        choices=[("window", "window"), ("post", "post"), ("electronic", "electronic")],
        help_text=gettext_lazy("window 窗口领取，post 邮寄送达，electronic 电子送达"),
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text=gettext_lazy("邮寄单号等"))


class CaseQuerySerializer(serializers.Serializer):
    hall = serializers.CharField(max_length=20, required=False, allow_blank=True)
    department = serializers.CharField(max_length=20, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False, allow_blank=True)
    warning = serializers.ChoiceField(choices=[("yellow", "yellow"), ("red", "red")], required=False, allow_blank=True)
    item = serializers.CharField(max_length=10, required=False, allow_blank=True)


# --- Staff: list, receive, detail -------------------------------------------------------------


class CaseListView(generics.ListAPIView):
    """Cases of the halls the user works at or supervises, newest first."""

    serializer_class = CaseListSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks with no user
            return Case.objects.none()
        query = CaseQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        hall_ids, department_id = access_case_scope(
            self.request.user, hall_code=data.get("hall", ""), department_code=data.get("department", "")
        )
        cases = selectors.cases_list(
            hall_ids=hall_ids,
            department_id=department_id,
            status=data.get("status", ""),
            warning=data.get("warning", ""),
            item_code=data.get("item", ""),
        )
        # A bundle's sub-cases of other departments are not listed (cases/bundles.py).
        return bundles.visible_cases(self.request.user, cases)

    @extend_schema(
        summary="Cases of the halls the user works at or supervises",
        tags=["cases"],
        parameters=[CaseQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case_hall_ids(request.user)  # 403 before the query is read
        return _no_store(super().get(request, *args, **kwargs))

    @extend_schema(
        summary="Receive an application (收件), and settle it at once if asked",
        description=(
            "Under the item's current guide version, with the materials checklist. `outcome` accepts it "
            "(all required materials present), accepts it with materials to follow (容缺受理: the guide "
            "allows it and every main material is present), issues the one-time notice of corrections "
            "(`notice`: every missing or defective material at once) or does not accept it (`reason`); "
            "`forward` receives it only, to be forwarded next (`POST /cases/{number}/forward/`), and is refused "
            "(422 `not_on_list` or `no_jurisdiction`) when it could not be forwarded. "
            "A refusal of the outcome saves nothing, not even the case number."
        ),
        tags=["cases"],
        request=ReceiveSerializer,
        responses={201: CaseDetailSerializer, 404: ERROR_404, 422: ERROR_422},
    )
    def post(self, request: Request) -> Response:
        payload = ReceiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scope = staff_scope(request.user)
        hall: Hall | None
        if data.get("hall"):
            hall = access_hall(request.user, data["hall"], roles_allowed=roles.COUNTER_ROLES)
        else:
            hall = Hall.objects.filter(pk=scope.hall_id).first() if scope.hall_id is not None else None
        if hall is None:
            raise services.CaseError(
                _("只有本大厅的窗口工作人员可以办理收件、受理和出件。"), code="permission_denied", status=403
            )
        item = ServiceItem.objects.filter(code=data["item"].strip()).first()
        if item is None:
            raise services.CaseError(_("没有找到该事项。"), field="item", code="not_found", status=404)
        window = ticket = None
        if data.get("window"):
            window = Window.objects.filter(pk=data["window"], hall=hall).first()
            if window is None:
                raise services.CaseError(_("本大厅没有该窗口。"), field="window", code="not_found", status=404)
        if data.get("ticket"):
            ticket = Ticket.objects.filter(pk=data["ticket"], hall=hall).first()
            if ticket is None:
                raise services.CaseError(_("本大厅没有该排队号。"), field="ticket", code="not_found", status=404)
        applicant = data["applicant"]
        received: dict[str, Any] = {
            "actor": request.user,
            "hall": hall,
            "item": item,
            "channel": data["channel"],
            "applicant": services.ApplicantInput(
                kind=applicant["kind"],
                name=applicant["name"],
                id_number=applicant.get("id_number", ""),
                credit_code=applicant.get("credit_code", ""),
            ),
            "mobile": data["mobile"],
            "contact_name": data.get("contact_name", ""),
            "checklist": _checks(data["materials"]),
            "window": window,
            "ticket": ticket,
        }
        if data.get("outcome") == "forward":
            # 收件并转办: refused (422) before the case exists when it could not be forwarded.
            case = forwarding.case_receive_to_forward(**received)
        else:
            case = services.case_receive(
                **received,
                outcome=data.get("outcome", ""),
                notice=_notice(data.get("notice")),
                reason=data.get("reason", ""),
                refer_to=data.get("refer_to", ""),
            )
        return _no_store(Response(_detail(case.number), status=status.HTTP_201_CREATED))


class CaseDetailView(APIView):
    @extend_schema(
        summary="A case with its checklist, notices, owed materials, clock stops, extensions and history",
        tags=["cases"],
        responses=CaseDetailSerializer,
    )
    def get(self, request: Request, number: str) -> Response:
        return _no_store(Response(CaseDetailSerializer(access_case(request.user, number)).data))


# --- Staff: the steps of a case ---------------------------------------------------------------

Perform = Callable[[Case, dict[str, Any], Any], object]


class CaseActionView(APIView):
    """A step of a case: the request's fields go to one service; the answer is the case."""

    request_serializer: type[serializers.Serializer] = NoteSerializer
    perform: Perform

    def post(self, request: Request, number: str) -> Response:
        case = access_case(request.user, number, queryset=Case.objects.select_related("hall", "department"))
        payload = self.request_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        type(self).perform(case, payload.validated_data, request.user)
        return _no_store(Response(_detail(case.number)))


def _action(
    name: str, serializer: type[serializers.Serializer], summary: str, perform: Perform, description: str = ""
) -> type[CaseActionView]:
    def post(self: CaseActionView, request: Request, number: str) -> Response:
        return CaseActionView.post(self, request, number)

    post = extend_schema(
        summary=summary,
        description=description,
        tags=["cases"],
        request=serializer,
        responses={200: CaseDetailSerializer, 422: ERROR_422},
    )(post)
    return type(
        f"Case{name.title().replace('-', '')}View",
        (CaseActionView,),
        {"request_serializer": serializer, "perform": staticmethod(perform), "post": post, "__module__": __name__},
    )


CASE_ACTIONS: dict[str, type[CaseActionView]] = {
    "accept": _action(
        "accept",
        AcceptSerializer,
        "Accept a received application (受理), or accept it with materials to follow (容缺受理)",
        lambda case, data, user: services.case_accept(
            case=case, actor=user, deferred=data["deferred"], checklist=_checks(data.get("materials", []))
        ),
        "Refused (nothing saved) without every required material, or for 容缺 without every main material or "
        "for an item whose guide does not allow it. A case left 5 working days after receipt without a one-time "
        "notice is accepted by law from its receipt (`deemed_accepted`, 行政许可法 Art. 32): that is recorded and "
        "the request refused with 409 `deemed_accepted`.",
    ),
    "notices": _action(
        "notices",
        NoticeInSerializer,
        "Issue a one-time notice of corrections (一次性告知书)",
        lambda case, data, user: services.case_notice(case=case, actor=user, notice=_notice(data)),
        "Lists every missing or defective material at once, within 5 working days of receipt. A later notice "
        "may cite only materials supplied after the first; otherwise a supervisor issues it with `override_reason`. "
        "On a received case past the 5 days the case is first deemed accepted from its receipt (kept even if the "
        "notice is refused): the notice is then a late one during review.",
    ),
    "corrections": _action(
        "corrections",
        MaterialsSerializer,
        "Record corrections brought by the applicant; the clock restarts when the notices are answered",
        lambda case, data, user: services.case_corrections_receive(
            case=case, actor=user, checklist=_checks(data["materials"])
        ),
    ),
    "not-accept": _action(
        "not-accept",
        NotAcceptSerializer,
        "Do not accept the application (不予受理), with the reason and where to apply",
        lambda case, data, user: services.case_not_accept(
            case=case, actor=user, reason=data["reason"], refer_to=data.get("refer_to", "")
        ),
        "Refused with 409 `deemed_accepted` once the case is accepted by law (no one-time notice within 5 working "
        "days of receipt), which is recorded first.",
    ),
    "review": _action(
        "review",
        NoteSerializer,
        "Start the review (the item's department)",
        lambda case, data, user: services.case_review_start(case=case, actor=user),
    ),
    "special-step": _action(
        "special-step",
        SpecialStepStartSerializer,
        "Start a special step of the guide; the clock stops",
        lambda case, data, user: services.case_special_step_start(
            case=case, actor=user, step_id=data["step"], note=data.get("note", "")
        ),
    ),
    "special-step-end": _action(
        "special-step-end",
        NoteSerializer,
        "End the special step; the clock restarts",
        lambda case, data, user: services.case_special_step_end(case=case, actor=user, note=data.get("note", "")),
    ),
    "extensions": _action(
        "extensions",
        ExtendSerializer,
        "Extend the time limit (延期): the department's chief representative, with a reason",
        lambda case, data, user: services.case_extend(case=case, actor=user, days=data["days"], reason=data["reason"]),
    ),
    "decision": _action(
        "decision",
        DecisionSerializer,
        "Decide: approved, or refused with the reasons (the item's department)",
        lambda case, data, user: services.case_decide(
            case=case, actor=user, approved=data["approved"], reason=data.get("reason", "")
        ),
    ),
    "result-ready": _action(
        "result-ready",
        NoteSerializer,
        "The result is ready to be handed out",
        lambda case, data, user: services.case_result_ready(case=case, actor=user),
    ),
    "collect": _action(
        "collect",
        CollectSerializer,
        "Hand out the result (统一出件): at a window, by post or electronically",
        lambda case, data, user: services.case_collect(
            case=case, actor=user, method=data["method"], note=data.get("note", "")
        ),
    ),
    "owed": _action(
        "owed",
        MaterialsSerializer,
        "Record materials owed under 容缺受理 as supplied",
        lambda case, data, user: services.case_owed_supply(case=case, actor=user, checklist=_checks(data["materials"])),
    ),
}


# --- Staff: inbox and deadline lists ----------------------------------------------------------


class InboxSerializer(serializers.Serializer):
    to_review = CaseListSerializer(many=True, help_text=gettext_lazy("已受理、审查中"))
    special_steps = CaseListSerializer(many=True)
    corrections = CaseListSerializer(many=True, help_text=gettext_lazy("受理后等待补正"))
    due_soon = CaseListSerializer(many=True)
    overdue = CaseListSerializer(many=True)
    owed_overdue = CaseListSerializer(many=True, help_text=gettext_lazy("容缺材料逾期未补"))
    to_finish = CaseListSerializer(many=True, help_text=gettext_lazy("已作出决定、待生成结果"))
    counts = serializers.DictField(child=serializers.IntegerField())


class InboxView(APIView):
    @extend_schema(
        summary="The chief representative's inbox: their department's open cases at their hall",
        tags=["cases"],
        responses=InboxSerializer,
    )
    def get(self, request: Request) -> Response:
        hall_id, department_id = access_inbox(request.user)
        inbox = selectors.department_inbox(hall_id=hall_id, department_id=department_id, today=local_date())
        return _no_store(Response(InboxSerializer(inbox).data))


class DeadlineQuerySerializer(serializers.Serializer):
    colour = serializers.ChoiceField(
        choices=[("red", "red"), ("yellow", "yellow")],
        default="red",
        help_text=gettext_lazy("red 已超期，yellow 临近期限"),
    )
    hall = serializers.CharField(max_length=20, required=False, allow_blank=True)
    department = serializers.CharField(max_length=20, required=False, allow_blank=True)
    after_due = serializers.DateField(required=False, help_text=gettext_lazy("上一页最后一件的办结期限"))
    after_id = PatternField(
        r"^[0-9]{1,18}$",
        max_length=18,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("上一页最后一件的编号（id）"),
    )


class SummarySerializer(serializers.Serializer):
    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.name")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()
    owed_overdue = serializers.IntegerField()
    computed_at = serializers.DateTimeField()


class DeadlineCaseSerializer(CaseListSerializer):
    id = serializers.IntegerField()

    class Meta(CaseListSerializer.Meta):
        fields = ["id", *CaseListSerializer.Meta.fields]


class DeadlinesSerializer(serializers.Serializer):
    summary = SummarySerializer(many=True, help_text=gettext_lazy("每个大厅、部门的预警件数（预警任务最近一次运行时）"))
    cases = DeadlineCaseSerializer(many=True, help_text=gettext_lazy("办结期限最早的50件"))
    next = serializers.DictField(allow_null=True, help_text=gettext_lazy("下一页的 after_due 和 after_id"))


class DeadlinesView(APIView):
    @extend_schema(
        summary="Overdue or due-soon open cases, oldest deadline first, with counts per hall and department",
        description="Supervisors see the halls they cover; a chief representative, their department at their hall.",
        tags=["cases"],
        parameters=[DeadlineQuerySerializer],
        responses={200: DeadlinesSerializer, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        scope = staff_scope(request.user)
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if scope.has_role(*roles.SUPERVISION_ROLES):
            hall_ids, department_id = access_case_scope(
                request.user, hall_code=data.get("hall", ""), department_code=data.get("department", "")
            )
        else:
            hall_id, department_id_own = access_inbox(request.user)
            hall_ids, department_id = [hall_id], department_id_own
        after = None
        if data.get("after_due") is not None:
            after = (data["after_due"], int(data.get("after_id") or 0))
        limit = 50
        cases = selectors.deadline_list(
            hall_ids=hall_ids,
            today=local_date(),
            colour=data["colour"],
            department_id=department_id,
            limit=limit,
            after=after,
        )
        last = cases[-1] if len(cases) == limit else None
        body = {
            "summary": SummarySerializer(
                selectors.warning_summary(hall_ids=hall_ids, department_id=department_id), many=True
            ).data,
            "cases": DeadlineCaseSerializer(cases, many=True).data,
            "next": {"after_due": last.due_on, "after_id": last.pk} if last is not None else None,
        }
        return _no_store(Response(body))


class ItemFiguresQuerySerializer(serializers.Serializer):
    hall = serializers.CharField(max_length=20, required=False, allow_blank=True)
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict) -> dict:
        # Rules across the two fields, which a schema cannot state: 422, documented.
        if attrs["start"] > attrs["end"]:
            raise services.CaseError(_("截止日期不能早于起始日期。"), field="end", code="range_reversed")
        if (attrs["end"] - attrs["start"]).days > 366:
            raise services.CaseError(_("一次最多查询%(days)s天。") % {"days": 366}, field="end", code="range_too_long")
        return attrs


class ItemFiguresSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    tickets = serializers.IntegerField()
    cases = serializers.IntegerField()
    average_wait_seconds = serializers.FloatField(allow_null=True)
    average_service_seconds = serializers.FloatField(allow_null=True)


class ItemFiguresView(APIView):
    @extend_schema(
        summary="Waits and service times per item, from the items recorded for the tickets at the windows (supervisors)",
        tags=["supervision"],
        parameters=[ItemFiguresQuerySerializer],
        responses={200: ItemFiguresSerializer(many=True), 404: ERROR_404, 422: ERROR_422},
    )
    def get(self, request: Request) -> Response:
        scope = staff_scope(request.user)
        if not scope.has_role(*roles.SUPERVISION_ROLES):
            raise services.CaseError(
                _("仅政务服务管理部门和系统管理员可以查看。"), code="permission_denied", status=403
            )
        query = ItemFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hall_ids, _department = access_case_scope(request.user, hall_code=query.validated_data.get("hall", ""))
        rows = selectors.item_ticket_figures(
            hall_ids=hall_ids, start=query.validated_data["start"], end=query.validated_data["end"]
        )
        return Response(ItemFiguresSerializer(rows, many=True).data)


# --- Staff: the items handled for a queue ticket ------------------------------------------------


class TicketItemSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    outcome_display = serializers.CharField(source="get_outcome_display")
    case = serializers.CharField(
        source="case.number", allow_null=True, default=None, help_text=gettext_lazy("由受理申请自动记录时的办件编号")
    )
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = TicketItem
        fields = ["id", "item", "item_name", "outcome", "outcome_display", "case", "recorded_by", "recorded_at"]

    def get_recorded_by(self, record: TicketItem) -> str:
        return _staff_name(record.recorded_by)


class TicketItemInSerializer(JsonBodySerializer):
    item = serializers.CharField(max_length=10, help_text=gettext_lazy("事项编码（本大厅办理的事项）"))
    outcome = serializers.ChoiceField(
        choices=[(value, label) for value, label in TicketItem.Outcome.choices if value in TicketItem.MANUAL],
        help_text=gettext_lazy(
            "consultation 咨询，accepted 受理，accepted_deferred 容缺受理，correction 补正，"
            "not_accepted 不予受理，collected 领取结果，other 其他"
        ),
    )
    finish = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy("同时办结该号"))


def _ticket_of_hall_staff(user: Any, ticket_pk: int) -> Ticket:
    """A ticket of a hall the user works at (counter staff) or supervises."""
    ticket = Ticket.objects.select_related("window").filter(pk=ticket_pk).first() if ticket_pk <= MAX_ID else None
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    scope = staff_scope(user)
    if not (
        (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(ticket.hall_id))
        or (scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(ticket.hall_id))
    ):
        raise services.CaseError(_("您没有查看该大厅号码的权限。"), code="permission_denied", status=403)
    return ticket


class TicketItemsView(APIView):
    @extend_schema(
        summary="The items handled for a queue ticket and their outcomes",
        tags=["cases"],
        responses={200: TicketItemSerializer(many=True), 404: ERROR_404},
    )
    def get(self, request: Request, ticket_pk: int) -> Response:
        ticket = _ticket_of_hall_staff(request.user, ticket_pk)
        return Response(TicketItemSerializer(selectors.ticket_items(ticket_id=ticket.pk), many=True).data)

    @extend_schema(
        summary="Record an item handled for a queue ticket (the clerk signed in at its window)",
        description=(
            "For anything handled at the window, whether or not a case came of it (a consultation, a result "
            "collected); a case received from the ticket records its item by itself. Recording the same item "
            "again changes its outcome. While the ticket is called or served at the window, or once the same "
            "clerk finished it today; `finish` finishes it in the same step."
        ),
        tags=["cases"],
        request=TicketItemInSerializer,
        responses={201: TicketItemSerializer, 400: ERROR_400, 404: ERROR_404, 409: ERROR_409},
    )
    def post(self, request: Request, ticket_pk: int) -> Response:
        ticket = _ticket_of_hall_staff(request.user, ticket_pk)
        payload = TicketItemInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        item = ServiceItem.objects.filter(code=data["item"].strip()).first()
        record = services.ticket_item_record(
            ticket=ticket, item=item, outcome=data["outcome"], actor=request.user, finish=data["finish"]
        )
        return Response(TicketItemSerializer(record).data, status=status.HTTP_201_CREATED)


class TicketItemDetailView(APIView):
    @extend_schema(
        summary="Take back an item recorded by mistake for a queue ticket (the clerk signed in at its window)",
        tags=["cases"],
        responses={204: None, 404: ERROR_404, 409: ERROR_409},
    )
    def delete(self, request: Request, ticket_pk: int, pk: int) -> Response:
        ticket = _ticket_of_hall_staff(request.user, ticket_pk)
        record = (
            TicketItem.objects.select_related("item").filter(pk=pk, ticket=ticket).first() if pk <= MAX_ID else None
        )
        if record is None:
            raise Http404(_("没有找到该办理事项记录。"))
        record.ticket = ticket
        services.ticket_item_remove(record=record, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Public: progress -------------------------------------------------------------------------


class ProgressOwedSerializer(serializers.Serializer):
    name = serializers.CharField()
    due_on = serializers.DateField()
    supplied = serializers.BooleanField()


class ProgressCorrectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    problem = serializers.CharField()
    note = serializers.CharField()


class ProgressTransferSerializer(serializers.Serializer):
    """A forwarding (转办, cases/forwarding.py) as the applicant sees it."""

    from_hall = serializers.CharField()
    to_hall = serializers.CharField()
    sent_at = serializers.DateTimeField()
    status = serializers.CharField(help_text=gettext_lazy("sent 转办中，accepted 已接收，returned 已退回"))
    status_display = serializers.CharField()
    handled_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()
    text = serializers.CharField(help_text=gettext_lazy("如“已转至××中心办理”"))


class ProgressStepSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["received", "forwarded", "accepted", "decided", "collected"])
    name = serializers.CharField(source="label", help_text=gettext_lazy("收件、转办、受理、办结、出件"))
    state = serializers.ChoiceField(
        choices=["done", "current", "todo", "stopped"], help_text=gettext_lazy("stopped：不予受理，此后各步不再进行")
    )
    detail = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField(help_text=gettext_lazy("case 办件（一件事申请的答复为 bundle）"))
    number = serializers.CharField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    hall_name = serializers.CharField()
    department_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    received_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    deemed_accepted = serializers.BooleanField(
        help_text=gettext_lazy("逾期未出具一次性告知书，自收到申请材料之日起视为受理（受理日期即收件日期）")
    )
    due_on = serializers.DateField(allow_null=True, help_text=gettext_lazy("承诺办结期限；计时暂停时为空"))
    due_provisional = serializers.BooleanField(help_text=gettext_lazy("期限跨越尚未公布放假安排的年度，可能调整"))
    clock_stopped = serializers.BooleanField(help_text=gettext_lazy("等待补正或特殊环节，计时暂停"))
    owed = ProgressOwedSerializer(many=True, help_text=gettext_lazy("容缺受理须后补的材料"))
    corrections = ProgressCorrectionSerializer(many=True, help_text=gettext_lazy("一次性告知须补正的材料"))
    requirements = serializers.ListField(child=serializers.CharField())
    not_accepted_reason = serializers.CharField()
    refer_to = serializers.CharField()
    decision = serializers.CharField()
    decision_display = serializers.CharField()
    decision_reason = serializers.CharField()
    collection = serializers.CharField()
    collection_display = serializers.CharField()
    transfers = ProgressTransferSerializer(
        many=True, help_text=gettext_lazy("转办（通办）：由哪个大厅收件、转至哪个大厅办理及日期")
    )
    steps = ProgressStepSerializer(
        many=True, help_text=gettext_lazy("转办的办件：收件 → 转办 → 受理 → 办结 → 出件；未转办的为空")
    )
    collect_where = serializers.CharField(
        help_text=gettext_lazy("转办的办件：申请人选择的结果领取方式（如“在××中心窗口领取”，邮寄地址脱敏）；否则为空")
    )

    @extend_schema_field({"type": "string", "enum": ["case"]})
    def get_kind(self, obj: Any) -> str:
        return "case"


class BundleSubCaseProgressSerializer(serializers.Serializer):
    stage = serializers.IntegerField(help_text=gettext_lazy("阶段（同一阶段的事项并联办理）"))
    item_name = serializers.CharField()
    department_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()


class BundleOwedProgressSerializer(serializers.Serializer):
    name = serializers.CharField()
    due_on = serializers.DateField(help_text=gettext_lazy("补齐期限"))
    supplied = serializers.BooleanField()


class BundleProgressSerializer(serializers.Serializer):
    """A bundle application (一件事, cases/bundles.py) as the applicant sees it: no personal data."""

    kind = serializers.SerializerMethodField(help_text=gettext_lazy("bundle 一件事申请"))
    number = serializers.CharField()
    bundle_name = serializers.CharField()
    hall_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    received_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True, help_text=gettext_lazy("承诺办结期限；计时暂停时为空"))
    due_provisional = serializers.BooleanField(help_text=gettext_lazy("期限跨越尚未公布放假安排的年度，可能调整"))
    sub_cases = BundleSubCaseProgressSerializer(many=True, help_text=gettext_lazy("各事项（子件）办理情况"))
    current_stage = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("正在办理的阶段（办理中时）"))
    stages = serializers.IntegerField(help_text=gettext_lazy("阶段数"))
    owed = BundleOwedProgressSerializer(many=True, help_text=gettext_lazy("容缺受理后须补齐的材料"))
    deemed_accepted = serializers.BooleanField(
        help_text=gettext_lazy("逾期未出具一次性告知书，自收到申请材料之日起视为受理（受理日期即收件日期）")
    )

    @extend_schema_field({"type": "string", "enum": ["bundle"]})
    def get_kind(self, obj: Any) -> str:
        return "bundle"


# A case number (services.CASE_NUMBER_PATTERN) or a bundle application's (bundles.BUNDLE_NUMBER_RE).
PROGRESS_NUMBER_PATTERN = rf"^(?:{services.CASE_NUMBER_PATTERN.strip('^$')}|YJS[0-9]{{16}})$"


class ProgressLookupSerializer(JsonBodySerializer):
    number = PatternField(
        PROGRESS_NUMBER_PATTERN,
        max_length=52,
        help_text=gettext_lazy(
            "办件编号：事项实施编码（尚未登记的为10位事项编码）+ 收件日期（yyyyMMdd）+ 4位流水号；"
            "或一件事申请编号：YJS + 16位数字"
        ),
    )
    digits = PatternField(
        r"^[0-9A-Za-z]{4}$",
        max_length=4,
        help_text=gettext_lazy("申请时所留手机号码或证件号码（统一社会信用代码）的后四位"),
    )


class ProgressThrottle(ScopedCounterThrottle):
    """Look-ups per client address (``THROTTLE_CASE_PROGRESS_IP``), against trying digits; the
    service limits each case number too."""

    def get_rate(self) -> str | None:
        return settings.THROTTLE_CASE_PROGRESS_IP


class ProgressLookupView(APIView):
    # Public: the applicant has no account; the case number and the last four digits of their
    # mobile or ID number are the key, and the answer is the same for a wrong number and wrong
    # digits (``services.case_progress_lookup``).
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ProgressThrottle]
    throttle_scope = "case_progress"

    @extend_schema(
        summary="A case's or a bundle application's progress, by its number and the last four digits of the "
        "applicant's mobile or ID",
        description=(
            "A POST so that the digits stay out of URLs and logs. 404 alike for an unknown number and for wrong "
            "digits; limited per client address and per case number. A bundle application's number (YJS + 16 "
            "digits) answers its progress (`kind` is `bundle`), with its sub-cases' item, department and status."
        ),
        tags=["cases"],
        request=ProgressLookupSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="ProgressLookupResult",
                serializers={"case": ProgressSerializer, "bundle": BundleProgressSerializer},
                resource_type_field_name="kind",
            ),
            404: ERROR_404,
        },
    )
    def post(self, request: Request) -> Response:
        payload = ProgressLookupSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if bundles.BUNDLE_NUMBER_RE.fullmatch(payload.validated_data["number"].strip().upper()):
            found = bundles.bundle_progress_lookup(
                number=payload.validated_data["number"],
                digits=payload.validated_data["digits"],
                client_ip=client_address(request),
            )
            return _no_store(Response(BundleProgressSerializer(found).data))
        case = services.case_progress_lookup(
            number=payload.validated_data["number"],
            digits=payload.validated_data["digits"],
            client_ip=client_address(request),
        )
        progress = selectors.case_progress(selectors.progress_queryset().get(pk=case.pk))
        return _no_store(Response(ProgressSerializer(progress).data))


class ProgressByTokenView(APIView):
    # Public: the unguessable token of the private link printed on the case's notices is the key.
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A case's progress, by the private link printed on its notices",
        tags=["cases"],
        responses=ProgressSerializer,
    )
    def get(self, request: Request, token: str) -> Response:
        progress = selectors.case_progress_by_token(token)
        if progress is None:
            raise Http404(_("没有找到该办件，请核对链接是否完整。"))
        return _no_store(Response(ProgressSerializer(progress).data))
