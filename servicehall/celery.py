"""The Celery application. Periodic jobs are in ``settings.CELERY_BEAT_SCHEDULE``."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

app = Celery("servicehall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _django_logging(**_kwargs: object) -> None:
    """Keep Django's LOGGING in the worker and beat instead of Celery's own handlers.

    Celery otherwise replaces the root logger's handlers with its own, and the personal-data
    filter (on Django's console handler) stops masking the mobile numbers of every notification
    line; connecting this signal tells Celery to leave logging to us.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
