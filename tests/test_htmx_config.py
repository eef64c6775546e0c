"""htmx's settings in every page that loads it (templates with an ``htmx-config`` meta).

htmx settles a swapped element by copying some attributes from the new content onto the old;
its default list includes ``style``, and setting a style attribute from script is an inline style
that the Content Security Policy (``style-src 'self'``) refuses: the walkthrough saw seven CSP
errors in the console after every call at the window. The list must leave ``style`` out."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
META = re.compile(r"""<meta name="htmx-config" content='([^']*)'>""")


def test_every_htmx_config_settles_no_style_attribute() -> None:
    configs = {
        path.relative_to(TEMPLATES).as_posix(): json.loads(html.unescape(match))
        for path in TEMPLATES.rglob("*.html")
        for match in META.findall(path.read_text(encoding="utf-8"))
    }
    assert {"base.html", "queueing/public/board.html"} <= set(configs)
    for name, config in configs.items():
        assert "attributesToSettle" in config, f"{name}: htmx's default settles the style attribute"
        assert "style" not in config["attributesToSettle"], name
        assert config["allowEval"] is False and config["includeIndicatorStyles"] is False, name
