"""Canlian settings: one module, every value read from the environment with a safe default."""

import os
import re
from pathlib import Path

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from canlian.lib import logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("CANLIAN_VAR_DIR", str(BASE_DIR / "var")))


def env_bool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("", "True", "False"):
        raise ImproperlyConfigured(f"{name}={value!r}: use True or False")
    return value == "True"


def env_int(name: str, default: int) -> int:
    value = os.getenv(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r}: use a whole number") from exc


# Used only with DEBUG=True; `canlian check --deploy` refuses it (canlian/web/deploy_checks.py).
DEVELOPMENT_SECRET_KEY = "canlian-development-only-secret-key-not-for-production"  # noqa: S105


def _secret_key() -> str:
    key = os.getenv("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production set SECRET_KEY to 50 or more random "
            "characters (docs/operations.md, Going to production); for development only, "
            "set DEBUG=True instead."
        )
    return DEVELOPMENT_SECRET_KEY


def _key_dir() -> Path:
    """Where key files live by default: the user's configuration folder, never var/ beside the
    database (one backup of var/ would carry the data and its keys)."""
    config_home = os.getenv("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(os.getenv("CANLIAN_KEY_DIR") or Path(config_home) / "canlian")


# Off unless the environment says DEBUG=True: a forgotten variable must not turn an error
# into a traceback with the settings and the request for anyone to read.
DEBUG = env_bool("DEBUG", "False")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Safe defaults: WhiteNoise serves static files, also under runserver (decision 0010).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "canlian.places",
    "canlian.accounts",
    "canlian.audit",
    "canlian.people",
    "canlian.certificates",
    "canlian.levy",
    "canlian.benefits",
    "canlian.payroll",
    "canlian.stats",
    "canlian.spreadsheets",
    "canlian.holidays",
    "canlian.portal",
    "canlian.web",
    # The demo data (`canlian demo`): imports the apps, imported by none of them.
    "canlian.demo",
    "django_tasks",
    "django_tasks_db",
    # Sign-in defences (docs/decisions/0009-sign-in.md).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_password_validators",
    "django_password_validators.password_history",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered first: no host check, redirect, session or sign-in.
    "canlian.web.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Safe defaults (decision 0010): static files are answered here, before the two below,
    # so they keep their cache headers and need no policy.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "canlian.web.middleware.NoStoreMiddleware",
    "canlian.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Keeps the text size and contrast in the new session after signing out.
    "canlian.web.preferences.CarryMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "canlian.accounts.middleware.LoginRequiredMiddleware",
    "canlian.accounts.sessions.SessionExpiryMiddleware",
    "canlian.accounts.otp.SecondFactorMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "canlian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "canlian.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'canlian.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            # Writers take the lock at BEGIN, so the audit hash chain is appended in order.
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
# The home page sends each role on to the first page it can use.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Passwords stored with Argon2id (decision 0025); the other hashers only read older hashes,
# which are made again with the first at the next sign-in.
PASSWORD_HASHERS = [
    "canlian.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password rules of 等保 level 3 (docs/decisions/0009-sign-in.md).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "canlian.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {
        "NAME": "canlian.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3)},
    },
    {
        "NAME": "canlian.accounts.passwords.RecentPasswordsValidator",
        "OPTIONS": {"last_passwords": env_int("PASSWORD_HISTORY", 5)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed sign-ins per (user name, client address) pair: an attacker locks
# only the pairs they use, never an account everywhere. The pair is locked after
# SIGNIN_FAILURE_LIMIT failures for SIGNIN_LOCKOUT_MINUTES, doubled by each further failure
# up to SIGNIN_LOCKOUT_MAX_HOURS; a pair's failures are forgotten SIGNIN_LOCKOUT_MAX_HOURS
# after its last one, at a successful sign-in, or when the security administrator unlocks
# it at /accounts/lockouts/.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "canlian.accounts.lockouts.cool_off"
AXES_HANDLER = "canlian.accounts.lockouts.PairHandler"
# Refused attempts of a locked pair do not count (its password is not even checked).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Sign-ins are in the audit log; axes' own log of them would be a second, unguarded copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "canlian.accounts.lockouts.client_ip"
AXES_LOCKOUT_CALLABLE = "canlian.accounts.lockouts.lockout_response"
AXES_VERBOSE = False
SIGNIN_LOCKOUT_MINUTES = env_int("SIGNIN_LOCKOUT_MINUTES", 15)
SIGNIN_LOCKOUT_MAX_HOURS = env_int("SIGNIN_LOCKOUT_MAX_HOURS", 24)
# The second factor (TOTP, django-otp): required for the roles listed in
# canlian.accounts.otp.SECOND_FACTOR_ROLES, optional for the others.
OTP_TOTP_ISSUER = os.getenv("OTP_ISSUER", "Canlian")
# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
# signing in, whatever happens in between.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Reverse proxies in front of the application that append the client's address to
# X-Forwarded-For (0: none, the client is REMOTE_ADDR). Used to limit guessing on the public
# pages and in the audit log's source; set it to the number of proxies, never more.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The interface's language, also of the commands' messages (canlian/lib/commands.py): Chinese unless
# the environment sets LANGUAGE_CODE=en for an English deployment. Visitors may still choose.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_CODE = os.getenv("LANGUAGE_CODE", "zh-hans")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}: use zh-hans or en")
LOCALE_PATHS = [BASE_DIR / "canlian" / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "canlian" / "static"]

# Keys are never stored in the database. Each is url-safe base64 of 32 bytes, given in its
# variable or, when that is unset, read from its file (`canlian create-keys` makes the files).
# With DEBUG=False a key file inside VAR_DIR or the database's folder is refused.
KEY_DIR = _key_dir()
# Field encryption (ID numbers, bank accounts) and the blind index.
FIELD_KEY = os.getenv("CANLIAN_FIELD_KEY", "")
FIELD_KEY_FILE = Path(os.getenv("CANLIAN_FIELD_KEY_FILE") or KEY_DIR / "field.key")
# The audit log: keys the chain's hashes (HMAC-SHA256) and signs its checkpoints.
AUDIT_KEY = os.getenv("CANLIAN_AUDIT_KEY", "")
AUDIT_KEY_FILE = Path(os.getenv("CANLIAN_AUDIT_KEY_FILE") or KEY_DIR / "audit.key")
# Upgrading to the keyed chain (audit migration 0004) refuses to seal a SHA-256 chain that is
# already broken, unless this is True (the break is then recorded in the log).
AUDIT_SEAL_BROKEN_CHAIN = env_bool("CANLIAN_AUDIT_SEAL_BROKEN_CHAIN", "False")
# Signed checkpoints of the audit chain (`canlian audit-checkpoint`), outside the database.
AUDIT_CHECKPOINT_FILE = Path(
    os.getenv("CANLIAN_AUDIT_CHECKPOINT_FILE") or KEY_DIR / "audit-checkpoints.jsonl"
)

# Uploaded and exported files (imports, reports, exports), encrypted at rest with the field key
# (canlian.lib.sealedfiles); never served by the web server.
MEDIA_ROOT = Path(os.getenv("CANLIAN_FILES_DIR", str(VAR_DIR / "files")))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

PAGE_SIZE = env_int("PAGE_SIZE", 50)

# The address at which citizens reach the public pages (/portal/...), as printed on receipts and
# in their QR codes: scheme and host, no trailing slash. Set it to the federation's public
# address in production; the default serves a local demo.
PUBLIC_URL = os.getenv("CANLIAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Searches by a full ID or certificate number one person may make in an hour (each is an
# access record): canlian/accounts/lookups.py.
NUMBER_SEARCHES_PER_HOUR = env_int("NUMBER_SEARCHES_PER_HOUR", 30)
# Rows naming persons already on the registry that a role without the reveal permission may
# import (check or apply) in a day: canlian/people/exchange/matches.py.
IMPORT_MATCHES_PER_DAY = env_int("IMPORT_MATCHES_PER_DAY", 300)
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 200_000)
# Exports of more rows than this are written by the background worker (one at a time per
# person) and downloaded from their page; their files are deleted after EXPORT_KEEP_HOURS.
EXPORT_DIRECT_ROWS = env_int("EXPORT_DIRECT_ROWS", 5_000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)

# Spreadsheet imports: what a file may be before it is read at all.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Total size of an .xlsx/.ods once unzipped, and the largest ratio of one member: a zip bomb
# is refused before it is inflated.
IMPORT_MAX_UNCOMPRESSED = env_int("IMPORT_MAX_UNCOMPRESSED", 1024 * 1024 * 1024)
IMPORT_MAX_RATIO = env_int("IMPORT_MAX_RATIO", 200)
# A workbook (.xlsx, .xls, .ods) is read in a child process: its address space, and its
# processor time at most (5 s and 2 s a megabyte below that); see canlian/spreadsheets/reading.
IMPORT_READER_MAX_MEMORY = env_int("IMPORT_READER_MAX_MEMORY", 2 * 1024 * 1024 * 1024)
IMPORT_READER_MAX_SECONDS = env_int("IMPORT_READER_MAX_SECONDS", 120)
# Uploaded files and reports hold personal data: `canlian prune-imports` deletes older jobs.
IMPORT_KEEP_DAYS = env_int("IMPORT_KEEP_DAYS", 90)
# How often `canlian worker` deletes old import and export files and expired sessions (0: never;
# then run `canlian housekeeping` from cron).
HOUSEKEEPING_MINUTES = env_int("HOUSEKEEPING_MINUTES", 60)
# Working days the city federation or the province committee has to decide an objection to
# an assessment (the certificate rules set no limit; this is the federation's own).
CERTIFICATE_OBJECTION_DECISION_DAYS = env_int("CERTIFICATE_OBJECTION_DECISION_DAYS", 20)

# Background work (imports): Django's Tasks API; `canlian worker` runs the queue.
# TASKS_BACKEND=immediate runs tasks in the web process (tests, a one-person demo).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.getenv("TASKS_BACKEND", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# One JSON object a line on the standard error stream, ID, bank and phone numbers masked in
# every record (canlian/lib/logs.py; LOG_FORMAT=text for plain lines while developing).
LOGGING = logs.config(os.getenv("LOG_LEVEL", "WARNING"), os.getenv("LOG_FORMAT", "json"))

# The statistics keep each figure's results until a table they count changes (stats.kept;
# decision 0024). STATS_KEEP=False computes every figure on every request.
STATS_KEEP = env_bool("STATS_KEEP", "True")

# /healthz fails when no background worker has been seen for this many seconds (a worker
# reports every WORKER_BEAT_SECONDS); 0 leaves the worker out (TASKS_BACKEND=immediate).
WORKER_BEAT_SECONDS = int(os.getenv("WORKER_BEAT_SECONDS", "30"))
HEALTH_WORKER_SECONDS = int(
    os.getenv("HEALTH_WORKER_SECONDS", "0" if os.getenv("TASKS_BACKEND") == "immediate" else "120")
)


# ---------------------------------------------------------------------------------------------
# Safe defaults (issue 14, item 10; docs/decisions/0010-safe-defaults.md). HTTPS behind a
# proxy, security headers, Content-Security-Policy, static files. Every HTTPS setting is off
# by default so that plain HTTP works (the demo, development); production turns them on from
# the environment and `canlian check --deploy --fail-level WARNING` says what is missing.
# The middleware is in MIDDLEWARE above; the deploy checks in canlian/web/deploy_checks.py.
# ---------------------------------------------------------------------------------------------


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, "").split(",") if item.strip()]


def _proxy_ssl_header() -> tuple[str, str] | None:
    """The header a TLS-terminating proxy sets to `https` (e.g. X-Forwarded-Proto)."""
    name = os.getenv("SECURE_PROXY_SSL_HEADER", "")
    if not name:
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", name):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={name!r}: give the header's name, e.g. X-Forwarded-Proto"
        )
    return ("HTTP_" + name.upper().replace("-", "_"), "https")


def _same_site(name: str) -> str:
    value = os.getenv(name, "Lax")
    if value not in ("Lax", "Strict"):
        raise ImproperlyConfigured(f"{name}={value!r}: use Lax or Strict")
    return value


# Trust the proxy's word that the request came over HTTPS only when told there is one: the
# proxy must set this header itself, overwriting whatever the client sent.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", "False")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", "False")
# SECURE_COOKIES (above) marks the session and CSRF cookies Secure; the language cookie too.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = _same_site("SESSION_COOKIE_SAMESITE")
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
LANGUAGE_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
# Origins (scheme://host[:port]) a proxy may present that differ from the Host header.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Headers on every response (SecurityMiddleware, XFrameOptionsMiddleware). These are
# Django's defaults too; they are written out so that they cannot change unnoticed.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), enforced, on HTML pages: scripts, styles, images and
# fonts from this site only, no inline script or style (no 'unsafe-inline'), no plug-ins, no
# framing, forms posted only here. The templates keep to it (web/tests/test_templates.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
    },
}

# Static files: WhiteNoise serves STATIC_ROOT (filled by `canlian collectstatic`, with gzip
# copies) whether DEBUG is on or off; with DEBUG=True it reads the source folders instead.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
