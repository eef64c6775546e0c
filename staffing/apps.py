from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Administrators keep the staff records and the code of conduct in the admin; supervisors read
# them there (incidents are recorded through the supervisors' pages, attendance by the windows).
RECORD_MODELS = ("secondment", "trainingrecord", "skillcertification", "conductcode")
READ_ONLY_MODELS = ("attendancerecord", "conductincident", "surgeflag")


class StaffingConfig(AppConfig):
    """Staffing (REQUIREMENTS §2, Art. 7 and 8): seconded staff and their dual management, chief
    affairs representatives, skills, training and conduct, and staff matched to the workload. It
    owns the staff records; the kernel keeps who may do what (servicehall/access.py)."""

    name = "staffing"
    verbose_name = _("人员管理")

    def ready(self) -> None:
        from queueing import hooks
        from servicehall import access, extensions, roles
        from staffing import services

        # Pre-job education before a window (Art. 7 ¶2), attendance from the windows' sign-ins
        # and sign-outs (Art. 8 ¶1), and the active chief secondment deciding who the
        # department's chief representative is (Art. 8 ¶3): places the lower layers name.
        hooks.add_sign_in_check(services.sign_in_refusal)
        hooks.window_signed_in.connect(services.on_window_signed_in, dispatch_uid="staffing.attendance_in")
        hooks.window_signed_out.connect(services.on_window_signed_out, dispatch_uid="staffing.attendance_out")
        access.add_chief_check(services.chief_check)

        extensions.add_section(extensions.STAFF_HOME, "staffing/_staff_home.html")
        extensions.add_section(extensions.SUPERVISOR_LINKS, "staffing/_supervisor_link.html")
        extensions.add_section(extensions.SUPERVISOR_HALL_LINKS, "staffing/_supervisor_hall_link.html")
        # Conduct incidents recorded from feedback (Art. 7 ¶2), on feedback's own pages.
        extensions.add_section(extensions.RECTIFICATION_ORDER, "staffing/_order_incident.html")
        extensions.add_section(extensions.REPORT_PAGE, "staffing/_report_incidents.html")

        roles.grant(
            roles.ADMINISTRATOR,
            [
                *roles.model_permissions("staffing", RECORD_MODELS),
                *roles.model_permissions("staffing", READ_ONLY_MODELS, ("view",)),
            ],
        )
        roles.grant(roles.SUPERVISOR, roles.model_permissions("staffing", RECORD_MODELS + READ_ONLY_MODELS, ("view",)))
