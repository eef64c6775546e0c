"""Fetch halls and departments *and* check the user may act there, in one call.

Views call these instead of ``get_object_or_404`` so that no view can forget the check: a staff
member acts only at their hall, a chief representative only for their department, a supervisor
for their hall or the whole city (REQUIREMENTS §10). Scope comes from ``servicehall.access``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import Department, Hall
from servicehall import roles
from servicehall.access import AnyUser, acts_as_chief, staff_scope


def access_hall(user: AnyUser, code: str, *, roles_allowed: tuple[str, ...]) -> Hall:
    """The hall ``code`` if the user holds one of ``roles_allowed`` there; 404 or 403 otherwise."""
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise Http404(_("没有找到该政务服务场所。"))
    scope = staff_scope(user)
    if not scope.has_role(*roles_allowed) or not scope.covers_hall(hall.pk):
        raise PermissionDenied(_("您没有在该大厅执行此操作的权限。"))
    return hall


def access_department(user: AnyUser, hall: Hall, department: Department) -> Department:
    """A chief representative acts only for their own department at their own hall, and only
    while no record names another chief there (``servicehall.access.acts_as_chief``: staffing's
    one active chief secondment); supervisors and administrators for every department of the
    halls they cover."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES) and scope.covers_hall(hall.pk):
        return department
    if acts_as_chief(user, hall.pk, department.pk):
        return department
    raise PermissionDenied(_("您只能管理本单位在本大厅的事项。"))
