"""Two-factor login (TOTP, RFC 6238) for staff (issue 14, 等保三级): required for supervisors and
administrators, optional for window staff; codes are single-use, recovery codes too."""

from __future__ import annotations

import logging
import re
import time

import pytest
import time_machine

from servicehall import roles, twofactor
from servicehall.models import AuditEvent, RecoveryCode, TwoFactorDevice, UserSession
from tests.servicehall.factories import staff_user
from tests.servicehall.security import current_code, login_unfinished

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # tests.servicehall.factories.staff_user


def password_login(client, username: str, *, next_url: str = "/supervisor/"):
    return client.post(
        f"/accounts/login/?next={next_url}", {"username": username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )


def enrolled(user) -> TwoFactorDevice:
    return TwoFactorDevice.objects.create(user=user, secret=twofactor.new_secret(), confirmed_at="2026-12-01T09:00Z")


# --- The algorithm ---------------------------------------------------------------------------
def test_codes_match_the_rfc_6238_test_vectors() -> None:
    # RFC 6238 Appendix B, SHA-1, secret "12345678901234567890": 94287082 at 59 s, 07081804 at
    # 1111111109 s (the last six digits with DIGITS = 6).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert twofactor.totp(secret, twofactor.time_step(59)) == "287082"
    assert twofactor.totp(secret, twofactor.time_step(1111111109)) == "081804"
    assert twofactor.totp(secret, twofactor.time_step(1234567890)) == "005924"


def test_a_code_is_accepted_one_step_either_side_and_not_two(db) -> None:
    device = enrolled(staff_user("drift", role=roles.WINDOW_STAFF))
    now = time.time()
    step = twofactor.time_step(now)
    assert not twofactor.device_check(device=device, code=twofactor.totp(device.secret, step - 2), at=now)
    assert not twofactor.device_check(device=device, code=twofactor.totp(device.secret, step + 2), at=now)
    assert twofactor.device_check(device=device, code=twofactor.totp(device.secret, step - 1), at=now)
    assert twofactor.device_check(device=device, code=twofactor.totp(device.secret, step + 1), at=now)


def test_a_code_used_once_is_refused_again_and_so_is_an_older_one(db) -> None:
    device = enrolled(staff_user("replay", role=roles.WINDOW_STAFF))
    now = time.time()
    step = twofactor.time_step(now)
    code = twofactor.totp(device.secret, step)
    assert twofactor.device_check(device=device, code=code, at=now)
    assert not twofactor.device_check(device=device, code=code, at=now)
    stale = TwoFactorDevice.objects.get(pk=device.pk)
    stale.last_step = 0  # another request that read the device before the first one claimed the step
    assert not twofactor.device_check(device=stale, code=code, at=now)
    assert not twofactor.device_check(device=device, code=twofactor.totp(device.secret, step - 1), at=now)
    assert TwoFactorDevice.objects.get(pk=device.pk).last_step == step


# --- Required roles --------------------------------------------------------------------------
@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.ADMINISTRATOR])
def test_a_supervisor_without_an_authenticator_is_sent_to_enrolment_and_reaches_nothing_else(client, role) -> None:
    staff_user("sup-new", role=role)
    response = password_login(client, "sup-new")
    assert response.status_code == 302 and response["Location"] == "/supervisor/"
    page = client.get("/supervisor/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/two-factor/enrol/")
    assert client.get("/staff/").status_code == 302
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/v1/alerts/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    post = client.post("/supervisor/", {})
    assert post.status_code == 302 and "/accounts/two-factor/enrol/" in post["Location"]
    # Verifying with no device is no way round it.
    assert client.post("/accounts/two-factor/verify/", {"code": "123456"}).status_code == 302
    assert client.get("/supervisor/").status_code == 302


def test_a_superuser_must_use_a_second_factor_too(client) -> None:
    staff_user("root", is_superuser=True, is_staff=True)
    password_login(client, "root")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/enrol/")


def test_enrolment_shows_the_qr_code_and_secret_and_confirms_with_a_code(client) -> None:
    user = staff_user("sup-enrol", role=roles.SUPERVISOR)
    password_login(client, "sup-enrol")
    page = client.get("/accounts/two-factor/enrol/?next=/supervisor/")
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert " ".join(device.secret[i : i + 4] for i in range(0, 32, 4)) in html
    # A reload keeps the secret the user may already have scanned.
    client.get("/accounts/two-factor/enrol/")
    assert TwoFactorDevice.objects.get(user=user).secret == device.secret

    wrong = client.post(
        "/accounts/two-factor/enrol/", {"code": "000000" if current_code(user) != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    done = client.post("/accounts/two-factor/enrol/", {"code": current_code(user), "next": "/supervisor/"})
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>", done.content.decode())
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert not RecoveryCode.objects.filter(digest__in=codes).exists()  # stored hashed
    assert TwoFactorDevice.objects.get(user=user).confirmed_at is not None
    assert client.get("/supervisor/").status_code == 200
    assert AuditEvent.objects.filter(action=twofactor.ENROLLED, actor=user).count() == 1


def test_an_enrolled_supervisor_is_asked_for_the_code_after_the_password(client) -> None:
    user = staff_user("sup-code", role=roles.SUPERVISOR)
    enrolled(user)
    password_login(client, "sup-code")
    page = client.get("/supervisor/")
    assert page["Location"] == "/accounts/two-factor/verify/?next=%2Fsupervisor%2F"
    wrong = client.post("/accounts/two-factor/verify/", {"code": "abc", "next": "/supervisor/"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    assert client.get("/supervisor/").status_code == 302
    ok = client.post("/accounts/two-factor/verify/", {"code": current_code(user), "next": "/supervisor/"})
    assert ok.status_code == 302 and ok["Location"] == "/supervisor/"
    assert client.get("/supervisor/").status_code == 200
    assert client.get("/api/v1/alerts/").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True).order_by("pk"))
    assert actions == ["login.succeeded", twofactor.FAILED, twofactor.VERIFIED_ACTION]


def test_the_code_of_one_login_cannot_finish_another(client, django_user_model) -> None:
    from django.test import Client

    user = staff_user("sup-replay", role=roles.SUPERVISOR)
    enrolled(user)
    code = current_code(user)
    password_login(client, "sup-replay")
    assert client.post("/accounts/two-factor/verify/", {"code": code})["Location"] == "/staff/"
    other = Client()
    password_login(other, "sup-replay")
    refused = other.post("/accounts/two-factor/verify/", {"code": code})
    assert refused.status_code == 422
    assert other.get("/supervisor/").status_code == 302


def test_a_next_address_on_another_site_is_not_followed(client) -> None:
    user = staff_user("sup-next", role=roles.SUPERVISOR)
    enrolled(user)
    login_unfinished(client, user)
    done = client.post("/accounts/two-factor/verify/", {"code": current_code(user), "next": "https://evil.example/"})
    assert done["Location"] == "/staff/"


def test_a_recovery_code_works_once(client) -> None:
    from django.test import Client

    user = staff_user("sup-lost", role=roles.SUPERVISOR)
    enrolled(user)
    codes = twofactor.recovery_codes_issue(user=user)
    login_unfinished(client, user)
    used = client.post("/accounts/two-factor/verify/", {"code": codes[3].lower().replace("-", " ")})
    assert used.status_code == 302 and client.get("/supervisor/").status_code == 200
    again = Client()
    login_unfinished(again, user)
    assert again.post("/accounts/two-factor/verify/", {"code": codes[3]}).status_code == 422
    assert again.post("/accounts/two-factor/verify/", {"code": codes[4]}).status_code == 302
    event = AuditEvent.objects.filter(action=twofactor.RECOVERY_USED).first()
    assert event is not None and event.details == {"remaining": 8}


def test_new_recovery_codes_void_the_old_ones(client) -> None:
    user = staff_user("sup-renew", role=roles.SUPERVISOR)
    enrolled(user)
    old = twofactor.recovery_codes_issue(user=user)
    client.force_login(user)
    page = client.post("/accounts/two-factor/", {"action": "recovery"})
    new = re.findall(r"<code>([A-Z2-9-]{14})</code>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not twofactor.recovery_code_use(user=user, code=old[0])
    assert twofactor.recovery_code_use(user=user, code=new[0])


def test_a_session_with_only_the_password_cannot_get_new_recovery_codes_or_change_the_password(client) -> None:
    user = staff_user("sup-half", role=roles.SUPERVISOR)
    enrolled(user)
    old = twofactor.recovery_codes_issue(user=user)
    login_unfinished(client, user)
    response = client.post("/accounts/two-factor/", {"action": "recovery"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/verify/")
    assert twofactor.recovery_code_use(user=user, code=old[0])  # the old codes still stand
    assert client.get("/accounts/two-factor/")["Location"].startswith("/accounts/two-factor/verify/")
    assert client.get("/accounts/two-factor/enrol/")["Location"].startswith("/accounts/two-factor/verify/")
    changed = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "Qiao-Liang#2026x", "new_password2": "Qiao-Liang#2026x"},
    )
    assert changed["Location"].startswith("/accounts/two-factor/verify/")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_five_wrong_codes_lock_the_account_for_fifteen_minutes(client) -> None:
    user = staff_user("sup-guess", role=roles.SUPERVISOR)
    enrolled(user)
    with time_machine.travel("2026-12-02 09:00 +0800", tick=False):
        password_login(client, "sup-guess")
        for left in (4, 3, 2, 1):  # each refusal says how many tries remain before the lock
            wrong = client.post("/accounts/two-factor/verify/", {"code": "999999x"})
            assert wrong.status_code == 422 and f"还可尝试 {left} 次" in wrong.content.decode()
        locked = client.post("/accounts/two-factor/verify/", {"code": "999999x"})
        assert locked.status_code == 302 and locked["Location"] == "/accounts/login/"
        assert AuditEvent.objects.filter(action=twofactor.LOCKED, actor=user).count() == 1
        # Signed out; the password again leads to the code page, which stays locked, right code or not.
        password_login(client, "sup-guess")
        assert client.get("/accounts/two-factor/verify/")["Location"] == "/accounts/login/"
    with time_machine.travel("2026-12-02 09:16 +0800", tick=False):
        password_login(client, "sup-guess")
        code = twofactor.totp(user.two_factor_device.secret, twofactor.time_step())
        assert client.post("/accounts/two-factor/verify/", {"code": code})["Location"] == "/staff/"


# --- Optional roles --------------------------------------------------------------------------
def test_window_staff_need_no_second_factor_until_they_enrol(client) -> None:
    clerk = staff_user("clerk-opt", role=roles.WINDOW_STAFF)
    password_login(client, "clerk-opt", next_url="/staff/")
    assert client.get("/staff/").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 200
    client.get("/accounts/two-factor/enrol/")
    assert client.post("/accounts/two-factor/enrol/", {"code": current_code(clerk)}).status_code == 200
    client.post("/accounts/logout/")
    password_login(client, "clerk-opt", next_url="/staff/")
    assert client.get("/staff/")["Location"].startswith("/accounts/two-factor/verify/")


def test_a_chief_representative_is_not_required_to_enrol(db) -> None:
    assert not twofactor.is_required(staff_user("chief-opt", role=roles.CHIEF_REPRESENTATIVE))
    assert twofactor.is_required(staff_user("sup-req", role=roles.SUPERVISOR))


# --- Administration --------------------------------------------------------------------------
def test_an_administrator_resets_a_lost_authenticator_and_it_is_audited(client) -> None:
    admin = staff_user("admin-reset", role=roles.ADMINISTRATOR, is_staff=True, is_superuser=True)
    user = staff_user("sup-phone", role=roles.SUPERVISOR)
    device = enrolled(user)
    twofactor.recovery_codes_issue(user=user)
    from django.test import Client

    victim = Client()
    victim.force_login(user)
    client.force_login(admin)
    response = client.post(
        "/admin/servicehall/twofactordevice/",
        {"action": "reset_second_factor", "_selected_action": [device.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user_id=user.pk).exists()  # the lost phone's session ends
    event = AuditEvent.objects.get(action=twofactor.RESET)
    assert event.actor == admin and event.target_id == str(user.pk)


def test_a_supervisor_cannot_reset_anyone(client) -> None:
    supervisor = staff_user("sup-noreset", role=roles.SUPERVISOR, is_staff=True)
    device = enrolled(staff_user("sup-other", role=roles.SUPERVISOR))
    client.force_login(supervisor)
    client.post(
        "/admin/servicehall/twofactordevice/", {"action": "reset_second_factor", "_selected_action": [device.pk]}
    )
    assert TwoFactorDevice.objects.filter(pk=device.pk).exists()


# --- Logs ------------------------------------------------------------------------------------
def test_no_secret_or_code_reaches_a_log_line_or_the_audit_trail(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    user = staff_user("sup-logs", role=roles.SUPERVISOR)
    password_login(client, "sup-logs")
    client.get("/accounts/two-factor/enrol/")
    secret = TwoFactorDevice.objects.get(user=user).secret
    client.post("/accounts/two-factor/enrol/", {"code": "123456" if current_code(user) != "123456" else "654321"})
    enrol_code = current_code(user)
    page = client.post("/accounts/two-factor/enrol/", {"code": enrol_code})
    recovery = re.findall(r"<code>([A-Z2-9-]{14})</code>", page.content.decode())
    client.post("/accounts/logout/")
    password_login(client, "sup-logs")
    client.post("/accounts/two-factor/verify/", {"code": recovery[0]})
    client.post("/accounts/two-factor/verify/", {"code": recovery[0]})
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    audited = " ".join(f"{e.summary} {e.details} {e.target_id} {e.user_agent}" for e in AuditEvent.objects.all())
    assert caplog.records, "the scan read nothing: the requests logged no line at all"
    for needle in [secret, enrol_code, recovery[0], recovery[0].replace("-", "")]:
        assert needle not in logged
        assert needle not in audited


# --- The demo --------------------------------------------------------------------------------
def test_the_demo_gives_its_public_secret_to_the_demo_supervisors_only(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    from servicehall.management.commands.load_demo import demo_two_factor

    supervisor = staff_user("supervisor", role=roles.SUPERVISOR)
    clerk = staff_user("window01", role=roles.WINDOW_STAFF)
    stranger = staff_user("real-supervisor", role=roles.SUPERVISOR)  # not a demo account
    assert demo_two_factor() == 1
    assert demo_two_factor() == 0  # safe to rerun
    assert supervisor.two_factor_device.secret == twofactor.DEMO_SECRET
    assert not TwoFactorDevice.objects.filter(user__in=[clerk, stranger]).exists()
    printed = StringIO()
    call_command("demo_accounts", stdout=printed)
    assert twofactor.DEMO_SECRET in printed.getvalue()
    code = StringIO()
    call_command("demo_accounts", "--code", stdout=code)
    assert code.getvalue().strip() in {
        twofactor.totp(twofactor.DEMO_SECRET, twofactor.time_step() + d) for d in (-1, 0)
    }
