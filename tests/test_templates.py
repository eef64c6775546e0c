"""Every template in the project, read as text: Django's ``{# #}`` comment is one line only, so a
``{#`` left open on its line is printed as it is (issue 11: the printed notices showed the comment
of cases/print_base.html). Longer comments use ``{% comment %}``."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ONE_LINE_COMMENT = re.compile(r"\{#.*?#\}")


def template_files() -> list[Path]:
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if p.is_dir()]
    return sorted(f for root in roots for f in root.rglob("*") if f.suffix in {".html", ".txt", ".xml"})


def test_there_are_templates_to_check():
    assert len(template_files()) > 50


def test_no_template_opens_a_comment_it_does_not_close_on_the_same_line():
    unclosed = []
    for path in template_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            rest = ONE_LINE_COMMENT.sub("", line)
            if "{#" in rest or "#}" in rest:
                unclosed.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert unclosed == [], "multi-line {# #} comments print as text; use {% comment %}: " + ", ".join(unclosed)
