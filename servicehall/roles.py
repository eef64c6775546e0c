"""Staff roles, as Django groups.

The group names are what administrators see in the admin, so they are in Chinese; code
refers to them only through these constants.
"""

from __future__ import annotations

from django.db.models.signals import post_migrate

WINDOW_STAFF = "窗口人员"
CHIEF_REPRESENTATIVE = "首席事务代表"
SUPERVISOR = "政务服务管理部门"
ADMINISTRATOR = "系统管理员"

ALL_ROLES = (WINDOW_STAFF, CHIEF_REPRESENTATIVE, SUPERVISOR, ADMINISTRATOR)

# Model permissions per role, as "app_label.codename" prefixes: an administrator manages the
# catalog and the calendar; supervisors and chief representatives may read them in the admin.
# Appointments: an administrator manages slot plans, slots and each hall's booking rules and reads
# the bookings, the people who book and the reminders; a supervisor reads them all and edits slot
# plans and slots (within their hall when tied to one: appointments/admin.py scopes the admin).
_CATALOG_MODELS = (
    "department",
    "hall",
    "hallopeninghours",
    "hallzone",
    "serviceitem",
    "guideversion",
    "material",
    "specialstep",
    "bundle",
    "bundlemember",
    "calendarday",
)
_QUEUE_CONFIG_MODELS = ("queuecategory", "window", "hallqueuesettings")
_QUEUE_RECORD_MODELS = ("ticket", "ticketevent", "waitalert", "dailystat")
_BOOKING_CONFIG_MODELS = ("slotplan", "slot", "hallbookingsettings")
_BOOKING_RECORD_MODELS = ("booking", "bookingperson", "reminder")
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        f"catalog.{verb}_{model}" for model in _CATALOG_MODELS for verb in ("add", "change", "delete", "view")
    ]
    + [f"queueing.{verb}_{model}" for model in _QUEUE_CONFIG_MODELS for verb in ("add", "change", "delete", "view")]
    + [f"queueing.view_{model}" for model in _QUEUE_RECORD_MODELS]
    + [
        f"appointments.{verb}_{model}"
        for model in _BOOKING_CONFIG_MODELS
        for verb in ("add", "change", "delete", "view")
    ]
    + [f"appointments.view_{model}" for model in _BOOKING_RECORD_MODELS]
    + ["catalog.publish_guideversion", "servicehall.view_auditevent", "servicehall.view_staffprofile"],
    SUPERVISOR: [f"catalog.view_{model}" for model in _CATALOG_MODELS]
    + [f"queueing.view_{model}" for model in _QUEUE_CONFIG_MODELS + _QUEUE_RECORD_MODELS]
    + [f"appointments.view_{model}" for model in _BOOKING_CONFIG_MODELS + _BOOKING_RECORD_MODELS]
    + ["appointments.change_slotplan", "appointments.change_slot"]
    + ["servicehall.view_auditevent"],
    CHIEF_REPRESENTATIVE: [f"catalog.view_{model}" for model in _CATALOG_MODELS],
    WINDOW_STAFF: [],
}


def roles_ensure(**_kwargs: object) -> None:
    """Create the role groups and give them their permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        )
    }
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*(by_name[name] for name in ROLE_PERMISSIONS[role] if name in by_name))


def connect() -> None:
    post_migrate.connect(roles_ensure, dispatch_uid="servicehall.roles_ensure")
