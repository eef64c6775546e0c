"""The staff password policy (等保三级): at least 12 characters of at least three of four kinds,
not like the user name, not a common password, none of the last five, changed every 90 days.

Only staff have accounts (citizens book and take tickets without one), so the policy is every
account's. The validators are in ``AUTH_PASSWORD_VALIDATORS``: Django runs them on every
password form (the change page, the admin). Every password set is kept, as its hash, in
``PasswordHistory`` (``PasswordHistoryValidator.password_changed``, which Django calls when a
user with a new password is saved): the newest row starts the expiry clock, and the rows are
what a new password may not repeat.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicehall.models import PasswordHistory

EXPIRED_SESSION_KEY = "_password_expired"
CHANGED = "password.changed"
EXPIRED = "password.expired"


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        kinds = [
            any(ch.islower() for ch in password),
            any(ch.isupper() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() or ch in string.punctuation for ch in password),
        ]
        return sum(kinds)

    def validate(self, password: str, user: Any = None) -> None:
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号四类中的至少%(count)s类。") % {"count": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's last ``count`` passwords; records each new password's hash."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def recent_hashes(self, user: Any) -> list[str]:
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)  # an account from before the history was kept
        return hashes[: self.count]

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self.recent_hashes(user)):
            raise ValidationError(
                ngettext(
                    "新密码不能与最近使用过的%(count)s个密码相同。",
                    "新密码不能与最近使用过的%(count)s个密码相同。",
                    self.count,
                )
                % {"count": self.count},
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: self.count]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return _("不能使用最近%(count)s次用过的密码。") % {"count": self.count}


def password_set_at(user: Any) -> dt.datetime:
    """When the user's password was last set (the account's creation if never recorded)."""
    latest = PasswordHistory.objects.filter(user=user).values_list("created_at", flat=True).first()
    return latest or user.date_joined


def password_expired(user: Any, *, now: dt.datetime | None = None) -> bool:
    days = settings.PASSWORD_EXPIRY_DAYS
    if not days:
        return False
    return (now or timezone.now()) - password_set_at(user) > dt.timedelta(days=days)
