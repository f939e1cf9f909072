"""Django settings for revloop, read from the environment (see README "Configuration")."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from revloop.core.env import ConfigError, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
REVLOOP_HOME = Path(envstr("REVLOOP_HOME", ".revloop")).expanduser().resolve()

DEBUG = envbool("REVLOOP_DEBUG", default=False)
# Production sits behind TLS; `revloop demo` turns this off to serve plain http on loopback.
HTTPS = envbool("REVLOOP_HTTPS", default=not DEBUG)


def _secret_key() -> str:
    explicit = envstr("REVLOOP_SECRET_KEY")
    if explicit:
        if len(explicit) < 50:
            raise ConfigError("REVLOOP_SECRET_KEY must be at least 50 characters")
        return explicit
    # Zero set-up: a random key kept beside the embedded database, readable only by its owner.
    key_file = REVLOOP_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    REVLOOP_HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("REVLOOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("REVLOOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",  # the task queue lives in our own database: no broker to run
    "axes",  # login throttling
    "revloop.core",
    "revloop.users",
    "revloop.people",
    "revloop.activity",
    "revloop.contracts",
    "revloop.catalog",
    "revloop.scoring",
    "revloop.predictions",
    "revloop.lifecycle",
    "revloop.pipeline",
    "revloop.feedback",
    "revloop.capture",
    "revloop.web",
    "revloop.api",
    "revloop.demo",
    "revloop.analytics",
    "revloop.worker",
    "revloop.webhooks",
    "revloop.routing",
    "revloop.goals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "revloop.core.nul.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # `?csv=<table>` on any page answers with that table's rows (revloop/web/table_csv.py).
    "revloop.web.table_csv.TableCsvMiddleware",
    "revloop.web.errors.DomainErrorMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with its template.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "revloop.urls"
WSGI_APPLICATION = "revloop.wsgi.application"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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


def _database() -> dict[str, object]:
    url = envstr("DATABASE_URL")
    if not url:
        REVLOOP_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{REVLOOP_HOME / 'revloop.sqlite3'}"
    try:
        # A kept connection is checked before a request reuses it, so one the server
        # closed (a restart, an administrator's terminate) is replaced, not failed on.
        config: dict[str, object] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not usable: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets the web process read while the worker writes; IMMEDIATE
            # takes the write lock up front instead of failing mid-transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] not in ("django.db.backends.postgresql",):
        raise ConfigError(f"DATABASE_URL: unsupported database engine {config['ENGINE']}")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("REVLOOP_TIME_ZONE", "UTC")
#: The company's currency: reports that add amounts up show them in it.
REVLOOP_CURRENCY = envstr("REVLOOP_CURRENCY", "USD").upper()
#: Uploads the API and the imports page import inside the request (bigger: the command).
REVLOOP_IMPORT_MAX_BYTES = envint("REVLOOP_IMPORT_MAX_BYTES", 20 << 20, minimum=1)
if len(REVLOOP_CURRENCY) != 3 or not REVLOOP_CURRENCY.isalpha():
    raise ConfigError(f"REVLOOP_CURRENCY={REVLOOP_CURRENCY!r} is not a three-letter ISO code")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = REVLOOP_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Plain storage in DEBUG so tests and development need no collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: strict unless the operator says the site is plain http (the local demo).
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("REVLOOP_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = envint("REVLOOP_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content security policy: scripts, styles and everything else from this site's own
# files only; no inline script or style, no framing. Pages keep their script in static
# files (web/static/revloop) and htmx is told not to inject its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI draws its icons from data: URIs.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Background work: queued tasks and periodic jobs, run by `revloop worker`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks", "slow"],
    }
}
REVLOOP_WORKER_INTERVAL = envint("REVLOOP_WORKER_INTERVAL", 5, minimum=1)
# SLA reminders go out at this share of the promised time when the contract sets no
# `remind_before_business_hours`.
REVLOOP_SLA_REMIND_PERCENT = envint("REVLOOP_SLA_REMIND_PERCENT", 75, minimum=1)

# Each token may send this many ingestion requests a second (a batch is one), with
# bursts up to REVLOOP_INGEST_BURST; beyond, 429 with Retry-After (users/throttle.py).
REVLOOP_INGEST_RATE = envint("REVLOOP_INGEST_RATE", 50, minimum=1)
REVLOOP_INGEST_BURST = envint("REVLOOP_INGEST_BURST", 200, minimum=1)
# Unknown bearer tokens an address may send before it is refused for a while.
REVLOOP_TOKEN_FAILURES_PER_MINUTE = envint("REVLOOP_TOKEN_FAILURES_PER_MINUTE", 10, minimum=1)
REVLOOP_TOKEN_FAILURES_BURST = envint("REVLOOP_TOKEN_FAILURES_BURST", 20, minimum=1)

# Password-reset links go by e-mail: printed on the console unless an SMTP server is set
# (REVLOOP_EMAIL_HOST …); the demo needs none.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if envstr("REVLOOP_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = envstr("REVLOOP_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("REVLOOP_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("REVLOOP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("REVLOOP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("REVLOOP_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = envstr("REVLOOP_EMAIL_FROM", "revloop@localhost")
PASSWORD_RESET_TIMEOUT = envint("REVLOOP_PASSWORD_RESET_SECONDS", 3 * 3600, minimum=300)

# Logins: after REVLOOP_LOGIN_FAILURES wrong passwords for one username from one
# address, that pair is locked out for REVLOOP_LOGIN_COOLOFF_MINUTES (django-axes,
# counted in the database, so every worker sees the same count).
AXES_FAILURE_LIMIT = envint("REVLOOP_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("REVLOOP_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# axes announces itself at every start of every command; a lockout is still logged as a
# warning by axes.
AXES_VERBOSE = False
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "revloop.users.backends.ModelBackend",
]

# The event API takes batches of up to 1,000 touches in one body.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("REVLOOP_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)

# REVLOOP_LOG_FORMAT=json: one JSON object a line, for a log collector (core/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "revloop.core.logs.JsonFormatter"},
    },
    "filters": {"expected": {"()": "revloop.core.logs.ExpectedRefusalFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if envstr("REVLOOP_LOG_FORMAT") == "json" else "plain",
            "filters": ["expected"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("REVLOOP_LOG_LEVEL", "INFO")},
}
