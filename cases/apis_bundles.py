"""Bundle applications' API under /api/v1/ (一件事, cases/bundles.py): the union form of a bundle,
receiving (and accepting or noticing) an application, its page, the window's actions
(corrections, accept, collect) and the list. Same services and visibility as the pages; every
refusal is the service's ``CaseError`` answered as JSON with its status and fields."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import bundles, services
from cases.apis import MAX_LINES, ApplicantSerializer, BundleProgressSerializer, CollectSerializer, _no_store
from cases.models import BundleCase, Case, CaseMaterial, NoticeItem
from catalog.models import Bundle, Hall
from queueing.models import Window
from servicehall.access import staff_scope
from servicehall.api_fields import JsonBodySerializer, MobileField
from servicehall.clock import local_date
from servicehall.personal_data import mask_mobile
from servicehall.schema import ERROR_403, ERROR_404, ERROR_409, ERROR_422


class FormLineSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("材料标识：名称经 NFKC 规范化并去除空白"))
    name = serializers.CharField()
    conditional = serializers.BooleanField()
    items = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("需要该材料的成员事项"))


class LineCheckSerializer(JsonBodySerializer):
    key = serializers.CharField(max_length=200)
    state = serializers.ChoiceField(choices=CaseMaterial.State.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BundleReceiveSerializer(JsonBodySerializer):
    bundle = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=gettext_lazy("一件事编号"))
    channel = serializers.ChoiceField(choices=Case.Channel.choices)
    window = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    applicant = ApplicantSerializer()
    mobile = MobileField()
    contact_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    materials = serializers.ListField(
        child=LineCheckSerializer(), max_length=MAX_LINES, help_text=gettext_lazy("合并材料清单；未列出的视为缺失")
    )
    outcome = serializers.ChoiceField(
        choices=[(o, o) for o in bundles.OUTCOMES],
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "accept 受理（生成各事项办件），accept_deferred 容缺受理（各成员事项均允许所缺材料后补），"
            "correction 出具一次性告知书"
        ),
    )
    requirements = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class BundleAcceptSerializer(JsonBodySerializer):
    materials = serializers.ListField(child=LineCheckSerializer(), required=False, max_length=MAX_LINES)
    deferred = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("容缺受理：主要材料齐全，缺少的材料在各事项规定期限内补齐"),
    )


class BundleNoticeLineSerializer(JsonBodySerializer):
    key = serializers.CharField(max_length=200)
    problem = serializers.ChoiceField(choices=NoticeItem.Problem.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class BundleNoticeInputSerializer(JsonBodySerializer):
    materials = serializers.ListField(
        child=BundleNoticeLineSerializer(), max_length=MAX_LINES, help_text=gettext_lazy("告知的材料，每项一次")
    )
    requirements = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    override_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("再次告知超出一次性告知规则时，政务服务管理部门（监督人员）填写的理由"),
    )


class BundleOwedSupplySerializer(JsonBodySerializer):
    materials = serializers.ListField(child=LineCheckSerializer(), max_length=MAX_LINES)


class BundleCorrectionsSerializer(JsonBodySerializer):
    materials = serializers.ListField(child=LineCheckSerializer(), max_length=MAX_LINES)


class SubCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = serializers.CharField(source="item.code")
    department = serializers.CharField(source="department.code")
    stage = serializers.IntegerField()
    status = serializers.CharField()
    accepted_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)


class BundleMaterialSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    note = serializers.CharField()


class OwedLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    due_on = serializers.DateField(help_text=gettext_lazy("补齐期限（需要该材料的事项中最早的）"))
    supplied_at = serializers.DateTimeField(allow_null=True)
    items = serializers.ListField(child=serializers.CharField())
    overdue = serializers.BooleanField()


class BundleNoticeItemSerializer(serializers.Serializer):
    key = serializers.CharField(source="line.key")
    name = serializers.CharField(source="line.name")
    problem = serializers.CharField()
    note = serializers.CharField()


class BundleNoticeSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    requirements = serializers.CharField()
    override_reason = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    items = BundleNoticeItemSerializer(many=True, source="items.all")


class BundleCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    bundle = serializers.IntegerField(source="bundle_id")
    bundle_name = serializers.CharField(source="bundle.name")
    hall = serializers.CharField(source="hall.code")
    status = serializers.CharField()
    applicant_name = serializers.CharField()
    applicant_identity = serializers.CharField(source="applicant.display_identity", help_text="masked")
    mobile = serializers.SerializerMethodField(help_text="masked")
    received_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    limit_days = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("一件事承诺办结时限（工作日），不超过各阶段最长承诺时限之和")
    )
    due_on = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    current_stage = serializers.IntegerField(allow_null=True)
    deferred = serializers.BooleanField(help_text=gettext_lazy("容缺受理"))
    deemed_accepted = serializers.BooleanField(
        help_text=gettext_lazy("逾期未出具一次性告知书，自收到申请材料之日起视为受理（受理日期即收件日期）")
    )
    collected_at = serializers.DateTimeField(allow_null=True)

    def get_mobile(self, obj: BundleCase) -> str:
        return mask_mobile(obj.contact_mobile)


class BundleCaseDetailSerializer(BundleCaseSerializer):
    materials = BundleMaterialSerializer(many=True, source="materials.all")
    sub_cases = serializers.SerializerMethodField()
    sees_all_sub_cases = serializers.SerializerMethodField()
    owed = serializers.SerializerMethodField()
    notices = BundleNoticeSerializer(many=True, source="notices.all")
    progress_token = serializers.CharField(
        help_text=gettext_lazy("申请人的私密进度链接令牌（受理通知书、一次性告知书的二维码；交给申请人本人）")
    )

    @extend_schema_field(OwedLineSerializer(many=True))
    def get_owed(self, obj: BundleCase) -> list[dict[str, Any]]:
        return OwedLineSerializer(bundles.owed_lines(obj) if obj.deferred else [], many=True).data  # type: ignore[return-value]

    @extend_schema(responses=SubCaseSerializer(many=True))
    def get_sub_cases(self, obj: BundleCase) -> list[dict[str, Any]]:
        return SubCaseSerializer(self.context["subs"], many=True).data  # type: ignore[return-value]

    def get_sees_all_sub_cases(self, obj: BundleCase) -> bool:
        return bool(self.context["whole"])


def _detail(user: Any, number: str) -> dict[str, Any]:
    bc, subs, whole = bundles.access_bundle_case(user, number)
    return BundleCaseDetailSerializer(bc, context={"subs": subs, "whole": whole}).data


class BundleFormView(APIView):
    @extend_schema(
        summary="The one form of a bundle: the members' materials, each once",
        tags=["bundle-cases"],
        responses={200: FormLineSerializer(many=True), 404: ERROR_404, 422: ERROR_422},
    )
    def get(self, request: Request, bundle: int) -> Response:
        row = Bundle.objects.filter(pk=bundle, is_published=True).first() if bundle < 2**31 else None
        if row is None:
            raise services.CaseError(_("没有找到该一件事。"), field="bundle", code="not_found", status=404)
        lines = bundles.bundle_form(bundle=row, today=local_date())
        return Response(FormLineSerializer(lines, many=True).data)


class BundleCaseListView(APIView):
    @extend_schema(
        summary="Bundle applications of the halls the user works at or supervises",
        tags=["bundle-cases"],
        responses=BundleCaseSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return _no_store(Response(BundleCaseSerializer(bundles.bundle_cases_for(request.user), many=True).data))

    @extend_schema(
        summary="Receive a bundle application (one form), and accept it or issue the one-time notice",
        description=(
            "At the clerk's hall. `materials` lists the form's lines by key (GET the bundle's form); a "
            "line not listed is missing. `accept` creates one sub-case per member item at its "
            "department (stage 1 accepted, later stages waiting); `correction` issues one notice for "
            "the whole application. A refusal saves nothing."
        ),
        tags=["bundle-cases"],
        request=BundleReceiveSerializer,
        responses={201: BundleCaseDetailSerializer, 404: ERROR_404, 422: ERROR_422},
    )
    def post(self, request: Request) -> Response:
        payload = BundleReceiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scope = staff_scope(request.user)
        hall = Hall.objects.filter(pk=scope.hall_id).first() if scope.hall_id is not None else None
        if hall is None:
            raise services.CaseError(
                _("只有本大厅的窗口工作人员可以办理收件、受理和出件。"), code="permission_denied", status=403
            )
        bundle = Bundle.objects.filter(pk=data["bundle"]).first()
        if bundle is None:
            raise services.CaseError(_("没有找到该一件事。"), field="bundle", code="not_found", status=404)
        window = None
        if data.get("window"):
            window = Window.objects.filter(pk=data["window"], hall=hall).first()
            if window is None:
                raise services.CaseError(_("本大厅没有该窗口。"), field="window", code="not_found", status=404)
        applicant = data["applicant"]
        bc = bundles.bundle_case_receive(
            actor=request.user,
            hall=hall,
            bundle=bundle,
            channel=data["channel"],
            window=window,
            applicant=services.ApplicantInput(
                kind=applicant["kind"],
                name=applicant["name"],
                id_number=applicant.get("id_number", ""),
                credit_code=applicant.get("credit_code", ""),
            ),
            mobile=data["mobile"],
            contact_name=data.get("contact_name", ""),
            checklist=[bundles.LineCheck(r["key"], r["state"], r.get("note", "")) for r in data["materials"]],
            outcome=data.get("outcome", ""),
            requirements=data.get("requirements", ""),
        )
        return _no_store(Response(_detail(request.user, bc.number), status=status.HTTP_201_CREATED))


class BundleCaseDetailView(APIView):
    @extend_schema(
        summary="A bundle application with its form and the sub-cases the user may see",
        tags=["bundle-cases"],
        responses={200: BundleCaseDetailSerializer, 404: ERROR_404},
    )
    def get(self, request: Request, number: str) -> Response:
        return _no_store(Response(_detail(request.user, number)))


def _checks(rows: list[dict[str, Any]]) -> list[bundles.LineCheck]:
    return [bundles.LineCheck(r["key"], r["state"], r.get("note", "")) for r in rows]


class BundleCaseAcceptView(APIView):
    @extend_schema(
        summary="Accept a bundle application: one sub-case per member item at its department",
        tags=["bundle-cases"],
        request=BundleAcceptSerializer,
        responses={200: BundleCaseDetailSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
        payload = BundleAcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bundles.bundle_case_accept(
            bundle_case=bc,
            actor=request.user,
            checklist=_checks(payload.validated_data.get("materials", [])),
            deferred=payload.validated_data.get("deferred", False),
        )
        return _no_store(Response(_detail(request.user, number)))


class BundleCaseCorrectionsView(APIView):
    @extend_schema(
        summary="Record the corrections brought after the one-time notice",
        tags=["bundle-cases"],
        request=BundleCorrectionsSerializer,
        responses={200: BundleCaseDetailSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
        payload = BundleCorrectionsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bundles.bundle_case_corrections(
            bundle_case=bc, actor=request.user, checklist=_checks(payload.validated_data["materials"])
        )
        return _no_store(Response(_detail(request.user, number)))


class BundleCaseNoticeView(APIView):
    @extend_schema(
        summary="A later one-time notice before acceptance (only lines supplied after the first; else a "
        "supervisor's override with a reason)",
        tags=["bundle-cases"],
        request=BundleNoticeInputSerializer,
        responses={201: BundleCaseDetailSerializer, 403: ERROR_403, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
        payload = BundleNoticeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        bundles.bundle_case_notice(
            bundle_case=bc,
            actor=request.user,
            lines=[bundles.LineNotice(r["key"], r["problem"], r.get("note", "")) for r in data["materials"]],
            requirements=data.get("requirements", ""),
            override_reason=data.get("override_reason", ""),
        )
        return _no_store(Response(_detail(request.user, number), status=status.HTTP_201_CREATED))


class BundleCaseOwedView(APIView):
    @extend_schema(
        summary="Record materials owed under 容缺受理 that the applicant brings (each now present)",
        tags=["bundle-cases"],
        request=BundleOwedSupplySerializer,
        responses={200: BundleCaseDetailSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
        payload = BundleOwedSupplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bundles.bundle_case_owed_supply(
            bundle_case=bc, actor=request.user, checklist=_checks(payload.validated_data["materials"])
        )
        return _no_store(Response(_detail(request.user, number)))


class BundleProgressByTokenView(APIView):
    # Public: the unguessable token of the private link printed on the application's notices.
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A bundle application's progress, by the private link printed on its notices",
        tags=["bundle-cases"],
        responses={200: BundleProgressSerializer, 404: ERROR_404},
    )
    def get(self, request: Request, token: str) -> Response:
        progress = bundles.bundle_progress_by_token(token)
        if progress is None:
            raise Http404(_("没有找到该一件事申请，请核对链接是否完整。"))
        return _no_store(Response(BundleProgressSerializer(progress).data))


class BundleCaseCollectView(APIView):
    @extend_schema(
        summary="Hand out every sub-case's result together (统一出件)",
        tags=["bundle-cases"],
        request=CollectSerializer,
        responses={200: BundleCaseDetailSerializer, 409: ERROR_409, 422: ERROR_422},
    )
    def post(self, request: Request, number: str) -> Response:
        bc, _subs, _whole = bundles.access_bundle_case(request.user, number)
        payload = CollectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        bundles.bundle_case_collect(
            bundle_case=bc, actor=request.user, method=data["method"], note=data.get("note", "")
        )
        return _no_store(Response(_detail(request.user, number)))
