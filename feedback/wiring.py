"""What the feedback app adds to the pages of the apps below it (servicehall/extensions.py),
its checks and its signal receivers. Each part of the app registers its own in a function here."""


def connect() -> None:
    _connect_reports()
    _connect_ratings()


def _connect_reports() -> None:
    """办不成事 reports: sections, checks and receivers (feedback/reports.py)."""
    from django.core import checks

    from feedback import checks_reports
    from servicehall import extensions, roles

    # Art. 6 ¶1: a city or district hall without a “办不成事” window is refused (manage.py check
    # --database default, and every migrate).
    checks.register(checks_reports.check_report_windows, checks.Tags.database)
    # The report form's QR code on every slip and on the hall's board; the staff entry on the
    # workbench; the list in the supervisors' navigation; open reports on a hall's live figures.
    extensions.add_section(extensions.KIOSK_SLIP_PRINTED, "feedback/reports/_slip_qr.html")
    extensions.add_section(extensions.BOARD_HEADER, "feedback/reports/_board_qr.html")
    extensions.add_section(extensions.STAFF_HOME, "feedback/reports/_staff_home.html")
    extensions.add_section(extensions.SUPERVISOR_LINKS, "feedback/reports/_supervisor_link.html")
    extensions.add_section(extensions.SUPERVISOR_HALL_LIVE, "feedback/reports/_hall_live.html")
    # Reports are written through the services; administrators edit the categories, supervisors
    # and chief representatives read the records in the admin.
    records = ("report", "reportassignment", "reportevent")
    roles.grant(roles.ADMINISTRATOR, roles.model_permissions("feedback", ("reportcategory",)))
    for role in (roles.ADMINISTRATOR, roles.SUPERVISOR):
        roles.grant(role, roles.model_permissions("feedback", (*records, "reportcategory"), ("view",)))


def _connect_ratings() -> None:
    """好差评 ratings and rectification orders: sections and receivers (feedback/ratings.py)."""
    from feedback import tasks_ratings  # noqa: F401  (the worker registers the periodic tasks)
    from servicehall import extensions, roles

    # The rating link and QR code of a served ticket (its public page, on the printed slip) and
    # of a completed case (its progress page, its printed documents); rectifications and monthly
    # satisfaction on a hall's live figures; the orders and the public page in the navigation.
    extensions.add_section(extensions.TICKET_DONE, "feedback/ratings/_ticket_done.html")
    # On the printed slip itself: the person keeps it and rates once served.
    extensions.add_section(extensions.KIOSK_SLIP_PRINTED, "feedback/ratings/_kiosk_slip.html")
    extensions.add_section(extensions.CASE_PROGRESS, "feedback/ratings/_case_progress.html")
    extensions.add_section(extensions.CASE_PRINT, "feedback/ratings/_case_print.html")
    extensions.add_section(extensions.SUPERVISOR_HALL_LIVE, "feedback/ratings/_hall_live.html")
    extensions.add_section(extensions.SUPERVISOR_LINKS, "feedback/ratings/_link_overview.html")
    # The orders waiting on the staff workbench; this window's rating tablet from its console.
    extensions.add_section(extensions.STAFF_HOME, "feedback/ratings/_staff_home.html")
    extensions.add_section(extensions.CONSOLE_PANEL, "feedback/ratings/_console_tablet.html")
    # Ratings and orders are written through the services; administrators edit the rules, and
    # they and supervisors read the records in the admin.
    records = ("rating", "rectificationorder", "rectificationevent", "ratingappeal", "satisfactionmonth")
    roles.grant(roles.ADMINISTRATOR, roles.model_permissions("feedback", ("ratingpolicy",)))
    for role in (roles.ADMINISTRATOR, roles.SUPERVISOR):
        roles.grant(role, roles.model_permissions("feedback", (*records, "ratingpolicy"), ("view",)))
    # The published satisfaction page is cached per rollup generation (docs/caching.md).
    from feedback import statistics_cache

    statistics_cache.connect()
