"""Django settings, driven by environment variables (see docs/configuration.md).

Safe production defaults: DEBUG off, demo mode off, secrets required. Development and the demo
set ``JIUZHU_DEMO=1`` (``make demo`` does), which lets missing secrets be generated under ``var/``.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jiuzhu.capabilities import CAPABILITIES
from jiuzhu.config import (
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_secret,
    random_secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("JIUZHU_HOME") or Path.cwd()).resolve()
VAR_DIR = Path(env_str("JIUZHU_VAR_DIR") or BASE_DIR / "var").resolve()

DEMO_MODE = env_bool("JIUZHU_DEMO", False)
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("JIUZHU_TESTING", False)


def _secret(name: str, filename: str, generate) -> str:
    value = env_str(name)
    if value:
        return value
    if DEMO_MODE or DEBUG or TESTING:
        return persistent_secret(VAR_DIR, filename, generate)
    raise ImproperlyConfigured(
        f"{name} is not set. Set it in the environment (see docs/configuration.md), "
        "or run with JIUZHU_DEMO=1 for a local demo."
    )


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


SECRET_KEY = _secret("SECRET_KEY", "secret_key", random_secret_key)
FIELD_ENCRYPTION_KEY = _secret("JIUZHU_FIELD_KEY", "field_key", _fernet_key)
#: Earlier field keys, newest first, while ``jiuzhu rotate-key`` moves the data to the current
#: one: values encrypted under them stay readable and their lookup hashes stay searchable.
FIELD_ENCRYPTION_KEYS_OLD = tuple(env_list("JIUZHU_FIELD_KEY_OLD", []))
#: The audit trail's MACs are keyed from this, not from whichever field key is current: they are
#: written once and cannot be re-keyed, so a rotation must not change it (see
#: docs/operations.md, "Rotating the field key").
AUDIT_KEY = env_str("JIUZHU_AUDIT_KEY") or FIELD_ENCRYPTION_KEY
for _name, _key in (
    ("JIUZHU_FIELD_KEY", FIELD_ENCRYPTION_KEY),
    ("JIUZHU_AUDIT_KEY", AUDIT_KEY),
    *(("JIUZHU_FIELD_KEY_OLD", old) for old in FIELD_ENCRYPTION_KEYS_OLD),
):
    try:
        if len(base64.urlsafe_b64decode(_key.encode("ascii"))) != 32:
            raise ValueError
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            f"{_name} must be 32 bytes in URL-safe base64 (44 characters), e.g. the output "
            "of `jiuzhu keygen`."
        ) from None
if FIELD_ENCRYPTION_KEYS_OLD and not env_str("JIUZHU_AUDIT_KEY"):
    raise ImproperlyConfigured(
        "JIUZHU_FIELD_KEY_OLD is set but JIUZHU_AUDIT_KEY is not: set JIUZHU_AUDIT_KEY to the "
        "field key the audit trail was started with (the oldest one) before rotating."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEMO_MODE or DEBUG or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    *CAPABILITIES,  # jiuzhu/capabilities.py: the one list a new capability is added to
]

MIDDLEWARE = [
    "jiuzhu.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jiuzhu.core.failsafe.FailSafeMiddleware",
    "jiuzhu.core.headers.ContentSecurityPolicyMiddleware",
    "jiuzhu.core.api_input.ApiInputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiuzhu.core.middleware.PollIsNotActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiuzhu.core.password_gate.PasswordChangeRequiredMiddleware",
    "jiuzhu.core.middleware.RequestContextMiddleware",
    "jiuzhu.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiuzhu.urls"
WSGI_APPLICATION = "jiuzhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiuzhu.core.context_processors.site",
                "jiuzhu.core.context_processors.notifications",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except Exception as error:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {error}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "jiuzhu.sqlite3",
            # Keep each worker's connection (as on PostgreSQL): opening one per request re-runs
            # the WAL pragmas below every time.
            "CONN_MAX_AGE": env_int("JIUZHU_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if not env_bool("JIUZHU_PG_JIT", False):
        # PostgreSQL compiles a query to machine code once its estimated cost passes
        # jit_above_cost; the board's and backlog's queries over a city's open orders pass it
        # and spent 50-65 ms of each ~300 ms compiling (bench/RESULTS.md). The pages ask many
        # such short questions, for which JIT only adds time.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    DATABASES["default"].setdefault("TEST", {})
    DATABASES["default"]["TEST"]["NAME"] = env_str("JIUZHU_TEST_DB_NAME") or (
        f"test_{DATABASES['default']['NAME']}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiuzhu.core.passwords.CharacterClassValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout: 5 failed sign-ins lock the username for 15 minutes (django-axes).
AXES_FAILURE_LIMIT = env_int("JIUZHU_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("JIUZHU_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiuzhu.core.views.auth.locked_out"
AXES_VERBOSE = False

# Two-factor sign-in (TOTP, django-otp) is required for these roles and optional for the rest.
# Demo mode (refused in production by `check --deploy`) requires it of nobody unless set.
_TWO_FACTOR_DEFAULT = (
    []
    if (DEMO_MODE or TESTING)
    else ["security_admin", "audit_admin", "city_admin", "district_manager"]
)
TWO_FACTOR_ROLES = frozenset(env_list("JIUZHU_2FA_ROLES", _TWO_FACTOR_DEFAULT))
OTP_TOTP_ISSUER = "jiuzhu"

# Idle timeout: the session expires 30 minutes after the last request that counts as activity.
SESSION_IDLE_SECONDS = env_int("JIUZHU_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("JIUZHU_SECURE_COOKIES", not (DEMO_MODE or DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("JIUZHU_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("JIUZHU_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JIUZHU_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("JIUZHU_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("JIUZHU_STATIC_ROOT") or VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "jiuzhu.core.storage.MetadataStrippingStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# SMS: a pluggable backend. "console" prints, "file" appends JSON lines to JIUZHU_SMS_OUTBOX.
SMS_BACKEND = env_str("JIUZHU_SMS_BACKEND", "console")
if SMS_BACKEND not in {"console", "file"} and "." not in SMS_BACKEND:
    raise ImproperlyConfigured(
        "JIUZHU_SMS_BACKEND must be console, file or a dotted path to a backend class."
    )
SMS_OUTBOX = Path(env_str("JIUZHU_SMS_OUTBOX") or VAR_DIR / "sms-outbox.jsonl")
OTP_TTL_SECONDS = env_int("JIUZHU_OTP_TTL_SECONDS", 300, minimum=30)
# Sending limits for SMS sign-in codes (core/services/signin_codes.py).
SMS_PER_NUMBER_PER_DAY = env_int("JIUZHU_SMS_PER_NUMBER_PER_DAY", 10, minimum=1)
SMS_PER_ADDRESS_PER_HOUR = env_int("JIUZHU_SMS_PER_ADDRESS_PER_HOUR", 30, minimum=1)
SMS_PER_DAY = env_int("JIUZHU_SMS_PER_DAY", 20_000, minimum=1)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or None
# Where task results go (optional; the periodic jobs record their runs in the database anyway).
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None

# Domain events (core/events.py, core/outbox.py): every event is written to the outbox table in
# the transaction that caused it. Inline (the default), its handlers are delivered in the same
# process right after the commit; the worker (or Celery) retries what failed. Not inline, the
# commit hands the event to Celery when a broker is set, else the worker's frequent drain.
EVENTS_INLINE = env_bool("JIUZHU_EVENTS_INLINE", True)
EVENTS_MAX_ATTEMPTS = env_int("JIUZHU_EVENTS_MAX_ATTEMPTS", 8, minimum=1)
EVENTS_RETRY_SECONDS = env_int("JIUZHU_EVENTS_RETRY_SECONDS", 15, minimum=1)
EVENTS_DRAIN_SECONDS = env_int("JIUZHU_EVENTS_DRAIN_SECONDS", 2, minimum=1)
EVENTS_KEEP_DAYS = env_int("JIUZHU_EVENTS_KEEP_DAYS", 30, minimum=1)

# Exports run inside the request: beyond this many rows the user is asked to narrow the filters.
# The supervision hotline households are told to call (the beneficiary home shows it).
HOTLINE_PHONE = (env_str("JIUZHU_HOTLINE_PHONE", "12345") or "").strip()
if not re.fullmatch(r"[0-9][0-9-]{2,19}", HOTLINE_PHONE):
    raise ImproperlyConfigured(
        f"JIUZHU_HOTLINE_PHONE must be a phone number (digits and dashes), not {HOTLINE_PHONE!r}"
    )
EXPORT_MAX_ROWS = env_int("JIUZHU_EXPORT_MAX_ROWS", 20_000, minimum=1)
# Past EXPORT_MAX_ROWS a list can be exported in the background
# (core/services/background_exports.py): up to this many rows (an Excel sheet holds
# 1,048,576), kept for download this many hours.
# Inline (the default) the job runs in the same process right after the request that asked for
# it commits; otherwise Celery runs it when a broker is set, else the worker's `core.exports` job.
EXPORT_BACKGROUND_MAX_ROWS = env_int("JIUZHU_EXPORT_BACKGROUND_MAX_ROWS", 1_000_000, minimum=1)
EXPORT_KEEP_HOURS = env_int("JIUZHU_EXPORT_KEEP_HOURS", 24, minimum=1)
EXPORTS_INLINE = env_bool("JIUZHU_EXPORTS_INLINE", True)
EXPORTS_DIR = VAR_DIR / "exports"
# The service directory in Open Referral HSDS 3.0 (/api/v1/hsds/…): readable without signing in
# only when this is on (docs/hsds.md).
HSDS_PUBLIC = env_bool("JIUZHU_HSDS_PUBLIC", False)
# The CJK font embedded (as a subset) in PDF documents (core/pdf.py): a .ttf, .otf or .ttc file.
PDF_FONT = env_str("JIUZHU_PDF_FONT") or "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
# How many days ahead the plans.schedule job places the orders of approved plans.
PLAN_WINDOW_DAYS = env_int("JIUZHU_PLAN_WINDOW_DAYS", 7, minimum=1)

# API bearer tokens expire this many days after creation (``jiuzhu token create --days``).
API_TOKEN_DAYS = env_int("JIUZHU_API_TOKEN_DAYS", 90, minimum=1)

AUDIT_RETENTION_DAYS = env_int("JIUZHU_AUDIT_RETENTION_DAYS", 180, minimum=180)
# The audit chain seals entries older than this lag (longer than any transaction that audits),
# every AUDIT_SEAL_EVERY_SECONDS, and appends each seal as a signed checkpoint to this file for
# shipping to an off-host archive (core/audit_chain.py).
AUDIT_SEAL_LAG_SECONDS = env_int("JIUZHU_AUDIT_SEAL_LAG_SECONDS", 120, minimum=0)
AUDIT_SEAL_EVERY_SECONDS = env_int("JIUZHU_AUDIT_SEAL_EVERY_SECONDS", 300, minimum=10)
AUDIT_CHECKPOINTS = Path(env_str("JIUZHU_AUDIT_CHECKPOINTS") or VAR_DIR / "audit-checkpoints.jsonl")

# One JSON line per request on stdout (see core.middleware.RequestLogMiddleware); off with
# JIUZHU_REQUEST_LOG=0 (e.g. when the proxy's access log is enough).
REQUEST_LOG = env_bool("JIUZHU_REQUEST_LOG", not TESTING)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "bare",
        },
    },
    "loggers": {
        "jiuzhu.request": {
            "handlers": ["requests"],
            "level": "INFO" if REQUEST_LOG else "WARNING",
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("JIUZHU_LOG_LEVEL", "WARNING")},
}

# Lockout is per account (issue: 5 failures lock the username); IP-based limits belong to the
# reverse proxy in front of several app servers.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
