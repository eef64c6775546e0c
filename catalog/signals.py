"""Signals the catalog sends for the apps above it, which the catalog must not import."""

from __future__ import annotations

from django.dispatch import Signal

# The working-day calendar changed between ``start`` and ``end`` (inclusive): a year was
# (re)seeded from the `holidays` package, which also clears a year's provisional mark once the
# State Council's notice is in it, or an administrator corrected a day. Sent inside the writing
# transaction; a receiver that recomputes deadlines queues its work with ``on_commit``.
calendar_changed = Signal()
