"""The Celery application. Periodic jobs are in ``settings.CELERY_BEAT_SCHEDULE``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicehall.settings")

app = Celery("servicehall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
