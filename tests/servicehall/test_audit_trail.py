"""The audit trail of staff actions (issue 14, 等保三级): who, what, when and from where, kept at
least 180 days, read and exported by administrators only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from servicehall import audit, roles
from servicehall.audit import audit_record
from servicehall.models import AuditEvent
from servicehall.tasks import prune_audit_events
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140 servicehall-test"


def test_logins_failures_and_logouts_are_recorded_with_address_and_browser(client) -> None:
    user = staff_user("w-audit", role=roles.WINDOW_STAFF)
    client.post(
        "/accounts/login/", {"username": "w-audit", "password": "bad"}, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=UA
    )
    client.post(
        "/accounts/login/",
        {"username": "w-audit", "password": "pw-for-tests-only"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT=UA,
    )
    client.post("/accounts/logout/", REMOTE_ADDR="203.0.113.10", HTTP_USER_AGENT=UA)
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "ip_address", "user_agent"))
    assert events == [
        ("login.failed", None, "203.0.113.9", UA),
        ("login.succeeded", user.pk, "203.0.113.9", UA),
        ("logout", user.pk, "203.0.113.10", UA),
    ]


def test_a_service_record_gets_the_request_origin_without_being_passed_it(client) -> None:
    from servicehall.audit import AuditRequestMiddleware

    seen: list[AuditEvent] = []

    def view(request):
        from django.http import HttpResponse

        seen.append(audit_record(actor=None, action="svc.test", target_type="x", target_id="1", summary="s"))
        return HttpResponse()

    from django.test import RequestFactory

    request = RequestFactory().post("/x/", REMOTE_ADDR="198.51.100.44", HTTP_USER_AGENT=UA)
    AuditRequestMiddleware(view)(request)
    assert (seen[0].ip_address, seen[0].user_agent) == ("198.51.100.44", UA)
    # Outside a request (a periodic job) there is no origin, and none leaks from the last request.
    job = audit_record(actor=None, action="job", target_type="x", target_id="1", summary="s")
    assert job.ip_address is None and job.user_agent == ""


def test_a_staff_write_no_service_recorded_is_recorded_by_route_name_without_the_query(client) -> None:
    user = staff_user("w-write", role=roles.WINDOW_STAFF)
    client.force_login(user)
    response = client.post(
        "/preferences/care-mode/?id=44010619800101001X", {"care_mode": "on"}, REMOTE_ADDR="198.51.100.5"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=audit.REQUEST_ACTION)
    assert event.actor == user and event.target_id == "care-mode" and event.ip_address == "198.51.100.5"
    assert event.details == {"method": "POST", "status": 302}
    assert "44010619800101001X" not in f"{event.summary} {event.details} {event.target_id}"


def test_a_refused_staff_write_is_recorded_and_a_recorded_one_is_not_recorded_twice(client) -> None:
    user = staff_user("w-refused", role=roles.WINDOW_STAFF)
    client.force_login(user)
    assert client.post("/supervisor/staffing/", {}).status_code in {403, 405}
    assert AuditEvent.objects.filter(action=audit.REQUEST_ACTION, actor=user).count() == 1
    client.post("/accounts/logout/")  # the logout records itself
    assert AuditEvent.objects.filter(action=audit.REQUEST_ACTION).count() == 1
    assert AuditEvent.objects.filter(action="logout", actor=user).count() == 1


def test_citizens_writes_are_not_staff_actions(client) -> None:
    client.post("/preferences/care-mode/", {"care_mode": "on"})
    assert not AuditEvent.objects.filter(action=audit.REQUEST_ACTION).exists()


def test_the_retention_job_keeps_at_least_180_days_whatever_the_setting(settings) -> None:
    now = timezone.now()
    ages = [10, 179, 181, 364, 366, 800]
    for days in ages:
        event = audit_record(actor=None, action="old", target_type="x", target_id=str(days), summary="s")
        AuditEvent.objects.filter(pk=event.pk).update(created_at=now - dt.timedelta(days=days))
    assert prune_audit_events() == 2  # default 365 days: 366 and 800 go
    assert sorted(int(t) for t in AuditEvent.objects.values_list("target_id", flat=True)) == [10, 179, 181, 364]
    settings.AUDIT_RETENTION_DAYS = 30  # below the floor: 180 days are kept all the same
    assert audit.audit_events_prune() == 2
    assert sorted(int(t) for t in AuditEvent.objects.values_list("target_id", flat=True)) == [10, 179]


def test_the_retention_setting_refuses_less_than_180_days(monkeypatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from servicehall.env import env_int

    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "90")
    with pytest.raises(ImproperlyConfigured):
        env_int("AUDIT_RETENTION_DAYS", 365, minimum=180)


def test_the_retention_job_is_scheduled(settings) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["prune-audit-events"]["task"] == "servicehall.tasks.prune_audit_events"


@pytest.fixture
def trail(db):
    admin = staff_user("adm-trail", role=roles.ADMINISTRATOR)
    clerk = staff_user("w-trail", role=roles.WINDOW_STAFF)
    for n in range(60):
        event = audit_record(actor=clerk, action="ticket.call", target_type="t", target_id=str(n), summary=f"叫号 {n}")
        AuditEvent.objects.filter(pk=event.pk).update(ip_address="198.51.100.1" if n % 2 else "198.51.100.2")
    audit_record(actor=admin, action="=cmd|' /C calc'!A0", target_type="t", target_id="x", summary="=HYPERLINK(1)")
    return {"admin": admin, "clerk": clerk}


def test_administrators_page_through_and_filter_the_trail(client, trail, django_assert_max_num_queries) -> None:
    client.force_login(trail["admin"])
    with django_assert_max_num_queries(12):
        page = client.get("/staff/audit/")
    total = AuditEvent.objects.count()  # the 61 above and the login
    assert total == 62
    assert (
        page.status_code == 200 and "共 62 条" in page.content.decode() and "第 1 页，共 2 页" in page.content.decode()
    )
    with django_assert_max_num_queries(12):
        second = client.get("/staff/audit/?page=2")
    assert second.status_code == 200
    filtered = client.get("/staff/audit/?user=w-trail&action=ticket.call&ip=198.51.100.1")
    assert "共 30 条" in filtered.content.decode()
    today = timezone.localdate()
    dated = client.get(f"/staff/audit/?date_from={today + dt.timedelta(days=1)}")
    assert "共 0 条" in dated.content.decode()
    bad = client.get("/staff/audit/?ip=not-an-ip&date_from=2026-13-01")
    assert (
        bad.status_code == 400 and "有效的IPv4或IPv6地址" in bad.content.decode() and "有效日期" in bad.content.decode()
    )
    assert "共 0 条" in bad.content.decode()  # not the whole trail as if nothing had been asked
    assert "共 0 条" in client.get("/staff/audit/?date_from=2026-13-45").content.decode()


def test_administrators_export_the_filtered_trail_as_csv_and_the_export_is_audited(client, trail) -> None:
    client.force_login(trail["admin"])
    response = client.get("/staff/audit/export.csv?ip=198.51.100.2")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "操作代码"]
    assert len(rows) == 1 + 30 and {row[6] for row in rows[1:]} == {"198.51.100.2"}
    everything = client.get("/staff/audit/export.csv")
    text = b"".join(everything.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text  # no formula runs when opened in a spreadsheet
    assert AuditEvent.objects.filter(action="audit.exported", actor=trail["admin"]).count() == 2


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.WINDOW_STAFF, roles.CHIEF_REPRESENTATIVE])
def test_no_one_but_administrators_reads_the_trail(role, trail) -> None:
    client = Client()
    client.force_login(staff_user(f"no-{role}", role=role, is_staff=True))
    assert client.get("/staff/audit/").status_code == 403
    assert client.get("/staff/audit/export.csv").status_code == 403
    assert client.get("/admin/servicehall/auditevent/").status_code in {302, 403}


def test_anonymous_visitors_are_sent_to_the_login(client) -> None:
    assert client.get("/staff/audit/")["Location"].startswith("/accounts/login/")
