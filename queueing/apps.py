from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONFIG_MODELS = ("queuecategory", "window", "hallqueuesettings")
RECORD_MODELS = ("ticket", "ticketevent", "waitalert", "dailystat", "boardmessage", "assistancerequest")


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("排队叫号")

    def ready(self) -> None:
        from servicehall import extensions, roles

        # A hall's catalog page shows its live queue.
        extensions.add_section(extensions.HALL_PAGE, "queueing/catalog/hall_queue.html")

        # Administrators configure categories, windows and thresholds and read the records;
        # supervisors read everything (alerts are acknowledged through the dashboard, not the admin).
        roles.grant(
            roles.ADMINISTRATOR,
            [
                *roles.model_permissions("queueing", CONFIG_MODELS),
                *roles.model_permissions("queueing", RECORD_MODELS, ("view",)),
            ],
        )
        roles.grant(roles.SUPERVISOR, roles.model_permissions("queueing", CONFIG_MODELS + RECORD_MODELS, ("view",)))
        # Administrators register and revoke the halls' kiosks (a revoked kiosk is kept, never
        # deleted: its check-in records point at it); supervisors see them.
        roles.grant(
            roles.ADMINISTRATOR, roles.model_permissions("queueing", ["kioskdevice"], ("add", "change", "view"))
        )
        roles.grant(roles.SUPERVISOR, roles.model_permissions("queueing", ["kioskdevice"], ("view",)))

        # Logging out signs the clerk out of their window (the logout view is the kernel's, which
        # imports no app; the admin's logout sends the same signal).
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_out.connect(leave_window_on_logout, dispatch_uid="queueing.leave_window_on_logout")
        # Only a clerk logged in now may be put at a window: their hall's window controls render
        # again at the next poll when they log in or out (queueing.dashboard_poll).
        for name, signal in (("in", user_logged_in), ("out", user_logged_out)):
            signal.connect(login_changed, dispatch_uid=f"queueing.dashboard_logged_{name}")

        # The categories each process remembers for issuing (queueing.lookups) are read again
        # after any change to a category or a hall.
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from catalog.models import Hall
        from queueing.lookups import categories_changed
        from queueing.models import QueueCategory

        for model in (QueueCategory, Hall):
            for signal in (post_save, post_delete):
                signal.connect(categories_changed, sender=model, dispatch_uid=f"queueing.lookups.{model.__name__}")
        from queueing.services import drop_number_sequence

        post_delete.connect(drop_number_sequence, sender=QueueCategory, dispatch_uid="queueing.drop_number_sequence")

        # A console's unchanged queue poll is answered without reading the user's roles (issue 14):
        # a change of them, of their profile or of their account makes their consoles render again.
        from django.contrib.auth import get_user_model

        from servicehall.models import StaffProfile

        user_model = get_user_model()
        m2m_changed.connect(
            roles_changed, sender=user_model.groups.through, dispatch_uid="queueing.console_roles_changed"
        )
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(user_row_changed, sender=user_model, dispatch_uid=f"queueing.console_user_{name}")
            signal.connect(profile_changed, sender=StaffProfile, dispatch_uid=f"queueing.console_profile_{name}")
        # The hall a profile leaves lists the person no more among those who may be put at a window.
        pre_save.connect(profile_moving, sender=StaffProfile, dispatch_uid="queueing.dashboard_profile_moving")


def roles_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    from queueing.console import user_changed

    # user.groups.add(...) (instance: the user) or group.user_set.add(...) (pk_set: the users);
    # a group cleared of all its users does not say whom it held, so POLL_VERSION_SECONDS covers it.
    user_ids = list(pk_set or ()) if reverse else [instance.pk]
    for user_id in user_ids:
        user_changed(user_id)
    # Their halls' window controls list the counter staff (rare writes: one query).
    if user_ids:
        from queueing.dashboard_poll import dashboard_changed_on_commit
        from servicehall.models import StaffProfile

        halls = StaffProfile.objects.filter(user_id__in=user_ids, hall_id__isnull=False).values_list(
            "hall_id", flat=True
        )
        dashboard_changed_on_commit(*halls)


def user_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from queueing.console import user_changed

    user_changed(instance.pk)


def profile_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from queueing.console import user_changed
    from queueing.dashboard_poll import dashboard_changed_on_commit

    user_changed(instance.user_id)
    # The hall's window controls show the name and who may be put at a window.
    dashboard_changed_on_commit(instance.hall_id, getattr(instance, "_hall_id_before", None))


def profile_moving(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Remember the hall a saved profile had (a profile is saved rarely: one query)."""
    if raw or instance.pk is None:
        return
    from servicehall.models import StaffProfile

    before = StaffProfile.objects.filter(pk=instance.pk).values_list("hall_id", flat=True).first()
    if before != instance.hall_id:
        instance._hall_id_before = before


def login_changed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """A person logged in or out: their hall's window controls say whether they may be put at
    a window (one query for the hall, at a login or logout)."""
    if user is None or user.pk is None:
        return
    from queueing.dashboard_poll import dashboard_changed_on_commit
    from servicehall.models import StaffProfile

    hall_id = StaffProfile.objects.filter(user_id=user.pk).values_list("hall_id", flat=True).first()
    dashboard_changed_on_commit(hall_id)


def leave_window_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A clerk who logs out leaves their window (``queueing.services.window_leave``): it closes,
    and the ticket at it goes back to waiting; the next page says so. ``user`` is None when
    nobody was logged in."""
    from django.contrib import messages
    from django.utils.translation import gettext

    from queueing import services

    if user is None:
        return
    left = services.window_leave(staff=user)
    if left is None or request is None:
        return
    text = gettext("您已退出登录，并从%(window)s签退。") % {"window": left.window}
    if left.returned is not None:
        text += gettext("%(number)s 已回到队列，保留原取号时间。") % {"number": left.returned.number}
    messages.info(request, text, fail_silently=True)
