"""Where an app above queueing takes part in a window's sign-in and sign-out, without queueing
knowing it (tests/test_layering.py): staffing refuses a clerk without pre-job education (Art. 7
¶2) and keeps attendance from the sign-ins and sign-outs (dual management, Art. 8 ¶1). Each app
registers from its ``AppConfig.ready()``.

- ``add_sign_in_check(check)``: ``check(staff=user, window=window)`` returns a refusal message
  (shown on the console, or as the API's error) or None; asked before a clerk takes a window,
  whether they sign in or a supervisor opens the window for them.
- ``window_signed_in`` / ``window_signed_out``: sent inside the service's transaction (a failing
  receiver undoes the sign-in), with ``window``, ``staff_id``, ``at`` and, for sign-out, ``cause``
  (``sign_out``, ``logout``, ``session_expired``, ``moved``, ``window_closed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

SignInCheck = Callable[..., Any]

window_signed_in = Signal()
window_signed_out = Signal()

_sign_in_checks: list[SignInCheck] = []


def add_sign_in_check(check: SignInCheck) -> None:
    """Ask ``check`` before every sign-in (idempotent: ready() may run twice in tests)."""
    if check not in _sign_in_checks:
        _sign_in_checks.append(check)


def sign_in_refusal(*, staff: Any, window: Any) -> str | None:
    """The first registered check's refusal, or None when every check lets the clerk in."""
    for check in _sign_in_checks:
        refusal = check(staff=staff, window=window)
        if refusal:
            return str(refusal)
    return None
