"""The session engine (``SESSION_ENGINE``): Django's database sessions, with the user's id kept
in a column (``servicehall.models.UserSession``) so that "is this clerk logged in now?" is one
indexed query, not a decode of every session.

A session is live while its ``expire_date`` is ahead: logging out deletes it, and a staff
session left idle expires after ``STAFF_SESSION_IDLE_MINUTES`` (``servicehall.login``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.utils import timezone

if TYPE_CHECKING:
    from servicehall.models import UserSession


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from servicehall.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = cast("UserSession", super().create_model_instance(data))
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session


def logged_in_user_ids(user_ids: Iterable[int], *, now: dt.datetime | None = None) -> set[int]:
    """Which of ``user_ids`` have a live session now (one query)."""
    from servicehall.models import UserSession

    ids = list(user_ids)
    if not ids:
        return set()
    live = UserSession.objects.filter(user_id__in=ids, expire_date__gt=now or timezone.now())
    return {user_id for user_id in live.values_list("user_id", flat=True).distinct() if user_id is not None}


def is_logged_in(user: Any, *, now: dt.datetime | None = None) -> bool:
    """Whether ``user`` is logged in now, in any browser."""
    return user is not None and user.pk is not None and bool(logged_in_user_ids([user.pk], now=now))
