"""The arrows between the apps point one way (docs/decisions.md, "The kernel"):

    servicehall  ←  catalog  ←  queueing  ←  appointments  ←  cases  ←  feedback  ←  staffing

A module may import its own app and the apps below it, never one above. The kernel imports no
app, except the project's wiring (``servicehall/urls.py`` and the demo commands), which sits on
top. No app imports a sibling's views or private (``_name``) helpers: what two apps share lives
in the kernel or in the lower app's public modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RANK = {"servicehall": 0, "catalog": 1, "queueing": 2, "appointments": 3, "cases": 4, "feedback": 5, "staffing": 6}
WIRING = {
    "servicehall/urls.py",
    "servicehall/management/commands/load_demo.py",
    "servicehall/management/commands/demo_accounts.py",
    # The hall-day simulator drives every app's services, as the demo does (issue 14).
    "servicehall/simulator.py",
    "servicehall/management/commands/simulate_day.py",
}


def _modules(root: Path) -> list[Path]:
    return sorted(
        path
        for app in RANK
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and path.relative_to(root).as_posix() not in WIRING
    )


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) for every import in the file, including local ones."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def _violations(root: Path = ROOT) -> list[str]:
    problems = []
    for path in _modules(root):
        here = path.relative_to(root).parts[0]
        for line, module, names in _imports(path):
            app = module.split(".")[0]
            if app not in RANK or app == here:
                continue
            where = f"{path.relative_to(root).as_posix()}:{line} imports {module}"
            if RANK[app] > RANK[here]:
                problems.append(f"{where}: {app} sits above {here}")
            if module.split(".")[-1].startswith("views"):
                problems.append(f"{where}: a sibling's views")
            private = [name for name in names if name.startswith("_")]
            private += [part for part in module.split(".")[1:] if part.startswith("_")]
            if private:
                problems.append(f"{where}: private name(s) {', '.join(private)}")
    return problems


def test_every_import_points_down_the_layers() -> None:
    assert _violations() == []


_LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
_INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([a-z_]+)/")


def _template_violations(root: Path = ROOT) -> list[str]:
    """Templates follow the same arrows: a template of an app loads no tag library of an app
    above it and includes or extends none of its templates."""
    libraries = {path.stem: path.parts[-3] for app in RANK for path in (root / app).glob("templatetags/*.py")}
    problems = []
    for path in sorted((root / "templates").rglob("*.html")):
        here = path.relative_to(root / "templates").parts[0]
        if here not in RANK:
            continue  # base.html, registration/, admin/: the project's own layout
        text = path.read_text(encoding="utf-8")
        used = [(name, libraries.get(name)) for match in _LOAD.finditer(text) for name in match.group(1).split()]
        used += [(match.group(1), match.group(1)) for match in _INCLUDE.finditer(text)]
        for name, app in used:
            if app in RANK and RANK[app] > RANK[here]:
                problems.append(f"templates/{path.relative_to(root / 'templates').as_posix()} uses {name} of {app}")
    return problems


def test_templates_point_down_the_layers_too() -> None:
    assert _template_violations() == []


_URL = re.compile(r"{%\s*url\s+[\"']([\w:-]+)[\"']")


def _url_owners() -> dict[str, str]:
    """URL name → the app whose view serves it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    owners: dict[str, str] = {}

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                module = (view or pattern.callback).__module__
                owners[f"{namespace}{pattern.name}"] = module.split(".")[0]

    walk(get_resolver().url_patterns)
    return owners


def test_templates_link_only_to_pages_of_their_app_and_below() -> None:
    # A lower app's page that links to an upper app's page breaks when that app is not there;
    # the upper app adds the link as a section instead (servicehall/extensions.py).
    owners = _url_owners()
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        here = path.relative_to(ROOT / "templates").parts[0]
        if here not in RANK:
            continue
        for name in _URL.findall(path.read_text(encoding="utf-8")):
            app = owners.get(name)
            if app in RANK and RANK[app] > RANK[here]:
                problems.append(f"templates/{path.relative_to(ROOT / 'templates').as_posix()} links to {name} of {app}")
    assert problems == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    # The test above must be able to fail: a kernel module importing an app's private view
    # helper is reported three times over; the project's wiring is allowed to import apps.
    (tmp_path / "servicehall").mkdir()
    (tmp_path / "servicehall" / "probe.py").write_text("from queueing.views_console import _panel\n", encoding="utf-8")
    (tmp_path / "servicehall" / "urls.py").write_text("from queueing import api_urls\n", encoding="utf-8")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "fine.py").write_text("from servicehall.clock import local_date\n", encoding="utf-8")
    problems = _violations(tmp_path)
    assert len(problems) == 3 and all(p.startswith("servicehall/probe.py:1") for p in problems)
    assert any("sits above" in p for p in problems) and any("_panel" in p for p in problems)


def test_the_template_checker_sees_an_upper_apps_tag(tmp_path: Path) -> None:
    (tmp_path / "appointments" / "templatetags").mkdir(parents=True)
    (tmp_path / "appointments" / "templatetags" / "booking_rules.py").write_text("", encoding="utf-8")
    (tmp_path / "templates" / "queueing").mkdir(parents=True)
    (tmp_path / "templates" / "queueing" / "page.html").write_text(
        "{% load i18n booking_rules %}{% include 'appointments/x.html' %}", encoding="utf-8"
    )
    problems = _template_violations(tmp_path)
    assert len(problems) == 2 and all("templates/queueing/page.html" in p for p in problems)
