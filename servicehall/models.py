"""Who staff members are (their hall and department scope) and what they did (audit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicehall.encryption import decrypt_secret, encrypt_secret


class StaffProfile(models.Model):
    """Where a staff member works. No hall means citywide (city supervisors, administrators)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("用户")
    )
    hall = models.ForeignKey(
        "catalog.Hall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profiles",
        verbose_name=_("所属大厅"),
        help_text=_("留空表示全市范围（市级监督人员、系统管理员）。"),
    )
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_profiles",
        verbose_name=_("派出单位"),
    )
    display_name = models.CharField(_("姓名"), max_length=40)
    staff_number = models.CharField(_("工号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")

    def __str__(self) -> str:
        return self.display_name


class StepRecord(models.Model):
    """One step in the history of something an app follows (a case, a report, a rectification
    order): when, by whom (kept when the account goes) and the step's own details. Each app's
    concrete model adds the object it belongs to, its ``kind`` of step and its note."""

    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One staff action, kept for supervision (REQUIREMENTS §10: every staff action is audited)."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=100)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    # Where the action came from (等保 "who, what, when, from where"): filled from the request
    # by servicehall.audit's request context; empty for actions of periodic jobs.
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True, db_index=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    @property
    def action_label(self) -> str:
        """What ``action`` means, in words (servicehall/audit_actions.py); the code when unlabelled.
        The bare label: the audit list shows the group before it."""
        from servicehall.audit_actions import action_label

        return action_label(self.action, qualified=False)

    @property
    def attempted_account(self) -> str:
        """The account a failed or refused login was against (its name then), or ""."""
        from servicehall.login import ACCOUNT_NAME_KEY, ATTEMPTS

        if self.action not in ATTEMPTS or not isinstance(self.details, dict):
            return ""
        return str(self.details.get(ACCOUNT_NAME_KEY) or "")

    @property
    def action_group(self) -> str:
        from servicehall.audit_actions import GROUP_OF

        group = GROUP_OF.get(self.action)
        return str(group) if group is not None else ""


class Heartbeat(models.Model):
    """The last time a periodic job ran, by name: ``/readyz`` tells from it that beat, the broker
    and a worker are all alive (the beat's ``heartbeat`` task writes it every minute)."""

    name = models.CharField(_("名称"), max_length=60, primary_key=True)
    beat_at = models.DateTimeField(_("最近运行"))

    class Meta:
        verbose_name = _("运行心跳")
        verbose_name_plural = _("运行心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class SentNotification(models.Model):
    """The idempotency key of a message to a person (a booking reminder), written and committed
    *before* the notification backend is called (``servicehall.notifications.notify``). A second
    attempt with the same key, such as a reminder retried after its worker died mid-send, finds
    it: a key marked sent is never sent again; a key whose attempt never finished is posted again
    under the same key to a backend that deduplicates (the SMS gateway), and not sent again by
    one that cannot (log, file). The key names the message (``reminder-42``), never the person."""

    class State(models.TextChoices):
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")

    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    backend = models.CharField(_("发送方式"), max_length=60)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    created_at = models.DateTimeField(_("首次尝试时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("已发送消息")
        verbose_name_plural = _("已发送消息")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.key} {self.get_state_display()}"


class UserSession(AbstractBaseSession):
    """Django's database session with the signed-in user's id in a column of its own, so the
    portal can tell whether a staff member is logged in now (``servicehall.sessions``): a
    supervisor may only put a clerk at a window while the clerk has a live session. The engine
    is ``servicehall.sessions`` (``SESSION_ENGINE``); anonymous sessions have no user."""

    user_id = models.IntegerField(_("用户编号"), null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        # The stubs type the base's names as str; Django takes lazy strings here as everywhere.
        verbose_name = _("登录会话")  # type: ignore[assignment]
        verbose_name_plural = _("登录会话")  # type: ignore[assignment]

    @classmethod
    def get_session_store_class(cls) -> type[SessionBase]:
        from servicehall.sessions import SessionStore

        return SessionStore


class OutboxTask(models.Model):
    """A Celery task to send, written in the transaction of the change that asks for it
    (``servicehall.outbox``): sent once that transaction commits, and kept here until a worker
    has run it, so a task asked for while the broker (Redis) is away is sent when it is back,
    and one the broker lost (a restart without persistence) is sent again."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("发送中自"), null=True, blank=True)
    sent_at = models.DateTimeField(_("交给消息队列时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (RFC 6238, 双因素认证), one per user.

    ``confirmed_at`` is empty while enrolment waits for the first code. ``last_step`` is the
    time step of the last code accepted: a code is accepted only for a later step, so a code
    seen once (over a shoulder, in a proxy log) cannot be used again.

    The secret is stored encrypted (``servicehall.encryption``, Fernet): the column holds the
    token, ``secret`` reads and writes the plain base32 secret. Reading raises
    ``UndecryptableSecret`` when the configured keys cannot open it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device", verbose_name=_("用户")
    )
    # A Fernet token of a 32-character secret is 140 characters; room for a longer secret.
    encrypted_secret = models.CharField(_("密钥（加密）"), max_length=255, db_column="secret")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_step = models.BigIntegerField(_("最近使用的时间步"), default=0)

    class Meta:
        verbose_name = _("双因素认证设备")
        verbose_name_plural = _("双因素认证设备")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def secret(self) -> str:
        return decrypt_secret(self.encrypted_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = encrypt_secret(value)


class RecoveryCode(models.Model):
    """A one-time recovery code (恢复码) for a lost authenticator, stored as its SHA-256 digest
    (the codes are random, 60 bits, so a digest without a slow hash cannot be reversed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("用户")
    )
    digest = models.CharField(_("摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """A password a user had (its hash), newest last: a new password may not repeat the last
    few (``PASSWORD_HISTORY_COUNT``), and the newest row's time starts the expiry clock."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), db_index=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
