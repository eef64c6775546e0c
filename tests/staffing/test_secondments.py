"""Secondments (派驻人员, Art. 8): the two years' tenure with its reason, one active chief
representative per department and hall (a partial unique index and a clear message), and the
chief's secondment deciding who decides for the department."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from catalog.access import access_department
from servicehall import roles
from servicehall.access import acts_as_chief, staff_scope
from servicehall.models import AuditEvent
from staffing import services
from staffing.models import Secondment
from tests.servicehall.factories import staff_user
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db


def _create(world, user, **overrides):
    data = {
        "actor": world.supervisor,
        "user": user,
        "staff_number": "GZ-W100",
        "department": world.police,
        "hall": world.city,
        "role": Secondment.Role.WINDOW_STAFF,
        "seconded_from": dt.date(2026, 1, 5),
    }
    return services.secondment_create(**{**data, **overrides})


def test_a_secondment_planned_under_two_years_needs_a_reason(world) -> None:
    user = staff_user("newcomer")
    with pytest.raises(services.StaffingError) as refused:
        _create(world, user, seconded_until=dt.date(2027, 6, 30))
    assert refused.value.field == "short_tenure_reason"
    assert "派驻时间不足两年（须至少到2028-01-05）" in str(refused.value.message)
    assert not Secondment.objects.exists()

    secondment = _create(world, user, seconded_until=dt.date(2027, 6, 30), short_tenure_reason="派出单位机构调整")
    assert secondment.short_tenure
    # Two full years or more, or no end date yet, is not flagged and needs no reason.
    other = _create(world, staff_user("other"), staff_number="GZ-W101", seconded_until=dt.date(2028, 1, 5))
    assert not other.short_tenure


def test_ending_a_secondment_early_needs_a_reason_and_nothing_is_half_saved(world) -> None:
    secondment = seconded("early", hall=world.city, department=world.police, since=dt.date(2025, 6, 1))
    with pytest.raises(services.StaffingError) as refused:
        services.secondment_end(secondment=secondment, actor=world.supervisor, ended_on=dt.date(2026, 5, 31))
    assert refused.value.field == "short_tenure_reason"
    secondment.refresh_from_db()
    assert secondment.status == Secondment.Status.ACTIVE and secondment.seconded_until is None

    ended = services.secondment_end(
        secondment=secondment, actor=world.supervisor, ended_on=dt.date(2026, 5, 31), reason="本人调任局机关"
    )
    assert ended.status == Secondment.Status.ENDED and ended.short_tenure
    assert AuditEvent.objects.filter(action="secondment.end", target_id=str(ended.pk)).exists()


def test_model_validation_refuses_a_short_tenure_without_reason_in_chinese(world) -> None:
    row = Secondment(
        user=staff_user("x"),
        staff_number="X1",
        department=world.police,
        hall=world.city,
        seconded_from=dt.date(2026, 2, 29 - 1),
        seconded_until=dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "请写明提前轮换或结束的原因" in refused.value.message_dict["short_tenure_reason"][0]


def test_a_second_active_chief_of_a_department_at_a_hall_is_refused(world) -> None:
    _create(world, staff_user("chief-1"), role=Secondment.Role.CHIEF, staff_number="C1")
    with pytest.raises(services.StaffingError) as refused:
        _create(world, staff_user("chief-2"), role=Secondment.Role.CHIEF, staff_number="C2")
    assert refused.value.field is None or refused.value.field == "role"
    assert "该部门在该大厅已有在岗的首席事务代表" in str(refused.value.message)
    assert Secondment.objects.filter(role=Secondment.Role.CHIEF).count() == 1
    # Another department, another hall, or a planned successor are fine.
    _create(world, staff_user("chief-3"), role=Secondment.Role.CHIEF, staff_number="C3", department=world.market)
    _create(
        world,
        staff_user("chief-4"),
        role=Secondment.Role.CHIEF,
        staff_number="C4",
        hall=world.tianhe,
        actor=world.city_supervisor,
    )
    _create(
        world,
        staff_user("chief-5"),
        role=Secondment.Role.CHIEF,
        staff_number="C5",
        status=Secondment.Status.PLANNED,
    )


def test_the_database_holds_one_active_chief_even_without_the_service(world) -> None:
    seconded("chief-a", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)
    with pytest.raises(IntegrityError), transaction.atomic():
        seconded("chief-b", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)


def test_an_active_secondment_sets_the_kernel_scope_and_role(world) -> None:
    user = staff_user("moved", role=roles.WINDOW_STAFF)
    _create(world, user, role=Secondment.Role.CHIEF, staff_number="GZGA-9")
    user.refresh_from_db()
    scope = staff_scope(user)
    assert scope.hall_id == world.city.pk and scope.department_id == world.police.pk
    assert scope.roles == {roles.CHIEF_REPRESENTATIVE}
    assert user.staff_profile.staff_number == "GZGA-9"


def test_only_the_active_chief_secondment_decides_for_the_department(world) -> None:
    """A user in the chief representatives' group whose department has another active chief no
    longer decides: access_department (and the urgent approvals and extensions, which ask the
    same ``acts_as_chief``) follow the record."""
    chief = seconded("real-chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF).user
    stale = staff_user("former-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=world.city, dept=world.police)
    assert access_department(chief, world.city, world.police) == world.police
    assert acts_as_chief(chief, world.city.pk, world.police.pk)
    with pytest.raises(PermissionDenied):
        access_department(stale, world.city, world.police)
    assert not acts_as_chief(stale, world.city.pk, world.police.pk)
    # Without a chief secondment for a department, the role and profile decide as before.
    market_chief = staff_user("market-chief", role=roles.CHIEF_REPRESENTATIVE, hall_=world.city, dept=world.market)
    assert access_department(market_chief, world.city, world.market) == world.market
    # Supervisors of the hall decide for every department.
    assert access_department(world.supervisor, world.city, world.police) == world.police


def test_ending_the_chief_secondment_takes_the_role_away(world) -> None:
    user = staff_user("leaving-chief")
    secondment = _create(world, user, role=Secondment.Role.CHIEF, staff_number="C9", seconded_from=dt.date(2023, 1, 1))
    services.secondment_end(secondment=secondment, actor=world.supervisor, ended_on=dt.date(2026, 1, 1))
    user.refresh_from_db()
    assert not user.groups.filter(name=roles.CHIEF_REPRESENTATIVE).exists()


def test_only_the_halls_management_department_records_secondments(world) -> None:
    with pytest.raises(services.StaffingError) as refused:
        _create(world, staff_user("y"), actor=world.tianhe_supervisor)
    assert refused.value.status == 403
    clerk = seconded("clerk", hall=world.city, department=world.police).user
    with pytest.raises(services.StaffingError):
        _create(world, staff_user("z"), actor=clerk)
    _create(world, staff_user("w"), actor=world.city_supervisor)


def test_a_chief_recorded_meanwhile_wins_the_race_with_a_clear_message(world, monkeypatch) -> None:
    """Lost race: another chief becomes active between the check and the insert; the partial
    unique index refuses the second, with the same message (409), and nothing is half-saved."""
    checked = Secondment.full_clean

    def check_then_lose(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        if self.role == Secondment.Role.CHIEF and not Secondment.objects.filter(role="chief").exists():
            seconded("fast-chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)

    monkeypatch.setattr(Secondment, "full_clean", check_then_lose)
    user = staff_user("slow-chief")
    with pytest.raises(services.StaffingError) as refused:
        _create(world, user, role=Secondment.Role.CHIEF, staff_number="C-slow")
    assert refused.value.status == 409 and "已有在岗的首席事务代表" in str(refused.value.message)
    assert not Secondment.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="secondment.create").exists()
    user.refresh_from_db()
    assert not user.groups.exists()
