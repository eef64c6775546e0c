from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Administrators manage the catalog and the calendar; supervisors and chief representatives
# may read them in the admin.
CATALOG_MODELS = (
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


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("事项目录")

    def ready(self) -> None:
        from catalog import page_cache
        from servicehall import roles

        page_cache.connect()

        roles.grant(
            roles.ADMINISTRATOR,
            [*roles.model_permissions("catalog", CATALOG_MODELS), "catalog.publish_guideversion"],
        )
        for role in (roles.SUPERVISOR, roles.CHIEF_REPRESENTATIVE):
            roles.grant(role, roles.model_permissions("catalog", CATALOG_MODELS, ("view",)))
