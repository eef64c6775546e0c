"""Fetch staffing records *and* check the user may see them, in one call."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from catalog import access as catalog_access
from catalog.models import Department, Hall
from queueing.models import QueueCategory
from servicehall import roles
from servicehall.access import AnyUser, chief_department, chief_refusal, staff_scope, supervised_hall_ids
from staffing.models import Secondment, SurgeFlag


def access_secondment(user: AnyUser, pk: int) -> Secondment:
    """A secondment at a hall the user supervises (the hall's management department, Art. 8 ¶1);
    404 when there is none, 403 for another hall or a user who supervises nothing."""
    hall_ids = supervised_hall_ids(user)
    secondment = Secondment.objects.select_related("user__staff_profile", "hall", "department").filter(pk=pk).first()
    if secondment is None:
        raise Http404(_("没有找到该派驻人员。"))
    if hall_ids is not None and secondment.hall_id not in hall_ids:
        raise PermissionDenied(_("您只能查看本大厅的派驻人员。"))
    return secondment


def replacement_scope(user: AnyUser) -> tuple[list[int] | None, int | None]:
    """(hall ids, department id) of the replacement requests the user may read (Art. 8 ¶2–3):
    a supervisor's halls (None: every hall), any department; the recorded chief representative's
    own hall and department only. 403 for anyone else (a deputy is told why)."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        return scope.hall_ids(), None
    own = chief_department(user)
    if own is None:
        default = _("仅政务服务管理部门和首席事务代表可以查看。")
        raise PermissionDenied(chief_refusal(user, scope.hall_id, scope.department_id, default))
    return [own[0]], own[1]


# --- The workload: planner and surges (Art. 6 ¶4, Art. 8) ------------------------------------


def workload_hall_ids(user: AnyUser) -> list[int] | None:
    """Halls whose workload the user may read: the halls they supervise (None: every hall), or a
    chief representative's own hall. 403 for anybody else."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        return scope.hall_ids()
    if scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None:
        return [scope.hall_id]
    raise PermissionDenied(_("仅政务服务管理部门和首席事务代表可以查看。"))


def surges_visible(user: AnyUser) -> QuerySet[SurgeFlag]:
    """The surge flags the user may see and handle: every flag of the halls they supervise; for a
    chief representative, their hall's flags of queues that cover their department's items."""
    scope = staff_scope(user)
    rows = SurgeFlag.objects.all()
    if scope.has_role(*roles.SUPERVISION_ROLES):
        hall_ids = scope.hall_ids()
        return rows if hall_ids is None else rows.filter(hall_id__in=hall_ids)
    if scope.has_role(roles.CHIEF_REPRESENTATIVE) and scope.hall_id is not None and scope.department_id is not None:
        covers = QueueCategory.items.through.objects.filter(
            queuecategory_id=OuterRef("category_id"), serviceitem__department_id=scope.department_id
        )
        return rows.filter(hall_id=scope.hall_id).filter(Q(department_id=scope.department_id) | Exists(covers))
    raise PermissionDenied(_("仅政务服务管理部门和首席事务代表可以查看。"))


def access_surge(user: AnyUser, pk: int) -> SurgeFlag:
    """A surge flag the user may see (404 when there is none or it is not theirs to know of)."""
    flag = surges_visible(user).select_related("hall", "category", "department").filter(pk=pk).first()
    if flag is None:
        raise Http404(_("没有找到该客流激增提示。"))
    return flag


class DepartmentChoiceError(Exception):
    """The page or API was asked for no department, or one it does not know: the field and its
    message (400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def access_department_page(user: AnyUser, *, hall_code: str = "", department_code: str = "") -> tuple[Hall, Department]:
    """The department and hall of the chief representative's page (Art. 8 ¶3).

    The recorded chief representative sees their own department at their own hall only (asking
    for another is refused); a supervisor sees any department of the halls they cover
    (``?department=``, and ``?hall=`` unless they belong to one hall). Everyone else is refused:
    a deputy holding the role while the records name another chief is told so."""
    scope = staff_scope(user)
    if scope.has_role(*roles.SUPERVISION_ROLES):
        if hall_code:
            hall = Hall.objects.filter(code=hall_code).first()
        elif scope.hall_id is not None:
            hall = Hall.objects.filter(pk=scope.hall_id).first()
        else:
            raise DepartmentChoiceError("hall", _("请选择大厅。"))
        if hall is None:
            raise DepartmentChoiceError("hall", _("没有找到该大厅。"))
        if not scope.covers_hall(hall.pk):
            raise PermissionDenied(_("您只能查看本大厅各部门的情况。"))
        if not department_code:
            raise DepartmentChoiceError("department", _("请选择部门。"))
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise DepartmentChoiceError("department", _("没有找到该部门。"))
        return hall, catalog_access.access_department(user, hall, department)
    own = chief_department(user)
    if own is None:
        default = _("本页面仅向首席事务代表和大厅管理人员开放。")
        raise PermissionDenied(chief_refusal(user, scope.hall_id, scope.department_id, default))
    hall = Hall.objects.get(pk=own[0])
    department = Department.objects.get(pk=own[1])
    if (hall_code and hall_code != hall.code) or (department_code and department_code != department.code):
        raise PermissionDenied(_("首席事务代表只能查看本部门在本大厅的情况。"))
    return hall, catalog_access.access_department(user, hall, department)
