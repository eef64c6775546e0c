"""The English catalogue is complete and carries no working notes into the interface."""

from __future__ import annotations

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_no_translation_shows_a_translators_marker() -> None:
    # The walkthrough found "(plural) estimated wait…" on the English kiosk: a marker from how the
    # plural forms were handed over, merged into msgstr.
    text = PO.read_text(encoding="utf-8")
    assert not re.search(r'^msgstr(\[\d\])? ".*\(plural\)', text, re.M)
    assert "#, fuzzy" not in text


def _entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr joined over its plural forms) of every entry of a .po text."""
    entries = []
    for block in text.split("\n\n"):
        parts: dict[str, list[str]] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            found = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d\])?) (".*")$', line)
            if found:
                key = found.group(1)
                parts.setdefault(key, []).append(found.group(2)[1:-1])
            elif line.startswith('"') and key:
                parts[key].append(line[1:-1])
        if "msgid" in parts:
            strings = [s for k, v in parts.items() if k.startswith("msgstr") for s in v]
            entries.append(("".join(parts["msgid"]), " ".join(strings)))
    return entries


CANNOT_HANDLE_EN = "“Can't-get-it-done”"


def test_one_english_name_for_the_cannot_get_it_done_reports() -> None:
    """Finding 21: "Can't-get-it-done problems", "“Can't-get-it-done” report" and "Report "could not
    get it done"" named one thing. Every message naming 办不成事 uses the one English name (a
    question "事情没办成？" is a question, not the name)."""
    from queueing.demo import CENTRE_CATEGORIES

    named = [(mid, en) for mid, en in _entries(PO.read_text(encoding="utf-8")) if "办不成事" in mid]
    assert len(named) > 30
    other = [(mid, en) for mid, en in named if CANNOT_HANDLE_EN not in en.replace("\\u201c", "“")]
    assert other == []
    assert [c.name_en for c in CENTRE_CATEGORIES if "办不成事" in c.name] == [f"{CANNOT_HANDLE_EN} reports"]
