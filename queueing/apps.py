from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONFIG_MODELS = ("queuecategory", "window", "hallqueuesettings")
RECORD_MODELS = ("ticket", "ticketevent", "waitalert", "dailystat")


class QueueingConfig(AppConfig):
    name = "queueing"
    verbose_name = _("排队叫号")

    def ready(self) -> None:
        from servicehall import roles

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
