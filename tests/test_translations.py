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
