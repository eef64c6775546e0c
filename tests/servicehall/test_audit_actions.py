"""Every audit action code the code base records has a label (servicehall/audit_actions.py), the
audit page shows it and filters by it, and the CSV keeps the code beside it."""

from __future__ import annotations

import ast
import csv
import importlib
import io
from pathlib import Path

import pytest

from servicehall import audit_actions, roles
from servicehall.audit import audit_record
from tests.servicehall.factories import staff_user

ROOT = Path(__file__).resolve().parents[2]
APPS = ("servicehall", "catalog", "queueing", "appointments", "cases", "feedback", "staffing")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _resolve(node: ast.expr, module: str) -> list[str]:
    """The code(s) an ``action=`` expression stands for: a literal, either branch of ``a if c else
    b``, or a module constant (``FAILED``, ``passwords.CHANGED``) read from the imported module."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _resolve(node.body, module) + _resolve(node.orelse, module)
    if isinstance(node, ast.Name | ast.Attribute):
        value = eval(ast.unparse(node), vars(importlib.import_module(module)))  # noqa: S307 - our own source
        return [str(value)]
    raise AssertionError(f"{module}: cannot read the audit action {ast.unparse(node)}")


def _family_calls(tree: ast.Module, function: str, parameter: str) -> list[ast.expr]:
    """The arguments given for ``parameter`` in the module's own calls of ``function``."""
    definition = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function
    )
    names = [a.arg for a in definition.args.posonlyargs + definition.args.args]
    index = names.index(parameter) if parameter in names else None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
            for kw in node.keywords:
                if kw.arg == parameter:
                    found.append(kw.value)
            if index is not None and len(node.args) > index:
                found.append(node.args[index])
    return found


def recorded_action_codes() -> set[str]:
    """Every code passed to ``audit_record`` (or written as an ``AuditEvent``) in the apps. An
    f-string code ``"bundle_case.{action}"`` made inside a helper is followed to the helper's
    calls in its module; the histories whose kinds are passed from other modules (case, report,
    rectification) are checked against their ``Kind`` choices below."""
    codes: set[str] = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in {"audit_record", "AuditEvent"}:
                    continue
                for kw in node.keywords:
                    if kw.arg != "action":
                        continue
                    if not isinstance(kw.value, ast.JoinedStr):
                        codes.update(_resolve(kw.value, module))
                        continue
                    prefix = kw.value.values[0]
                    assert isinstance(prefix, ast.Constant), ast.unparse(kw.value)
                    hole = kw.value.values[1]
                    assert isinstance(hole, ast.FormattedValue)
                    if not isinstance(hole.value, ast.Name):  # f"case.{CaseEvent.Kind.DEEMED_ACCEPTED}"
                        codes.update(prefix.value + code for code in _resolve(hole.value, module))
                        continue
                    function = node
                    while not isinstance(function, ast.FunctionDef):
                        function = parents[function]
                    for argument in _family_calls(tree, function.name, hole.value.id):
                        if isinstance(argument, ast.Constant | ast.Attribute | ast.IfExp):
                            codes.update(prefix.value + code for code in _resolve(argument, module))
    return codes


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = recorded_action_codes()
    # literals, constants, both branches of a conditional, and a helper's literal arguments
    assert {"window.open", "login.failed", "two_factor.locked", "secondment.change", "secondment.create"} <= codes
    assert {"bundle_case.received", "bundle_case.notice_override", "case.deemed", "request"} <= codes
    assert len(codes) > 60


def test_every_recorded_action_code_has_a_label() -> None:
    from cases.models import CaseEvent
    from feedback.models_ratings import RectificationEvent
    from feedback.models_reports import ReportEvent

    codes = recorded_action_codes()
    codes |= {f"case.{kind}" for kind in CaseEvent.Kind.values}
    codes |= {f"report.{kind}" for kind in ReportEvent.Kind.values}
    codes |= {f"rectification.{kind}" for kind in RectificationEvent.Kind.values}
    missing = sorted(codes - set(audit_actions.LABELS))
    assert not missing, f"audit action codes with no label in servicehall/audit_actions.py: {missing}"


@pytest.mark.django_db
def test_the_audit_page_shows_labels_and_filters_by_a_grouped_select(client) -> None:
    admin = staff_user("adm-labels", role=roles.ADMINISTRATOR)
    clerk = staff_user("w-labels", role=roles.WINDOW_STAFF)
    audit_record(actor=clerk, action="case.result_ready", target_type="t", target_id="1", summary="结果 1")
    audit_record(actor=clerk, action="window.open", target_type="t", target_id="2", summary="开窗 2")
    audit_record(actor=clerk, action="legacy.thing", target_type="t", target_id="3", summary="旧记录 3")
    client.force_login(admin)

    page = client.get("/staff/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "结果已生成" in html and "开启窗口" in html
    assert '<select name="action"' in html and '<optgroup label="办件">' in html
    # A label two codes share is told apart by its group (结果已生成 of a case, of a one-thing case).
    assert '<option value="case.result_ready">办件：结果已生成</option>' in html
    assert '<option value="bundle_case.result_ready">一件事办件：结果已生成</option>' in html

    by_code = client.get("/staff/audit/?action=case.result_ready").content.decode()
    assert "共 1 条" in by_code and "结果 1" in by_code and "开窗 2" not in by_code
    assert '<option value="case.result_ready" selected>' in by_code

    # A code with no label is still found by its code, and stays selected as itself.
    legacy = client.get("/staff/audit/?action=legacy.thing").content.decode()
    assert "共 1 条" in legacy and '<option value="legacy.thing" selected>legacy.thing</option>' in legacy

    bad = client.get("/staff/audit/?action=<script>")
    assert bad.status_code == 400 and "请从列表中选择操作" in bad.content.decode()


@pytest.mark.django_db
def test_the_csv_keeps_the_code_and_adds_the_label(client) -> None:
    admin = staff_user("adm-csv", role=roles.ADMINISTRATOR)
    audit_record(actor=admin, action="case.result_ready", target_type="t", target_id="1", summary="s")
    client.force_login(admin)
    response = client.get("/staff/audit/export.csv?action=case.result_ready")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    # New columns come after the ones readers already use (walkthrough finding 4: the account).
    # The headers in the reader's language, as the queue statistics' export.
    assert rows[0][2] == "操作代码" and rows[0][8] == "操作" and rows[0][9:] == ["登录账户"]
    # The label the action filter shows: 结果已生成 of a case, not of a one-thing case.
    assert rows[1][2] == "case.result_ready" and rows[1][8] == "办件：结果已生成"


@pytest.mark.django_db
def test_the_csv_headers_follow_the_language(client, settings) -> None:
    admin = staff_user("adm-csv-en", role=roles.ADMINISTRATOR)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/staff/audit/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Time", "Operator"] and rows[0][5] == "Summary"
