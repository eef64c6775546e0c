from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicehallConfig(AppConfig):
    name = "servicehall"
    verbose_name = _("门户与权限")

    def ready(self) -> None:
        from servicehall import login, roles

        roles.grant(roles.ADMINISTRATOR, ["servicehall.view_auditevent", "servicehall.view_staffprofile"])
        roles.grant(roles.SUPERVISOR, ["servicehall.view_auditevent"])
        roles.connect()
        login.connect()
