from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicehallConfig(AppConfig):
    name = "servicehall"
    verbose_name = _("门户与权限")

    def ready(self) -> None:
        from servicehall import admin_audit, admin_names, extensions, login, roles

        # The audit trail is the administrators' (issue 14): supervisors no longer read it.
        roles.grant(
            roles.ADMINISTRATOR,
            ["servicehall.view_auditevent", "servicehall.view_staffprofile", "servicehall.view_twofactordevice"],
        )
        extensions.add_section(extensions.STAFF_HOME, "servicehall/_staff_home.html")
        roles.connect()
        login.connect()
        admin_audit.connect()
        admin_names.name_link_tables()
