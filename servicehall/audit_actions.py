"""What each audit action code means, in words an administrator reads (操作日志的操作名称).

Every code a service passes to ``audit_record`` has a label here, in a group named after the
part of the portal it belongs to: the audit page shows the label (the code stays in the CSV and
the query string), and its action filter is a select of these groups. The kernel imports no app,
so the apps' codes are written out here as plain strings; ``tests/servicehall/test_audit_actions.py``
reads every ``audit_record`` call in the code base (and every kind of the case, report and
rectification histories, whose codes are ``"case." + kind`` etc.) and fails on a code with no label.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language, override
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ActionGroup:
    label: Promise
    actions: dict[str, Promise]


GROUPS: tuple[ActionGroup, ...] = (
    ActionGroup(
        _("登录与账户安全"),
        {
            "login.succeeded": _("登录成功"),
            "login.failed": _("登录失败"),
            "login.locked": _("登录被锁定"),
            "logout": _("退出登录"),
            "password.changed": _("修改密码"),
            "two_factor.enrolled": _("启用双因素认证"),
            "two_factor.verified": _("双因素验证通过"),
            "two_factor.failed": _("双因素验证码错误"),
            "two_factor.locked": _("双因素验证失败次数过多"),
            "two_factor.recovery_used": _("使用恢复码"),
            "two_factor.recovery_issued": _("生成新的恢复码"),
            "two_factor.reset": _("重置双因素认证"),
        },
    ),
    ActionGroup(
        _("系统"),
        {
            "audit.exported": _("导出操作日志"),
            # servicehall.admin_audit: what Django's admin adds, changes and deletes.
            "admin.added": _("管理后台新增"),
            "admin.changed": _("管理后台修改"),
            "admin.deleted": _("管理后台删除"),
            # AuditRequestMiddleware: a signed-in write that no service recorded.
            "request": _("其他请求（按路由记录）"),
        },
    ),
    ActionGroup(
        _("事项目录与日历"),
        {
            "guide.draft": _("保存办事指南草稿"),
            "guide.publish": _("发布办事指南"),
            "bundle.save": _("保存一件事"),
            "bundle.limit_breached": _("一件事超出承诺时限之和"),
            "calendar.correct": _("更正工作日历"),
            "search.synonyms": _("修改搜索同义词"),
        },
    ),
    ActionGroup(
        _("窗口与排队"),
        {
            "window.open": _("开启窗口"),
            "window.close": _("关闭窗口"),
            "window.sign_in": _("窗口签到"),
            "window.sign_out": _("窗口签退"),
            # "ticket." + TicketEvent.Kind (queueing/services.py _audit_ticket): the console's actions.
            "ticket.called": _("叫号"),
            "ticket.recalled": _("重新叫号"),
            "ticket.started": _("开始办理号票"),
            "ticket.finished": _("号票办结"),
            "ticket.no_show": _("过号"),
            "ticket.transferred": _("号票转办"),
            "ticket.priority_granted": _("认定绿色通道"),
            "wait_alert.acknowledge": _("确认等候预警"),
            "wait_alert.update": _("更新等候预警"),
            "board_message.post": _("发布显示屏通知"),
            "board_message.withdraw": _("撤下显示屏通知"),
            "kiosk_device.register": _("登记取号机"),
            "kiosk_device.revoke": _("停用取号机"),
            "assistance.window_request": _("窗口申请协助"),
            "ticket.item_recorded": _("记录号票办理事项"),
            "ticket.item_removed": _("删除号票办理事项"),
        },
    ),
    ActionGroup(
        _("预约"),
        {
            "slot.close": _("关闭预约时段"),
            "slot.capacity": _("调整预约时段名额"),
            "booking.suspension_lift": _("解除预约暂停"),
        },
    ),
    ActionGroup(
        _("办件"),
        {
            # "case." + CaseEvent.Kind (cases/services.py _record); the labels are the kinds'.
            "case.received": _("收件"),
            "case.accepted": _("受理"),
            "case.notice": _("一次性告知"),
            "case.notice_override": _("批准再次告知"),
            "case.corrections": _("补正材料"),
            "case.not_accepted": _("不予受理"),
            "case.review": _("开始审查"),
            "case.step_started": _("特殊环节开始"),
            "case.step_ended": _("特殊环节结束"),
            "case.extended": _("延期"),
            "case.decided": _("作出决定"),
            "case.result_ready": _("结果已生成"),
            "case.collected": _("出件"),
            "case.owed_supplied": _("容缺材料补齐"),
            "case.deadline": _("期限重算"),
            "case.deemed": _("逾期未告知视为受理"),
            "case.urgent_asked": _("申请急事急办"),
            "case.urgent_ok": _("批准急事急办"),
            "case.urgent_refused": _("不予急办"),
            "case.forwarded": _("转办"),
            "case.forward_accept": _("转办接收"),
            "case.forward_return": _("转办退回"),
        },
    ),
    ActionGroup(
        _("一件事办件"),
        {
            # "bundle_case." + the step (cases/bundles.py _event).
            "bundle_case.received": _("收件"),
            "bundle_case.notice": _("一次性告知"),
            "bundle_case.notice_override": _("批准再次告知"),
            "bundle_case.deemed": _("逾期未告知视为受理"),
            "bundle_case.accepted": _("受理"),
            "bundle_case.corrections": _("补正材料"),
            "bundle_case.owed_supplied": _("容缺材料补齐"),
            "bundle_case.result_ready": _("结果已生成"),
            "bundle_case.collected": _("出件"),
        },
    ),
    ActionGroup(
        _("急事急办"),
        {
            "urgent.requested": _("申请急事急办"),
            "urgent.approved": _("批准急事急办"),
            "urgent.refused": _("不予急办"),
            "urgent.staggered_booked": _("安排错时服务预约"),
        },
    ),
    ActionGroup(
        _("“办不成事”反映"),
        {
            # "report." + ReportEvent.Kind (feedback/reports.py _record).
            "report.registered": _("受理"),
            "report.assigned": _("转派"),
            "report.note": _("协调督办"),
            "report.answered": _("部门答复"),
            "report.resolved": _("办结"),
            "report.followed_up": _("回访"),
            "report.reopened": _("重新转派"),
        },
    ),
    ActionGroup(
        _("好差评与整改"),
        {
            "rating.submitted": _("提交评价"),
            "rating.defaults": _("记录默认好评"),
            # "rectification." + RectificationEvent.Kind (feedback/rectification.py _event).
            "rectification.opened": _("生成整改单"),
            "rectification.verified_valid": _("核实属实"),
            "rectification.verified_invalid": _("核实不属实"),
            "rectification.rectified": _("整改完成"),
            "rectification.followed_up": _("回访"),
            "rectification.appealed": _("提出申诉"),
            "rectification.appeal_upheld": _("复核维持差评"),
            "rectification.appeal_overturned": _("复核撤销差评"),
            "rectification.overdue": _("整改超期"),
        },
    ),
    ActionGroup(
        _("人员管理"),
        {
            "secondment.create": _("登记派驻"),
            "secondment.change": _("修改派驻"),
            "secondment.end": _("结束派驻"),
            "conduct_incident.record": _("记录违规行为"),
            "surge_flag.handle": _("处理客流激增提示"),
            "replacement.request": _("要求派出单位更换人员"),
            "replacement.close": _("更换人员到位"),
            "replacement.withdraw": _("撤回更换人员要求"),
            "assessment.propose": _("提出年度考核建议"),
            "assessment.revise": _("修改年度考核建议"),
            "assessment.submit": _("提交年度考核建议"),
        },
    ),
)

LABELS: dict[str, Promise] = {code: label for group in GROUPS for code, label in group.actions.items()}
GROUP_OF: dict[str, Promise] = {code: group.label for group in GROUPS for code in group.actions}


@functools.cache
def _shown_labels(language: str | None) -> dict[str, str]:
    """Each code's label as the page shows it in ``language``: a label that two codes share (收件
    of a case and of a one-thing case, 受理 of a case and of a report…) is prefixed with its
    group, so that neither the filter's select nor a row of the list leaves them ambiguous."""
    plain = {code: str(label) for code, label in LABELS.items()}
    shared = {label for label, count in Counter(plain.values()).items() if count > 1}
    return {
        code: (
            gettext_now("%(group)s：%(action)s") % {"group": GROUP_OF[code], "action": label}
            if label in shared
            else label
        )
        for code, label in plain.items()
    }


def action_label(code: str, *, qualified: bool = True, language: str | None = None) -> str:
    """The label of ``code`` (in ``language``, by default the active one); a code with none (a
    record older than its label) shows as itself. ``qualified=False``: the bare label, for a
    page that names the group beside it."""
    if not qualified:
        label = LABELS.get(code)
        return str(label) if label is not None else code
    if language is not None and language != get_language():
        with override(language):
            return _shown_labels(language).get(code, code)
    return _shown_labels(get_language()).get(code, code)


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The codes grouped for a ``<select>`` with ``<optgroup>``s."""
    shown = _shown_labels(get_language())
    return [(str(group.label), [(code, shown[code]) for code in group.actions]) for group in GROUPS]
