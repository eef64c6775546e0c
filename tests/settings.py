"""Test settings: the real settings with test-only speedups, on SQLite unless DATABASE_URL says otherwise."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("PERSONAL_DATA_KEY", "test-personal-data-key-" + "p" * 20)
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_DEBUG", "0")

# Under pytest-xdist (`make test` runs two workers) each worker has its own database (pytest-django
# suffixes its name) and, here, its own Redis database: the cache, the snapshots and the Celery
# queues of one worker's tests are never another's (gw0 keeps REDIS_URL's database, gw1 the one
# below it, and so on, wrapping round the 16 databases).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL", "").startswith("redis://"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(os.environ["REDIS_URL"])
    _db = (int(_url.path.strip("/") or 0) - int(_worker[2:])) % 16
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))

from servicehall.settings import *  # noqa: E402,F403
from servicehall.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
# Tests read a snapshot right after changing a queue: no per-process reuse.
# Consoles read the hall's queue afresh: a change made in a test's transaction never commits, so
# it never replaces the hall's console generation that a shared read is kept under (the tests of
# the shared read, and of the console's poll, commit their changes and turn it on).
# No wait before a no-show: the tests that mark one call and mark at the same frozen instant;
# tests/queueing/test_no_show.py sets the wait to test it.
QUEUE = {
    **QUEUE,  # noqa: F405
    "snapshot_memo_seconds": 0,
    "issue_mark_seconds": 0,
    "console_shared_queue": False,
    "no_show_wait_seconds": 0,
}
CELERY_TASK_EAGER_PROPAGATES = True

if not REDIS_URL:  # noqa: F405
    # One process runs the tests: local memory is enough and leaves var/cache alone.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A read replica for the routing tests (tests/servicehall/test_dbrouter.py): a test mirror of
# default, so no database of its own is created and it reads default's test database. Routing to
# it stays off (REPLICA_DATABASE empty, as in production without DATABASE_REPLICA_URL) except in
# the tests that turn it on; a test that reads it must name it in its ``databases``.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
REPLICA_DATABASE = ""
