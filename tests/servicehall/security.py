"""Login helpers for the tests of the login itself (see tests/conftest.py)."""

from __future__ import annotations

from servicehall import twofactor


def login_unfinished(client, user) -> None:
    """Log ``user`` in as the password step does: the second factor (and an expired password)
    still to come, as for a real login."""
    client._login_unfinished(user, "django.contrib.auth.backends.ModelBackend")


def current_code(user, *, offset_steps: int = 0) -> str:
    device = user.two_factor_device
    return twofactor.totp(device.secret, twofactor.time_step() + offset_steps)
