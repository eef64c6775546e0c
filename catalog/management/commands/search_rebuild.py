"""``manage.py search_rebuild``: rewrite every guide's search document (docs/search.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from catalog.services import search_documents_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the search documents of every published guide version in effect today or later, dropping those "
        "of superseded versions. Run after a deploy that changes the search analyser; a nightly job does it too."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        written = search_documents_rebuild()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{written} search documents written in {time.monotonic() - started:.1f} s.")
