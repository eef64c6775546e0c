"""Places where an app higher up the layers adds a section to a page drawn by a lower one.

The window console belongs to ``queueing``, but checking in a booking there is
``appointments``' work (and cases will add "accept an application"); a guide page and a hall's
page belong to ``catalog``, but booking that item or that hall is ``appointments``' work. The
lower app must not know the upper ones, so it names a place and includes whatever templates were
registered for it; each upper app registers its own from its ``AppConfig.ready()``. A registered
template is included with the page's context; what else it needs it reads through its own app's
template tags.
"""

from __future__ import annotations

# Window console panel (queueing/console.py), below the ticket actions.
CONSOLE_PANEL = "console-panel"
# A guide page (catalog/views.py ``guide_detail``), beside its actions: included with ``item``
# (and ``is_current``).
GUIDE_ACTIONS = "guide-actions"
# A hall's page (catalog/views.py ``hall_detail``), below its heading: included with ``hall``.
HALL_PAGE = "hall-page"
# The home page (catalog/views.py ``home``), below the search box.
HOME_ACTIONS = "home-actions"
# The supervisors' navigation (queueing's dashboard): list items (``<li>``) added to the city
# overview's links, and to a hall page's links (included with ``hall``).
SUPERVISOR_LINKS = "supervisor-links"
SUPERVISOR_HALL_LINKS = "supervisor-hall-links"
# The kiosk's start page (queueing/views_public.py ``kiosk``), beside its heading: included with
# ``hall``.
KIOSK_START = "kiosk-start"
# The kiosk's page for a queue no open window serves, as an alternative to waiting: included with
# ``hall`` and ``unstaffed`` (its ``category``).
KIOSK_UNSTAFFED = "kiosk-unstaffed"
# The kiosk's slip (queueing/views_public.py ``slip``), below it and not printed: included with
# ``ticket``.
KIOSK_SLIP = "kiosk-slip"

_sections: dict[str, list[str]] = {}


def add_section(place: str, template_name: str) -> None:
    """Include ``template_name`` at ``place`` (idempotent: ready() may run twice in tests)."""
    names = _sections.setdefault(place, [])
    if template_name not in names:
        names.append(template_name)


def sections(place: str) -> tuple[str, ...]:
    return tuple(_sections.get(place, ()))
