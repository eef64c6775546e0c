"""Settings for the servicehall portal, read from environment variables.

Every variable is listed, with its default, in the README's configuration table. A bad value
stops start-up with a message naming the variable (see ``servicehall.env``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from servicehall.env import env_bool, env_int, env_list, env_str, env_url
from servicehall.redis_sentinel import sentinel_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SERVICEHALL_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY is required when DJANGO_DEBUG is off "
            "(`make run` generates one under var/)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 - DEBUG only

# The key of the personal-data digests (a ticket's or booking's ID-number digest): its own
# setting, so that rotating SECRET_KEY (sessions, signed links) does not orphan every stored digest.
PERSONAL_DATA_KEY = env_str("PERSONAL_DATA_KEY")
if not PERSONAL_DATA_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Environment variable PERSONAL_DATA_KEY is required when DJANGO_DEBUG is off "
            "(`make run` generates one under var/; never change it once digests are stored)."
        )
    PERSONAL_DATA_KEY = "development-only-personal-data-key"  # noqa: S105 - DEBUG only

# The key of the two-factor secrets' encryption at rest (servicehall.encryption): by default the
# personal-data key, from which a separate key is derived (HKDF, a fixed label). Its own setting
# so that it can be rotated: set the new one and list the old ones in TWO_FACTOR_OLD_KEYS (comma
# separated) until `manage.py two_factor_rotate_key` has rewritten the stored secrets. Changing
# PERSONAL_DATA_KEY with TWO_FACTOR_KEY unset changes it too: list the old one there as well.
TWO_FACTOR_KEY = env_str("TWO_FACTOR_KEY") or PERSONAL_DATA_KEY
TWO_FACTOR_OLD_KEYS = env_list("TWO_FACTOR_OLD_KEYS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "servicehall",
    "catalog",
    "queueing",
    "appointments",
    "cases",
    "feedback",
    "staffing",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Its process_exception runs last of all: a view that finds the database away answers 503.
    "servicehall.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "servicehall.middleware.CookieLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicehall.audit.AuditRequestMiddleware",
    "servicehall.login.SessionIdleMiddleware",
    "servicehall.login.LoginCompletionMiddleware",
    "servicehall.middleware.ApiJsonWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "servicehall.dbrouter.ReplicaPinMiddleware",
]
# Bench only (bench/load.py): each response says how many queries its request ran.
if env_bool("BENCH_QUERY_COUNT", False):
    MIDDLEWARE.insert(0, "servicehall.middleware.QueryCountMiddleware")

ROOT_URLCONF = "servicehall.urls"
WSGI_APPLICATION = "servicehall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicehall.context_processors.portal",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "sqlite"})
if DATABASE_URL:
    # A connection is kept a minute and checked before its first query in each request
    # (CONN_HEALTH_CHECKS): after PostgreSQL restarts, the dead connection is replaced at once,
    # with no 503 for the request that finds it and no web server or worker restart (issue 14).
    # A server that does not answer is given up after a few seconds (a 503, not a held worker).
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "servicehall.sqlite3"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every SQLite database (the embedded default or a sqlite:// URL) is written by several
    # processes at once: the web workers and the Celery worker. WAL lets readers go on during a
    # write; IMMEDIATE takes the write lock when a transaction begins, so a writer waits for
    # another (up to the busy timeout) instead of failing with "database is locked" when a read
    # transaction tries to upgrade to a write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hottest statements (a refused booking's, the ticket issue's) are prepared once per
# connection on PostgreSQL (servicehall/prepared.py). Off behind a pooler in transaction mode
# (PgBouncer's pool_mode = transaction), whose server sessions do not keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
# A PostgreSQL read replica for the dashboards and history (docs/scaling.md): only reads marked
# with servicehall.dbrouter.use_replica / replica_view go there; unset, everything reads default.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", schemes={"postgres", "postgresql"})
REPLICA_DATABASE = ""
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL too.")
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    REPLICA_DATABASE = "replica"
DATABASE_ROUTERS = ["servicehall.dbrouter.ReplicaRouter"]
# After a signed-in user's own write, their marked reads stay on the primary this long (the
# replica's lag is well under a second; this is the margin).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10, minimum=1)

# --- Cache and Celery ------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss", "unix"})
# Redis is a cache, never the truth: the backend serves from the process's memory while Redis
# does not answer (servicehall/cache.py), and short timeouts keep an unreachable Redis from
# holding a request (a refused connection fails at once; a silent host within half a second).
REDIS_CACHE: dict[str, Any] = {
    "BACKEND": "servicehall.cache.FailSoftRedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "servicehall",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
}
# Redis behind Sentinel (docs/scaling.md): REDIS_SENTINELS="host:26379,host:26379" and
# REDIS_SENTINEL_MASTER name the sentinels and the master they watch; REDIS_URL then only gives
# the database number and the password (its host is ignored), REDIS_SENTINEL_PASSWORD the
# sentinels' own password if they have one.
SENTINEL = sentinel_config(
    env_str("REDIS_SENTINELS"),
    master=env_str("REDIS_SENTINEL_MASTER"),
    redis_url=REDIS_URL,
    sentinel_password=env_str("REDIS_SENTINEL_PASSWORD"),
)
if SENTINEL is not None:
    REDIS_URL = SENTINEL.cache_location
    REDIS_CACHE = {
        **REDIS_CACHE,
        "LOCATION": SENTINEL.cache_location,
        "OPTIONS": {**REDIS_CACHE["OPTIONS"], "pool_class": "servicehall.redis_sentinel.SentinelPool"},
    }
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {"default": REDIS_CACHE}
    CELERY_BROKER_URL = REDIS_URL
    if SENTINEL is not None:
        CELERY_BROKER_URL = SENTINEL.broker_url
        CELERY_BROKER_TRANSPORT_OPTIONS = SENTINEL.broker_transport_options
else:
    # Files under var/cache/ rather than local memory: the queue snapshots are written by
    # whichever process changed a queue and read by every web worker (see docs/decisions.md).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    # A broker that needs no server: messages are files under var/celery/ shared by the
    # web process, the worker and beat on one machine (see docs/decisions.md).
    # "localhost" named: the transport ignores it, and kombu warns at every start when it is missing.
    CELERY_BROKER_URL = "filesystem://localhost//"
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
        # Worker control (broadcast) files too, or kombu writes them to ./control in the cwd.
        "control_folder": str(_celery_dir / "control"),
    }

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A task handed to the broker through the outbox (servicehall/outbox.py) that no worker has run
# this long after is taken for lost (a broker restarted without its data) and sent again.
OUTBOX_RESEND_SECONDS = env_int("OUTBOX_RESEND_SECONDS", 300, minimum=10)

CELERY_BEAT_SCHEDULE = {
    # /readyz reports the worker pipeline stale when this is more than a few minutes old: every
    # minute, so one missed run is not yet an alarm.
    "heartbeat": {
        "task": "servicehall.tasks.heartbeat",
        "schedule": 60.0,
    },
    # Tasks asked for while the broker was away wait in the outbox (servicehall/outbox.py): this
    # run can only reach a worker once the broker is back, and then sends them within a minute.
    "outbox-drain": {
        "task": "servicehall.tasks.outbox_drain",
        "schedule": 60.0,
    },
    # The calendar must cover this year and the next for every deadline computed today; the
    # State Council publishes next year's holidays in November, so a daily refresh picks up
    # a new `holidays` release within a day and clears the provisional flag.
    "calendar-ensure-years": {
        "task": "catalog.tasks.calendar_ensure_years",
        "schedule": crontab(hour=2, minute=17),
    },
    # Search documents are rewritten by the catalog services on every change; once a night after
    # midnight drops those of versions superseded that day and catches bulk imports. Searches
    # never wait for it: a version taking effect at midnight was indexed when it was published.
    "search-documents-rebuild": {
        "task": "catalog.tasks.search_documents_rebuild",
        "schedule": crontab(hour=2, minute=37),
    },
    # A member's new guide version takes effect at midnight: its bundles' promised limits are
    # re-checked against the sum of the members' promised limits (issue 11, Art. 13 ¶3).
    "bundle-limits-recheck": {
        "task": "catalog.tasks.bundle_limits_recheck",
        "schedule": crontab(hour=2, minute=47),
    },
    # Art. 8 ¶4 asks the hall to watch waiting times "at all times": once a minute is as close
    # as a periodic job gets, and one run is a few set-based queries for every hall.
    "queue-monitor": {
        "task": "queueing.tasks.monitor_queues",
        "schedule": 60.0,
    },
    # A clerk whose login expired has left the counter: their window closes within a minute,
    # so that it is neither counted in estimates nor holding a ticket nobody serves.
    "queue-windows-of-expired-logins": {
        "task": "queueing.tasks.leave_windows_of_expired_sessions",
        "schedule": 60.0,
    },
    # Closing times differ per hall and weekday (extended hours): every five minutes expires
    # what a hall left unserved, and closes its idle windows, within minutes of its closing.
    "queue-expire-tickets": {
        "task": "queueing.tasks.expire_tickets",
        "schedule": crontab(minute="*/5"),
    },
    # Reminders are due at set times (the day before, an hour before); every minute keeps them
    # within a minute of due. New bookings also send their confirmation at once (on commit).
    "booking-reminders": {
        "task": "appointments.tasks.send_due_reminders",
        "schedule": 60.0,
    },
    # The horizon moves at midnight and the calendar or a plan may change any time: hourly keeps
    # every bookable day's slots in place without anyone generating them.
    # A surge is judged on the day's tickets so far: every ten minutes tells the department within
    # minutes of the queue outgrowing its usual day, and a run is two aggregates (idempotent:
    # one flag per hall, queue and day).
    "staffing-surges": {
        "task": "staffing.tasks.detect_surges",
        "schedule": crontab(minute="*/10"),
    },
    # A replacement's deadline is a day: the first run of the morning tells the management
    # department of the requests that went past it yesterday (each only once); the later hourly
    # runs read one partial index and only retry a message the gateway refused.
    "staffing-overdue-replacements": {
        "task": "staffing.tasks.notify_overdue_replacements",
        "schedule": crontab(hour="8-18", minute=5),
    },
    "booking-ensure-slots": {
        "task": "appointments.tasks.ensure_slots",
        "schedule": crontab(minute=7),
    },
    # A booking becomes a no-show 15 minutes after its slot ends: every five minutes is close
    # enough for the suspension rule and cheap (an indexed query).
    "booking-no-shows": {
        "task": "appointments.tasks.mark_no_shows",
        "schedule": crontab(minute="*/5"),
    },
    # The keys of messages sent (at most once per key) matter only while a message may be
    # retried, within the hour: a nightly sweep keeps a month and drops the rest.
    "prune-sent-notifications": {
        "task": "servicehall.tasks.prune_sent_notifications",
        "schedule": crontab(hour=3, minute=11),
    },
    # The audit trail is kept AUDIT_RETENTION_DAYS (at least 180, 等保三级): a nightly sweep of
    # the days that fell out of it, at a quiet hour, in batches.
    "prune-audit-events": {
        "task": "servicehall.tasks.prune_audit_events",
        "schedule": crontab(hour=3, minute=31),
    },
    # Deadlines change colour at midnight and when a case is accepted with a short limit: every
    # five minutes tells the chief representative within minutes, and a run is a few set-based
    # queries over the open cases' stored deadlines (bench: 1M open cases).
    "case-warnings": {
        "task": "cases.tasks.case_warnings",
        "schedule": crontab(minute="*/5"),
    },
    # After the nightly calendar refresh (02:17): provisional deadlines follow a year's newly
    # published holidays even if the refresh's own signal was lost with a broker outage.
    "case-deadlines-recompute": {
        "task": "cases.tasks.recompute_deadlines",
        "schedule": crontab(hour=2, minute=47),
    },
    # "办不成事" reports' reply deadlines turn at midnight and a run is a few set-based updates over
    # the open reports' stored deadlines: every fifteen minutes tells supervisors the same morning.
    "feedback-report-flags": {
        "task": "feedback.tasks_reports.report_flags",
        "schedule": crontab(minute="*/15"),
    },
    # Every hall is closed at night; yesterday is rolled up once all its tickets are final.
    "queue-rollup-yesterday": {
        "task": "queueing.tasks.rollup_yesterday",
        "schedule": crontab(hour=1, minute=5),
    },
    # 默认好评 is counted in days after the service: once a night records the day's newly due
    # defaults (a week of slack catches up missed runs), before the rollup below reads them.
    "ratings-record-defaults": {
        "task": "feedback.tasks_ratings.ratings_record_defaults",
        "schedule": crontab(hour=1, minute=25),
    },
    # Rectification deadlines are whole working days: hourly flags an order within the first
    # hour of the day after its deadline, with one indexed query over the open orders.
    "rectifications-flag-overdue": {
        "task": "feedback.tasks_ratings.rectifications_flag_overdue",
        "schedule": crontab(minute=13),
    },
    # The public satisfaction page (评价公开) reads the rollup: hourly keeps the current month
    # within an hour of the ratings, and three months of aggregates cost a few queries.
    "ratings-satisfaction-rollup": {
        "task": "feedback.tasks_ratings.satisfaction_rollup_recent",
        "schedule": crontab(minute=43),
    },
}

# --- Auth ------------------------------------------------------------------------------------
# The staff password policy (servicehall/passwords.py; only staff have accounts): 12 characters
# or more, three of four kinds, unlike the user name, not common, none of the last five.
PASSWORD_HISTORY_COUNT = 5
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "servicehall.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "servicehall.passwords.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
]
# A staff password older than this is changed at the next login (0: never expires).
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90)
# The audit trail is kept this long (等保三级 asks for at least 180 days; servicehall.tasks).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=180)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "servicehall_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security --------------------------------------------------------------------------------
# DJANGO_HTTPS defaults to on outside debug: production runs behind TLS. `make run` turns it
# off because it serves plain http on 127.0.0.1.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the web server append to X-Forwarded-For. Zero (the
# default, as under `make run`) means the header is ignored and the peer's address is the
# client's: anyone can write the header, so trusting it would let a client rotate addresses and
# escape every per-address limit (servicehall.http.client_address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Staff login (servicehall/login.py): an account is locked after this many failures within the
# window, an address refused after as many failures for any accounts; staff sessions end after
# this many idle minutes.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15, minimum=1)
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = STAFF_SESSION_IDLE_MINUTES * 60
# Database sessions that record whose they are, so the portal knows which clerks are logged in
# (a supervisor puts only a logged-in clerk at a window).
SESSION_ENGINE = "servicehall.sessions"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CARE_MODE_COOKIE = "servicehall_care"

# Strict policy: only our own files; inline scripts need the per-request nonce; no inline
# styles or handlers anywhere (CSS lives in static files).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    # The session cookie, answering 401 with a challenge to an anonymous caller (not DRF's 403).
    "DEFAULT_AUTHENTICATION_CLASSES": ["servicehall.authentication.SessionAuthentication"],
    # Safe by default: an endpoint is public only when its view says AllowAny (and the public
    # operations are checked against an allow-list in tests/servicehall/test_api_permissions.py).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "servicehall.pagination.PortalPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "servicehall.schema.PortalAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API takes JSON and nothing else (anonymous writes must be JSON, see
    # servicehall.middleware.ApiJsonWritesMiddleware), and its schema says so.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "servicehall.errors.api_exception_handler",
    # DRF's own notion of the client address agrees with servicehall.http.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {"ticket_issue": env_str("THROTTLE_TICKET_ISSUE", "30/hour") or "30/hour"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Servicehall API",
    "DESCRIPTION": (
        "API of the Guangzhou government-service hall portal, the same services as its pages.\n\n"
        "- **Public, no sign-in**: the service catalog and guides (one source with the web pages and "
        "the printed guides), halls, departments, bundles and the working-day calendar; a hall's live "
        "queue, taking a ticket and following or cancelling it by its token; open slots, booking, "
        "rescheduling and cancelling by the booking's token, check-in; a case's progress; rating a "
        "ticket or a case; “办不成事” reports.\n"
        "- **Staff, signed in** (the portal's session cookie and its CSRF token; supervisors and "
        "administrators with their second factor): windows (sign in, call, recall, start, transfer, "
        "no-show, finish), assistance, cases and bundle cases from acceptance to collection, "
        "forwarding, urgent requests, reports' handling, rectification orders, staffing, and the "
        "supervisors' alerts and statistics. Each sees only their own hall's or department's data.\n\n"
        "Errors always have the shape `{detail, code, errors}` (`errors`: messages per field). "
        "Messages are in Chinese, or in English with `Accept-Language: en`. Times are ISO 8601 and "
        "always carry their offset (`Z`, `+00:00`, or `+08:00` for a slot's times): read them with it; "
        "dates (service days, slots' days, legal "
        "deadlines) are calendar days in Asia/Shanghai, and legal time limits count working days. "
        "Personal data (ID and mobile numbers) is accepted in request bodies only and answered masked."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A case's status shares its field name with tickets' and bookings': named apart.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        # Field names several apps use ("decision", "state", "level") get their owner's name.
        "CaseDecisionEnum": "cases.models.Case.Decision",
        "MaterialStateEnum": "cases.models.CaseMaterial.State",
        "HallLevelEnum": "catalog.models.Hall.Level",
        # “办不成事” reports (feedback/models_reports.py): names shared with cases' and tickets' fields.
        "ReportStatusEnum": "feedback.models_reports.Report.Status",
        "ReportChannelEnum": "feedback.models_reports.Report.Channel",
        "ReportFlagEnum": "feedback.models_reports.Report.Flag",
        "CaseChannelEnum": "cases.models.Case.Channel",
        # Staffing (staffing/models.py): names shared with tickets', cases' and ratings' fields.
        "SecondmentStatusEnum": "staffing.models.Secondment.Status",
        "ConductIncidentSourceEnum": "staffing.models.ConductIncident.Source",
        "SurgeFlagDecisionEnum": "staffing.models.SurgeFlag.Decision",
        "SurgeFlagStatusEnum": "staffing.models.SurgeFlag.Status",
        # 好差评 (feedback/models_ratings.py): names shared with halls', tickets' and cases' fields.
        "RatingLevelEnum": "feedback.models_ratings.Level",
        "RatingKindEnum": "feedback.models_ratings.Rating.Kind",
        "RatingSourceEnum": "feedback.models_ratings.Rating.Source",
        "RectificationStatusEnum": "feedback.models_ratings.RectificationOrder.Status",
        "RatingAppealDecisionEnum": "feedback.models_ratings.RatingAppeal.Decision",
    },
}

# --- Portal ----------------------------------------------------------------------------------
PORTAL_NAME = _("广州市政务服务中心")
# The public address of the portal, for links sent by SMS (the booking's manage link).
PORTAL_BASE_URL = env_url("PORTAL_BASE_URL", schemes={"http", "https"}) or "http://127.0.0.1:8000"
GUIDE_PAGE_SIZE = 20

# Queue defaults (REQUIREMENTS §4); a hall overrides them in HallQueueSettings, a category its
# two thresholds. Values from practice elsewhere in China, never constants in code.
QUEUE = {
    "max_wait_minutes": 30,  # alert when the longest wait passes this
    "max_waiting_per_window": 8,  # alert when waiting / open windows passes this
    "starvation_minutes": 45,  # a normal ticket waiting longer is called before priority ones
    "target_wait_minutes": 15,  # the wait the Erlang C recommendation aims for; the dashboard's target
    "target_share_percent": 80,  # the dashboard's target: this share of the people called within the target wait
    "green_channel_age": 60,  # age from the ID number that gives a green-channel ticket (老年人权益保障法 Art. 2)
    "default_service_minutes": 8,  # estimator's prior when a queue has no history yet
    "estimator_sample": 30,  # recent finished tickets the estimator averages over
    "recent_calls_shown": 8,  # calls listed on the display board
    "snapshot_memo_seconds": 0.5,  # each web process reuses a hall's public snapshot this long
    # A ticket issue's snapshot mark is written with the other marks of this moment (queueing.snapshot).
    "issue_mark_seconds": env_int("QUEUE_ISSUE_MARK_MS", 50) / 1000,
    "console_shared_queue": True,  # a hall's consoles share one read of its queue per change (queueing.console)
    "no_show_wait_seconds": 60,  # a called ticket may be marked 过号 this long after the call, not sooner
}
# Surge detection (issue 13, Art. 6 ¶4, Art. 8 ¶1): a queue whose tickets today, up to now,
# exceed the mean of the same weekday of the last four weeks up to the same time by more than
# ``threshold`` (0.30 = +30 %), with at least ``min_arrivals`` today, flags a request for
# temporary extra staff to the department. A small queue's +30 % is two people: not a surge.
STAFFING_SURGE = {"threshold": 0.30, "min_arrivals": 10}
# Booking rules (REQUIREMENTS §5); a hall overrides them in HallBookingSettings.
APPOINTMENTS = {
    "horizon_working_days": 7,  # book from today up to the 7th working day ahead
    "cancel_before_hours": 2,  # cancel or reschedule up to 2 hours before the slot
    "max_active": 3,  # active bookings per person
    "no_show_limit": 2,  # no-shows ...
    "no_show_window_days": 30,  # ... within 30 days ...
    "suspension_days": 90,  # ... suspend online booking for 90 days
    "checkin_before_minutes": 30,  # check in from 30 minutes before the slot starts ...
    "checkin_after_minutes": 15,  # ... to 15 minutes after
    "reminder_lease_minutes": 5,  # a reminder claimed by a worker that died is retried after this
    # Check-ins by anyone but staff that find nothing (issue 9 §3): 5 wrong ID and mobile pairs
    # for a booking stop its check-in by ID number for the day; 10 failures at one kiosk within
    # 10 minutes stop check-in at that kiosk for a while.
    "checkin_id_failures_per_booking": 5,
    "checkin_failures_per_device": 10,
    "checkin_device_window_minutes": 10,
}
# Against scalpers (黄牛): bookings per client address and per mobile number.
THROTTLE_BOOKING_IP = env_str("THROTTLE_BOOKING_IP", "20/hour") or "20/hour"
THROTTLE_BOOKING_MOBILE = env_str("THROTTLE_BOOKING_MOBILE", "5/hour") or "5/hour"
# "Find my bookings" (a one-time code by SMS): requests per client address and per mobile number.
THROTTLE_BOOKING_LOOKUP_IP = env_str("THROTTLE_BOOKING_LOOKUP_IP", "10/hour") or "10/hour"
THROTTLE_BOOKING_LOOKUP_MOBILE = env_str("THROTTLE_BOOKING_LOOKUP_MOBILE", "3/hour") or "3/hour"

# Case rules (REQUIREMENTS §8, docs/cases.md); values from practice, never constants in code.
CASES = {
    "yellow_working_days": 2,  # a deadline this many working days away or nearer is yellow
    "notice_within_working_days": 5,  # the one-time notice within 5 working days of receipt (the legal bound)
    "owed_reminder_working_days": 1,  # remind the applicant of an owed material this many working days before
    "warning_lease_minutes": 5,  # a colour change a run failed to announce is taken over after this
}
# The public progress look-up (case number + last four digits): per client address and per case
# number, so that trying the 10,000 endings of one number is slow whatever the address.
THROTTLE_CASE_PROGRESS_IP = env_str("THROTTLE_CASE_PROGRESS_IP", "30/hour") or "30/hour"
THROTTLE_CASE_PROGRESS_NUMBER = env_str("THROTTLE_CASE_PROGRESS_NUMBER", "10/hour") or "10/hour"

# "办不成事" reports (REQUIREMENTS §9, Art. 6; feedback/reports.py): values from practice.
FEEDBACK_REPORTS = {
    "reply_working_days": 15,  # the reply (办结) is due this many working days after registration
    "yellow_working_days": 3,  # a reply due this many working days away or nearer is flagged yellow
    "warning_lease_minutes": 5,  # a flag a run failed to announce is taken over after this
    # An online report with the same hall, category, problem and mobile number as one registered
    # this many minutes ago is a repeat (a double click, a retried request): refused with 409.
    "duplicate_minutes": 10,
}
# The public report form (/report/, POST /api/v1/reports/online/): per client address.
THROTTLE_REPORT_IP = env_str("THROTTLE_REPORT_IP", "10/hour") or "10/hour"
# Finding a report by its reference and mobile number (/report/find/): per address and reference,
# as the cases' progress look-up.
THROTTLE_REPORT_FIND_IP = env_str("THROTTLE_REPORT_FIND_IP", "30/hour") or "30/hour"
THROTTLE_REPORT_FIND_NUMBER = env_str("THROTTLE_REPORT_FIND_NUMBER", "10/hour") or "10/hour"

# Where supervisors are notified of wait alerts (and, with issue 4, where reminders go).
NOTIFICATION_BACKEND = env_str("NOTIFICATION_BACKEND", "servicehall.notifications.LogBackend")
# The SMS gateway of servicehall.notifications.SmsGatewayBackend (production): URL and bearer token.
SMS_GATEWAY_URL = env_url("SMS_GATEWAY_URL", schemes={"http", "https"})
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN")

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("Environment variable LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "servicehall.personal_data.MaskPersonalDataFilter"},
        "refusal_without_traceback": {"()": "servicehall.log_filters.RefusalWithoutTraceback"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
            # On the handler too: Django's own loggers (django.request) log at INFO themselves
            # and propagate here whatever the root logger's level.
            "level": LOG_LEVEL,
        }
    },
    # A refused page (403, 404…) is one line; only a server error carries its traceback.
    "loggers": {"django.request": {"filters": ["refusal_without_traceback"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
