"""Staff roles, as Django groups, and the permissions each app grants them.

The group names are what administrators see in the admin, so they are in Chinese; code
refers to them only through these constants and role sets. The kernel knows no app's models:
each app registers the permissions it grants per role from its ``AppConfig.ready`` with
``grant``, and ``roles_ensure`` (after every migrate) gives the groups what was registered.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_noop

# gettext_noop: the names stay Chinese in the database; pages show them with {% translate role %}.
WINDOW_STAFF = gettext_noop("窗口人员")
CHIEF_REPRESENTATIVE = gettext_noop("首席事务代表")
SUPERVISOR = gettext_noop("政务服务管理部门")
ADMINISTRATOR = gettext_noop("系统管理员")

ALL_ROLES = (WINDOW_STAFF, CHIEF_REPRESENTATIVE, SUPERVISOR, ADMINISTRATOR)

# Who works at a counter (signs in at a window, calls and serves tickets, checks in bookings).
COUNTER_ROLES = (WINDOW_STAFF, CHIEF_REPRESENTATIVE)
# Who supervises halls (dashboards, alerts, booking management): their hall, or the whole city.
SUPERVISION_ROLES = (SUPERVISOR, ADMINISTRATOR)

CRUD = ("add", "change", "delete", "view")

# role -> {"app_label.codename", ...}; filled by the apps' ready() through ``grant``.
_granted: dict[str, set[str]] = {role: set() for role in ALL_ROLES}


def grant(role: str, permissions: Iterable[str]) -> None:
    """Give ``role`` these model permissions ("app_label.codename") at the next migrate."""
    if role not in _granted:
        raise ValueError(f"unknown role {role!r}")
    _granted[role].update(permissions)


def model_permissions(app_label: str, models: Iterable[str], verbs: Iterable[str] = CRUD) -> list[str]:
    """``["app.add_model", "app.change_model", ...]`` for every model and verb."""
    verbs = tuple(verbs)
    return [f"{app_label}.{verb}_{model}" for model in models for verb in verbs]


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(_granted[role])


def roles_ensure(**_kwargs: object) -> None:
    """Create the role groups and give them their registered permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in _granted.values() for perm in perms}
    by_name = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        )
    }
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*(by_name[name] for name in _granted[role] if name in by_name))


def connect() -> None:
    post_migrate.connect(roles_ensure, dispatch_uid="servicehall.roles_ensure")
