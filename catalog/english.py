"""English beside the Chinese (issue 8): which text a page in the current language shows.

A citizen-facing text field ``x`` of the catalog may have an English twin ``x_en`` (blank
allowed). A page in English shows ``x_en`` where it is filled and the Chinese ``x`` where it is
not, field by field, so a half-translated guide still shows everything. Every page uses this one
rule, through ``localized`` here, the ``localized`` template filter (``catalog_tags``) and
``BilingualName.display_name``; the API returns both fields and leaves the choice to the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language


def english_wanted() -> bool:
    """Whether the interface is in English now (``en``, ``en-gb``, …)."""
    return (get_language() or "").startswith("en")


def localized(obj: Any, field: str) -> str:
    """``obj.<field>_en`` when the interface is English and it is filled, else ``obj.<field>``.
    ``obj`` may also be a mapping (a cached row such as the kiosk's halls elsewhere)."""
    # The English is read only on English pages: a Chinese page never touches (or loads) it.
    if isinstance(obj, Mapping):
        return (obj.get(f"{field}_en") if english_wanted() else "") or obj[field]
    return (getattr(obj, f"{field}_en", "") if english_wanted() else "") or getattr(obj, field)
