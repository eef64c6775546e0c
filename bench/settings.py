"""The bench's settings: production's, with the bench-only URLs (``bench/urls.py``) in front.

Only `make bench` uses this module (``bench/run.py`` serves gunicorn with it); production and
the tests never load ``bench.urls``, so the bare write view is mounted nowhere else.
"""

from servicehall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
