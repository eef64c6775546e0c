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


def test_the_readmes_command_prints_the_demo_code_without_any_environment_set() -> None:
    """``scripts/manage demo_accounts --code``, as the README and ``make run`` say, works in a
    new shell with none of the keys in its environment (a walkthrough found the plain
    ``manage.py`` refusing to start without SECRET_KEY)."""
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PERSONAL_DATA_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    done = subprocess.run(
        [str(root / "scripts" / "manage"), "demo_accounts", "--code"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in {twofactor.totp(twofactor.DEMO_SECRET, twofactor.time_step() + d) for d in (-1, 0)}


# --- Encryption at rest ----------------------------------------------------------------------
def raw_secret_column(device: TwoFactorDevice) -> str:
    """The column as stored, read past the model (what a database dump or backup holds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(TwoFactorDevice._meta.db_table)
        cursor.execute(f"SELECT secret FROM {table} WHERE id = %s", [device.pk])  # noqa: S608 - a model's table name
        return cursor.fetchone()[0]


def test_the_secret_column_holds_no_plaintext(client) -> None:
    user = staff_user("sup-at-rest", role=roles.SUPERVISOR)
    password_login(client, "sup-at-rest")
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    device = TwoFactorDevice.objects.get(user=user)
    secret = device.secret
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page  # shown to scan, once decrypted
    raw = raw_secret_column(device)
    assert raw.startswith("gAAAAA") and secret not in raw and secret.lower() not in raw
    demo = staff_user("supervisor", role=roles.SUPERVISOR)
    twofactor.demo_enrol(user=demo)
    assert twofactor.DEMO_SECRET not in raw_secret_column(demo.two_factor_device)
    # Two devices with the same secret store different tokens (a random IV each): equal secrets
    # cannot be spotted in a dump.
    other = TwoFactorDevice.objects.create(user=staff_user("sup-same", role=roles.SUPERVISOR), secret=secret)
    assert raw_secret_column(other) != raw


def test_a_code_verifies_after_the_round_trip_through_the_database(db) -> None:
    user = staff_user("sup-round", role=roles.SUPERVISOR)
    secret = twofactor.new_secret()
    TwoFactorDevice.objects.create(user=user, secret=secret, confirmed_at="2026-12-01T09:00Z")
    reloaded = TwoFactorDevice.objects.get(user=user)
    assert reloaded.secret == secret
    code = twofactor.totp(secret, twofactor.time_step())
    assert twofactor.verify_login(user=user, code=code) == twofactor.VERIFIED_ACTION


def test_a_secret_under_another_key_fails_closed_with_a_logged_error_and_a_clear_message(client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    user = staff_user("sup-wrong-key", role=roles.SUPERVISOR)
    device = enrolled(user)
    secret = device.secret
    recovery = twofactor.recovery_codes_issue(user=user)
    code = current_code(user)
    settings.TWO_FACTOR_KEY = "another-key-than-the-one-that-encrypted-it"
    settings.TWO_FACTOR_OLD_KEYS = []
    with pytest.raises(twofactor.SecretUnavailable):
        twofactor.verify_login(user=user, code=code)
    login_unfinished(client, user)
    page = client.post("/accounts/two-factor/verify/", {"code": current_code_of(secret), "next": "/supervisor/"})
    assert page.status_code == 422
    assert "暂时无法核对认证器验证码" in page.content.decode() and "恢复码" in page.content.decode()
    assert client.get("/supervisor/").status_code == 302  # not let in
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "servicehall.twofactor"]
    assert errors and f"device {device.pk}" in errors[0].getMessage()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert secret not in logged and code not in logged and device.encrypted_secret not in logged
    # The failures count towards the lockout, and a recovery code (a digest) still lets the user in.
    assert twofactor.recent_failures(user) == 2
    assert client.post("/accounts/two-factor/verify/", {"code": recovery[0]}).status_code == 302
    assert client.get("/supervisor/").status_code == 200


def current_code_of(secret: str) -> str:
    return twofactor.totp(secret, twofactor.time_step())


def test_a_pending_enrolment_under_another_key_gets_a_new_secret_to_scan(client, settings) -> None:
    user = staff_user("sup-pending-key", role=roles.SUPERVISOR)
    password_login(client, "sup-pending-key")
    assert client.get("/accounts/two-factor/enrol/").status_code == 200
    settings.TWO_FACTOR_KEY = "another-key-than-the-one-that-encrypted-it"
    page = client.get("/accounts/two-factor/enrol/")
    assert page.status_code == 200
    secret = TwoFactorDevice.objects.get(user=user).secret  # readable with the new key
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page.content.decode()
    confirmed = client.post("/accounts/two-factor/enrol/", {"code": current_code_of(secret)})
    assert confirmed.status_code == 200 and TwoFactorDevice.objects.get(user=user).confirmed_at is not None


def test_an_old_key_still_opens_the_secrets_until_they_are_rotated(db, settings) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.TWO_FACTOR_KEY = "the-old-two-factor-key"
    user = staff_user("sup-rotate", role=roles.SUPERVISOR)
    device = enrolled(user)
    secret = device.secret
    lost = enrolled(staff_user("sup-lost-key", role=roles.SUPERVISOR))
    settings.TWO_FACTOR_KEY = "a-key-nobody-has-any-more"
    lost.secret = twofactor.new_secret()
    lost.save()
    settings.TWO_FACTOR_KEY = "the-new-two-factor-key"
    settings.TWO_FACTOR_OLD_KEYS = ["the-old-two-factor-key"]
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == secret
    out = StringIO()
    with pytest.raises(CommandError, match=rf"ids {lost.pk}\)"):
        call_command("two_factor_rotate_key", stdout=out)
    assert "Re-encrypted 1 " in out.getvalue()
    settings.TWO_FACTOR_OLD_KEYS = []
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == secret
    assert twofactor.verify_login(user=user, code=current_code_of(secret)) == twofactor.VERIFIED_ACTION


def test_the_migration_encrypts_the_plaintext_rows_and_reverses(db) -> None:
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("servicehall.migrations.0008_two_factor_secret_encrypted")
    device = enrolled(staff_user("sup-migrate", role=roles.SUPERVISOR))
    secret = device.secret
    table = connection.ops.quote_name(TwoFactorDevice._meta.db_table)
    with connection.cursor() as cursor:  # as 0007 left it: the plain secret
        cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [secret, device.pk])  # noqa: S608
    migration.encrypt_secrets(apps, None)
    raw = raw_secret_column(device)
    assert raw != secret and TwoFactorDevice.objects.get(pk=device.pk).secret == secret
    migration.encrypt_secrets(apps, None)  # rerun: a token is not encrypted twice
    assert raw_secret_column(device) == raw
    migration.decrypt_secrets(apps, None)
    assert raw_secret_column(device) == secret


def test_the_admin_never_shows_the_secret(client) -> None:
    admin = staff_user("admin-secret", role=roles.ADMINISTRATOR, is_staff=True, is_superuser=True)
    device = enrolled(staff_user("sup-admin-view", role=roles.SUPERVISOR))
    client.force_login(admin)
    pages = [
        client.get("/admin/servicehall/twofactordevice/"),
        client.get(f"/admin/servicehall/twofactordevice/{device.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "sup-admin-view" in html
        assert device.secret not in html and device.encrypted_secret not in html
