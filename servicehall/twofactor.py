"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Required for supervisors, administrators and superusers (``is_required``); optional for window
staff and chief representatives, who may enrol from ``/accounts/two-factor/`` and are then asked
for a code at every login too. Written here on the standard library rather than with django-otp
(docs/decisions.md): its recovery codes are stored in clear, and it brings two apps of its own
with their own tables.

A code is 6 digits of HMAC-SHA1 over the 30-second time step (what every authenticator app
uses by default); the step before and after are accepted for clock drift, and only a step later
than the last one accepted (``TwoFactorDevice.last_step``, claimed with a conditional UPDATE):
a code, once used, is refused even within its 30 seconds. Failed codes count towards the
account lockout of ``servicehall.login`` (``LOGIN_FAILURES_PER_ACCOUNT`` in
``LOGIN_LOCK_MINUTES``). Neither the secret nor a code is ever logged or audited.

The secret is stored encrypted (``servicehall.encryption``, ``TwoFactorDevice.secret``). One
that the configured keys cannot open fails closed: no code is accepted, an error naming the
device (never the value) is logged, and the user is told to use a recovery code or ask an
administrator (``SecretUnavailable``).

The login has two steps: the password (Django's login view) and then the code. Which step a
session is at is kept in the session (``SESSION_KEY``), decided once at the password login,
so that checking it costs no query per request: ``servicehall.login.LoginCompletionMiddleware``
sends a session that has not finished to the code or enrolment page and refuses it every staff
page and API call.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall import roles
from servicehall.audit import audit_record
from servicehall.encryption import UndecryptableSecret, encrypt_secret, reencrypt_secret
from servicehall.models import AuditEvent, RecoveryCode, TwoFactorDevice

logger = logging.getLogger(__name__)

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # one step before and after: a phone's clock a little off, a code typed late
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper

SESSION_KEY = "_two_factor"
VERIFIED = "ok"  # verified, or not asked for (optional and not enrolled)
PENDING_CODE = "verify"
PENDING_ENROLMENT = "enrol"

ENROLLED = "two_factor.enrolled"
VERIFIED_ACTION = "two_factor.verified"
FAILED = "two_factor.failed"
RECOVERY_USED = "two_factor.recovery_used"
RECOVERY_ISSUED = "two_factor.recovery_issued"
RESET = "two_factor.reset"
LOCKED = "two_factor.locked"


# --- TOTP ------------------------------------------------------------------------------------
def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def time_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def totp(secret: str, step: int) -> str:
    """The code of ``secret`` at time ``step`` (RFC 6238 over RFC 4226's truncation)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    issuer = "servicehall"
    label = quote(f"{issuer}:{username}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG ``data:`` URI (the strict CSP allows ``img-src data:``;
    drawn here, with no request to any other server, as the ticket slips' codes are)."""
    import qrcode
    import qrcode.constants
    import qrcode.image.svg

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=qrcode.image.svg.SvgPathImage
    )
    code.add_data(text)
    code.make(fit=True)
    markup = code.make_image().to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(markup.encode()).decode("ascii")


def _normalise_code(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, *, after: int, at: float | None = None) -> int | None:
    code = _normalise_code(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = time_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp(secret, step), code):
            return step
    return None


class SecretUnavailable(Exception):  # noqa: N818 - a state, not a programming error
    """The user's authenticator secret cannot be decrypted: no code can be checked."""


def device_secret(device: TwoFactorDevice) -> str | None:
    """The device's secret, or None (logged as an error) when the keys cannot decrypt it."""
    try:
        return device.secret
    except UndecryptableSecret:
        logger.error(
            "Two-factor secret of device %s (user id %s) cannot be decrypted with TWO_FACTOR_KEY or "
            "TWO_FACTOR_OLD_KEYS; its codes are refused until the key is restored or the device is reset.",
            device.pk,
            device.user_id,
        )
        return None


def device_check(*, device: TwoFactorDevice, code: str, at: float | None = None) -> bool:
    """Whether ``code`` is good for ``device`` now and unused; accepting it uses it up.

    The step is claimed with ``UPDATE ... WHERE last_step < step``: of two requests with the
    same code (a replay, a double submit) only one is accepted. A secret that cannot be
    decrypted accepts no code."""
    secret = device_secret(device)
    if secret is None:
        return False
    step = _matching_step(secret, code, after=device.last_step, at=at)
    if step is None:
        return False
    claimed = TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    if claimed:
        device.last_step = step
    return bool(claimed)


# --- Who is asked ----------------------------------------------------------------------------
def is_required(user: Any) -> bool:
    """Supervisors, administrators and superusers must use a second factor."""
    if getattr(user, "is_superuser", False):
        return True
    return user.groups.filter(name__in=roles.SUPERVISION_ROLES).exists()


def confirmed_device(user: Any) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def login_state(user: Any) -> str:
    """The step a session starts at after the password (stored under ``SESSION_KEY``)."""
    if confirmed_device(user) is not None:
        return PENDING_CODE
    return PENDING_ENROLMENT if is_required(user) else VERIFIED


# --- Failures and lockout --------------------------------------------------------------------
def recent_failures(user: Any) -> int:
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return AuditEvent.objects.filter(action=FAILED, actor=user, created_at__gte=since).count()


def is_locked(user: Any) -> bool:
    return recent_failures(user) >= settings.LOGIN_FAILURES_PER_ACCOUNT


def record_failure(user: Any) -> None:
    audit_record(actor=user, action=FAILED, target=user, summary=_("双因素验证码错误"))


# --- Verification at login -------------------------------------------------------------------
def verify_login(*, user: Any, code: str, at: float | None = None) -> str | None:
    """Check a login's second step: an authenticator code, or else a recovery code. Returns
    the action recorded (``VERIFIED_ACTION`` or ``RECOVERY_USED``), or None when refused
    (the failure is recorded and counts towards the lockout).

    Raises ``SecretUnavailable`` (the failure recorded too) when the code is refused because
    the stored secret cannot be decrypted: a recovery code still works, being a digest."""
    device = confirmed_device(user)
    unreadable = device is not None and device_secret(device) is None
    if device is not None and not unreadable and device_check(device=device, code=code, at=at):
        audit_record(actor=user, action=VERIFIED_ACTION, target=user, summary=_("双因素验证通过"))
        return VERIFIED_ACTION
    if recovery_code_use(user=user, code=code):
        remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_record(
            actor=user,
            action=RECOVERY_USED,
            target=user,
            summary=_("使用恢复码登录"),
            details={"remaining": remaining},
        )
        return RECOVERY_USED
    record_failure(user)
    if unreadable:
        raise SecretUnavailable
    return None


# --- Enrolment -------------------------------------------------------------------------------
def enrolment_device(*, user: Any) -> TwoFactorDevice:
    """The device being enrolled: the pending one (a reload keeps the secret already scanned),
    or a new one. A confirmed device is replaced only through ``two_factor_reset``."""
    device, created = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"encrypted_secret": encrypt_secret(new_secret())}
    )
    if not created and device.confirmed_at is None and device_secret(device) is None:
        # Not yet confirmed, so no authenticator depends on it: a new secret to scan.
        device.secret = new_secret()
        device.save(update_fields=["encrypted_secret"])
    return device


def enrolment_confirm(*, user: Any, code: str, at: float | None = None) -> list[str] | None:
    """Confirm the pending device with its first code: returns the new recovery codes (shown
    once), or None when the code is wrong (recorded as a failure)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None or not device_check(device=device, code=code, at=at):
            record_failure(user)
            return None
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        codes = recovery_codes_issue(user=user)
        audit_record(actor=user, action=ENROLLED, target=user, summary=_("启用双因素认证"))
    return codes


# --- Recovery codes --------------------------------------------------------------------------
def _digest(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def recovery_codes_issue(*, user: Any) -> list[str]:
    """Ten new one-time recovery codes (three groups of four characters joined by hyphens, 60 bits each); the old ones stop
    working. Only their digests are kept: the codes are shown once."""
    codes = [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(code)) for code in codes])
        audit_record(actor=user, action=RECOVERY_ISSUED, target=user, summary=_("生成新的恢复码"))
    return codes


def recovery_code_use(*, user: Any, code: str) -> bool:
    """Use up one recovery code: a conditional UPDATE, so a code works once, even raced."""
    if not code.strip():
        return False
    used = RecoveryCode.objects.filter(user=user, digest=_digest(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return bool(used)


# --- Administration --------------------------------------------------------------------------
def two_factor_reset(*, actor: Any, user: Any) -> None:
    """Remove a user's authenticator and recovery codes (a lost phone): at the next login a
    required user enrols again. Their live sessions end, so a stolen phone's session does too."""
    from servicehall.models import UserSession

    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        UserSession.objects.filter(user_id=user.pk).delete()
        audit_record(
            actor=actor,
            action=RESET,
            target=user,
            summary=_("重置用户 %(username)s 的双因素认证") % {"username": user.get_username()},
        )


# --- Key rotation ----------------------------------------------------------------------------
def secrets_reencrypt() -> tuple[int, list[int]]:
    """Rewrite every stored secret with the current ``TWO_FACTOR_KEY`` (after a rotation, while
    the old key is still in ``TWO_FACTOR_OLD_KEYS``). Returns how many were rewritten and the
    ids of the devices that no configured key opens (left as they are, to reset)."""
    rewritten, unreadable = 0, []
    for pk, token in TwoFactorDevice.objects.order_by("pk").values_list("pk", "encrypted_secret").iterator():
        try:
            new_token = reencrypt_secret(token)
        except UndecryptableSecret:
            unreadable.append(pk)
            continue
        # Only if unchanged meanwhile (a new enrolment): never overwrite a newer secret.
        rewritten += TwoFactorDevice.objects.filter(pk=pk, encrypted_secret=token).update(encrypted_secret=new_token)
    return rewritten, unreadable


# --- The fixed secret of the demo accounts (load_demo only) ----------------------------------
# Public by design: printed by `make run` so that a newcomer can sign in as the demo supervisor
# and administrator. load_demo gives it only to the demo accounts it creates; every real device
# gets a random secret from new_secret().
DEMO_SECRET = "SERVICEHALLDEMOTOTPSECRET234567A"  # noqa: S105 - the demo's, printed on purpose


def demo_enrol(*, user: Any) -> bool:
    """Give a demo account the demo secret (confirmed) unless it has a device already."""
    _device, created = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"encrypted_secret": encrypt_secret(DEMO_SECRET), "confirmed_at": timezone.now()}
    )
    return created
