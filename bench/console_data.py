#!/usr/bin/env python
"""Bench helper for the window console's queue poll (issue 14), run in the bench database's
environment. Prints JSON.

console_data.py setup    the queue bench hall (queue_data.setup: four signed-in windows), 40
                         waiting tickets in the queue of window 1, and its clerk's session cookie
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from bench import queue_data  # noqa: E402
from queueing import services  # noqa: E402
from queueing.models import Window  # noqa: E402
from servicehall.sessions import SessionStore  # noqa: E402

WAITING = 40


def setup() -> dict:
    hall = queue_data.setup()["hall"]
    window = Window.objects.select_related("hall").get(hall__code=hall, number=1)
    category = window.categories.get()
    for _ in range(WAITING):
        services.ticket_issue(hall=window.hall, category=category, source="kiosk")
    clerk = get_user_model().objects.get(username="bench-window-1")
    session = SessionStore()
    session["_auth_user_id"] = str(clerk.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = clerk.get_session_auth_hash()
    session.create()
    return {"window": window.pk, "waiting": WAITING, "cookie": f"sessionid={session.session_key}"}


if __name__ == "__main__":
    if sys.argv[1:] == ["setup"]:
        print(json.dumps(setup()))
    else:
        sys.exit(__doc__)
