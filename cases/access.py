"""Fetch cases *and* check the user may see them, in one call (Zulip's ``access_*``).

Counter staff and chief representatives see the cases of their own hall; supervisors those of the
halls they cover (every hall when citywide). What each may *do* to a case is the services' rule
(``cases.services``): seeing a case is not acting on it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_detail_queryset
from catalog.models import Department, Hall
from servicehall import roles
from servicehall.access import AnyUser, acts_as_chief, chief_refusal, staff_scope


def case_hall_ids(user: AnyUser) -> list[int] | None:
    """The halls whose cases the user sees: None for every hall. 403 for a user with no staff
    role, or a counter role without a hall."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        return scope.hall_ids()
    if scope.has_role(*roles.COUNTER_ROLES) and scope.hall_id is not None:
        return [scope.hall_id]
    raise PermissionDenied(_("您没有查看办件的权限。"))


def access_case(user: AnyUser, number: str, *, queryset: QuerySet[Case] | None = None) -> Case:
    """The case ``number`` (with what its page shows) if the user may see it; 404 when it does
    not exist or is out of their scope alike, so that no one can probe another hall's numbers."""
    hall_ids = case_hall_ids(user)
    cases = queryset if queryset is not None else case_detail_queryset()
    case = cases.filter(number=number).first()
    if case is None or (hall_ids is not None and case.hall_id not in hall_ids and not _forwarded_to(case, hall_ids)):
        raise Http404(_("没有找到该办件。"))
    if case.bundle_case_id is not None:
        # A bundle's sub-case (cases/bundles.py): its own department and those who see the whole.
        from cases.bundles import may_see_sub_case

        if not may_see_sub_case(user, case):
            raise Http404(_("没有找到该办件。"))
    return case


def _forwarded_to(case: Case, hall_ids: list[int]) -> bool:
    """A forwarded case (转办, cases/forwarding.py) is seen, read-only, by the hall that received
    it, the hall that hands out its result, and the hall it is on its way to."""
    if case.received_at_hall_id in hall_ids or case.collect_hall_id in hall_ids:
        return True
    from cases.models import Forwarding

    return Forwarding.objects.filter(case=case, to_hall_id__in=hall_ids, status=Forwarding.Status.SENT).exists()


def access_case_scope(
    user: AnyUser, *, hall_code: str = "", department_code: str = ""
) -> tuple[list[int] | None, int | None]:
    """(hall ids, department id) a list of cases may cover for the user, narrowed by the codes
    asked for: 403 for a hall outside their scope, 404 for an unknown hall or department."""
    hall_ids = case_hall_ids(user)
    if hall_code:
        hall = Hall.objects.filter(code=hall_code).first()
        if hall is None:
            raise Http404(_("没有找到该政务服务场所。"))
        if hall_ids is not None and hall.pk not in hall_ids:
            raise PermissionDenied(_("您没有查看该大厅办件的权限。"))
        hall_ids = [hall.pk]
    department_id = None
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise Http404(_("没有找到该部门。"))
        department_id = department.pk
    return hall_ids, department_id


def access_inbox(user: AnyUser) -> tuple[int, int]:
    """(hall id, department id) of a chief representative's inbox: their department at their hall,
    for the chief the staffing records name there (a deputy holding the role is refused)."""
    scope = staff_scope(user)
    if not (scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None and scope.department_id):
        raise PermissionDenied(_("部门待办仅向派驻大厅的首席事务代表开放。"))
    # The recorded chief decides (Art. 8 ¶3, ``acts_as_chief``): not a deputy holding the role.
    if not acts_as_chief(user, scope.hall_id, scope.department_id):
        raise PermissionDenied(
            chief_refusal(user, scope.hall_id, scope.department_id, _("部门待办仅向派驻大厅的首席事务代表开放。"))
        )
    return scope.hall_id, scope.department_id
