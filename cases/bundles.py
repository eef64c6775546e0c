"""Bundle applications (高效办成一件事, Art. 11, 13 ¶3): one application at the comprehensive
window for a catalog ``Bundle``, sub-cases per member item at their departments, stage after
stage, and the results handed out together (统一出件). docs/cases.md, "Bundle applications".

- **One form**: the union of the members' current-guide materials, each asked once. Two
  materials are the same when their names are equal after Unicode NFKC normalisation (full-width
  brackets and letters become half-width) and with all white space, book-title marks (《》〈〉)
  and quotation marks removed (``material_key``).
  The applicant's identity card under any of its names (``ID_CARD_NAMES``) is one line.
  A line is conditional (may be marked 不适用) only if every member that lists it marks it so.
- **One acceptance**: every line present (or 不适用 when conditional), or 容缺受理 when every
  member that needs a lacking line allows exactly that material to follow in its guide version
  (``_check_deferral``): the sub-cases that need it owe it (``OwedMaterial``, dated from the
  bundle's acceptance, waiting later-stage sub-cases too), so the warning job's reminders and
  overdue flag apply; ``bundle_case_owed_supply`` receives it for all of them at once.
  It creates one ``Case`` per member item (``bundle_case``, ``stage``) at the
  item's department, under the item's current guide, its checklist mapped from the form's lines.
  Stage 1's sub-cases are accepted at once; later stages wait (``Case.Status.WAITING``) and their
  clock starts the day the last sub-case of the stage before is decided. If one of them is
  refused, the later stages are closed as not accepted, with that reason.
- **One notice**: a form with missing or defective lines gets one one-time notice citing all of
  them, each line once (``BundleNotice``; the bundle waits in *correction*); corrections complete
  the form and it can be accepted. A later notice follows the single case's rule
  (``services.one_time_check``): only lines supplied after the first, else a supervisor's reason.
- **Deemed acceptance** (行政许可法 Art. 32, as for a case): an application still received with
  no notice after the notice period is accepted from its receipt, by the warning job
  (``bundles_deem_accepted``) or first by a late accept or notice (``_deem_if_late``), which are
  then refused (409 ``deemed_accepted``); its sub-cases are created as above, dated from receipt.
- **The private link**: ``BundleCase.progress_token`` (the notices' QR code, the staff page):
  ``bundle_progress_by_token`` shows the stage and each sub-case's state, no personal data.
- **The due date**: the bundle's published promise (承诺时限), counted in working days from
  acceptance (``deadline_after``); the promise may not exceed the stage rule over the accepted
  versions' promised limits (a stage lasts as long as its longest item, the stages add up), and
  where it does, that sum is used (``limit_explanation``). The stage plan (``stage_windows``)
  counts each stage from the actual end of the one before, and never ends after the bundle's due
  date; a sub-case's own limit is shortened so that its due date does not either
  (``_cap_to_bundle``).
- **Results**: the bundle is *result ready* once every sub-case has its result (or was closed
  after a refusal in an earlier stage), and is collected once at one window, which collects every
  sub-case. A sub-case alone is never handed out.
- **Who sees what**: the hall's counter staff see the application and act for the comprehensive
  window; the sub-cases are seen by their own department, the lead department, staff without a
  department (the comprehensive window), the clerk who received or accepted the bundle, and the
  supervisors covering the hall (``sees_whole`` / ``may_see_sub_case``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cases import services
from cases.models import (
    BundleCase,
    BundleCaseMaterial,
    BundleNotice,
    BundleNoticeItem,
    Case,
    CaseEvent,
    CaseMaterial,
    ClockStop,
    NoticeItem,
    OwedMaterial,
)
from catalog import selectors as catalog_selectors
from catalog.bundles import StageLimit, limit_bound, stage_maxima
from catalog.english import english_wanted, localized
from catalog.models import Bundle, BundleMember, GuideVersion, Hall, Material
from queueing.models import Window
from servicehall import roles
from servicehall.access import AnyUser, signed_in, staff_scope
from servicehall.audit import audit_record
from servicehall.clock import local_date
from servicehall.personal_data import validate_mobile
from servicehall.throttling import hit, parse_rate

CaseError = services.CaseError
logger = logging.getLogger(__name__)
OUTCOMES = ("", "accept", "accept_deferred", "correction")


# Book-title marks, quotation marks and corner brackets around a name do not make another document.
_NAME_MARKS = re.compile(r"[\s《》〈〉<>「」『』“”‘’\"'【】〔〕]+")


# The applicant's identity card goes by several names in the guides: one line on the form.
ID_CARD_KEY = "居民身份证"
ID_CARD_NAMES = frozenset(
    {
        "身份证",
        "居民身份证",
        "身份证件",
        "申请人身份证",
        "申请人居民身份证",
        "申请人身份证件",
        "申请人身份证明",
        "申请人有效身份证件",
        "有效身份证件",
        "本人身份证",
        "本人居民身份证",
        "本人身份证明",
    }
)


def _plain_key(name: str) -> str:
    return _NAME_MARKS.sub("", unicodedata.normalize("NFKC", name))


def material_key(name: str) -> str:
    """The identity of a material across member guides: NFKC, without white space, book-title
    marks (《》〈〉) and quotation marks or corner brackets; the applicant's identity card under
    any of its names (``ID_CARD_NAMES``: 身份证, 居民身份证, 申请人身份证明...) is one material."""
    key = _plain_key(name)
    return ID_CARD_KEY if key in ID_CARD_NAMES else key


@dataclass
class FormLine:
    """One line of the bundle's form: a material asked once, and which members need it."""

    key: str
    name: str
    conditional: bool
    items: list[str] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    item_labels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The name in the interface's language (the first member's English name, if any)."""
        return localized(self.materials[0], "name") if self.materials else self.name


@dataclass(frozen=True)
class LineCheck:
    key: str
    state: str
    note: str = ""


@dataclass(frozen=True)
class LineNotice:
    """A line of the form a one-time notice cites: missing or defective, and what is required."""

    key: str
    problem: str
    note: str = ""


def member_guides(bundle: Bundle, today: dt.date) -> list[tuple[BundleMember, GuideVersion]]:
    """Each member with its item's current guide (materials prefetched), in stage order; a
    ``CaseError`` naming the members without one."""
    members = list(bundle.members.select_related("item", "item__department").order_by("stage", "order", "pk"))
    guides = {
        v.item_id: v
        for v in GuideVersion.objects.current(today)
        .filter(item__in=[m.item_id for m in members])
        .prefetch_related("materials")
    }
    missing = [m.item.name for m in members if m.item_id not in guides]
    if missing:
        raise CaseError(
            _("以下成员事项没有现行有效的办事指南，暂不能受理本一件事：%(names)s。") % {"names": "、".join(missing)},
            field="bundle",
        )
    if not members:
        raise CaseError(_("该一件事没有成员事项。"), field="bundle")
    return [(m, guides[m.item_id]) for m in members]


def form_lines(guides: Sequence[tuple[BundleMember, GuideVersion]]) -> list[FormLine]:
    """The union of the members' materials, each once (by ``material_key``), in the order first met."""
    lines: dict[str, FormLine] = {}
    for member, version in guides:
        for material in version.materials.all():
            key = material_key(material.name)
            line = lines.get(key)
            if line is None:
                line = lines[key] = FormLine(key=key, name=material.name, conditional=material.conditional)
            else:
                line.conditional = line.conditional and material.conditional
            if member.item.name not in line.items:
                line.items.append(member.item.name)
                line.item_labels.append(localized(member.item, "name"))
            line.materials.append(material)
    return list(lines.values())


def bundle_form(*, bundle: Bundle, today: dt.date | None = None) -> list[FormLine]:
    return form_lines(member_guides(bundle, today or local_date()))


def _validate_lines(lines: Sequence[FormLine], checks: Sequence[LineCheck], errors: dict[str, list[str]]) -> dict:
    by_key = {line.key: line for line in lines}
    valid: dict[str, LineCheck] = {}
    for check in checks:
        line = by_key.get(check.key)
        if line is None:
            errors.setdefault("materials", []).append(_("“%(key)s”不是本一件事所需的材料。") % {"key": check.key})
        elif check.key in valid:
            errors.setdefault("materials", []).append(_("材料“%(name)s”登记了两次。") % {"name": line.name})
        elif check.state not in CaseMaterial.State.values:
            errors.setdefault("materials", []).append(_("材料“%(name)s”的收取情况无效。") % {"name": line.name})
        elif check.state == CaseMaterial.State.NOT_APPLICABLE and not line.conditional:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”是必须提交的材料，不能标记为不适用。") % {"name": line.name}
            )
        elif len(check.note) > 200:
            errors.setdefault("materials", []).append(_("材料“%(name)s”的备注最多200个字。") % {"name": line.name})
        else:
            valid[check.key] = check
    return valid


def _lock(bundle_case_id: int) -> BundleCase:
    BundleCase.objects.select_for_update().filter(pk=bundle_case_id).values_list("pk", flat=True).get()
    return BundleCase.objects.select_related("bundle", "hall", "applicant").get(pk=bundle_case_id)


def _event(bc: BundleCase, action: str, actor: AnyUser | None, summary: str, data: dict | None = None) -> None:
    audit_record(actor=actor, action=f"bundle_case.{action}", target=bc, summary=summary, details=data)


def _number(bundle: Bundle, day: dt.date) -> str:
    """YJS + the bundle's id (4 digits) + yyyyMMdd + the day's sequence for the bundle, drawn
    under the bundle's row lock."""
    Bundle.objects.select_for_update().filter(pk=bundle.pk).values_list("pk", flat=True).get()
    sequence = BundleCase.objects.filter(bundle=bundle, received_on=day).count() + 1
    return f"YJS{bundle.pk:04d}{day:%Y%m%d}{sequence:04d}"


def bundle_case_receive(
    *,
    actor: AnyUser,
    hall: Hall,
    bundle: Bundle,
    channel: str,
    applicant: services.ApplicantInput,
    mobile: str,
    checklist: Sequence[LineCheck],
    contact_name: str = "",
    window: Window | None = None,
    outcome: str = "",
    requirements: str = "",
    now: dt.datetime | None = None,
) -> BundleCase:
    """Receive one application for ``bundle`` at ``hall``'s comprehensive window with the form's
    checklist (``LineCheck`` by material key; a line not given is missing, but a
    conditional line must be answered), and settle it at once
    when ``outcome`` says so: ``accept`` (creates the sub-cases) or ``correction`` (the one-time
    notice citing every missing or defective line, plus ``requirements``). One transaction."""
    now = services._now(now)
    today = local_date(now)
    services._require_counter_at(actor, hall.pk)
    errors: dict[str, list[str]] = {}
    if outcome not in OUTCOMES:
        errors.setdefault("outcome", []).append(_("无效的办理结果。"))
    if channel not in Case.Channel.values:
        errors.setdefault("channel", []).append(_("收件渠道须为窗口、邮寄或网上。"))
    if not bundle.is_published:
        errors.setdefault("bundle", []).append(_("该一件事尚未公布，不能受理。"))
    guides: list[tuple[BundleMember, GuideVersion]] = []
    try:
        guides = member_guides(bundle, today)
    except CaseError as exc:
        errors.setdefault("bundle", []).append(str(exc.message))
    if guides:
        handled = set(hall.items.filter(pk__in=[m.item_id for m, _v in guides]).values_list("pk", flat=True))
        elsewhere = [m.item.name for m, _v in guides if m.item_id not in handled]
        if elsewhere:
            errors.setdefault("bundle", []).append(
                _("%(hall)s不办理以下成员事项：%(names)s。") % {"hall": hall.name, "names": "、".join(elsewhere)}
            )
    if channel == Case.Channel.WINDOW:
        if window is None:
            errors.setdefault("window", []).append(_("窗口收件须注明窗口。"))
        elif window.hall_id != hall.pk:
            errors.setdefault("window", []).append(_("该窗口不属于本大厅。"))
        elif not window.is_open or window.staff_id != signed_in(actor).pk:
            errors.setdefault("window", []).append(_("请先在该窗口签到，再以窗口名义收件。"))
    elif window is not None:
        errors.setdefault("channel", []).append(_("邮寄和网上申请不关联窗口。"))
    kind, key, masked, credit_code, name = services._validate_applicant(applicant, today, errors)
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors.setdefault("mobile", []).append(exc.messages[0])
    contact_name = " ".join(contact_name.split())
    if len(contact_name) > 40:
        errors.setdefault("contact_name", []).append(_("经办人姓名最多40个字。"))
    lines = form_lines(guides) if guides else []
    checks = _validate_lines(lines, checklist, errors)
    unanswered = [line.name for line in lines if line.conditional and line.key not in checks]
    if unanswered and not errors.get("materials"):
        # A line that may be 不适用 is never taken for 缺失 by default.
        errors.setdefault("materials", []).append(
            _("以下材料视情形提交，请逐项确认已提交、缺失或不适用：%(names)s。")
            % {"names": "、".join(f"“{n}”" for n in unanswered)}
        )
    services._raise_collected(errors)

    with transaction.atomic():
        bc = BundleCase.objects.create(
            bundle=bundle,
            hall=hall,
            number=_number(bundle, today),
            channel=channel,
            window=window if channel == Case.Channel.WINDOW else None,
            received_by=signed_in(actor),
            applicant=services._applicant_row(kind, key, masked, credit_code),
            applicant_name=name,
            contact_name=contact_name,
            contact_mobile=mobile,
            received_at=now,
            received_on=today,
        )
        BundleCaseMaterial.objects.bulk_create(
            BundleCaseMaterial(
                bundle_case=bc,
                key=line.key,
                name=line.name,
                order=position,
                conditional=line.conditional,
                state=checks[line.key].state if line.key in checks else CaseMaterial.State.MISSING,
                note=checks[line.key].note.strip() if line.key in checks else "",
                supplied_at=now,
            )
            for position, line in enumerate(lines, start=1)
        )
        _event(bc, "received", actor, _("收件 %(number)s（%(bundle)s）") % {"number": bc.number, "bundle": bundle.name})
        bc = _lock(bc.pk)
        if outcome in ("accept", "accept_deferred"):
            _accept(bc, actor=actor, deferred=outcome == "accept_deferred", now=now)
        elif outcome == "correction":
            _notice(bc, actor=actor, lines=None, requirements=requirements, now=now)
    return bc


def _apply(bc: BundleCase, checks: Sequence[LineCheck], now: dt.datetime) -> list[BundleCaseMaterial]:
    rows = {row.key: row for row in bc.materials.all()}
    errors: dict[str, list[str]] = {}
    lines = [FormLine(key=r.key, name=r.name, conditional=r.conditional) for r in rows.values()]
    valid = _validate_lines(lines, checks, errors)
    services._raise_collected(errors)
    for key, check in valid.items():
        rows[key].state, rows[key].note, rows[key].supplied_at = check.state, check.note.strip(), now
    BundleCaseMaterial.objects.bulk_update([rows[k] for k in valid], ["state", "note", "supplied_at"])
    return list(rows.values())


def _notice(
    bc: BundleCase,
    *,
    actor: AnyUser,
    lines: Sequence[LineNotice] | None,
    requirements: str,
    now: dt.datetime,
    override_reason: str = "",
) -> BundleNotice:
    """A one-time notice of the application (before acceptance), citing ``lines`` (None: every
    missing or defective line, as at receipt), each line once however many items need it. The
    rule of the single case (``services.one_time_check``): the first cites everything lacking; a
    later one only lines supplied after the first, and nothing else, unless a supervisor covering
    the hall overrides it with a reason (audited)."""
    today = local_date(now)
    if bc.status not in (BundleCase.Status.RECEIVED, BundleCase.Status.CORRECTION):
        raise CaseError(_("本申请已受理，补正须由各事项的办件分别告知。"), field="materials", code="stale", status=409)
    supervisor = services._supervises(actor, bc.hall_id)
    if not supervisor:
        services._require_counter_at(actor, bc.hall_id)
    rows = {row.key: row for row in bc.materials.all()}
    requirements = requirements.strip()
    override = " ".join(override_reason.split())
    errors: dict[str, list[str]] = {}
    cited: dict[str, LineNotice] = {}
    if lines is None:
        cited = {k: LineNotice(k, r.state, r.note) for k, r in rows.items() if r.is_lacking}
    for item in lines or ():
        row = rows.get(item.key)
        if row is None:
            errors.setdefault("materials", []).append(_("“%(key)s”不是本一件事所需的材料。") % {"key": item.key})
        elif item.key in cited:
            errors.setdefault("materials", []).append(_("材料“%(name)s”列了两次。") % {"name": row.name})
        elif item.problem not in NoticeItem.Problem.values:
            errors.setdefault("materials", []).append(
                _("材料“%(name)s”的问题须为缺失或不符合要求。") % {"name": row.name}
            )
        elif len(item.note) > 300:
            errors.setdefault("materials", []).append(_("材料“%(name)s”的补正要求最多300个字。") % {"name": row.name})
        else:
            cited[item.key] = item
    if len(requirements) > 2000:
        errors.setdefault("requirements", []).append(_("其他要求最多2000个字。"))
    if len(override) > 300:
        errors.setdefault("override_reason", []).append(_("再次告知理由最多300个字。"))
    services._raise_collected(errors)
    if not cited and not requirements:
        raise CaseError(_("一次性告知书须列明需补正的材料或其他要求。"), field="materials", code="notice_empty")

    earlier = list(bc.notices.order_by("sequence"))
    # An application noticed before notices were kept one by one has only its time.
    first_at = earlier[0].issued_at if earlier else bc.notice_issued_at
    by_pk = {row.pk: row for row in rows.values()}
    cited_pks = {rows[k].pk for k in cited}
    override = services.one_time_check(
        lacking_after={row.pk for row in rows.values() if row.is_lacking} | cited_pks,
        cited=cited_pks,
        supplied_at={row.pk: row.supplied_at for row in rows.values()},
        names=lambda pks: "、".join(f"“{by_pk[pk].name}”" for pk in pks),
        first_issued_at=first_at,
        requirements=requirements,
        received_on=bc.received_on,
        today=today,
        override=override,
        supervisor=supervisor,
    )
    notice = BundleNotice.objects.create(
        bundle_case=bc,
        sequence=len(earlier) + 1,
        issued_at=now,
        issued_on=today,
        issued_by=signed_in(actor),
        requirements=requirements,
        override_reason=override,
    )
    BundleNoticeItem.objects.bulk_create(
        BundleNoticeItem(notice=notice, line=rows[k], problem=item.problem, note=item.note.strip())
        for k, item in cited.items()
    )
    for k, item in cited.items():
        rows[k].state = item.problem
    BundleCaseMaterial.objects.bulk_update([rows[k] for k in cited], ["state"])
    bc.status = BundleCase.Status.CORRECTION
    if bc.notice_issued_at is None:
        bc.notice_requirements, bc.notice_issued_at = requirements, now
    bc.save()
    data = {"sequence": notice.sequence, "lacking": sorted(cited), "override_reason": override}
    _event(
        bc,
        "notice",
        actor,
        _("出具第%(n)s次一次性告知书 %(number)s：%(names)s")
        % {"n": notice.sequence, "number": bc.number, "names": "、".join(rows[k].name for k in cited)},
        data,
    )
    if override:
        _event(
            bc,
            "notice_override",
            actor,
            _("批准再次告知 %(number)s：%(reason)s") % {"number": bc.number, "reason": override},
            data,
        )
    return notice


def bundle_case_notice(
    *,
    bundle_case: BundleCase,
    actor: AnyUser,
    lines: Sequence[LineNotice],
    requirements: str = "",
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> BundleNotice:
    """A later one-time notice of an application not yet accepted (the first comes at receipt):
    see ``_notice``. One transaction; a refusal saves nothing."""
    now = services._now(now)
    with transaction.atomic():
        bc = _lock(bundle_case.pk)
        if bc.status == BundleCase.Status.RECEIVED and not services._supervises(actor, bc.hall_id):
            services._require_counter_at(actor, bc.hall_id)  # nothing recorded for someone who may not act
        if not _deem_if_late(bc, now=now):
            return _notice(
                bc, actor=actor, lines=lines, requirements=requirements, override_reason=override_reason, now=now
            )
    # Accepted by law (kept): the sub-cases' departments give any notice now, each for its case.
    raise _deemed_refusal(
        bc,
        _(
            "本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起视为受理，并已分送各事项办理；"
            "需补正的，请由各事项的办件分别告知。"
        ),
    )


def bundle_case_corrections(
    *, bundle_case: BundleCase, actor: AnyUser, checklist: Sequence[LineCheck], now: dt.datetime | None = None
) -> BundleCase:
    """What the applicant brings after the notice; once nothing is lacking, it waits to be accepted."""
    now = services._now(now)
    services._require_counter_at(actor, bundle_case.hall_id)
    with transaction.atomic():
        bc = _lock(bundle_case.pk)
        if bc.status != BundleCase.Status.CORRECTION:
            raise CaseError(_("本申请不在待补正状态。"), code="stale", status=409)
        rows = _apply(bc, checklist, now)
        if not any(row.is_lacking for row in rows):
            bc.status = BundleCase.Status.RECEIVED
            bc.save()
            bc.notices.filter(answered_at__isnull=True).update(answered_at=now)
        _event(bc, "corrections", actor, _("收到补正材料 %(number)s") % {"number": bc.number})
    return bc


def bundle_case_accept(
    *,
    bundle_case: BundleCase,
    actor: AnyUser,
    checklist: Sequence[LineCheck] = (),
    deferred: bool = False,
    now: dt.datetime | None = None,
) -> BundleCase:
    """Accept a received application (after its corrections): creates the sub-cases; with
    ``deferred``, 容缺受理 (see ``_check_deferral``)."""
    now = services._now(now)
    services._require_counter_at(actor, bundle_case.hall_id)
    with transaction.atomic():
        bc = _lock(bundle_case.pk)
        deemed = _deem_if_late(bc, now=now)  # kept, as if the job had recorded it
        if not deemed:
            if bc.status != BundleCase.Status.RECEIVED:
                raise CaseError(_("只有已收件且材料齐全的一件事申请可以受理。"), code="stale", status=409)
            if checklist:
                _apply(bc, checklist, now)
            _accept(bc, actor=actor, deferred=deferred, now=now)
    if deemed:
        raise _deemed_refusal(bc, _("本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起视为受理，无须再受理。"))
    return bc


def _check_deferral(lacking: Sequence[BundleCaseMaterial], guides: Sequence[tuple[BundleMember, GuideVersion]]) -> None:
    """容缺受理 of a bundle (Art. 13 ¶1 as for one item): every member item that needs a lacking
    line must allow it in its current guide version, and for exactly that material (may follow
    later); a line that is a main material of any of them must be present."""
    not_allowed: dict[str, list[str]] = {}
    main: dict[str, list[str]] = {}
    for row in lacking:
        for member, version in guides:
            for material in version.materials.all():
                if row.key not in (material_key(material.name), _plain_key(material.name)):
                    continue
                if not version.allows_deferred_acceptance:
                    not_allowed.setdefault(member.item.name, []).append(row.name)
                elif not material.may_follow_later:
                    main.setdefault(row.name, []).append(member.item.name)
    messages = [
        _("“%(item)s”的办事指南不允许容缺受理，%(names)s须齐全后受理。")
        % {"item": item, "names": "、".join(f"“{n}”" for n in names)}
        for item, names in not_allowed.items()
    ]
    if main:
        messages.append(
            _("主要材料不齐全，不能容缺受理：%(names)s。")
            % {"names": "、".join(f"“{n}”（{'、'.join(items)}）" for n, items in main.items())}
        )
    if messages:
        raise CaseError(
            " ".join(messages),
            field="materials",
            code="deferral_not_allowed" if not_allowed else "main_materials_missing",
        )


def _row_for(states: dict[str, BundleCaseMaterial], material: Material) -> BundleCaseMaterial:
    """The form's line of a member's material (by ``material_key``; an application received before
    identity-card names were merged has its line under the plain name)."""
    return states.get(material_key(material.name)) or states[_plain_key(material.name)]


def _accept(
    bc: BundleCase, *, actor: AnyUser | None, now: dt.datetime, deferred: bool = False, deemed: bool = False
) -> None:
    """Accept the application and create its sub-cases. ``deemed``: accepted by law from its
    receipt (``_deem_if_late``): dated the day of receipt, by no one, whatever the materials (they
    stay as recorded, nothing is owed), the first stage's sub-cases deemed accepted as single
    cases are (``services._deem``)."""
    today = local_date(now)
    day = bc.received_on if deemed else today  # the acceptance date
    rows = list(bc.materials.all())
    lacking_rows = [] if deemed else [row for row in rows if row.is_lacking]
    if lacking_rows and not deferred:
        raise CaseError(
            _("以下材料缺失或不符合要求，不能受理：%(names)s。请出具一次性告知书，或在各事项允许时容缺受理。")
            % {"names": "、".join(f"“{row.name}”" for row in lacking_rows)},
            field="materials",
            code="materials_incomplete",
        )
    guides = member_guides(bc.bundle, day)
    if lacking_rows:
        _check_deferral(lacking_rows, guides)
    states = {row.key: row for row in rows}
    limits = [StageLimit(m.stage, m.item.code, v.promised_limit_days) for m, v in guides]
    bc.limit_days = min(limit_bound(limits), bc.bundle.promised_limit_days)
    bc.accepted_on = day
    bc.accepted_by = None if deemed or actor is None else signed_in(actor)
    bc.due_on, bc.due_provisional = catalog_selectors.deadline_after(day, bc.limit_days)
    bc.status = BundleCase.Status.ACCEPTED
    bc.current_stage = 1
    bc.deferred = bool(lacking_rows)
    bc.deemed_accepted = deemed
    bc.save()
    for member, version in guides:
        case = Case.objects.create(
            number=services._next_number(member.item, day),
            progress_token=secrets.token_urlsafe(18),
            hall=bc.hall,
            department_id=member.item.department_id,
            item=member.item,
            guide_version=version,
            channel=bc.channel,
            window=bc.window,
            received_by=bc.received_by,
            applicant=bc.applicant,
            applicant_name=bc.applicant_name,
            contact_name=bc.contact_name,
            contact_mobile=bc.contact_mobile,
            received_at=bc.received_at,
            received_on=bc.received_on,
            bundle_case=bc,
            stage=member.stage,
            status=Case.Status.RECEIVED if member.stage == 1 else Case.Status.WAITING,
        )
        CaseMaterial.objects.bulk_create(
            CaseMaterial(
                case=case,
                material=material,
                state=_row_for(states, material).state,
                note=_row_for(states, material).note,
                supplied_at=_row_for(states, material).supplied_at,
            )
            for material in version.materials.all()
        )
        owes = [] if deemed else [m for m in version.materials.all() if _row_for(states, m).is_lacking]
        services._record(
            case,
            CaseEvent.Kind.RECEIVED,
            actor=actor,
            at=now,
            summary=_("一件事%(bundle)s收件，分办 %(number)s（%(item)s）")
            % {"bundle": bc.number, "number": case.number, "item": member.item.name},
            data={"bundle_case": bc.number, "stage": member.stage},
        )
        if member.stage == 1:
            case = services._lock_case(case.pk)
            if deemed:  # from the receipt, as a single case left without a notice
                services._deem(case, now=now)
            else:  # 容缺: the sub-case owes its lacking materials from today (services._accept).
                assert actor is not None
                services._accept(case, actor=actor, deferred=bool(owes), now=now)
            if case.due_on is not None and bc.due_on is not None and case.due_on > bc.due_on:
                _cap_to_bundle(case, bc, today, now)
                case.save()
        elif owes:
            # A later stage's sub-case waits, but the bundle owes its materials from today: the
            # reminders and the overdue flag cover waiting sub-cases too (cases/warnings.py).
            dues = catalog_selectors.deadlines_after([(today, m.follow_within_days, ()) for m in owes])
            OwedMaterial.objects.bulk_create(
                OwedMaterial(case=case, material=m, due_on=due) for m, (due, _p) in zip(owes, dues, strict=True)
            )
            Case.objects.filter(pk=case.pk).update(deferred=True)
    if deemed:
        _event(
            bc,
            "deemed",
            None,
            _("%(number)s逾期未出具一次性告知书，自收到材料之日（%(date)s）起视为受理")
            % {"number": bc.number, "date": bc.received_on.isoformat()},
            {"accepted_on": day.isoformat(), "limit_days": bc.limit_days, "due_on": bc.due_on.isoformat()},
        )
        return
    _event(
        bc,
        "accepted",
        actor,
        (
            _("容缺受理一件事 %(number)s，承诺%(due)s前办结")
            if lacking_rows
            else _("受理一件事 %(number)s，承诺%(due)s前办结")
        )
        % {"number": bc.number, "due": bc.due_on.isoformat()},
        {"limit_days": bc.limit_days, "due_on": bc.due_on.isoformat(), "owed": [row.key for row in lacking_rows]},
    )


# --- Deemed acceptance (行政许可法 Art. 32, as for a single case: services "Deemed acceptance") ----


def _deem_if_late(bc: BundleCase, *, now: dt.datetime) -> bool:
    """Accept ``bc`` (locked) by law from its receipt if it was received and, within the notice
    period (``services.notice_last_day``), neither accepted nor given a one-time notice: before
    anything else is done to it. True when it was applied now."""
    if bc.status != BundleCase.Status.RECEIVED or bc.accepted_on is not None or bc.notice_issued_at is not None:
        return False
    if services.notice_last_day(bc.received_on) >= local_date(now) or bc.notices.exists():
        return False
    _accept(bc, actor=None, now=now, deemed=True)
    return True


def _deemed_refusal(bc: BundleCase, message: str) -> CaseError:
    return CaseError(message % {"date": bc.received_on.isoformat()}, code="deemed_accepted", status=409)


def bundles_deem_accepted(*, now: dt.datetime | None = None, batch: int = services.DEEM_BATCH) -> int:
    """The warning job's part for bundle applications (``services.cases_deem_accepted`` for
    cases): every application past its notice period without a notice is accepted from its
    receipt and its sub-cases created (oldest receipt first, at most ``batch``; those another
    transaction holds are skipped, and their action applies it). Returns how many."""
    now = services._now(now)
    cutoff = services.deemed_cutoff(local_date(now))
    deemed = 0
    with transaction.atomic():
        due = (
            BundleCase.objects.filter(
                status=BundleCase.Status.RECEIVED,
                accepted_on__isnull=True,
                notice_issued_at__isnull=True,
                received_on__lte=cutoff,
            )
            .exclude(Exists(BundleNotice.objects.filter(bundle_case=OuterRef("pk"))))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("bundle", "hall", "applicant")
            .order_by("received_on", "pk")[:batch]
        )
        for bc in due:
            try:
                with transaction.atomic():  # a savepoint: one that cannot be accepted keeps the rest
                    deemed += _deem_if_late(bc, now=now)
            except CaseError as exc:  # e.g. a member without a guide in force on the day of receipt
                logger.warning("bundle application %s not deemed accepted: %s", bc.pk, exc.code)
    return deemed


# --- 容缺受理: what the application owes -------------------------------------------------------


@dataclass(frozen=True)
class OwedLine:
    """A line of the form owed under 容缺受理: by when (the earliest of the sub-cases that need it),
    which items need it, and whether it was brought."""

    key: str
    name: str
    due_on: dt.date
    supplied_at: dt.datetime | None
    items: tuple[str, ...]
    overdue: bool = False


def owed_lines(bc: BundleCase, today: dt.date | None = None) -> list[OwedLine]:
    """What the application owes (or owed), one line per form line, in the form's order."""
    today = today or local_date()
    grouped: dict[str, list[OwedMaterial]] = {}
    for owed in (
        OwedMaterial.objects.filter(case__bundle_case=bc)
        .select_related("material", "case__item")
        .order_by("case__stage", "case_id")
    ):
        grouped.setdefault(material_key(owed.material.name), []).append(owed)
    lines = []
    for row in bc.materials.all():
        owed_rows = grouped.get(row.key) or grouped.get(_plain_key(row.name))
        if not owed_rows:
            continue
        supplied = [o.supplied_at for o in owed_rows]
        due = min(o.due_on for o in owed_rows)
        done = None if None in supplied else max(s for s in supplied if s is not None)
        # English pages name the guide's material and the items in English where they have it.
        english = english_wanted() and owed_rows[0].material.name_en
        lines.append(
            OwedLine(
                row.key,
                owed_rows[0].material.name_en if english else row.name,
                due,
                done,
                tuple(dict.fromkeys(localized(o.case.item, "name") for o in owed_rows)),
                overdue=done is None and due < today,
            )
        )
    return lines


def bundle_case_owed_supply(
    *, bundle_case: BundleCase, actor: AnyUser, checklist: Sequence[LineCheck], now: dt.datetime | None = None
) -> BundleCase:
    """The applicant brings materials owed under 容缺受理 (each now present): the form's line and
    every sub-case that owes it are updated, its owed rows marked supplied and the overdue flag
    lifted once nothing is past its date. One transaction; a refusal saves nothing."""
    now = services._now(now)
    today = local_date(now)
    services._require_counter_at(actor, bundle_case.hall_id)
    if not checklist:
        raise CaseError(_("请登记补齐的容缺材料。"), field="materials")
    with transaction.atomic():
        bc = _lock(bundle_case.pk)
        if bc.status != BundleCase.Status.ACCEPTED:
            raise CaseError(_("只有办理中的一件事申请可以补齐容缺材料。"), code="stale", status=409)
        rows = {row.key: row for row in bc.materials.all()}
        outstanding: dict[str, list[OwedMaterial]] = {}
        for owed in OwedMaterial.objects.filter(
            case__bundle_case=bc,
            supplied_at__isnull=True,
            case__status__in=(*Case.OPEN, Case.Status.WAITING),
        ).select_related("material", "case"):
            outstanding.setdefault(material_key(owed.material.name), []).append(owed)
        errors: dict[str, list[str]] = {}
        seen: set[str] = set()
        for check in checklist:
            row = rows.get(check.key)
            if row is None or check.key not in outstanding:
                errors.setdefault("materials", []).append(
                    _("“%(name)s”不是本申请待补齐的容缺材料。") % {"name": row.name if row else check.key}
                )
            elif check.key in seen:
                errors.setdefault("materials", []).append(_("材料“%(name)s”登记了两次。") % {"name": row.name})
            elif check.state not in CaseMaterial.PRESENT:
                errors.setdefault("materials", []).append(
                    _("补齐的材料“%(name)s”须为原件、复印件或电子材料。") % {"name": row.name}
                )
            elif len(check.note) > 200:
                errors.setdefault("materials", []).append(_("材料“%(name)s”的备注最多200个字。") % {"name": row.name})
            seen.add(check.key)
        services._raise_collected(errors)
        for check in checklist:
            row = rows[check.key]
            row.state, row.note, row.supplied_at = check.state, check.note.strip(), now
        BundleCaseMaterial.objects.bulk_update([rows[c.key] for c in checklist], ["state", "note", "supplied_at"])
        by_case: dict[int, list[OwedMaterial]] = {}
        state_of: dict[int, str] = {}  # material id -> the state it was brought in
        for check in checklist:
            for owed in outstanding[check.key]:
                by_case.setdefault(owed.case_id, []).append(owed)
                state_of[owed.material_id] = check.state
        for case_id, owed_rows in sorted(by_case.items()):
            case = services._lock_case(case_id)
            material_ids = [o.material_id for o in owed_rows]
            lines = list(CaseMaterial.objects.filter(case=case, material_id__in=material_ids))
            for line in lines:
                line.state, line.note, line.supplied_at = state_of[line.material_id], "", now
            CaseMaterial.objects.bulk_update(lines, ["state", "note", "supplied_at"])
            OwedMaterial.objects.filter(pk__in=[o.pk for o in owed_rows]).update(supplied_at=now)
            if case.owed_overdue and not case.owed.filter(supplied_at__isnull=True, due_on__lt=today).exists():
                case.owed_overdue = False
                case.save(update_fields=["owed_overdue", "updated_at"])
            services._record(
                case,
                CaseEvent.Kind.OWED_SUPPLIED,
                actor=actor,
                at=now,
                summary=_("容缺材料补齐 %(number)s（一件事%(bundle)s）") % {"number": case.number, "bundle": bc.number},
                data={"materials": sorted(material_ids), "bundle_case": bc.number},
            )
        _event(
            bc,
            "owed_supplied",
            actor,
            _("容缺材料补齐 %(number)s：%(names)s")
            % {"number": bc.number, "names": "、".join(rows[c.key].name for c in checklist)},
            {"lines": [c.key for c in checklist]},
        )
    return bc


class StageWindow(NamedTuple):
    """One stage of an accepted application's plan: its longest promised limit (0: 即办), its end
    (the day its last sub-case was decided once it is over, else the planned end) and whether
    that planned end was brought forward to the bundle's due date (``capped``)."""

    stage: int
    days: int
    end: dt.date | None
    capped: bool = False
    finished: bool = False
    # Capped with no working day left: the stages before use up the bundle's whole limit, so this
    # stage's planned end is the bundle's due date itself (said plainly, not as a plan).
    no_days_left: bool = False


class StageWithoutChief(NamedTuple):
    stage: int
    department: str  # its name in the interface's language


def stages_without_chief(*, bundle_id: int, hall_id: int) -> list[StageWithoutChief]:
    """The bundle's stages whose department has no active chief representative at the hall (the
    role, an active account, that hall and department): nobody there could approve an urgent
    request or an extension of that stage's cases (issue 11). Two queries."""
    from django.contrib.auth import get_user_model

    from catalog.models import BundleMember
    from servicehall import roles

    members = list(
        BundleMember.objects.filter(bundle_id=bundle_id).select_related("item__department").order_by("stage", "order")
    )
    department_ids = {m.item.department_id for m in members}
    covered = set(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.CHIEF_REPRESENTATIVE,
            staff_profile__hall_id=hall_id,
            staff_profile__department_id__in=department_ids,
        )
        .values_list("staff_profile__department_id", flat=True)
    )
    gaps: list[StageWithoutChief] = []
    for member in members:
        department = member.item.department
        gap = StageWithoutChief(member.stage, department.display_name)
        if department.pk not in covered and gap not in gaps:
            gaps.append(gap)
    return gaps


def stage_windows(bc: BundleCase) -> list[StageWindow]:
    """The plan, stage after stage: stage 1 from acceptance, each later stage from the actual end
    of the one before once that is over (else from its planned end), the stage's longest promised
    limit in working days; a planned end never falls after the bundle's due date (capped)."""
    subs = list(bc.sub_cases.select_related("guide_version"))
    maxima = stage_maxima(StageLimit(c.stage or 1, str(c.item_id), c.guide_version.promised_limit_days) for c in subs)
    if bc.accepted_on is None:
        return [StageWindow(stage, days, None) for stage, days in maxima.items()]
    windows: list[StageWindow] = []
    start: dt.date | None = bc.accepted_on
    for stage, days in maxima.items():
        members = [c for c in subs if (c.stage or 1) == stage]
        decided = [c.decided_on for c in members if c.decided_on is not None]
        if members and len(decided) == len(members):
            start = max(decided)
            windows.append(StageWindow(stage, days, start, finished=True))
            continue
        began = [c.accepted_on for c in members if c.accepted_on is not None]
        if began:
            start = min(began)
        if start is None or any(c.status == Case.Status.NOT_ACCEPTED for c in members):
            windows.append(StageWindow(stage, days, None))
            start = None
            continue
        end = catalog_selectors.deadline_after(start, days)[0]
        began_on, start = start, end
        if bc.due_on is not None and end > bc.due_on:
            windows.append(
                StageWindow(stage, days, bc.due_on, capped=True, no_days_left=days > 0 and began_on >= bc.due_on)
            )
        else:
            windows.append(StageWindow(stage, days, end))
    return windows


def limit_explanation(bc: BundleCase) -> str:
    """Where the bundle's limit comes from: its published promise, bounded by the stage rule's sum
    (the sum when the promise exceeds it)."""
    if bc.limit_days is None:
        return ""
    subs = bc.sub_cases.select_related("guide_version")
    bound = limit_bound(StageLimit(c.stage or 1, str(c.item_id), c.guide_version.promised_limit_days) for c in subs)
    promised = bc.bundle.promised_limit_days
    if bc.limit_days == promised:
        return _("一件事承诺 %(days)s 个工作日办结（不超过各阶段最长承诺时限之和 %(bound)s 个工作日）") % {
            "days": promised,
            "bound": bound,
        }
    return _("按各阶段最长承诺时限之和 %(bound)s 个工作日办结（一件事公布的承诺 %(days)s 个工作日超过了这一上限）") % {
        "days": promised,
        "bound": bound,
    }


def _cap_to_bundle(sub: Case, bc: BundleCase, today: dt.date, now: dt.datetime) -> None:
    """A sub-case's own limit shortened so that its due date does not fall after the bundle's:
    the most working days from its acceptance that still end on or before the bundle's due date
    (0 when that day has come: due the day it starts). Nothing while the bundle's clock stands."""
    if bc.due_on is None or sub.accepted_on is None or sub.limit_days is None:
        return
    if sub.due_on is not None and sub.due_on <= bc.due_on:
        return
    ends = catalog_selectors.deadlines_after([(sub.accepted_on, days, ()) for days in range(sub.limit_days + 1)])
    sub.limit_days = max([0] + [days for days, (end, _p) in enumerate(ends) if end <= bc.due_on])
    services._refresh_due(sub, today, now)


# --- Hooks from the case services (cases.services calls them in its transaction) --------------


def sub_case_decided(case: Case, *, actor: AnyUser, now: dt.datetime) -> None:
    """A sub-case was decided: when its stage is all decided, the next stage's clock starts (or,
    after a refusal, the later stages are closed)."""
    today = local_date(now)
    bc = _lock(case.bundle_case_id)  # type: ignore[arg-type]
    stage = case.stage or 1
    siblings = list(Case.objects.filter(bundle_case=bc, stage=stage))
    if any(c.status not in Case.FINISHED for c in siblings):
        return
    refused = [c for c in siblings if c.decision == Case.Decision.REFUSED]
    later = list(Case.objects.filter(bundle_case=bc, status=Case.Status.WAITING).order_by("stage", "pk"))
    if refused:
        reason = _("前一阶段事项“%(item)s”不予批准，本事项不再办理。") % {"item": refused[0].item.name}
        for sub in later:
            sub = services._lock_case(sub.pk)
            sub.status, sub.not_accepted_reason = Case.Status.NOT_ACCEPTED, reason
            sub.save()
            services._record(sub, CaseEvent.Kind.NOT_ACCEPTED, actor=actor, at=now, note=reason, summary=reason)
        _maybe_result_ready(bc, now)
        return
    next_stage = [c for c in later if c.stage == min((c.stage or 1 for c in later), default=0)]
    if not next_stage:
        return
    for sub in next_stage:
        sub = services._lock_case(sub.pk)
        sub.status = Case.Status.ACCEPTED
        sub.accepted_on = today
        sub.accepted_by = bc.accepted_by
        sub.limit_days = sub.guide_version.promised_limit_days
        services._refresh_due(sub, today, now)
        _cap_to_bundle(sub, bc, today, now)
        sub.save()
        services._record(
            sub,
            CaseEvent.Kind.ACCEPTED,
            actor=actor,
            at=now,
            summary=_("前一阶段已全部作出决定，%(number)s开始计时，承诺%(due)s前办结")
            % {"number": sub.number, "due": sub.due_on.isoformat() if sub.due_on else ""},
            data={"stage": sub.stage, "limit_days": sub.limit_days},
        )
    bc.current_stage = next_stage[0].stage
    bc.save(update_fields=["current_stage"])


def decision_note(case: Case) -> str:
    """What deciding a sub-case means for the bundle's later stages, for the flash message."""
    if case.bundle_case_id is None:
        return ""
    stage = case.stage or 1
    subs = list(Case.objects.filter(bundle_case_id=case.bundle_case_id).order_by("stage", "pk"))
    later = [c for c in subs if (c.stage or 1) > stage]
    if not later:
        return ""
    pending = [c for c in subs if (c.stage or 1) == stage and c.status not in Case.FINISHED]
    if pending:
        return _("本阶段还有 %(count)s 个事项尚未作出决定，全部决定后第 %(next)s 阶段开始计时。") % {
            "count": len(pending),
            "next": min(c.stage or 1 for c in later),
        }
    next_stage = min(c.stage or 1 for c in later)
    started = [c for c in later if c.stage == next_stage and c.accepted_on is not None]
    if started:
        return _("本阶段已全部作出决定，第 %(next)s 阶段自 %(day)s 起计时。") % {
            "next": next_stage,
            "day": started[0].accepted_on.isoformat() if started[0].accepted_on else "",
        }
    return _("本阶段有事项不予批准，后续阶段不再办理。")


def sub_case_result_ready(case: Case, *, now: dt.datetime) -> None:
    _maybe_result_ready(_lock(case.bundle_case_id), now)  # type: ignore[arg-type]


def _maybe_result_ready(bc: BundleCase, now: dt.datetime) -> None:
    statuses = set(Case.objects.filter(bundle_case=bc).values_list("status", flat=True))
    if statuses <= {Case.Status.RESULT_READY, Case.Status.NOT_ACCEPTED} and Case.Status.RESULT_READY in statuses:
        bc.status, bc.result_ready_at = BundleCase.Status.RESULT_READY, now
        bc.save(update_fields=["status", "result_ready_at"])
        _event(bc, "result_ready", None, _("一件事 %(number)s 各事项结果齐备，待统一出件") % {"number": bc.number})


def refuse_sub_case_collection(case: Case) -> None:
    raise CaseError(
        _("本件属于一件事申请%(number)s，结果须在各事项办结后统一出件。")
        % {"number": case.bundle_case.number if case.bundle_case else ""},
        code="bundle_collect",
        status=409,
    )


def bundle_case_collect(
    *, bundle_case: BundleCase, actor: AnyUser, method: str, note: str = "", now: dt.datetime | None = None
) -> BundleCase:
    """统一出件: the results of every sub-case leave together, at one window (or posted)."""
    now = services._now(now)
    note = " ".join(note.split())
    services._require_counter_at(actor, bundle_case.hall_id)
    with transaction.atomic():
        bc = _lock(bundle_case.pk)
        if bc.status != BundleCase.Status.RESULT_READY:
            raise CaseError(_("各事项结果尚未齐备，不能统一出件。"), code="stale", status=409)
        if method not in (Case.Collection.WINDOW, Case.Collection.POST, Case.Collection.ELECTRONIC):
            raise CaseError(_("出件方式须为窗口领取、邮寄送达或电子送达。"), field="method")
        if method == Case.Collection.POST and not note:
            raise CaseError(_("邮寄送达须填写邮寄单号。"), field="note")
        if len(note) > 200:
            raise CaseError(_("出件说明最多200个字。"), field="note")
        for sub in Case.objects.filter(bundle_case=bc, status=Case.Status.RESULT_READY).order_by("pk"):
            sub = services._lock_case(sub.pk)
            sub.status = Case.Status.COLLECTED
            sub.collection, sub.collection_note, sub.collected_at = method, note, now
            sub.save()
            services._record(
                sub,
                CaseEvent.Kind.COLLECTED,
                actor=actor,
                at=now,
                note=note,
                summary=_("%(number)s随一件事%(bundle)s统一出件") % {"number": sub.number, "bundle": bc.number},
                data={"method": method, "bundle_case": bc.number},
            )
        bc.status = BundleCase.Status.COLLECTED
        bc.collection, bc.collection_note, bc.collected_at, bc.collected_by = method, note, now, signed_in(actor)
        bc.save()
        _event(bc, "collected", actor, _("一件事 %(number)s 统一出件") % {"number": bc.number}, {"method": method})
    return bc


# --- The public look-up ------------------------------------------------------------------------

BUNDLE_NUMBER_RE = re.compile(r"YJS\d{16}")


@dataclass(frozen=True)
class SubCaseProgress:
    stage: int
    item_name: str
    department_name: str
    status_display: str
    status: str = ""


@dataclass(frozen=True)
class BundleProgress:
    """The applicant's view of an application: no personal data."""

    number: str
    bundle_name: str
    hall_name: str
    status_display: str
    received_on: dt.date
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_provisional: bool
    sub_cases: list[SubCaseProgress]
    status: str = ""
    current_stage: int | None = None
    stages: int = 0
    owed: list[OwedProgress] = field(default_factory=list)
    deemed_accepted: bool = False  # accepted by law from its receipt (no one-time notice in time)


@dataclass(frozen=True)
class OwedProgress:
    """A material owed under 容缺受理, as the applicant sees it."""

    name: str
    due_on: dt.date
    supplied: bool


def bundle_progress_lookup(*, number: str, digits: str, client_ip: str) -> BundleProgress:
    """As ``services.case_progress_lookup`` for an application's number (YJS…): the same check of
    the mobile's or ID number's last four, the same answer for a wrong pair and an unknown number,
    and the same rate limits (per client address, per number)."""
    number, digits = number.strip().upper(), digits.strip().upper()
    if len(digits) != 4 or not digits.isascii() or not digits.isalnum():
        message = _("请输入申请时所留手机号码或证件号码的后四位。")
        raise CaseError(message, field="digits", errors={"digits": [message]}, status=400)
    for key, rate in (
        (f"case-progress-ip:{client_ip}", settings.THROTTLE_CASE_PROGRESS_IP),
        (f"case-progress-number:{number}", settings.THROTTLE_CASE_PROGRESS_NUMBER),
    ):
        limit, period = parse_rate(rate)
        allowed, wait = hit(key, limit=limit, period=period)
        if not allowed:
            raise CaseError(
                _("查询过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, wait // 60)},
                code="rate_limited",
                status=429,
            )
    bc = BundleCase.objects.select_related("applicant", "bundle", "hall").filter(number=number).first()
    candidates = [] if bc is None else [bc.contact_mobile[-4:], bc.applicant.display_identity[-4:].upper()]
    matched = False
    for candidate in candidates or ["\0\0\0\0", "\0\0\0\0"]:
        matched |= constant_time_compare(candidate, digits)
    if bc is None or not matched:
        raise CaseError(_("没有找到与该办件编号和号码后四位相符的办件，请核对后重试。"), code="not_found", status=404)
    return bundle_progress(bc)


def bundle_progress_by_token(token: str) -> BundleProgress | None:
    """The progress of the application whose private link (on its notices) carries ``token``."""
    if not token or len(token) > 32:
        return None
    bc = BundleCase.objects.select_related("bundle", "hall").filter(progress_token=token).first()
    return None if bc is None else bundle_progress(bc)


def bundle_progress(bc: BundleCase) -> BundleProgress:
    """The applicant's view: the stage, each sub-case's item, department and state, what is owed;
    no personal data (no name, number, mobile or case notes)."""
    subs = list(bc.sub_cases.select_related("item", "department").order_by("stage", "pk"))
    return BundleProgress(
        number=bc.number,
        bundle_name=bc.bundle.display_name,
        hall_name=bc.hall.display_name,
        status_display=str(bc.get_status_display()),
        received_on=bc.received_on,
        accepted_on=bc.accepted_on,
        due_on=bc.due_on,
        due_provisional=bc.due_provisional,
        sub_cases=[
            SubCaseProgress(
                c.stage or 1, c.item.display_name, c.department.display_name, str(c.get_status_display()), c.status
            )
            for c in subs
        ],
        status=bc.status,
        current_stage=bc.current_stage if bc.status == BundleCase.Status.ACCEPTED else None,
        stages=max((c.stage or 1 for c in subs), default=0),
        owed=[OwedProgress(o.name, o.due_on, o.supplied_at is not None) for o in owed_lines(bc)] if bc.deferred else [],
        deemed_accepted=bc.deemed_accepted,
    )


# --- Who sees what -----------------------------------------------------------------------------


def sees_whole(user: AnyUser, bc: BundleCase) -> bool:
    """Every sub-case: supervisors covering the hall, and at the hall the lead department, staff
    without a department (the comprehensive window) and the clerk who received or accepted it."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(bc.hall_id):
        return True
    if not (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(bc.hall_id)):
        return False
    return (
        scope.department_id is None
        or scope.department_id == bc.bundle.lead_department_id
        or user.pk in (bc.received_by_id, bc.accepted_by_id)
    )


def may_see_sub_case(user: AnyUser, case: Case) -> bool:
    """A sub-case: those who see the whole bundle, and its own department at the hall."""
    if case.bundle_case_id is None:
        return True
    bc = BundleCase.objects.select_related("bundle").get(pk=case.bundle_case_id)
    scope = staff_scope(user)
    own = scope.works_at(case.hall_id) and scope.department_id == case.department_id
    return own or sees_whole(user, bc)


def access_bundle_case(user: AnyUser, number: str) -> tuple[BundleCase, list[Case], bool]:
    """The application, the sub-cases the user may see, and whether they see all of them; 404
    outside the hall's staff and its supervisors."""
    bc = (
        BundleCase.objects.select_related("bundle", "bundle__lead_department", "hall", "applicant")
        .filter(number=number)
        .first()
    )
    if bc is None:
        raise Http404(_("没有找到该一件事申请。"))
    scope = staff_scope(user)
    in_hall = scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(bc.hall_id)
    supervises = scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(bc.hall_id)
    if not (in_hall or supervises):
        raise Http404(_("没有找到该一件事申请。"))
    whole = sees_whole(user, bc)
    subs = bc.sub_cases.select_related("item", "department", "guide_version").order_by("stage", "pk")
    if not whole:
        subs = subs.filter(department_id=scope.department_id or 0)
    return bc, list(subs), whole


def bundle_cases_for(user: AnyUser) -> list[BundleCase]:
    """The applications of the user's hall (or halls they supervise), newest first (50)."""
    scope = staff_scope(user)
    rows = BundleCase.objects.select_related("bundle", "hall").order_by("-received_at", "-pk")
    if scope.has_role(*roles.SUPERVISION_ROLES):
        hall_ids = scope.hall_ids()
        return list((rows if hall_ids is None else rows.filter(hall_id__in=hall_ids))[:50])
    if scope.has_role(*roles.COUNTER_ROLES) and scope.hall_id is not None:
        return list(rows.filter(hall_id=scope.hall_id)[:50])
    return []


def visible_cases(user: AnyUser, cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` less the sub-cases of other departments the user may not see (``may_see_sub_case``
    as one condition, for the case lists)."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES) or scope.department_id is None:
        return cases
    return cases.filter(
        Q(bundle_case__isnull=True)
        | Q(department_id=scope.department_id)
        | Q(bundle_case__bundle__lead_department_id=scope.department_id)
        | Q(bundle_case__received_by=user.pk)
        | Q(bundle_case__accepted_by=user.pk)
    )


def bundle_deadlines_recompute(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """The due dates of bundle applications in progress after the calendar changed between
    ``start`` and ``end`` (and every provisional one), as ``case_deadlines_recompute`` does for
    cases. Returns how many moved."""
    touched = Q(due_provisional=True)
    if start is not None and end is not None:
        touched |= Q(accepted_on__lte=end) & (Q(due_on__isnull=True) | Q(due_on__gte=start))
    moved = 0
    with transaction.atomic():
        for bc in BundleCase.objects.select_for_update().filter(
            touched, status=BundleCase.Status.ACCEPTED, accepted_on__isnull=False, limit_days__isnull=False
        ):
            assert bc.accepted_on is not None and bc.limit_days is not None
            due, provisional = services.due_from(
                accepted_on=bc.accepted_on, days=bc.limit_days, stops=merged_special_steps(bc.pk)
            )
            if (due, provisional) != (bc.due_on, bc.due_provisional):
                moved += due != bc.due_on
                bc.due_on, bc.due_provisional = due, provisional
                bc.save(update_fields=["due_on", "due_provisional"])
    return moved


def merged_special_steps(bundle_case_id: int) -> list[tuple[dt.date, dt.date | None]]:
    """The sub-cases' special steps (特殊环节) as one list of stops for the bundle's clock: the
    days on which any member is in one are not counted (overlapping steps merged, so that a day
    is taken out once; an open step stands the clock from its start)."""
    return merge_stops(
        ClockStop.objects.filter(case__bundle_case_id=bundle_case_id, kind=ClockStop.Kind.SPECIAL_STEP).values_list(
            "started_on", "ended_on"
        )
    )


def merge_stops(stops: Iterable[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """Clock stops ``(began, ended]`` (``ended`` None: still open) as disjoint ones in date order,
    overlapping or adjoining stops made one, covering the same days. Sorted with an open stop
    after a closed one that began the same day (comparing None with a date raised TypeError:
    two members' special steps begun the same day, one of them still open, broke the bundle's
    due date; issue 14, found by tests/cases/test_properties.py)."""
    merged: list[tuple[dt.date, dt.date | None]] = []
    for began, ended in sorted(stops, key=lambda stop: (stop[0], stop[1] is None, stop[1] or stop[0])):
        if merged and (merged[-1][1] is None or began <= merged[-1][1]):
            last_began, last_ended = merged[-1]
            merged[-1] = (last_began, None if ended is None or last_ended is None else max(ended, last_ended))
        else:
            merged.append((began, ended))
    return merged


def bundle_due_refresh(bundle_case_id: int) -> None:
    """Recompute the bundle's due date after a sub-case's special step started or ended: the
    stage rule's days from acceptance, its members' special steps not counted (as for a case:
    while one is open and the limit has not run out before it, the clock stands, ``due_on`` None)."""
    bc = _lock(bundle_case_id)
    if bc.accepted_on is None or bc.limit_days is None:
        return
    bc.due_on, bc.due_provisional = services.due_from(
        accepted_on=bc.accepted_on, days=bc.limit_days, stops=merged_special_steps(bc.pk)
    )
    bc.save(update_fields=["due_on", "due_provisional"])
