"""One settings module, driven by the environment (django-environ).

Every value has an embedded default so a fresh checkout runs on SQLite with a broker that needs no
server. A malformed value raises ImproperlyConfigured when the process starts, never later. Secrets
come from the environment or from a ``<NAME>_FILE`` path (Docker / Kubernetes secrets).
"""
from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))


class _SecretFileMapping(environ.FileAwareMapping):
    """The environment, where ``NAME_FILE`` stands for ``NAME``. The file's trailing newline is dropped (``echo``
    and editors add one, and a password that kept it would not match), and a file that cannot be read stops
    start-up naming the variable instead of escaping as a bare OSError."""

    def __getitem__(self, key):
        try:
            value = super().__getitem__(key)
        except OSError as exc:
            raise ImproperlyConfigured(f"{key}_FILE: cannot read {exc.filename!r} ({exc.strerror})") from exc
        return value.rstrip("\r\n") if self.env.get(f"{key}_FILE") else value


class _StrictEnv(environ.FileAwareEnv):
    """django-environ, made strict. On its own it reads DJANGO_DEBUG=maybe (or ADMIN_REQUIRE_2FA=ture) as False,
    turns AXES_COOLOFF_HOURS=1e3 into 13.0 by dropping the letters, and lets int("abc") escape as a ValueError
    that does not say which variable was wrong. Here each of those is an ImproperlyConfigured naming it."""

    ENVIRON = _SecretFileMapping()
    _TRUE = ("true", "on", "yes", "y", "1")
    _FALSE = ("false", "off", "no", "n", "0")
    _KINDS = {bool: "true or false", int: "an integer", float: "a number"}

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        if cast not in self._KINDS:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        text = (self.ENVIRON.get(var) or "").strip()
        if not text:  # unset or empty (``VAR=`` in an env file): the default
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        if cast is bool and text.lower() in self._TRUE + self._FALSE:
            return text.lower() in self._TRUE
        if cast is not bool:
            try:
                return cast(text)
            except ValueError:
                pass
        raise ImproperlyConfigured(f"{var} must be {self._KINDS[cast]}, not {text!r}")


env = _StrictEnv()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The development key is rejected by `check --deploy` (security.W009); production sets its own.
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key-change-me-7c1f0e2b9a",
)
# Key of the suppression list's HMAC (subjects.Suppression): erased identities are kept only as keyed
# hashes. Production sets its own (SUPPRESSION_HMAC_KEY_FILE); changing it later un-suppresses everyone.
SUPPRESSION_HMAC_KEY = env.str(
    "SUPPRESSION_HMAC_KEY",
    default="development-only-suppression-key-change-me-4b8e1d27c95a",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Set only when a reverse proxy that sets X-Forwarded-Proto/-For is the sole way in (docker-compose).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)

INSTALLED_APPS = [
    # First: register texts get their language columns (and then their history) before anything reads the models.
    "modeltranslation",
    "privacy_registry.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "privacy_registry.apps.PrivacyRegistryConfig",
    "subjects",
    "retention",
    "consent",
    "rights",
    "django_ratelimit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Near the top, so that every response gets the headers, static files and early answers included.
    "csp.middleware.CSPMiddleware",
    "privacy_registry.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it must see the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "privacy_registry.urls"
FORMS_URLFIELD_ASSUME_HTTPS = True

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "privacy_registry.wsgi.application"

try:
    DATABASES = {
        "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    }
except ValueError as exc:  # e.g. a port that is not a number; the URL itself may hold a password: not echoed
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
# An unknown scheme would otherwise give Django's dummy backend, which fails only at the first query.
if DATABASES["default"].get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
# The password may come apart from the URL, so that one secret file (DATABASE_PASSWORD_FILE) feeds both
# PostgreSQL's POSTGRES_PASSWORD_FILE and the application, and the URL holds nothing secret.
if _db_password := env.str("DATABASE_PASSWORD", default=""):
    DATABASES["default"]["PASSWORD"] = _db_password
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin sign-in: a second factor (TOTP) unless explicitly relaxed for the local demo.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Privacy Registry")

# Lock out repeated failures: per username and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"


def _client_ip_behind_proxy(request):
    """Behind our reverse proxy every request comes from the proxy's address, so one lockout would hit all
    users of a name. The proxy appends the real client address last to X-Forwarded-For; entries before it
    are whatever the client sent and are not trusted."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")


# Only behind the proxy (DJANGO_BEHIND_PROXY): without one, a client could forge the header to dodge lockout.
AXES_CLIENT_IP_CALLABLE = _client_ip_behind_proxy if BEHIND_PROXY else None
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(f"AXES_FAILURE_LIMIT must be at least 1, not {AXES_FAILURE_LIMIT}")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish")), ("da", _("Danish"))]
# What an Art. 30 export may be written in: the site's languages and French (the CNIL template is French, and an
# auditor may want any template in French). Only the exports speak French; the public pages keep LANGUAGES.
EXPORT_LANGUAGES = [*LANGUAGES, ("fr", _("French"))]
# Register texts (privacy_registry.translated): a column per language. A text not yet translated reads in English,
# else in the language it is written in: an organisation may write its register in Swedish or Danish only
# (Organisation.primary_language), and its texts never read empty in another language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "sv", "da")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": MODELTRANSLATION_LANGUAGES}
# A text created in any language is also the English one until someone writes the English (so it never reads empty).
MODELTRANSLATION_AUTO_POPULATE = "default"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            # Production images run collectstatic and set the whitenoise manifest storage.
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# Security. Production (docker-compose) turns every switch on; `check --deploy` is clean there.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG and SECURE_SSL_REDIRECT)
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): the admin's scripts and styles are files on this origin, none inline
# (the register's own pages link privacy_registry/static/privacy_registry/admin.css instead of a <style> block),
# so nothing else is allowed. tests/test_security_headers.py checks that no rendered admin page needs more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # One inline style attribute is allowed, by its hash: simple-history's history paginator,
        # style="border-top: 0". No other inline style, and no inline script, is.
        "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    },
}
# HSTS preload (security.W021) asks browsers to hard-code HTTPS for the domain and all its subdomains, which
# is hard to undo; the operator opts in with DJANGO_SECURE_HSTS_PRELOAD=true. Leaving it off is a decision.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Audit trail: history follows the groups' permissions.
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Celery. With REDIS_URL: Redis. Without: kombu's filesystem transport in VAR_DIR, no server needed.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_DEFAULT_QUEUE = "privacy_registry"
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or redis+socket:// URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
# Task results are never stored: a result could hold what a task touched. Tasks take ids only.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The worker and beat log through LOGGING below (whose handlers redact e-mailed links' secrets), not handlers of
# Celery's own that would replace them.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Retention sweep (retention app). The beat schedule itself is in privacy_registry/celery.py.
# Cron fields "minute hour day-of-month month day-of-week", in CELERY_TIMEZONE; nightly by default.
RETENTION_SWEEP_CRON = env.str("RETENTION_SWEEP_CRON", default="30 2 * * *")
RETENTION_SWEEP_CHUNK_SIZE = env.int("RETENTION_SWEEP_CHUNK_SIZE", default=2000)
# Chunks erased at once, each on its own database connection (PostgreSQL; elsewhere, and inside a caller's
# transaction, chunks run one after another on the caller's connection).
RETENTION_SWEEP_WORKERS = env.int("RETENTION_SWEEP_WORKERS", default=2)
# When on, an acting sweep only carries out a dry-run preview that a DPO approved in the admin.
RETENTION_REQUIRE_APPROVAL = env.bool("RETENTION_REQUIRE_APPROVAL", default=False)
# Without PostgreSQL's advisory lock, a "running" sweep row older than this is taken for a killed worker's.
RETENTION_SWEEP_STALE_AFTER_HOURS = env.int("RETENTION_SWEEP_STALE_AFTER_HOURS", default=12)
if min(RETENTION_SWEEP_CHUNK_SIZE, RETENTION_SWEEP_WORKERS, RETENTION_SWEEP_STALE_AFTER_HOURS) < 1:
    raise ImproperlyConfigured(
        "RETENTION_SWEEP_CHUNK_SIZE, RETENTION_SWEEP_WORKERS and RETENTION_SWEEP_STALE_AFTER_HOURS must be at least 1"
    )


def _cron_fields(expression: str) -> dict[str, str]:
    """crontab() keyword arguments from a cron line, checked now so a typo stops start-up, not the beat."""
    from celery.schedules import crontab

    parts = expression.split()
    if len(parts) != 5:
        raise ImproperlyConfigured(f"RETENTION_SWEEP_CRON needs 5 fields (m h dom mon dow), not {expression!r}")
    fields = dict(zip(("minute", "hour", "day_of_month", "month_of_year", "day_of_week"), parts, strict=True))
    try:
        crontab(**fields)
    except Exception as exc:  # celery raises ValueError or its own ParseException
        raise ImproperlyConfigured(f"RETENTION_SWEEP_CRON {expression!r}: {exc}") from exc
    return fields


RETENTION_SWEEP_SCHEDULE = _cron_fields(RETENTION_SWEEP_CRON)

# The erasure journal outside the database (retention.journal): one JSON line per erasure, ids and keyed hashes
# only, replayed by `manage.py erasure_replay` after restoring a backup. Keep it off the database's volume.
ERASURE_JOURNAL_PATH = Path(env.str("ERASURE_JOURNAL_PATH", default=str(VAR_DIR / "erasure-journal.jsonl")))
ERASURE_JOURNAL_BACKEND = env.str("ERASURE_JOURNAL_BACKEND", default="retention.journal.FileJournal")
# With ERASURE_JOURNAL_BACKEND=retention.journal.S3Journal: an S3-compatible bucket (AWS, MinIO, ...), one object
# per erasure batch under the prefix. An empty endpoint means AWS; an empty region, boto3's default. Credentials:
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), each also as *_FILE; unset, boto3's own chain
# (~/.aws, an instance or task role) applies.
ERASURE_JOURNAL_S3_BUCKET = env.str("ERASURE_JOURNAL_S3_BUCKET", default="")
ERASURE_JOURNAL_S3_PREFIX = env.str("ERASURE_JOURNAL_S3_PREFIX", default="erasure-journal").strip("/")
ERASURE_JOURNAL_S3_ENDPOINT_URL = env.str("ERASURE_JOURNAL_S3_ENDPOINT_URL", default="")
ERASURE_JOURNAL_S3_REGION = env.str("ERASURE_JOURNAL_S3_REGION", default="")
ERASURE_JOURNAL_S3_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
ERASURE_JOURNAL_S3_SESSION_TOKEN = env.str("AWS_SESSION_TOKEN", default="")
if ERASURE_JOURNAL_BACKEND == "retention.journal.S3Journal":
    if not ERASURE_JOURNAL_S3_BUCKET:
        raise ImproperlyConfigured("ERASURE_JOURNAL_S3_BUCKET must name the bucket of the S3 erasure journal")
    # The rule of retention.journal.S3_BUCKET_NAME (settings cannot import the app), which S3 and MinIO share.
    _bucket = ERASURE_JOURNAL_S3_BUCKET
    if not (3 <= len(_bucket) <= 63 and set(_bucket) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-")
            and _bucket[0] not in ".-" and _bucket[-1] not in ".-"):
        raise ImproperlyConfigured(
            "ERASURE_JOURNAL_S3_BUCKET must be a bucket name (3-63 lowercase letters, digits, dots and hyphens), "
            f"not {ERASURE_JOURNAL_S3_BUCKET!r}"
        )
    if ERASURE_JOURNAL_S3_ENDPOINT_URL and not ERASURE_JOURNAL_S3_ENDPOINT_URL.startswith(("https://", "http://")):
        raise ImproperlyConfigured("ERASURE_JOURNAL_S3_ENDPOINT_URL must be an http(s):// URL")
    if bool(ERASURE_JOURNAL_S3_ACCESS_KEY_ID) != bool(ERASURE_JOURNAL_S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither)")

# Vendor follow-ups after an erasure (Art. 17(2), 19). Secrets from the environment or *_FILE.
PROCESSOR_ERASURE_WEBHOOK_SECRET = env.str("PROCESSOR_ERASURE_WEBHOOK_SECRET", default="")


def _webhook_secrets(text: str) -> dict[str, str]:
    """Per-vendor webhook secrets, a JSON object of name → secret (the names are what an erasure channel stores).
    Errors name the variable and the offending name, never a value: the values are secrets."""
    import json
    import re

    name = "PROCESSOR_ERASURE_WEBHOOK_SECRETS"
    if not text.strip():
        return {}
    try:
        secrets = json.loads(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JSON object of secret names to secrets") from None
    if not isinstance(secrets, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object of secret names to secrets")
    for key, value in secrets.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,49}", key):
            raise ImproperlyConfigured(f"{name}: {key[:50]!r} is not a secret name (a-z, 0-9, '.', '_', '-')")
        if not isinstance(value, str) or not value.strip():
            raise ImproperlyConfigured(f"{name}: the secret {key!r} must be a non-empty string")
    return secrets


PROCESSOR_ERASURE_WEBHOOK_SECRETS = _webhook_secrets(env.str("PROCESSOR_ERASURE_WEBHOOK_SECRETS", default=""))
HUBSPOT_API_BASE = env.str("HUBSPOT_API_BASE", default="https://api.hubapi.com")
HUBSPOT_ACCESS_TOKEN = env.str("HUBSPOT_ACCESS_TOKEN", default="")
HUBSPOT_ID_PROPERTY = env.str("HUBSPOT_ID_PROPERTY", default="hs_object_id")
PROCESSOR_ERASURE_MAX_ATTEMPTS = env.int("PROCESSOR_ERASURE_MAX_ATTEMPTS", default=6)
PROCESSOR_ERASURE_REMIND_AFTER_DAYS = env.int("PROCESSOR_ERASURE_REMIND_AFTER_DAYS", default=14)
PROCESSOR_ERASURE_TIMEOUT_SECONDS = env.int("PROCESSOR_ERASURE_TIMEOUT_SECONDS", default=20)
if min(PROCESSOR_ERASURE_MAX_ATTEMPTS, PROCESSOR_ERASURE_REMIND_AFTER_DAYS, PROCESSOR_ERASURE_TIMEOUT_SECONDS) < 1:
    raise ImproperlyConfigured(
        "PROCESSOR_ERASURE_MAX_ATTEMPTS, _REMIND_AFTER_DAYS and _TIMEOUT_SECONDS must be at least 1"
    )
if not HUBSPOT_API_BASE.startswith(("https://", "http://")):
    raise ImproperlyConfigured("HUBSPOT_API_BASE must be an http(s):// URL")

LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
if LOG_LEVEL.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL must be a logging level name, not {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_links": {"()": "privacy_registry.log_redaction.RedactingFilter"}},
    # Every handler has redact_links (privacy_registry.log_redaction): e-mailed links' secrets are in request paths,
    # which Django's loggers write (a 404 or 405 on a link, a CSRF failure, a 500), as gunicorn's access log would.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_links"]},
        # runserver's request log (make run).
        "server": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_links"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL.upper()},
    "loggers": {
        # Django's default handlers of "django" (console under DEBUG, mail_admins) do not redact: taken off, so
        # django.request and django.security.csrf reach the root's console only (and once, not twice under DEBUG).
        "django": {"handlers": []},
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}

# Mail: one URL, django-environ's EMAIL_URL (or EMAIL_URL_FILE), the relay's password apart in EMAIL_PASSWORD /
# EMAIL_PASSWORD_FILE so that the URL holds nothing secret (as DATABASE_URL and DATABASE_PASSWORD_FILE):
#   smtp+tls://user@relay.example.org:587  STARTTLS (also smtp://…:587/?tls=true; smtps:// is STARTTLS too, as in
#                                           django-environ)
#   smtp+ssl://user@relay.example.org:465  TLS from the first byte
#   consolemail://                          printed on the console (the default with DEBUG on)
#   filemail:///path/to/folder              a file per message in a folder (make run: var/outbox/)
# Unset with DEBUG off it is Django's default, localhost:25, which `check --deploy` refuses (privacy_registry.E003).
_EMAIL_SMTP_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl"}
_EMAIL_OPTIONS = {"tls": "EMAIL_USE_TLS", "ssl": "EMAIL_USE_SSL", "timeout": "EMAIL_TIMEOUT",
                  "email_use_tls": "EMAIL_USE_TLS", "email_use_ssl": "EMAIL_USE_SSL", "email_timeout": "EMAIL_TIMEOUT"}


def _email_config(url: str) -> dict:
    """Django's EMAIL_* settings from an EMAIL_URL, strictly: django-environ alone reads ``?tls=false`` as on and
    ignores ``?tls=true`` (it knows only ``?email_use_tls=``), and an unknown option or a TLS mode that cannot work
    on the port would surface only at the first e-mail. Errors never echo the URL: it may hold a password."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL is malformed (is the port a number?)") from None
    schemes = environ.Env.EMAIL_SCHEMES
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            "EMAIL_URL must start with one of " + ", ".join(f"{s}://" for s in schemes) + f", not {parts.scheme!r}"
        )
    config = {
        "EMAIL_BACKEND": schemes[parts.scheme], "EMAIL_HOST": parts.hostname or "", "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""), "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme in {"smtps", "smtp+tls"}, "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
        # A relay that stops answering would otherwise hold a worker for ever.
        "EMAIL_TIMEOUT": 30, "EMAIL_FILE_PATH": "",
    }
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name = _EMAIL_OPTIONS.get(key.lower())
        if name is None:
            raise ImproperlyConfigured(f"EMAIL_URL: unknown option {key[:30]!r} (known: tls, ssl, timeout)")
        if name == "EMAIL_TIMEOUT":
            if not value.isdigit() or int(value) < 1:
                raise ImproperlyConfigured(f"EMAIL_URL: timeout must be a number of seconds, not {value[:30]!r}")
            config[name] = int(value)
        elif value.lower() in _StrictEnv._TRUE + _StrictEnv._FALSE:
            config[name] = value.lower() in _StrictEnv._TRUE
        else:
            raise ImproperlyConfigured(f"EMAIL_URL: {key} must be true or false, not {value[:30]!r}")
    if parts.scheme in _EMAIL_SMTP_SCHEMES:
        if not config["EMAIL_HOST"]:
            raise ImproperlyConfigured("EMAIL_URL names no mail server (smtp+tls://user@relay.example.org:587)")
        if config["EMAIL_USE_TLS"] and config["EMAIL_USE_SSL"]:
            raise ImproperlyConfigured("EMAIL_URL: tls (STARTTLS) and ssl (TLS from the start) exclude each other")
        if config["EMAIL_PORT"] is None:
            config["EMAIL_PORT"] = 465 if config["EMAIL_USE_SSL"] else 587 if config["EMAIL_USE_TLS"] else 25
        if config["EMAIL_USE_TLS"] and config["EMAIL_PORT"] == 465:
            raise ImproperlyConfigured("EMAIL_URL: port 465 speaks TLS from the first byte; use smtp+ssl://…:465")
    else:
        config["EMAIL_HOST"] = ""  # filemail://var/outbox has a "host" that is the folder's first part
    if parts.scheme == "filemail":
        folder = unquote(parts.netloc + parts.path)
        if not folder:
            raise ImproperlyConfigured("EMAIL_URL: filemail:// needs a folder (filemail:///var/outbox)")
        # filemail:///abs/path is absolute; filemail://var/outbox is in the checkout, wherever the process started.
        config["EMAIL_FILE_PATH"] = str(BASE_DIR / folder)
    return config


_email = _email_config(env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
for _replaced in ("DJANGO_EMAIL_HOST", "DJANGO_EMAIL_PORT"):
    if env.str(_replaced, default=""):
        raise ImproperlyConfigured(f"{_replaced} is replaced by EMAIL_URL (e.g. smtp+tls://user@relay.example.org:587)")
# A backend class outright still wins (the bench: django.core.mail.backends.locmem.EmailBackend).
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
# Read as it is: django-environ would take a password starting with "$" for the name of another variable.
EMAIL_HOST_PASSWORD = env.ENVIRON.get("EMAIL_PASSWORD", "") or _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
if _email["EMAIL_FILE_PATH"]:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
if EMAIL_HOST_PASSWORD and not EMAIL_HOST_USER and EMAIL_HOST:  # Django would send without signing in
    raise ImproperlyConfigured("EMAIL_PASSWORD is set but EMAIL_URL names no user (smtp+tls://user@relay…)")


def _mail_address(name: str, default: str) -> str:
    """A sender address, checked now ("Privacy Team <privacy@example.org>" or the bare address)."""
    from email.utils import parseaddr

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = env.str(name, default=default).strip()
    try:
        validate_email(parseaddr(value)[1])
    except ValidationError:
        raise ImproperlyConfigured(f"{name} must be an e-mail address, not {value!r}") from None
    return value


DEFAULT_FROM_EMAIL = _mail_address("DJANGO_DEFAULT_FROM_EMAIL", "privacy@localhost")
# The sender of Django's own error mails to ADMINS.
SERVER_EMAIL = _mail_address("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Data subjects' requests (rights app). The beat schedule is in privacy_registry/celery.py.
# Links in e-mails are built on this base (the public pages' scheme and host, without a trailing slash).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must be an http(s):// URL")
# Off: a verified request waits for a DPO's approval in the admin. On: it is carried out as soon as it is verified.
RIGHTS_AUTO_EXECUTE = env.bool("RIGHTS_AUTO_EXECUTE", default=False)
# How long the confirmation link in the first e-mail works, and how long after that the unverified request keeps
# the e-mail address before a beat task purges it.
RIGHTS_VERIFY_LINK_HOURS = env.int("RIGHTS_VERIFY_LINK_HOURS", default=48)
RIGHTS_UNVERIFIED_GRACE_HOURS = env.int("RIGHTS_UNVERIFIED_GRACE_HOURS", default=24)
# The access / portability export's download link (Art. 12(3): the contract says 7 days).
RIGHTS_DOWNLOAD_LINK_DAYS = env.int("RIGHTS_DOWNLOAD_LINK_DAYS", default=7)
# Closed requests keep the requester's address and words this long (to answer follow-ups), then only codes and dates.
RIGHTS_MINIMISE_AFTER_DAYS = env.int("RIGHTS_MINIMISE_AFTER_DAYS", default=180)
# Verified requests by one person for the same right within this many days are flagged as likely duplicates.
RIGHTS_DUPLICATE_WINDOW_DAYS = env.int("RIGHTS_DUPLICATE_WINDOW_DAYS", default=30)
# Where the DPO digest goes when an organisation has no DPO contact with an e-mail address (empty: not sent).
RIGHTS_DPO_EMAIL = env.str("RIGHTS_DPO_EMAIL", default="")
# A request still "in progress" this long after it was taken for execution was interrupted (a killed worker or web
# process, a lost export task): the dashboard shows it, a beat job carries it out again every 15 minutes, and staff
# can with the admin's "Carry out again". Longer than an export takes with its task's retries (about 16 minutes).
RIGHTS_EXECUTION_STALE_AFTER_MINUTES = env.int("RIGHTS_EXECUTION_STALE_AFTER_MINUTES", default=60)
if RIGHTS_EXECUTION_STALE_AFTER_MINUTES < 1:
    raise ImproperlyConfigured("RIGHTS_EXECUTION_STALE_AFTER_MINUTES must be at least 1")
if min(RIGHTS_VERIFY_LINK_HOURS, RIGHTS_DOWNLOAD_LINK_DAYS, RIGHTS_MINIMISE_AFTER_DAYS) < 1 or min(
    RIGHTS_UNVERIFIED_GRACE_HOURS, RIGHTS_DUPLICATE_WINDOW_DAYS
) < 0:
    raise ImproperlyConfigured(
        "RIGHTS_VERIFY_LINK_HOURS, RIGHTS_DOWNLOAD_LINK_DAYS and RIGHTS_MINIMISE_AFTER_DAYS must be at least 1; "
        "RIGHTS_UNVERIFIED_GRACE_HOURS and RIGHTS_DUPLICATE_WINDOW_DAYS at least 0"
    )

# Cache: Redis when REDIS_URL is set (shared by every web process, which the public pages' rate limits need),
# local memory otherwise (a single development process).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "privacy-registry",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate limits of the public request pages (django-ratelimit), "<count>/<s|m|h|d>", per client address and per
# e-mail address. RATELIMIT_ENABLE=false turns them off (the bench does; never in production).
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "rights.views.ratelimited"


def _rate(name: str, default: str) -> str:
    """A django-ratelimit rate, checked now: the library would raise only at the first request."""
    import re

    rate = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/([1-9][0-9]*)?[smhd]", rate):
        raise ImproperlyConfigured(f"{name} must be a rate such as 20/h (a count per s, m, h or d), not {rate!r}")
    return rate


RIGHTS_RATELIMIT_IP = _rate("RIGHTS_RATELIMIT_IP", "20/h")
RIGHTS_RATELIMIT_EMAIL = _rate("RIGHTS_RATELIMIT_EMAIL", "5/h")
# Behind our proxy the client is the last X-Forwarded-For entry (as for the admin's lockout above).
RATELIMIT_IP_META_KEY = _client_ip_behind_proxy if BEHIND_PROXY else None
# The public request form refuses a submission sent sooner than this after the form was shown (bots fill forms
# instantly; people do not), or from a form older than RIGHTS_FORM_MAX_AGE_HOURS.
RIGHTS_FORM_MIN_SECONDS = env.int("RIGHTS_FORM_MIN_SECONDS", default=3)
RIGHTS_FORM_MAX_AGE_HOURS = env.int("RIGHTS_FORM_MAX_AGE_HOURS", default=24)
if RIGHTS_FORM_MIN_SECONDS < 0 or RIGHTS_FORM_MAX_AGE_HOURS < 1:
    raise ImproperlyConfigured("RIGHTS_FORM_MIN_SECONDS must be at least 0 and RIGHTS_FORM_MAX_AGE_HOURS at least 1")
# Django's own Redis backend increments atomically, but django-ratelimit's check only knows django-redis
# (W001). Local memory is not shared between processes (E003): silenced only without REDIS_URL, i.e. in the
# single-process development setup, so that a production cache that is not shared still stops the checks.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])
CSRF_FAILURE_VIEW = "rights.views.csrf_failure"

# Consent (consent app): how long events of pseudonymous website visitors are kept (the nightly purge deletes older
# ones), how long a double opt-in link works, the cookie-consent endpoint's body limit and rate per client address.
CONSENT_ANONYMOUS_EVENTS_DAYS = env.int("CONSENT_ANONYMOUS_EVENTS_DAYS", default=395)
CONSENT_CONFIRM_LINK_DAYS = env.int("CONSENT_CONFIRM_LINK_DAYS", default=7)
CONSENT_API_MAX_BODY = env.int("CONSENT_API_MAX_BODY", default=4096)
CONSENT_API_RATELIMIT = _rate("CONSENT_API_RATELIMIT", "60/m")
if min(CONSENT_ANONYMOUS_EVENTS_DAYS, CONSENT_CONFIRM_LINK_DAYS, CONSENT_API_MAX_BODY) < 1:
    raise ImproperlyConfigured(
        "CONSENT_ANONYMOUS_EVENTS_DAYS, CONSENT_CONFIRM_LINK_DAYS and CONSENT_API_MAX_BODY must be at least 1"
    )
