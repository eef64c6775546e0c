"""Places where an app higher up the layers adds a section to a page drawn by a lower one.

The window console belongs to ``queueing``, but checking in a booking there is
``appointments``' work (and cases will add "accept an application"). The lower app must not know
the upper ones, so it names a place and includes whatever templates were registered for it; each
upper app registers its own from its ``AppConfig.ready()``. A registered template is included
with the page's context.
"""

from __future__ import annotations

# Window console panel (queueing/console.py), below the ticket actions.
CONSOLE_PANEL = "console-panel"

_sections: dict[str, list[str]] = {}


def add_section(place: str, template_name: str) -> None:
    """Include ``template_name`` at ``place`` (idempotent: ready() may run twice in tests)."""
    names = _sections.setdefault(place, [])
    if template_name not in names:
        names.append(template_name)


def sections(place: str) -> tuple[str, ...]:
    return tuple(_sections.get(place, ()))
