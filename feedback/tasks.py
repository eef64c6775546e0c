"""The feedback app's Celery tasks, defined by topic and gathered here for Celery's autodiscovery
(``servicehall.celery``: it imports each app's ``tasks`` module)."""

# “办不成事” reports: the flag job and the assignment message (feedback/tasks_reports.py).
from feedback.tasks_reports import report_assigned_notify, report_flags  # noqa: E402, F401
