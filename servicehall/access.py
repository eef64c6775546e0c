"""Who a staff member is and where they may act: the one home for scope and role checks.

``staff_scope(user)`` says which roles the user holds and at which hall and department (ids
only: the kernel imports no app). ``supervised_hall_ids`` is the one answer to "which halls does
this supervisor see". ``staff_required`` / ``supervisor_required`` guard pages, and answer an
htmx poll whose session ended with a redirect of the whole page to the login form.

Fetch-and-check helpers (Zulip's ``access_*``) live with the objects they fetch:
``catalog.access`` for halls and departments, each app's ``access.py`` for its own objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from servicehall import roles
from servicehall.models import StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # request.user as django-stubs types it: the project's user model (auth.User) or anonymous.
    AnyUser = User | AnonymousUser
else:
    AnyUser = Any


@dataclass(frozen=True)
class StaffScope:
    roles: frozenset[str] = field(default_factory=frozenset)
    hall_id: int | None = None
    department_id: int | None = None
    is_superuser: bool = False

    @property
    def citywide(self) -> bool:
        """Not tied to one hall: a city supervisor, an administrator or a superuser."""
        return self.is_superuser or (self.hall_id is None and bool(self.roles & set(roles.SUPERVISION_ROLES)))

    def has_role(self, *wanted: str) -> bool:
        return self.is_superuser or bool(self.roles & set(wanted))

    def covers_hall(self, hall_id: int) -> bool:
        """May act at this hall: it is theirs, or they are citywide."""
        return self.citywide or (self.hall_id is not None and self.hall_id == hall_id)

    def works_at(self, hall_id: int) -> bool:
        """Belongs to this very hall (a counter role is never citywide)."""
        return self.hall_id is not None and self.hall_id == hall_id

    def hall_ids(self) -> list[int] | None:
        """The halls covered: None for every hall (citywide), else their hall or none."""
        if self.citywide:
            return None
        return [self.hall_id] if self.hall_id is not None else []


def staff_profile(user: AnyUser) -> StaffProfile | None:
    """The user's staff profile with its hall and department joined, read once per request (kept
    on the user object): pages that name the user's hall use it and cost no query of their own."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_staff_profile"):
        # A per-request memo on the user object, which User does not declare.
        user._staff_profile = (  # type: ignore[attr-defined]
            StaffProfile.objects.select_related("hall", "department").filter(user=user).first()
        )
    return user._staff_profile  # type: ignore[attr-defined]  # the memo set above


def staff_scope(user: AnyUser) -> StaffScope:
    """The user's roles and scope, read once per request (kept on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return StaffScope()
    cached: StaffScope | None = getattr(user, "_staff_scope", None)
    if cached is not None:
        return cached
    profile = staff_profile(user)
    scope = StaffScope(
        roles=frozenset(user.groups.values_list("name", flat=True)),
        hall_id=profile.hall_id if profile else None,
        department_id=profile.department_id if profile else None,
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )
    user._staff_scope = scope  # type: ignore[union-attr]
    return scope


def signed_in_or_none(user: AnyUser | None) -> User | None:
    """The user to record on a row (``staff``, ``actor``): None when nobody is signed in, as for
    a ticket taken at the kiosk."""
    return user if user is not None and user.is_authenticated else None


def signed_in(user: AnyUser) -> User:
    """The user for an action only a signed-in user can take; the views check the login first,
    so an anonymous user here is refused rather than written to the row."""
    if not user.is_authenticated:
        raise PermissionDenied(str(_NO_ACCESS))
    return user


def supervised_hall_ids(user: AnyUser) -> list[int] | None:
    """Hall ids the user supervises: None means every hall. Raises ``PermissionDenied`` for a
    user who supervises nothing (the API turns it into 403)."""
    scope = staff_scope(user)
    if not scope.has_role(*roles.SUPERVISION_ROLES):
        raise PermissionDenied(_("仅政务服务管理部门和系统管理员可以查看。"))
    return scope.hall_ids()


# --- Chief affairs representatives (首席事务代表, Art. 8 ¶3) ----------------------------------
# An app that keeps who the chief representative of a department at a hall is (staffing, with
# its one active chief secondment) registers a check from its AppConfig.ready():
# ``check(user_id, hall_id, department_id)`` returns False when its record names somebody else,
# True when it names this user, None when it has no record for that department and hall.
ChiefCheck = Callable[[int, int, int], bool | None]
_chief_checks: list[ChiefCheck] = []


def add_chief_check(check: ChiefCheck) -> None:
    """Consult ``check`` in ``acts_as_chief`` (idempotent: ready() may run twice in tests)."""
    if check not in _chief_checks:
        _chief_checks.append(check)


def chief_by_record(user_id: int, hall_id: int, department_id: int) -> bool:
    """No registered record names somebody else than ``user_id`` as the department's chief at the
    hall (the half of ``acts_as_chief`` that does not need the user's own scope: for lists of
    candidates already filtered on role, hall and department)."""
    return all(check(user_id, hall_id, department_id) is not False for check in _chief_checks)


def acts_as_chief(user: AnyUser, hall_id: int, department_id: int) -> bool:
    """Whether the user decides for the department at the hall as its chief representative: the
    role, at that very hall, for that department (their profile), and no registered record names
    somebody else. Where a department decides asks this (``catalog.access.access_department``,
    urgent approvals and their inbox, extensions). Read once per request and department (kept on
    the user)."""
    scope = staff_scope(user)
    if not (
        scope.has_role(roles.CHIEF_REPRESENTATIVE)
        and scope.works_at(hall_id)
        and scope.department_id is not None
        and scope.department_id == department_id
    ):
        return False
    memo: dict[tuple[int, int], bool] = getattr(user, "_chief_verdicts", None) or {}
    key = (hall_id, department_id)
    if key not in memo:
        memo[key] = chief_by_record(signed_in(user).pk, hall_id, department_id)
        user._chief_verdicts = memo  # type: ignore[union-attr]
    return memo[key]


def chief_department(user: AnyUser) -> tuple[int, int] | None:
    """(hall id, department id) where the user decides as the chief representative: their own
    department at their own hall when ``acts_as_chief`` says so, else None."""
    scope = staff_scope(user)
    if scope.hall_id is None or scope.department_id is None:
        return None
    if not acts_as_chief(user, scope.hall_id, scope.department_id):
        return None
    return scope.hall_id, scope.department_id


def chief_refusal(user: AnyUser, hall_id: int | None, department_id: int | None, default: str | Promise) -> str:
    """Why ``user`` may not decide as the department's chief representative at the hall: a deputy
    (the role at that very department and hall, while the recorded active chief is somebody
    else) is told so; anyone else gets ``default`` (the place's own refusal)."""
    scope = staff_scope(user)
    if (
        hall_id is not None
        and department_id is not None
        and scope.has_role(roles.CHIEF_REPRESENTATIVE)
        and not scope.is_superuser
        and scope.works_at(hall_id)
        and scope.department_id == department_id
        and not acts_as_chief(user, hall_id, department_id)
    ):
        return str(_NOT_RECORDED_CHIEF)
    return str(default)


_NOT_RECORDED_CHIEF = gettext_lazy(
    "人员登记中本部门在本大厅在岗的首席事务代表是其他人员：只有登记在岗的首席事务代表可以作出本部门的决定。"
)


def _login_response(request: HttpRequest) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx:
        # A poll or a button after the session ended: send the whole page to the login form
        # instead of swapping the login form into a table or a panel.
        page = htmx.current_url_abs_path or request.get_full_path()
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
        return HttpResponse(status=204, headers={"HX-Redirect": login})
    return redirect_to_login(request.get_full_path())


ViewFunc = Callable[..., HttpResponse]


_NO_ACCESS = gettext_lazy("您没有访问此页面的权限。")
_SUPERVISORS_ONLY = gettext_lazy("此页面仅向政务服务管理部门和系统管理员开放。")


def staff_required(*allowed: str, message: str | Promise | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Log in first; then only holders of one of ``allowed`` (any staff role when empty) go on.

    ``message`` (a ``gettext_lazy`` string) is the refusal shown on the 403 page.
    """
    wanted = allowed or roles.ALL_ROLES

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_response(request)
            if not staff_scope(request.user).has_role(*wanted):
                raise PermissionDenied(str(message or _NO_ACCESS))
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorate


def supervisor_required(view: ViewFunc | None = None, *, message: str | Promise | None = None) -> Any:
    """``staff_required`` for supervisors and administrators; usable bare or with a message."""
    decorate = staff_required(*roles.SUPERVISION_ROLES, message=message or _SUPERVISORS_ONLY)
    return decorate(view) if view is not None else decorate
