"""Fetch an object *and* check the user may touch it, in one call (Zulip's ``access_*``).

Views call these instead of ``get_object_or_404`` so that no view can forget the check:
a staff member acts only at their hall, a chief representative only for their department,
a supervisor for their hall or the whole city (REQUIREMENTS §10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import Department, Hall
from servicehall import roles
from servicehall.models import StaffProfile


@dataclass(frozen=True)
class StaffScope:
    roles: frozenset[str] = field(default_factory=frozenset)
    hall: Hall | None = None
    department: Department | None = None
    is_superuser: bool = False

    @property
    def citywide(self) -> bool:
        """Not tied to one hall: a city supervisor, an administrator or a superuser."""
        return self.is_superuser or (self.hall is None and bool(self.roles & {roles.SUPERVISOR, roles.ADMINISTRATOR}))

    def has_role(self, *wanted: str) -> bool:
        return self.is_superuser or bool(self.roles & set(wanted))

    def covers_hall(self, hall: Hall) -> bool:
        return self.citywide or (self.hall is not None and self.hall.pk == hall.pk)


def staff_scope(user: Any) -> StaffScope:
    if not getattr(user, "is_authenticated", False):
        return StaffScope()
    cached = getattr(user, "_staff_scope", None)
    if cached is not None:
        return cached
    profile = StaffProfile.objects.select_related("hall", "department").filter(user=user).first()
    scope = StaffScope(
        roles=frozenset(user.groups.values_list("name", flat=True)),
        hall=profile.hall if profile else None,
        department=profile.department if profile else None,
        is_superuser=user.is_superuser,
    )
    user._staff_scope = scope
    return scope


def access_hall(user: Any, code: str, *, roles_allowed: tuple[str, ...]) -> Hall:
    """The hall ``code`` if the user holds one of ``roles_allowed`` there; 404 or 403 otherwise."""
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    scope = staff_scope(user)
    if not scope.has_role(*roles_allowed) or not scope.covers_hall(hall):
        raise PermissionDenied(_("您没有在该大厅执行此操作的权限。"))
    return hall


def access_department(user: Any, hall: Hall, department: Department) -> Department:
    """A chief representative acts only for their own department at their own hall."""
    scope = staff_scope(user)
    if scope.citywide and scope.has_role(roles.SUPERVISOR, roles.ADMINISTRATOR):
        return department
    if (
        scope.has_role(roles.CHIEF_REPRESENTATIVE)
        and scope.covers_hall(hall)
        and scope.department is not None
        and scope.department.pk == department.pk
    ):
        return department
    raise PermissionDenied(_("您只能管理本单位在本大厅的事项。"))
