"""Caseload settings, read from the environment (see the README's configuration table).

With nothing set, Caseload runs on an embedded default: SQLite in ``var/``, a
Celery broker kept in files under ``var/`` and development secrets generated
once into ``var/dev-secrets.json``. With ``DJANGO_ENV=production`` every secret
must come from the environment, or start-up stops with a message naming it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

from caseload.env import (
    ConfigurationError,
    DevelopmentSecrets,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_optional,
    env_secret,
    env_str,
    new_256_bit_key,
    new_chain_keys,
    new_master_keys,
    new_secret_key,
    parse_key,
    parse_key_ring,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice(
    "DJANGO_ENV",
    "development",
    ("development", "production"),
    "`development` (default: embedded SQLite, generated secrets, console email) or "
    "`production` (every secret required, HTTPS-only cookies, HSTS).",
)
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(
    env_str(
        "CASELOAD_VAR_DIR",
        str(BASE_DIR / "var"),
        "Folder for local state on the embedded default: the SQLite file, the file-based "
        "Celery broker and the generated development secrets. Default `var/`.",
    )
)
_dev_secrets = DevelopmentSecrets(VAR_DIR / "dev-secrets.json")

DEBUG = env_bool(
    "DJANGO_DEBUG",
    not PRODUCTION,
    "Show Django's debug pages. Default on in development; refused in production.",
)
if PRODUCTION and DEBUG:
    raise ConfigurationError("DJANGO_DEBUG cannot be on when DJANGO_ENV=production.")

SECRET_KEY = env_secret(
    "SECRET_KEY",
    "Django's signing key: at least 50 random characters. Required in production.",
    production=PRODUCTION,
    development_secrets=_dev_secrets,
    make=new_secret_key,
)

# Keys for personal data. The master key ring wraps each client's data key;
# the first key is used for new wrapping, the others still unwrap during rotation.
CASELOAD_MASTER_KEYS = parse_key_ring(
    "CASELOAD_MASTER_KEYS",
    env_secret(
        "CASELOAD_MASTER_KEYS",
        "Master encryption keys for personal data, `key-id:base64-32-bytes`, comma-separated, "
        "newest first. Required in production.",
        production=PRODUCTION,
        development_secrets=_dev_secrets,
        make=new_master_keys,
    ),
)
CASELOAD_BLIND_INDEX_KEY = parse_key(
    "CASELOAD_BLIND_INDEX_KEY",
    env_secret(
        "CASELOAD_BLIND_INDEX_KEY",
        "Key for the keyed hashes that let Caseload search personal data without "
        "decrypting it: base64 of 32 random bytes, never an encryption key. Required in "
        "production.",
        production=PRODUCTION,
        development_secrets=_dev_secrets,
        make=new_256_bit_key,
    ),
)

# Key ring for the notes' keyed hash chain and for signing its checkpoints (notes.chain).
# New links use the first key; links made with an older key verify with that key, so a
# retired key stays listed (after the newest) for as long as its notes are verified.
CASELOAD_CHAIN_KEYS = parse_key_ring(
    "CASELOAD_CHAIN_KEYS",
    env_secret(
        "CASELOAD_CHAIN_KEYS",
        "Keys for the case notes' keyed hash chain and its signed checkpoints, "
        "`key-id:base64-32-bytes`, comma-separated, newest first; keep retired keys listed "
        "after the newest to verify older notes. Never a master or blind-index key. Required "
        "in production.",
        production=PRODUCTION,
        development_secrets=_dev_secrets,
        make=new_chain_keys,
    ),
)
CASELOAD_ANCHOR_DIR = Path(
    env_str(
        "CASELOAD_ANCHOR_DIR",
        str(VAR_DIR / "anchors"),
        "Folder the signed checkpoints of the note chains are written to (daily and by "
        "`manage.py anchor_notes`); put it on storage the database's operators cannot "
        "rewrite. Default `var/anchors/`.",
    )
)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
    "Host names this site answers to, comma-separated. Required in production.",
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [],
    "Full origins (`https://caseload.example.org`) allowed to post forms, when behind a proxy.",
)
CASELOAD_BASE_URL = env_str(
    "CASELOAD_BASE_URL",
    "http://127.0.0.1:8000",
    "The address people use to reach Caseload, for links in emails.",
).rstrip("/")

CASELOAD_LATE_ENTRY_HOURS = env_int(
    "CASELOAD_LATE_ENTRY_HOURS",
    24,
    "A case note written more than this many hours after the contact is marked as a late "
    "entry. Default 24.",
    minimum=1,
)
# Subject access releases: encrypted ZIP files kept for the DPO to download for a while.
CASELOAD_SAR_EXPORT_DIR = Path(
    env_str(
        "CASELOAD_SAR_EXPORT_DIR",
        str(VAR_DIR / "subject-access"),
        "Folder where released subject access files are kept, encrypted with the client's "
        "key, until their download expires. Default `var/subject-access/`.",
    )
)
CASELOAD_SAR_DOWNLOAD_DAYS = env_int(
    "CASELOAD_SAR_DOWNLOAD_DAYS",
    7,
    "Days a released subject access file may be downloaded before it is deleted. Default 7.",
    minimum=1,
)

INSTALLED_APPS = [
    "caseload.admin_config.CaseloadAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "auditlog",
    "csp",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "caseload",
    "cases",
    "notes",
    "priorities",
    "reviews",
    "accounts",
    "notifications",
    "configuration",
    "dataprotection",
    "rest_framework",
    "drf_spectacular",
    "api",
    "documents",
    "demo",
]

MIDDLEWARE = [
    "caseload.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user as verified once a second factor was given in this session.
    "django_otp.middleware.OTPMiddleware",
    # After a signed-in person's POST, their next dashboards read the primary database,
    # not a replica that may lag their write (caseload/db_router.py; idle without one).
    "caseload.db_router.ReplicaPinMiddleware",
    # Every page needs a login unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session left idle, and remembers each session's user so that
    # deactivating them ends it.
    "accounts.middleware.IdleTimeoutMiddleware",
    # No page but the second-factor ones for a session that signed in with a
    # password only.
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "caseload.middleware.PrivacyHeadersMiddleware",
    # Writes the request's access-audit entries in one INSERT; a failed write is a 500.
    "caseload.middleware.AccessAuditMiddleware",
    # A strong ETag on the API's JSON reads, and 304 for a matching If-None-Match.
    "api.middleware.ApiConditionalGetMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Counts failed sign-ins; django-axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseload.urls"
FORM_RENDERER = "caseload.forms.CaseloadFormRenderer"
WSGI_APPLICATION = "caseload.wsgi.application"
ASGI_APPLICATION = "caseload.asgi.application"

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
                "caseload.context_processors.navigation",
            ],
        },
    },
]

# Database: PostgreSQL in production; an SQLite file when nothing is configured.
_database_url = env_optional(
    "DATABASE_URL",
    "Database, for example `postgres://caseload:secret@db:5432/caseload`. Default: SQLite "
    "in `var/db.sqlite3`. Required in production.",
)
if _database_url is None:
    if PRODUCTION:
        raise ConfigurationError("DATABASE_URL must be set when DJANGO_ENV=production.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES: dict[str, Any] = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # The web server, worker and beat share one file: wait for locks
                # rather than failing, and take the write lock at BEGIN.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=True)
    }

# A read replica for dashboards and reports (caseload/db_router.py has the consistency
# rules; the README's "Read replica and PgBouncer" section the set-up).
_replica_url = env_optional(
    "DATABASE_REPLICA_URL",
    "A read-only replica of `DATABASE_URL` (PostgreSQL streaming replication) that the "
    "supervisor dashboard, the all-teams view and the weekly reports read from. Default: "
    "none, everything reads `DATABASE_URL`.",
)
if _replica_url is not None:
    if _database_url is None:
        raise ConfigurationError("DATABASE_REPLICA_URL needs DATABASE_URL (PostgreSQL) too.")
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=600, conn_health_checks=True
    )
    # Tests run against one test database: the replica alias reads it through a
    # connection of its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
CASELOAD_REPLICA_PIN_SECONDS = env_int(
    "CASELOAD_REPLICA_PIN_SECONDS",
    10,
    "After a person saves anything, their dashboards and reports read the primary for this "
    "many seconds rather than the replica, so they see their own change: keep it above the "
    "replica's usual lag. Default 10.",
    minimum=1,
)
# Always installed: without a replica it routes nothing (every answer is None).
DATABASE_ROUTERS = ["caseload.db_router.ReplicaRouter"]

# PgBouncer in transaction mode hands each transaction whichever server connection is
# free, so nothing may outlive a transaction on the server: Django's server-side cursors
# (.iterator()) are WITH HOLD cursors outside a transaction, so they are turned off.
# Django already turns psycopg's prepared statements off (prepare_threshold=None), and
# Caseload takes only transaction-scoped locks (pg_advisory_xact_lock) and SET LOCAL.
CASELOAD_PGBOUNCER = env_bool(
    "CASELOAD_PGBOUNCER",
    False,
    "`DATABASE_URL` (and `DATABASE_REPLICA_URL`) lead to PgBouncer in transaction pooling "
    "mode: server-side cursors are turned off. Default off.",
)
if CASELOAD_PGBOUNCER:
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The role web, worker and beat connect as, which owns no table; migrations run as the
# owner and then grant it its privileges (manage.py grant_app_role, caseload/db_roles.py).
CASELOAD_DB_APP_ROLE = env_optional(
    "CASELOAD_DB_APP_ROLE",
    "PostgreSQL role the application connects as (for example `caseload_app`), for "
    "`manage.py grant_app_role`: set it where migrations run, as the tables' owner.",
)
CASELOAD_DB_APP_PASSWORD = env_optional(
    "CASELOAD_DB_APP_PASSWORD",
    "Password `manage.py grant_app_role --create` gives the application's role. Set it "
    "where migrations run; the application itself uses it only inside its `DATABASE_URL`.",
)

# Redis: the Celery broker and the cache. Without it, Celery uses a folder.
REDIS_URL = env_optional(
    "REDIS_URL",
    "Redis for the Celery broker and the cache, for example `redis://redis:6379/0`. "
    "Default: a file-based broker in `var/`. Required in production.",
)
if REDIS_URL is None and PRODUCTION:
    raise ConfigurationError("REDIS_URL must be set when DJANGO_ENV=production.")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "caseload",
            # Every page reads the unread count here: a frozen Redis must not hang it
            # (notifications.counts then counts in the database).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (read by caseload/celery.py through the CELERY_ namespace).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
# A task that runs away is stopped rather than blocking the worker for ever. Every task
# is short (the big ones work in chunks, the outbox a minute at a time) and ends within
# this hard limit, which the broker's visibility timeout must exceed.
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
_visibility_timeout = env_int(
    "CASELOAD_BROKER_VISIBILITY_TIMEOUT",
    CELERY_TASK_TIME_LIMIT + 60,
    "Seconds after which Redis delivers again a task that a worker took but never finished "
    "(the worker died). Keep it above the tasks' hard time limit (6 minutes). Default 7 "
    "minutes.",
    minimum=1,
)
# How often a worker looks for tasks whose worker died, in seconds (kombu's default
# looks every 100 s, which is what made redelivery take minutes longer than the timeout).
BROKER_RESTORE_INTERVAL = 10
# The recovery time of a killed task: redelivered once its visibility timeout has
# passed, at the next look. The README's "The worker" states it; a test holds them equal.
TASK_RECOVERY_SECONDS = _visibility_timeout + BROKER_RESTORE_INTERVAL
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        # A task not acknowledged within this time is delivered again. Longer
        # than any task's hard time limit, so a running task is never doubled.
        "visibility_timeout": _visibility_timeout,
        # Look for such tasks every BROKER_RESTORE_INTERVAL seconds, every time.
        "unacked_restore_interval": BROKER_RESTORE_INTERVAL,
        "unacked_restore_throttle": 1,
        # A worker killed while it held the restore lock keeps others out for this long.
        "unacked_mutex_expire": 60,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "out"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "out"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        # kombu keeps its exchange table in ./control by default: keep it with the rest.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
# Tasks write their results to our tables; nothing reads Celery's result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
# Acknowledge after the task has run, so a worker that dies mid-task loses nothing.
CELERY_TASK_ACKS_LATE = True
# Put a task back on the queue when its worker process is killed; tasks are idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one task at a time, so a slow task does not hold others hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out sign-in is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Who may see a case is one query (cases.selectors.case_visibility_filter), never
# user.has_perm(perm, case), so guardian's backend is not hooked; guardian stays installed
# for the model behind CaseUserObjectPermission, and its warning about the backend is moot.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
# No anonymous user row: anonymous visitors have no permissions at all.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # A local list of frequently breached passwords: no network call.
    {"NAME": "accounts.validators.BreachedPasswordValidator"},
    {"NAME": "accounts.validators.RepetitivePasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end when the browser closes and after a working day at most:
# advisers often share machines.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int(
    "SESSION_COOKIE_AGE",
    9 * 60 * 60,
    "Seconds a login lasts at most. Default nine hours.",
    minimum=300,
)
CASELOAD_SESSION_IDLE_MINUTES = env_int(
    "CASELOAD_SESSION_IDLE_MINUTES",
    30,
    "Minutes without a request after which a session ends and the person signs in again, "
    "besides `SESSION_COOKIE_AGE`. Default 30.",
    minimum=1,
)
SESSION_COOKIE_HTTPONLY = True

# Failed sign-ins (django-axes). Attempts are counted per user name *and*
# address, so guessing from one address locks that name from that address
# only, not the person from their own machine; an address as a whole is
# stopped after a higher number of failures (accounts.lockout). A lock is a
# short cool-off, not a hard lock, and a supervisor or admin can clear it at
# /accounts/unlock/. The failure shown is the same as for a wrong password.
AXES_HANDLER = "accounts.lockout.CaseloadAxesHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 50
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Failures during a lock do not extend it: an attacker cannot keep a name locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# Second factor (django-otp): the name authenticator apps show for Caseload.
OTP_TOTP_ISSUER = "Caseload"
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# How dates and times read, everywhere: one rule (caseload/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["caseload.formats"]

STATIC_URL = "/static/"
# collectstatic only runs for production images; whitenoise serves from here there.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Documents (documents/): their bytes are encrypted before they reach this storage.
CASELOAD_DOCUMENTS_DIR = Path(
    env_str(
        "CASELOAD_DOCUMENTS_DIR",
        str(VAR_DIR / "documents"),
        "Folder for documents' encrypted files when they are kept on the local filesystem. "
        "Default `var/documents/`.",
    )
)
CASELOAD_DOCUMENTS_S3_BUCKET = env_str(
    "CASELOAD_DOCUMENTS_S3_BUCKET",
    "",
    "Keep documents' encrypted files in this S3 (or S3-compatible) bucket instead of on the "
    "local filesystem. Default empty: the filesystem. Credentials come from boto3's usual "
    "sources (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, an instance role...).",
)
_documents_s3_endpoint = env_str(
    "CASELOAD_DOCUMENTS_S3_ENDPOINT_URL",
    "",
    "Endpoint of S3-compatible storage (MinIO, Ceph...). Default empty: AWS S3.",
)
_documents_s3_region = env_str(
    "CASELOAD_DOCUMENTS_S3_REGION", "", "Region of the documents' bucket."
)
_documents_s3_prefix = env_str(
    "CASELOAD_DOCUMENTS_S3_PREFIX",
    "documents",
    "Key prefix of documents in the bucket. Default `documents`.",
)
_documents_storage: dict[str, Any] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CASELOAD_DOCUMENTS_S3_BUCKET,
            "endpoint_url": _documents_s3_endpoint or None,
            "region_name": _documents_s3_region or None,
            "location": _documents_s3_prefix,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if CASELOAD_DOCUMENTS_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(CASELOAD_DOCUMENTS_DIR),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
)
CASELOAD_DOCUMENT_MAX_MB = env_int(
    "CASELOAD_DOCUMENT_MAX_MB",
    20,
    "Largest document that may be uploaded, in MB. Default 20.",
    minimum=1,
)
CASELOAD_VIRUS_SCANNER = env_str(
    "CASELOAD_VIRUS_SCANNER",
    "",
    "Dotted path of a callable that scans each uploaded document's bytes before they are "
    "encrypted (`documents.scanning.clamd_scan` for ClamAV). Default empty: no scanning.",
)
CASELOAD_CLAMD_ADDRESS = env_str(
    "CASELOAD_CLAMD_ADDRESS",
    "localhost:3310",
    "Where clamd listens, `host:port` or a Unix socket path. Default `localhost:3310`.",
)
CASELOAD_CLAMD_TIMEOUT = env_int(
    "CASELOAD_CLAMD_TIMEOUT", 30, "Seconds to wait for clamd's verdict. Default 30.", minimum=1
)
# Uploads larger than this are streamed to a temporary file rather than held in memory;
# the document size limit is checked before a file is read (documents/content.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Form fields other than files: far below a document's size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email: printed to the console in development, sent over SMTP in production.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_bool(
        "EMAIL_SMTP",
        PRODUCTION,
        "Send email over SMTP (default in production) rather than print it to the console.",
    )
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", "SMTP server.")
EMAIL_PORT = env_int("EMAIL_PORT", 587, "SMTP port. Default 587.", minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", "SMTP user name.")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True, "Use STARTTLS for SMTP. Default on.")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Caseload <caseload@localhost>", "Sender of Caseload's emails."
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# The REST API (app ``api``): the same sign-in, permission rules and access audit as the
# pages; see the README's "API" section.
def _api_rate(name: str, default: str, help_text: str) -> str:
    """A DRF rate, ``<calls>/<s|min|hour|day>``, refused with a message when malformed."""
    value = env_str(name, default, help_text).strip()
    number, _, period = value.partition("/")
    if not number.isdigit() or int(number) < 1 or period not in _RATE_PERIODS:
        raise ConfigurationError(
            f"{name} must be calls per period, like 600/min (periods: s, min, hour, day), "
            f"not {value!r}."
        )
    return value


_RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}
CASELOAD_API_RATE_USER = _api_rate(
    "CASELOAD_API_RATE_USER",
    "600/min",
    "API calls one person may make, by session and personal tokens together, like `600/min` "
    "(periods s, min, hour, day); beyond it the API answers 429 with `Retry-After`. "
    "Default 600/min.",
)
CASELOAD_API_RATE_TOKEN = _api_rate(
    "CASELOAD_API_RATE_TOKEN",
    "300/min",
    "API calls one token (personal or a partner's integration) may make, like `300/min`. "
    "Default 300/min.",
)

REST_FRAMEWORK = {
    # A bearer token first, so that a call with neither is told (401) to give one.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.VerifiedSessionAuthentication",
    ],
    # Per person and per token, counted in the cache (Redis when configured).
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.UserRateThrottle",
        "api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error as RFC 9457 problem details (api/problems.py).
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseload API",
    "DESCRIPTION": "Cases, notes and referrals of Caseload, with the caller's own rights.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for the red/amber/green set, whether it is a case's level or a partner's
    # view of a referral's urgency.
    "ENUM_NAME_OVERRIDES": {"LevelEnum": "priorities.models.Level"},
}

# Security headers. A strict Content-Security-Policy: our own scripts and
# styles only, no inline code, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws some form controls with SVG data: URIs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

if env_bool(
    "CASELOAD_BEHIND_PROXY",
    False,
    "Trust the proxy's `X-Forwarded-Proto` header to tell HTTPS requests apart (set it "
    "when a TLS-terminating proxy sits in front of gunicorn, as in docker-compose), and take "
    "the address a sign-in came from as the last one in `X-Forwarded-For`.",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_hsts_seconds = env_int(
    "SECURE_HSTS_SECONDS",
    365 * 24 * 60 * 60,
    "In production, how long browsers must use HTTPS only, in seconds. Default one year.",
    minimum=1,
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Error pages and reports show neither POST data nor local variables.
DEFAULT_EXCEPTION_REPORTER_FILTER = "caseload.errors.RedactingExceptionReporterFilter"

# Logs carry ids, never personal data.
LOG_LEVEL = env_choice(
    "LOG_LEVEL",
    "INFO",
    ("debug", "info", "warning", "error", "critical"),
    "Lowest level of log message written to standard error. Default INFO.",
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # django-axes reports every sign-in at INFO; its warnings (failures, locks,
        # user names masked) are the part worth keeping.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
