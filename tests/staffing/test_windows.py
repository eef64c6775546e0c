"""Pre-job education before a window (Art. 7 ¶2) and attendance from the windows' sign-ins and
sign-outs (dual management, Art. 8 ¶1), through queueing.hooks: queueing does not know staffing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.signals import user_logged_out
from django.urls import reverse

from queueing import services as queue_services
from queueing.models import Window
from servicehall import roles, sessions
from staffing.models import AttendanceRecord, TrainingRecord
from tests.servicehall.factories import staff_user
from tests.staffing.factories import seconded

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)


def test_a_clerk_without_pre_job_education_cannot_sign_in(world) -> None:
    clerk = seconded("untrained", hall=world.city, department=world.police, pre_job=False).user
    with pytest.raises(queue_services.QueueError) as refused:
        queue_services.window_sign_in(window=world.window_1, staff=clerk)
    assert "尚未完成岗前教育，不能在窗口签到" in str(refused.value.message)
    assert refused.value.code == "sign_in_refused"
    world.window_1.refresh_from_db()
    assert world.window_1.staff_id is None and not world.window_1.is_open
    assert not AttendanceRecord.objects.exists()

    TrainingRecord.objects.create(
        user=clerk, kind=TrainingRecord.Kind.PRE_JOB, title="岗前教育", completed_on=dt.date(2026, 1, 1)
    )
    queue_services.window_sign_in(window=world.window_1, staff=clerk)
    world.window_1.refresh_from_db()
    assert world.window_1.staff_id == clerk.pk


def test_the_console_shows_the_refusal(client, world) -> None:
    clerk = seconded("untrained", hall=world.city, department=world.police, pre_job=False).user
    client.force_login(clerk)
    response = client.post(reverse("console-sign-in", args=[world.window_1.pk]), follow=True)
    assert "尚未完成岗前教育，不能在窗口签到" in response.content.decode()
    world.window_1.refresh_from_db()
    assert world.window_1.staff_id is None


def test_a_supervisor_cannot_open_a_window_for_an_untrained_clerk(world, monkeypatch) -> None:
    clerk = seconded("untrained", hall=world.city, department=world.police, pre_job=False).user
    monkeypatch.setattr(sessions, "is_logged_in", lambda user, now=None: True)
    with pytest.raises(queue_services.QueueError) as refused:
        queue_services.window_open(window=world.window_1, clerk=clerk, user=world.supervisor)
    assert refused.value.field == "clerk"


def test_staff_without_any_secondment_record_are_not_judged(world) -> None:
    """Records entered later than the accounts (an installation before staffing): the rule
    applies once the person has a secondment record."""
    clerk = staff_user("no-record", role=roles.WINDOW_STAFF, hall_=world.city, dept=world.police)
    queue_services.window_sign_in(window=world.window_1, staff=clerk)
    world.window_1.refresh_from_db()
    assert world.window_1.staff_id == clerk.pk


def test_sign_in_and_sign_out_become_attendance_records(world) -> None:
    clerk = seconded("clerk", hall=world.city, department=world.police).user
    queue_services.window_sign_in(window=world.window_1, staff=clerk, now=AT)
    # Signing in again at the same window keeps the spell.
    queue_services.window_sign_in(window=world.window_1, staff=clerk, now=AT + dt.timedelta(minutes=5))
    (spell,) = AttendanceRecord.objects.all()
    assert spell.signed_in_at == AT and spell.signed_out_at is None and spell.hall_id == world.city.pk
    # Moving to another window closes the first spell and opens a second.
    queue_services.window_sign_in(window=world.window_2, staff=clerk, now=AT + dt.timedelta(hours=1))
    queue_services.window_sign_out(window=world.window_2, staff=clerk, now=AT + dt.timedelta(hours=3))
    first, second = AttendanceRecord.objects.order_by("signed_in_at")
    assert first.signed_out_at == AT + dt.timedelta(hours=1) and first.sign_out_cause == "moved"
    assert first.minutes == 60
    assert second.window_id == world.window_2.pk and second.sign_out_cause == "sign_out"
    assert second.signed_out_at == AT + dt.timedelta(hours=3)


def test_logout_and_a_supervisor_closing_the_window_end_the_spell(world) -> None:
    clerk = seconded("clerk", hall=world.city, department=world.police).user
    queue_services.window_sign_in(window=world.window_1, staff=clerk, now=AT)
    user_logged_out.send(sender=type(clerk), request=None, user=clerk)
    spell = AttendanceRecord.objects.get()
    assert spell.sign_out_cause == "logout" and spell.signed_out_at is not None

    queue_services.window_sign_in(window=world.window_1, staff=clerk, now=AT + dt.timedelta(hours=1))
    queue_services.window_close(window=Window.objects.get(pk=world.window_1.pk), user=world.supervisor)
    latest = AttendanceRecord.objects.order_by("-signed_in_at").first()
    assert latest.sign_out_cause == "window_closed"
    assert not AttendanceRecord.objects.filter(signed_out_at__isnull=True).exists()
