"""Settings shared by every environment, read from the environment.

Every variable is documented in README.md ("Configuration"). A bad value stops start-up.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_networks, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The site's public origin, for links written outside a request: the dump's URLs (exportdump), emails,
# webhooks, problem type URIs. Required in production (config/settings/production.py).
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
VAR_DIR = Path(env_str("TRACKER_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-development-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN, works offline)
    "simple_history",
    "core",
    "tracker",
    "positions",
    "sources",
    "seeds",
    "push",
    "publishing",
    "suggest",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that does not answer gives 503 (problem+json under /api/), not a 500 page.
    "core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.web.RejectNulQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# Login throttling (django-axes) on the team login and the admin: after LOGIN_FAILURE_LIMIT failed
# attempts for one account, or from one address, further attempts are refused for
# LOGIN_LOCKOUT_MINUTES, with a page that says so. Reviewers unlock early in the admin (Access
# attempts: delete the rows) or with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp) on every response. Scripts come only from this site's static
# files: no inline scripts or event handlers (tracker/static/tracker/app.js does the enhancements).
# Styles allow 'unsafe-inline' because the templates use style attributes and <style> blocks; an
# injected style cannot run code, and the templates escape what users type.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The API docs (Swagger UI at /api/v1/docs/) are served from this site's static files
# (drf-spectacular-sidecar), so they work offline and under the policy above; Swagger UI draws a few
# icons as data: images, which only that page may use (core/api/urls.py adds API_DOCS_CSP).
API_DOCS_CSP = {"img-src": ["data:"]}
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL in production and CI; an embedded SQLite file under var/ (git-ignored) when unset.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "tracker.sqlite3",
            # Writers wait for the lock instead of failing at once with "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_str("REDIS_URL", "")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            # A Redis that hangs costs a request one second, not the kernel's connect timeout: the
            # callers carry on without the cache (throttling, job progress; core/middleware.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Without Redis (`make run`) the cache lives in files under var/, so the web server and the Celery
    # worker share it (a background job's progress, throttling counters).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Email is used for password resets only. "Configured" means EMAIL_HOST is set: without it the reset
# pages answer 404 (config/urls.py) and the login page says to ask an administrator instead.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
if not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
LOGIN_REDIRECT_URL = "tracker:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FORMS_URLFIELD_ASSUME_HTTPS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Upload and request bodies: refuse huge bodies before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# History: the named user recorded for work nobody typed (Celery tasks, seed loader, commands).
TRACKER_SYSTEM_USERNAME = env_str("TRACKER_SYSTEM_USERNAME", "tracker-system")
SIMPLE_HISTORY_REVERT_DISABLED = True  # reverts go through tracker services, not simple-history's admin view

# Celery. The embedded default (a filesystem broker under var/) needs no service, so `make run`
# shows checks happening on a fresh machine; production sets CELERY_BROKER_URL to Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery-queue"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
    }

# Source fetching (see sources/fetcher/). Production leaves FETCH_ALLOWED_NETWORKS empty.
FETCH_ALLOWED_NETWORKS = env_networks("FETCH_ALLOWED_NETWORKS", [])
FETCH_CONTACT_URL = env_str("FETCH_CONTACT_URL", "https://example.org/tracker-bot")
FETCH_USER_AGENT = f"FactPositionTracker/1.0 (+{FETCH_CONTACT_URL})"

# Public fact-check pages under /public/ (publishing/): off unless switched on. No login; published
# content only; cached for PUBLIC_PAGES_CACHE_SECONDS (a retraction leaves them within that time).
PUBLIC_PAGES_ENABLED = env_bool("PUBLIC_PAGES_ENABLED", False)
PUBLIC_PAGES_CACHE_SECONDS = env_int("PUBLIC_PAGES_CACHE_SECONDS", 300, minimum=0)
PUBLIC_PAGES_CACHE_PREFIX = "public"
# The organisation named as the author of the fact checks (ClaimReview `author`); its URL defaults to
# the site's own address.
PUBLISHER_NAME = env_str("PUBLISHER_NAME", "Fact and position tracker") or "Fact and position tracker"
PUBLISHER_URL = env_url("PUBLISHER_URL", "")
PUBLISHER_LOGO_URL = env_url("PUBLISHER_LOGO_URL", "")

# Requests per API key: "<number>/<second|minute|hour|day>" as DRF reads it (only the unit's first letter
# counts there, so "600 per minute" would pass and fail every request later: checked here instead).
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r} is not a rate like 600/minute (a number, '/', and second, "
        "minute, hour or day)."
    )

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.TrackerAutoSchema",
    # The partner API (core/api/base.py): keys or team sessions, published-only for partners.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.access.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.access.TrackerAPIPermission"],
    # Strict for programs: a blank typed value or an ordering not offered is a 400 (core/api/filtering.py).
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filtering.StrictFilterBackend",
        "core.api.filtering.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.access.TrackerCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.access.KeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"key": API_THROTTLE_RATE},
    "EXCEPTION_HANDLER": "core.api.base.problem_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["core.api.access.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fact and position tracker API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Published claims, positions and what they reference, for partner organisations.\n\n"
        "**Authentication:** `Authorization: Bearer <key>` (keys from the team), or a team session.\n\n"
        "**Limits:** requests per key per minute as set by API_THROTTLE_RATE (default 600/minute; 429 with "
        "Retry-After beyond it); request bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE bytes (default 2 MiB; 413 "
        "beyond it); pages of at most 100 rows (`page_size`, default 50).\n\n"
        "**Writes** need a reason (`reason` field or `X-Change-Reason` header); updates, deletes and workflow "
        "actions need `If-Match` with the ETag of a GET (428 without it, 412 when stale).\n\n"
        "**Errors** are RFC 9457 `application/problem+json` with `errors: [{field, message}]`."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_problem_responses",
        "core.api.schema.refuse_nul_in_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "tracker.choices.ActorKind",
        "ClaimKindEnum": "tracker.choices.ClaimKind",
        "SourceKindEnum": "sources.choices.SourceKind",
        "DatePrecisionEnum": "core.choices.DatePrecision",
        # Fields named `outcome` and `status` exist in sources and push with different choices.
        "CheckOutcomeEnum": "sources.choices.CheckOutcome",
        "EditorialStatusEnum": "tracker.choices.EditorialStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Background source checks (issue 3; sources/checking.py, sources/tasks.py). Limits nest so a
# redelivery can never overtake a running check: fetch deadline < soft limit < hard limit <
# longest retry countdown < broker visibility timeout.
FETCH_DEADLINE_SECONDS = env_int("FETCH_DEADLINE_SECONDS", 20, minimum=1)
CELERY_TASK_ACKS_LATE = True  # a check is acknowledged when it ends, so a killed worker loses nothing
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ...and its message goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker reserves no more checks than it runs
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 90, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=2)
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600, minimum=10)
SOURCE_CHECK_MAX_RETRY_COUNTDOWN = env_int(
    "SOURCE_CHECK_MAX_RETRY_COUNTDOWN", min(900, CELERY_BROKER_VISIBILITY_TIMEOUT // 2), minimum=1
)
if not (
    FETCH_DEADLINE_SECONDS < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_BROKER_VISIBILITY_TIMEOUT
):
    raise ImproperlyConfigured(
        "Need FETCH_DEADLINE_SECONDS < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < "
        "CELERY_BROKER_VISIBILITY_TIMEOUT, or a running check could be delivered twice."
    )
if SOURCE_CHECK_MAX_RETRY_COUNTDOWN + CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "SOURCE_CHECK_MAX_RETRY_COUNTDOWN plus CELERY_TASK_TIME_LIMIT must stay below CELERY_BROKER_VISIBILITY_TIMEOUT."
    )
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sqs://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_BROKER_VISIBILITY_TIMEOUT
    # Sweep for messages of dead workers every few seconds (kombu's default is ~100 s between scans),
    # so a killed worker's check is redelivered soon after the visibility timeout.
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = max(1, min(60, CELERY_BROKER_VISIBILITY_TIMEOUT // 5))
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
if CELERY_BROKER_URL == "filesystem://":
    # Without this kombu writes its exchange tables to ./control in the current directory.
    CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"] = str(VAR_DIR / "celery-queue" / "control")
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Two queues. Partner webhooks (fan-out and delivery, push/tasks.py) have their own, "push", so a
# delivery never waits behind source checks, imports or the feed's numbering in "celery", and a burst
# of those never delays it; production runs a worker for each (README, "Production deployment").
# Mail (notifications, digests) stays in "celery": a hanging SMTP server must not hold webhook slots.
CELERY_TASK_DEFAULT_QUEUE = "celery"
WEBHOOK_QUEUE = env_str("WEBHOOK_QUEUE", "push")
CELERY_TASK_ROUTES = {
    task: {"queue": WEBHOOK_QUEUE}
    for task in ("push.tasks.fan_out", "push.tasks.deliver_endpoint", "push.tasks.dispatch_webhooks")
}
CELERY_BEAT_SCHEDULE = {
    # A safety net: every tracked write queues a sequencing run when it commits; this picks up any
    # change whose message was lost (broker down at that moment).
    "feed-sequence": {
        "task": "core.tasks.feed_sequence",
        "schedule": env_int("FEED_SEQUENCE_EVERY_SECONDS", 30, minimum=1),
    },
    "dispatch-due-sources": {
        "task": "sources.tasks.dispatch_due_sources",
        "schedule": env_int("SOURCE_CHECK_DISPATCH_EVERY_SECONDS", 60, minimum=1),
    },
    # Webhooks (push/tasks.py): fan out what the feed numbered and start the chains whose next event is
    # due; the database decides what is due, so a lost nudge only waits for this.
    "push-dispatch-webhooks": {
        "task": "push.tasks.dispatch_webhooks",
        "schedule": env_int("WEBHOOK_DISPATCH_EVERY_SECONDS", 15, minimum=1),
    },
    # Daily digests: each person gets at most one a day; the hourly run picks who is due.
    "push-send-digests": {"task": "push.tasks.send_digests", "schedule": 3600},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
REDIS_URL = _redis_url  # politeness state (host throttle, robots.txt) shared by workers; in-process when unset
try:
    FETCH_ALLOWED_PORTS = [int(port) for port in env_list("FETCH_ALLOWED_PORTS", ["80", "443"])]
except ValueError:
    raise ImproperlyConfigured("FETCH_ALLOWED_PORTS must be comma-separated port numbers.") from None
FETCH_RESOLVER = env_str("FETCH_RESOLVER", "")  # dotted path; tests and benchmarks map names to 127.0.0.1
FETCH_HOST_MIN_INTERVAL_SECONDS = env_float("FETCH_HOST_MIN_INTERVAL_SECONDS", 1.0, minimum=0.001)
FETCH_HOST_WAIT_INLINE_SECONDS = env_float("FETCH_HOST_WAIT_INLINE_SECONDS", 2.0, minimum=0)
FETCH_REDIS_KEY_PREFIX = env_str("FETCH_REDIS_KEY_PREFIX", "fetch")
SOURCE_CHECK_DEAD_AFTER_FAILURES = env_int("SOURCE_CHECK_DEAD_AFTER_FAILURES", 3, minimum=1)
SOURCE_CHECK_DEAD_AFTER_DAYS = env_int("SOURCE_CHECK_DEAD_AFTER_DAYS", 3, minimum=0)
SOURCE_CHECK_MIN_INTERVAL_HOURS = env_int("SOURCE_CHECK_MIN_INTERVAL_HOURS", 24, minimum=1)
SOURCE_CHECK_MAX_INTERVAL_DAYS = env_int("SOURCE_CHECK_MAX_INTERVAL_DAYS", 60, minimum=1)
SOURCE_CHECK_FAILURE_INTERVAL_HOURS = env_int("SOURCE_CHECK_FAILURE_INTERVAL_HOURS", 24, minimum=1)
SOURCE_CHECK_MAX_DELIVERIES = env_int("SOURCE_CHECK_MAX_DELIVERIES", 3, minimum=1)
SOURCE_CHECK_DISPATCH_BATCH = env_int("SOURCE_CHECK_DISPATCH_BATCH", 500, minimum=1)
SOURCE_CHECK_QUOTE_THRESHOLD = env_float("SOURCE_CHECK_QUOTE_THRESHOLD", 85.0, minimum=1)
# "pattern=address" pairs answered by sources.resolvers.static_resolver (tests, benchmark only).
FETCH_STATIC_HOSTS = dict(item.split("=", 1) for item in env_list("FETCH_STATIC_HOSTS", []) if "=" in item)

# Audit history: a reviewer's own changes need a second reviewer before they count as reviewed.
TRACKER_REQUIRE_SECOND_REVIEWER = env_bool("TRACKER_REQUIRE_SECOND_REVIEWER", False)
# Optional: on a failed check, look up the closest Wayback Machine capture (off by default).
SOURCE_CHECK_ARCHIVE_LOOKUP = env_bool("SOURCE_CHECK_ARCHIVE_LOOKUP", False)
SOURCE_CHECK_ARCHIVE_API = env_str("SOURCE_CHECK_ARCHIVE_API", "https://archive.org/wayback/available")
