"""Forwarding (转办): citywide, cross-region and cross-border handling (全市通办、跨域通办、跨境通办,
Art. 12 ¶2 "接件后转至业务属地窗口办理"). Issue 11; docs/cases.md "Forwarding".

收件 → 转办 → 受理 → 办结 → 出件: a hall receives an application (``case_receive``) for an item whose
case's guide version is on one of the lists, and forwards it (``case_forward``) to the hall of
jurisdiction. The case is then *forwarding* (转办中): nobody accepts it while in transit. The
receiving side takes it over (``forwarding_accept``: the case's ``hall`` becomes that hall, the
original one is kept as ``received_at_hall``, and it is accepted, reviewed and decided there, its
deadlines running from that acceptance as usual) or sends it back with a reason
(``forwarding_return``: the case is *received* again at the sending hall). The applicant's choice
of where to collect the result is recorded with the forwarding; "at the receiving hall" makes that
hall the case's ``collect_hall``, where ``case_collect`` hands it out and which ``case_result_ready``
notifies.

**Which hall may receive a forwarding** (the honest rule with the data the project has): a hall
other than the case's that lists the item among the items it handles (``Hall.items``) *and* has the
item's department stationed there — a counter staff member (窗口人员 or 首席事务代表) whose staff
profile names that hall and that department. Without the latter nobody there could review and
decide the case (``services._require_department``).

**Who acts**: forwarding, counter staff of the case's hall (any department: the comprehensive
window receives every item); taking over or returning, counter staff of the receiving hall.
Supervisors covering either hall see both sides. Every write is one transaction, audited, with a
``CaseEvent``; refusals are ``CaseError`` with the field and a message in Chinese.

The transfer time is ``handled_at − sent_at``; ``forwarding_figures`` aggregates it (and the
forwardings in transit) in one query for the dashboards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, Forwarding
from cases.services import CaseError, _deem_if_late, _lock_case, _record, _require_counter_at, _stale, case_receive
from catalog.models import GuideVersion, Hall
from queueing import dashboard_poll
from queueing.models import Window
from servicehall import outbox, roles
from servicehall.access import AnyUser, signed_in, staff_scope
from servicehall.clock import local_date
from servicehall.models import StaffProfile

NOTIFY_TASK = "cases.tasks.forwarding_notify"


def forwarding_scope(version: GuideVersion) -> str:
    """The list the version's item is on (全市通办 first), or "" when it is on none."""
    if version.citywide:
        return Forwarding.Scope.CITYWIDE
    if version.cross_region:
        return Forwarding.Scope.CROSS_REGION
    if version.cross_border:
        return Forwarding.Scope.CROSS_BORDER
    return ""


def _stationed(department_id: int) -> Q:
    """Halls where a counter staff member of the department works."""
    return Q(
        staff_profiles__department_id=department_id,
        staff_profiles__user__is_active=True,
        staff_profiles__user__groups__name__in=roles.COUNTER_ROLES,
    )


def jurisdiction_halls(case: Case) -> QuerySet[Hall]:
    """The halls ``case`` may be forwarded to: another hall that handles the item and has its
    department stationed (module docstring)."""
    return _halls_of_jurisdiction(item_id=case.item_id, department_id=case.department_id, besides=case.hall_id)


def _halls_of_jurisdiction(*, item_id: int, department_id: int, besides: int) -> QuerySet[Hall]:
    return (
        Hall.objects.filter(items=item_id)
        .filter(_stationed(department_id))
        .exclude(pk=besides)
        .distinct()
        .order_by("code")
    )


def forward_intake_refusal(*, hall: Hall, item: Any, version: GuideVersion | None) -> CaseError | None:
    """Why an application for ``item`` received at ``hall`` to be forwarded (收件并转办) could not
    be forwarded afterwards, or None: checked *before* the case is created, so that a refusal
    leaves no case received only to be stuck at this hall (issue 11)."""
    if version is None or not forwarding_scope(version):
        return CaseError(
            _(
                "“%(item)s”不在全市通办、跨域通办或跨境通办事项清单上，不能收件转办：请在本大厅受理，或告知申请人向有权办理的大厅申请。"
            )
            % {"item": item.name},
            field="item",
            code="not_on_list",
        )
    if not _halls_of_jurisdiction(item_id=item.pk, department_id=item.department_id, besides=hall.pk).exists():
        return CaseError(
            _("没有其他办理“%(item)s”并有%(department)s派驻工作人员的大厅，不能收件转办：请在本大厅受理。")
            % {"item": item.name, "department": item.department.name},
            field="item",
            code="no_jurisdiction",
        )
    return None


def case_receive_to_forward(*, hall: Hall, item: Any, now: dt.datetime | None = None, **receive: Any) -> Case:
    """Receive an application only (收件) to forward it to the hall of jurisdiction next (the
    console's "收件并转办"): refused, with nothing saved, when it could not be forwarded."""
    now = now or timezone.now()
    _require_counter_at(receive["actor"], hall.pk)
    version = GuideVersion.objects.current(local_date(now)).filter(item=item).first()
    refused = forward_intake_refusal(hall=hall, item=item, version=version)
    if refused is not None:
        raise refused
    return case_receive(hall=hall, item=item, now=now, outcome="", **receive)


def _forward_refusal(case: Case) -> CaseError | None:
    """Why ``case`` cannot be forwarded whatever the hall chosen, or None: the item is on no list,
    the case is not simply received, or it was taken over from another hall already."""
    if not forwarding_scope(case.guide_version):
        return CaseError(
            _(
                "“%(item)s”不在全市通办、跨域通办或跨境通办事项清单上，不能转办：请在本大厅受理，或告知申请人向有权办理的大厅申请。"
            )
            % {"item": case.item.name},
            field="item",
            code="not_on_list",
        )
    if case.deemed_accepted:
        return CaseError(
            _("本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起在本大厅视为受理，不能再转办。")
            % {"date": case.received_on.isoformat()},
            code="deemed_accepted",
            status=409,
        )
    if case.status != Case.Status.RECEIVED:
        return _stale(case, _("只有已收件、尚未受理的申请可以转办。"))
    if case.received_at_hall_id is not None:
        # Taken over already: the hall of jurisdiction accepts it, or does not accept it with the
        # reason and where to apply; it is not passed on again.
        return CaseError(
            _("本件已由%(hall)s转来，不能再次转办；如不属本大厅管辖，请作不予受理并告知申请人向何处申请。")
            % {"hall": case.received_at_hall.name if case.received_at_hall else ""},
            code="already_forwarded",
            status=409,
        )
    return None


def forward_refusal(case: Case) -> str:
    """What the "转办" page says instead of its form (the service's own reason), or "" while the
    case may be forwarded; a case no other hall may receive is told so too."""
    if case.bundle_case is not None:
        # A bundle's sub-cases are handled together (cases/bundles.py), never forwarded one by one.
        return _("本件是一件事申请 %(number)s 的子件，不能单独转办。") % {"number": case.bundle_case.number}
    cannot = _forward_refusal(case)
    if cannot is not None:
        return str(cannot.message)
    if not jurisdiction_halls(case).exists():
        return _("没有其他办理“%(item)s”并有%(department)s派驻工作人员的大厅，不能转办：请在本大厅受理。") % {
            "item": case.item.name,
            "department": case.department.name,
        }
    return ""


def _notify_later(forwarding: Forwarding, kind: str) -> None:
    """Tell the other side once the transaction commits (through the outbox), and both halls'
    live dashboards, which show the forwardings in transit and handled (queueing.dashboard_poll)."""
    outbox.enqueue(NOTIFY_TASK, forwarding.pk, kind)
    dashboard_poll.dashboard_changed_on_commit(forwarding.from_hall_id, forwarding.to_hall_id)


def case_forward(
    *,
    case: Case,
    actor: AnyUser,
    to_hall: Hall | None,
    collect_at: str,
    post_address: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Forwarding:
    """Forward a received case to the hall of jurisdiction (转办). Refused for an item not on the
    citywide, cross-region or cross-border list, for a hall that does not handle the item or has
    no one of its department, and for a case not simply *received* (accepted, in correction,
    already forwarding). A case past its notice period was accepted by law here (Art. 32): that is
    recorded, and the forwarding refused."""
    now = now or timezone.now()
    note = " ".join(note.split())
    post_address = " ".join(post_address.split()) if collect_at == Forwarding.CollectAt.POST else ""
    _require_counter_at(actor, case.hall_id)
    errors: dict[str, list[str]] = {}
    if collect_at not in Forwarding.CollectAt.values:
        errors["collect_at"] = [_("请选择结果领取方式：收件大厅、办理大厅、邮寄或电子送达。")]
    elif collect_at == Forwarding.CollectAt.POST and not post_address:
        errors["post_address"] = [_("申请人选择邮寄送达，请填写邮寄地址。")]
    elif len(post_address) > 200:
        errors["post_address"] = [_("邮寄地址最多200个字。")]
    if len(note) > 300:
        errors["note"] = [_("转办说明最多300个字。")]
    if to_hall is None:
        errors["to_hall"] = [_("请选择办理大厅。")]
    if errors:
        field = next(iter(errors))
        raise CaseError(errors[field][0], field=field, status=400, errors=errors)
    assert to_hall is not None
    refused: CaseError | None = None
    with transaction.atomic():
        case = _lock_case(case.pk)
        _deem_if_late(case, now=now)
        if case.deemed_accepted:
            refused = CaseError(
                _("本件逾期未出具一次性告知书，已自收到材料之日（%(date)s）起在本大厅视为受理，不能再转办。")
                % {"date": case.received_on.isoformat()},
                code="deemed_accepted",
                status=409,
            )
        else:
            scope = forwarding_scope(case.guide_version)
            cannot = _forward_refusal(case)
            if cannot is not None:
                raise cannot
            if to_hall.pk == case.hall_id:
                raise CaseError(_("不能转办给本大厅。"), field="to_hall", code="same_hall")
            if not jurisdiction_halls(case).filter(pk=to_hall.pk).exists():
                raise CaseError(
                    _("%(hall)s不办理“%(item)s”，或没有%(department)s派驻的工作人员，不能接收转办。")
                    % {"hall": to_hall.name, "item": case.item.name, "department": case.department.name},
                    field="to_hall",
                    code="no_jurisdiction",
                )
            forwarding = Forwarding.objects.create(
                case=case,
                from_hall_id=case.hall_id,
                to_hall=to_hall,
                department_id=case.department_id,
                scope=scope,
                collect_at=collect_at,
                post_address=post_address,
                note=note,
                sent_by=signed_in(actor),
                sent_at=now,
            )
            case.status = Case.Status.FORWARDING
            case.save(update_fields=["status", "updated_at"])
            _record(
                case,
                CaseEvent.Kind.FORWARDED,
                actor=actor,
                at=now,
                note=note,
                summary=_("%(number)s转办至%(hall)s（%(scope)s）")
                % {"number": case.number, "hall": to_hall.name, "scope": forwarding.get_scope_display()},
                data={
                    "forwarding": forwarding.pk,
                    "from_hall": case.hall.code,
                    "to_hall": to_hall.code,
                    "scope": scope,
                    "collect_at": collect_at,
                },
            )
            _notify_later(forwarding, "sent")
    if refused is not None:
        raise refused
    return forwarding


def _lock_forwarding(forwarding: Forwarding) -> tuple[Forwarding, Case]:
    case = _lock_case(forwarding.case_id)
    locked = Forwarding.objects.select_related("from_hall", "to_hall").get(pk=forwarding.pk)
    return locked, case


def forwarding_accept(*, forwarding: Forwarding, actor: AnyUser, now: dt.datetime | None = None) -> Forwarding:
    """The hall of jurisdiction takes the case over (接收): it becomes the case's hall, where it is
    accepted (受理), noticed, reviewed and decided as any other case; the sending hall keeps a
    read-only view (``received_at_hall``)."""
    now = now or timezone.now()
    _require_counter_at(actor, forwarding.to_hall_id)
    with transaction.atomic():
        forwarding, case = _lock_forwarding(forwarding)
        if forwarding.status != Forwarding.Status.SENT or case.status != Case.Status.FORWARDING:
            raise CaseError(
                _("该转办已%(status)s，不能再接收。") % {"status": forwarding.get_status_display()},
                code="stale",
                status=409,
            )
        forwarding.status = Forwarding.Status.ACCEPTED
        forwarding.handled_by = signed_in(actor)
        forwarding.handled_at = now
        forwarding.save(update_fields=["status", "handled_by", "handled_at"])
        if case.received_at_hall_id is None:
            case.received_at_hall_id = forwarding.from_hall_id
        case.collect_hall_id = (
            forwarding.from_hall_id if forwarding.collect_at == Forwarding.CollectAt.RECEIVED_HALL else None
        )
        case.hall_id = forwarding.to_hall_id
        case.status = Case.Status.RECEIVED
        case.save(update_fields=["received_at_hall", "collect_hall", "hall", "status", "updated_at"])
        _record(
            case,
            CaseEvent.Kind.FORWARD_ACCEPTED,
            actor=actor,
            at=now,
            summary=_("%(hall)s接收转办 %(number)s") % {"hall": forwarding.to_hall.name, "number": case.number},
            data={"forwarding": forwarding.pk, "seconds": int((now - forwarding.sent_at).total_seconds())},
        )
        _notify_later(forwarding, "accepted")
    return forwarding


def forwarding_return(
    *, forwarding: Forwarding, actor: AnyUser, reason: str, now: dt.datetime | None = None
) -> Forwarding:
    """The hall of jurisdiction sends the case back (退回) with the reason: it is *received* again
    at the sending hall, which sees the reason on the case and in its forwarding inbox."""
    now = now or timezone.now()
    reason = " ".join(reason.split())
    _require_counter_at(actor, forwarding.to_hall_id)
    if not reason:
        raise CaseError(_("退回转办须写明理由。"), field="reason", code="required", status=400)
    if len(reason) > 300:
        raise CaseError(_("退回理由最多300个字。"), field="reason", status=400)
    with transaction.atomic():
        forwarding, case = _lock_forwarding(forwarding)
        if forwarding.status != Forwarding.Status.SENT or case.status != Case.Status.FORWARDING:
            raise CaseError(
                _("该转办已%(status)s，不能再退回。") % {"status": forwarding.get_status_display()},
                code="stale",
                status=409,
            )
        forwarding.status = Forwarding.Status.RETURNED
        forwarding.handled_by = signed_in(actor)
        forwarding.handled_at = now
        forwarding.return_reason = reason
        forwarding.save(update_fields=["status", "handled_by", "handled_at", "return_reason"])
        case.status = Case.Status.RECEIVED
        case.save(update_fields=["status", "updated_at"])
        _record(
            case,
            CaseEvent.Kind.FORWARD_RETURNED,
            actor=actor,
            at=now,
            note=reason,
            summary=_("%(hall)s退回转办 %(number)s：%(reason)s")
            % {"hall": forwarding.to_hall.name, "number": case.number, "reason": reason},
            data={"forwarding": forwarding.pk},
        )
        _notify_later(forwarding, "returned")
    return forwarding


# --- Notifications ---------------------------------------------------------------------------


def _hall_staff(hall_id: int) -> list[str]:
    """Usernames of the hall's active counter staff."""
    users = get_user_model().objects.filter(
        is_active=True,
        staff_profile__hall_id=hall_id,
        groups__name__in=roles.COUNTER_ROLES,
    )
    return sorted(set(users.values_list("username", flat=True)))


def _result_desk_staff(forwarding: Forwarding, hall_id: int) -> list[str]:
    """Who hands out a forwarded case's result at the collecting hall (Art. 11 ¶2 一窗出证; results
    are returned through the comprehensive window, 统一反馈): the staff signed in at the hall's
    comprehensive windows, and the clerk who received the application and forwarded it (they
    told the applicant where to collect). Not every counter account of the hall: chief
    representatives decide, they do not hand out results. With nobody of these (the hall closed
    and the sender gone), the hall's window staff, so the message still reaches the counter."""
    users = get_user_model().objects.filter(is_active=True, staff_profile__hall_id=hall_id)
    at_desk = users.filter(
        Q(windows__hall_id=hall_id, windows__kind=Window.Kind.COMPREHENSIVE, windows__is_open=True)
        | Q(pk=forwarding.sent_by_id, groups__name__in=roles.COUNTER_ROLES)
    )
    names = sorted(set(at_desk.values_list("username", flat=True)))
    if names:
        return names
    return sorted(set(users.filter(groups__name=roles.WINDOW_STAFF).values_list("username", flat=True)))


def forwarding_notify(forwarding_id: int, kind: str) -> int:
    """Tell the other side of a forwarding what happened (the receiving hall of a new one, the
    sending hall of its acceptance or return); "result" tells the collecting hall the result is
    there to hand out. Outside any transaction (``notifications.notify``). Returns recipients."""
    from servicehall import notifications

    forwarding = Forwarding.objects.select_related("case", "from_hall", "to_hall").filter(pk=forwarding_id).first()
    if forwarding is None:
        return 0
    number = forwarding.case.number
    with translation.override(settings.LANGUAGE_CODE):
        if kind == "sent":
            hall_id = forwarding.to_hall_id
            subject = _("转办待接收：%(number)s") % {"number": number}
            body = _("%(hall)s转来办件 %(number)s，请在转办收件箱接收或退回。") % {
                "hall": forwarding.from_hall.name,
                "number": number,
            }
        elif kind == "accepted":
            hall_id = forwarding.from_hall_id
            subject = _("转办已接收：%(number)s") % {"number": number}
            body = _("%(hall)s已接收办件 %(number)s。") % {"hall": forwarding.to_hall.name, "number": number}
        elif kind == "returned":
            hall_id = forwarding.from_hall_id
            subject = _("转办被退回：%(number)s") % {"number": number}
            body = _("%(hall)s退回办件 %(number)s：%(reason)s") % {
                "hall": forwarding.to_hall.name,
                "number": number,
                "reason": forwarding.return_reason,
            }
        elif kind == "result":
            hall_id = forwarding.from_hall_id
            subject = _("转办结果待出件：%(number)s") % {"number": number}
            body = _("%(hall)s办理的办件 %(number)s结果已生成，申请人选择在本大厅领取。") % {
                "hall": forwarding.to_hall.name,
                "number": number,
            }
        else:
            raise ValueError(kind)
        recipients = _result_desk_staff(forwarding, hall_id) if kind == "result" else _hall_staff(hall_id)
        if recipients:
            notifications.notify(
                recipients=recipients,
                subject=subject,
                body=body,
                data={
                    "kind": f"forwarding_{kind}",
                    "case": number,
                    "idempotency_key": f"forwarding-{forwarding.pk}-{kind}",
                },
            )
    return len(recipients)


def result_ready_notify(case: Case) -> None:
    """Called by ``services.case_result_ready`` (in its transaction): a forwarded case whose
    result the applicant collects at the receiving hall tells that hall."""
    if case.collect_hall_id is None:
        return
    forwarding = (
        Forwarding.objects.filter(case=case, status=Forwarding.Status.ACCEPTED).only("pk").order_by("-sent_at").first()
    )
    if forwarding is not None:
        _notify_later(forwarding, "result")


# --- Where the result is collected (the applicant's choice, enforced) ------------------------


def chosen_collection(case: Case) -> Forwarding | None:
    """The forwarding taken over whose ``collect_at`` the applicant chose, for a forwarded case
    (the prefetched ``forwardings`` when there), else None."""
    if case.received_at_hall_id is None:
        return None
    live = [f for f in case_forwardings(case) if f.status == Forwarding.Status.ACCEPTED]
    return live[-1] if live else None


def collect_place(forwarding: Forwarding) -> Hall | None:
    """The hall where the applicant collects the result at a window, or None (post, electronic)."""
    if forwarding.collect_at == Forwarding.CollectAt.RECEIVED_HALL:
        return forwarding.from_hall
    if forwarding.collect_at == Forwarding.CollectAt.JURISDICTION:
        return forwarding.to_hall
    return None


_METHOD_CHOSEN = {
    Forwarding.CollectAt.RECEIVED_HALL: Case.Collection.WINDOW,
    Forwarding.CollectAt.JURISDICTION: Case.Collection.WINDOW,
    Forwarding.CollectAt.POST: Case.Collection.POST,
    Forwarding.CollectAt.ELECTRONIC: Case.Collection.ELECTRONIC,
}


def chosen_method(case: Case) -> str:
    """The ``Case.Collection`` method the applicant chose for a forwarded case, or ""."""
    chosen = chosen_collection(case)
    return _METHOD_CHOSEN[Forwarding.CollectAt(chosen.collect_at)] if chosen is not None else ""


def collection_refusal(case: Case, actor: AnyUser, method: str) -> CaseError | None:
    """Why ``actor`` may not hand out ``case``'s result by ``method`` where the applicant chose
    otherwise (转办: called by ``services.case_collect``), or None. A hall chosen: only its counter
    staff, at the window; post (to the recorded address) or electronic delivery: the hall that
    handled it, by that method."""
    chosen = chosen_collection(case)
    if chosen is None:
        return None
    scope = staff_scope(actor)
    place = collect_place(chosen)
    hall_id = place.pk if place is not None else case.hall_id
    if not (scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(hall_id)):
        if place is not None:
            text = _("申请人选择在%(hall)s领取结果，只能由%(hall)s的窗口出件；请告知申请人到%(hall)s领取。")
            return CaseError(text % {"hall": place.name}, code="collect_elsewhere", status=403)
        return CaseError(
            _("申请人选择%(how)s，由办理大厅%(hall)s出件。")
            % {"how": chosen.get_collect_at_display(), "hall": case.hall.name},
            code="collect_elsewhere",
            status=403,
        )
    wanted = _METHOD_CHOSEN[Forwarding.CollectAt(chosen.collect_at)]
    if method in Case.Collection.values and method != wanted:
        return CaseError(
            _("申请人转办时选择“%(how)s”，出件方式须为“%(method)s”。")
            % {"how": chosen.get_collect_at_display(), "method": Case.Collection(wanted).label},
            field="method",
            code="collect_method",
        )
    return None


def mask_address(address: str) -> str:
    """A postal address for public pages: the first six characters (city and district), the rest
    hidden."""
    return f"{address[:6]}****" if address else ""


def collect_text(forwarding: Forwarding, *, public: bool = True) -> str:
    """Where the applicant collects the result of a forwarded case, in words."""
    place = collect_place(forwarding)
    if place is not None:
        return _("在%(hall)s窗口领取") % {"hall": place.display_name}
    if forwarding.collect_at == Forwarding.CollectAt.POST:
        address = mask_address(forwarding.post_address) if public else forwarding.post_address
        return _("邮寄送达（%(address)s）") % {"address": address}
    return str(_("电子送达"))


# --- Reads -----------------------------------------------------------------------------------


def forwarding_queryset() -> QuerySet[Forwarding]:
    return Forwarding.objects.select_related(
        "case__item", "case__applicant", "from_hall", "to_hall", "department", "sent_by__staff_profile"
    )


def incoming(*, hall_id: int, status: str = Forwarding.Status.SENT) -> QuerySet[Forwarding]:
    """Forwardings to ``hall_id`` (in transit by default), oldest first: one query."""
    rows = forwarding_queryset().filter(to_hall_id=hall_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("sent_at", "pk")


def handled_in(*, hall_id: int) -> QuerySet[Forwarding]:
    """Forwardings to ``hall_id`` taken over or returned, the latest handled first (a partial
    index: the same work with ten or a hundred thousand in the hall's history)."""
    rows = forwarding_queryset().filter(to_hall_id=hall_id).exclude(status=Forwarding.Status.SENT)
    return rows.order_by("-handled_at", "-pk")


def to_hand_out(*, hall_id: int) -> QuerySet[Case]:
    """Cases received here, forwarded and handled elsewhere, whose results wait here for the
    applicant (统一出件), the oldest result first (a partial index: one short scan)."""
    return (
        Case.objects.filter(collect_hall_id=hall_id, status=Case.Status.RESULT_READY)
        .select_related("item", "hall")
        .order_by("result_ready_at", "pk")
    )


def outgoing(*, hall_id: int) -> QuerySet[Forwarding]:
    """Forwardings sent by ``hall_id``, newest first."""
    return forwarding_queryset().filter(from_hall_id=hall_id).order_by("-sent_at", "-pk")


def case_forwardings(case: Case) -> list[Forwarding]:
    """A case's forwardings, oldest first (the prefetched ``forwardings`` when there)."""
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "forwardings" in cache:
        return sorted(cache["forwardings"], key=lambda f: (f.sent_at, f.pk))
    return list(Forwarding.objects.filter(case=case).select_related("from_hall", "to_hall").order_by("sent_at", "pk"))


@dataclass(frozen=True)
class ForwardingFigures:
    in_transit: int
    accepted: int
    returned: int
    average_transfer_seconds: float | None
    # By direction (sent since ``since``): sent by the halls and taken over or returned by the
    # other side, and sent to the halls and taken over or returned by them.
    out_accepted: int = 0
    out_returned: int = 0
    in_accepted: int = 0
    in_returned: int = 0

    @property
    def average_transfer_hours(self) -> float | None:
        s = self.average_transfer_seconds
        return None if s is None else s / 3600


def forwarding_figures(*, hall_ids: list[int] | None, since: dt.datetime | None = None) -> ForwardingFigures:
    """Forwardings to or from the halls (every hall for None): in transit now, taken over and
    returned (sent since ``since``), and the average transfer time of those handled — one
    aggregate query."""
    rows = Forwarding.objects.all()
    if hall_ids is not None:
        rows = rows.filter(Q(to_hall_id__in=hall_ids) | Q(from_hall_id__in=hall_ids))
    recent = Q(sent_at__gte=since) if since is not None else Q()
    sent_out = Q(from_hall_id__in=hall_ids) if hall_ids is not None else Q()
    sent_in = Q(to_hall_id__in=hall_ids) if hall_ids is not None else Q()
    accepted = Q(status=Forwarding.Status.ACCEPTED) & recent
    returned = Q(status=Forwarding.Status.RETURNED) & recent
    figures = rows.aggregate(
        in_transit=Count("pk", filter=Q(status=Forwarding.Status.SENT)),
        accepted=Count("pk", filter=accepted),
        returned=Count("pk", filter=returned),
        out_accepted=Count("pk", filter=accepted & sent_out),
        out_returned=Count("pk", filter=returned & sent_out),
        in_accepted=Count("pk", filter=accepted & sent_in),
        in_returned=Count("pk", filter=returned & sent_in),
        average=Avg(F("handled_at") - F("sent_at"), filter=Q(handled_at__isnull=False) & recent),
    )
    average = figures["average"]
    return ForwardingFigures(
        in_transit=figures["in_transit"],
        accepted=figures["accepted"],
        returned=figures["returned"],
        average_transfer_seconds=None if average is None else average.total_seconds(),
        out_accepted=figures["out_accepted"],
        out_returned=figures["out_returned"],
        in_accepted=figures["in_accepted"],
        in_returned=figures["in_returned"],
    )


# --- Who sees what (for the pages) -----------------------------------------------------------


def may_forward(user: AnyUser, case: Case) -> bool:
    scope = staff_scope(user)
    return (
        case.status == Case.Status.RECEIVED
        and case.received_at_hall_id is None
        and scope.has_role(*roles.COUNTER_ROLES)
        and scope.works_at(case.hall_id)
        and bool(forwarding_scope(case.guide_version))
    )


def may_handle(user: AnyUser, forwarding: Forwarding) -> bool:
    scope = staff_scope(user)
    return (
        forwarding.status == Forwarding.Status.SENT
        and scope.has_role(*roles.COUNTER_ROLES)
        and scope.works_at(forwarding.to_hall_id)
    )


def sees_post_address(user: AnyUser, forwarding: Forwarding) -> bool:
    """Whether ``user`` sees the applicant's full postal address (personal data): the counter
    staff of the hall that handles the case and posts the result (the hall it is forwarded to),
    while the forwarding is live. Everyone else who may see the case sees it masked."""
    if forwarding.collect_at != Forwarding.CollectAt.POST or forwarding.status not in Forwarding.LIVE:
        return False
    scope = staff_scope(user)
    return scope.has_role(*roles.COUNTER_ROLES) and scope.works_at(forwarding.to_hall_id)


def counter_hall_id(user: AnyUser) -> int:
    """The hall of a counter staff member (their forwarding inbox); 403 otherwise."""
    scope = staff_scope(user)
    if not (scope.has_role(*roles.COUNTER_ROLES) and scope.hall_id is not None):
        raise CaseError(_("转办收件箱仅向大厅窗口工作人员和首席事务代表开放。"), code="permission_denied", status=403)
    return scope.hall_id


def staff_name(user: Any) -> str:
    profile: StaffProfile | None = getattr(user, "staff_profile", None) if user is not None else None
    if profile is None:
        return user.get_username() if user is not None else ""
    return f"{profile.display_name}（{profile.staff_number}）" if profile.staff_number else profile.display_name


@dataclass(frozen=True)
class TransferLine:
    """A forwarding as the applicant sees it on the progress page."""

    from_hall: str
    to_hall: str
    sent_at: dt.datetime
    status: str
    status_display: str
    handled_at: dt.datetime | None
    return_reason: str

    @property
    def text(self) -> str:
        """ "已转至××中心办理" (with the dates), or where it is on its way / came back from."""
        values = {"from": self.from_hall, "to": self.to_hall, "sent": f"{self.sent_at:%Y-%m-%d}"}
        if self.status == Forwarding.Status.ACCEPTED and self.handled_at is not None:
            return _("%(sent)s 由%(from)s收件，已转至%(to)s办理（%(handled)s 接收）") % {
                **values,
                "handled": f"{self.handled_at:%Y-%m-%d}",
            }
        if self.status == Forwarding.Status.RETURNED and self.handled_at is not None:
            return _("%(sent)s 转至%(to)s，%(handled)s 退回%(from)s：%(reason)s") % {
                **values,
                "handled": f"{self.handled_at:%Y-%m-%d}",
                "reason": self.return_reason,
            }
        return _("%(sent)s 由%(from)s收件，正在转至%(to)s办理") % values


def progress_transfers(case: Case) -> list[TransferLine]:
    """The case's forwardings for the progress page (local times, hall names only)."""
    return [
        TransferLine(
            from_hall=f.from_hall.display_name,
            to_hall=f.to_hall.display_name,
            sent_at=timezone.localtime(f.sent_at),
            status=f.status,
            status_display=str(f.get_status_display()),
            handled_at=timezone.localtime(f.handled_at) if f.handled_at else None,
            return_reason=f.return_reason,
        )
        for f in case_forwardings(case)
    ]


@dataclass(frozen=True)
class ProgressStep:
    """One step of 收件 → 转办 → 受理 → 办结 → 出件 on the progress page of a forwarded case."""

    key: str  # received, forwarded, accepted, decided, collected
    label: str
    state: str  # done, current, todo, stopped (不予受理: the steps after it will not come)
    detail: str = ""


def _live_forwarding(case: Case) -> Forwarding | None:
    """The forwarding in transit or taken over (a returned one is history), or None."""
    live = [f for f in case_forwardings(case) if f.status in Forwarding.LIVE]
    return live[-1] if live else None


def progress_collect(case: Case) -> str:
    """Where the applicant collects the result of a forwarded case (their choice), or ""."""
    live = _live_forwarding(case)
    return collect_text(live) if live is not None else ""


def progress_steps(case: Case) -> list[ProgressStep]:
    """收件 → 转办 → 受理 → 办结 → 出件 for a case forwarded (in transit or taken over), each done,
    current or to come, with its hall and date; [] for a case not forwarded."""
    live = _live_forwarding(case)
    if live is None:
        return []
    status = case.status
    if status == Case.Status.FORWARDING:
        current = 1
    elif status in Case.BEFORE_ACCEPTANCE and case.accepted_on is None:
        current = 2
    elif status in (Case.Status.DECIDED, Case.Status.RESULT_READY):
        current = 4
    elif status == Case.Status.COLLECTED:
        current = 5
    elif status == Case.Status.NOT_ACCEPTED:
        current = -1
    else:
        current = 3  # accepted, in review, special step, correction after acceptance
    day = "%Y-%m-%d"
    to_hall = live.to_hall.display_name
    received = _("%(date)s %(hall)s") % {
        "date": timezone.localtime(case.received_at).strftime(day),
        "hall": live.from_hall.display_name,
    }
    if live.status == Forwarding.Status.ACCEPTED and live.handled_at is not None:
        forwarded = _("%(hall)s已接收（%(date)s）") % {
            "hall": to_hall,
            "date": timezone.localtime(live.handled_at).strftime(day),
        }
    else:
        forwarded = _("正在转至%(hall)s") % {"hall": to_hall}
    accepted = (
        _("%(date)s %(hall)s") % {"date": case.accepted_on.isoformat(), "hall": to_hall} if case.accepted_on else ""
    )
    decided = case.decided_on.isoformat() if case.decided_on else ""
    if status == Case.Status.COLLECTED and case.collected_at is not None:
        collected = _("%(date)s %(how)s") % {
            "date": timezone.localtime(case.collected_at).strftime(day),
            "how": case.get_collection_display(),
        }
    elif status == Case.Status.RESULT_READY:
        collected = _("结果已生成，%(where)s") % {"where": collect_text(live)}
    else:
        collected = collect_text(live)
    rows = [
        ("received", _("收件"), received),
        ("forwarded", _("转办"), forwarded),
        ("accepted", _("受理"), accepted),
        ("decided", _("办结"), decided),
        ("collected", _("出件"), collected),
    ]
    steps = []
    for index, (key, label, detail) in enumerate(rows):
        if current == -1:  # 不予受理 by the hall of jurisdiction
            state = "done" if index < 2 else "stopped" if index == 2 else "todo"
            if index == 2:
                detail = _("%(hall)s不予受理") % {"hall": to_hall}
        else:
            state = "done" if index < current else "current" if index == current else "todo"
        steps.append(ProgressStep(key=key, label=str(label), state=state, detail=detail))
    return steps


def forward_only_items(hall: Hall, today: dt.date) -> list[Any]:
    """Items on a list (通办) that ``hall`` does not handle itself, with a guide in force: any hall
    receives them (收件) to forward them to a hall of jurisdiction (Art. 12); one query."""
    from catalog.models import ServiceItem

    listed = (
        GuideVersion.objects.current(today)
        .filter(Q(citywide=True) | Q(cross_region=True) | Q(cross_border=True))
        .values("item_id")
    )
    return list(
        ServiceItem.objects.filter(pk__in=listed).exclude(halls=hall).select_related("department").order_by("code")
    )
