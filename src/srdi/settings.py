"""Django settings, configured from the environment.

Environment variables (see README, "Configuration"):
  DATABASE_URL        default sqlite:///<repo>/var/srdi.sqlite3
  SRDI_SECRET_KEY     the secret key; when unset, a random per-installation key is generated
                      once in var/secret_key (never a built-in default)
  SRDI_DEBUG          1/0 (default 0)
  SRDI_ALLOWED_HOSTS  comma separated (default 127.0.0.1,localhost)
  SRDI_HTTPS          1/0: secure cookies, SSL redirect, HSTS (default: on when debug is off)
  REDIS_URL           optional: task queue and cache on Redis instead of SQLite/local memory
  SRDI_TRUSTED_PROXIES  addresses/networks of the HTTPS reverse proxy (X-Forwarded-For/-Proto)
  SRDI_SESSION_IDLE_MINUTES  logged out after this many minutes without a request (default 30)
  SRDI_SMTP_HOST, SRDI_SMTP_PORT, SRDI_SMTP_USER, SRDI_SMTP_PASSWORD, SRDI_SMTP_TLS, SRDI_MAIL_FROM
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("SRDI_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("SRDI_VAR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SRDI_DEBUG", False)
TESTING = env_bool("SRDI_TESTING", "pytest" in sys.modules)


def _secret_key() -> str:
    key = os.environ.get("SRDI_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    # Local install: generate a random per-installation key once (never a default secret).
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SRDI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

HTTPS = env_bool("SRDI_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SRDI_SSL_REDIRECT", HTTPS and not TESTING)
SECURE_HSTS_SECONDS = int(os.environ.get("SRDI_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The reverse proxy in front of the platform: only a request from one of these addresses
# (or networks) may name the client's address (X-Forwarded-For) and HTTPS (X-Forwarded-Proto);
# from anywhere else srdi.core.security.TrustedProxyMiddleware removes those headers first, so
# Django may read X-Forwarded-Proto unconditionally.
SRDI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("SRDI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SRDI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = 8 * 3600  # absolute lifetime of a login
# idle timeout (等保: 登录连接超时自动退出): no request for this long logs the session out
SRDI_SESSION_IDLE_MINUTES = float(os.environ.get("SRDI_SESSION_IDLE_MINUTES", "30"))

INSTALLED_APPS = [
    "django.contrib.admin",
    # before django.contrib.auth: its `changepassword` / `createsuperuser` (password policy,
    # Chinese) are the ones `srdi` runs
    "srdi.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "srdi.core",
    "srdi.audit",
    "srdi.registry",
    "srdi.evaluation",
    "srdi.diagnosis",
    "srdi.policies",
    "srdi.cultivation",
    "srdi.innovation",
    "srdi.chains",
    "srdi.finance",
    "srdi.support",
    "srdi.recognition",
]

MIDDLEWARE = [
    "srdi.core.security.TrustedProxyMiddleware",  # first: the client address and scheme
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "srdi.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "srdi.core.security.NoStoreMiddleware",
    "srdi.core.security.MalformedBodyMiddleware",  # sec-data: no boundary, deep JSON → 400
    "srdi.audit.middleware.RequestContextMiddleware",
]

# Content Security Policy (django-csp): scripts only from the platform itself or an inline
# <script nonce="{{ request.csp_nonce }}"> of our own templates; no plug-ins, no framing.
# Inline style attributes stay allowed (the templates and ECharts set element styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "srdi.urls"
WSGI_APPLICATION = "srdi.wsgi.application"

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
                "srdi.core.context_processors.platform",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'srdi.sqlite3'}"),
        conn_max_age=int(os.environ.get("SRDI_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL's JIT compiles the plans of large list sorts for seconds; these queries are
    # index lookups that need no JIT (bench/RESULTS-listing.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password policy (等保 level 3): at least 10 characters of three classes, not the username,
# not a common password, not one of the last 5 (srdi.accounts.passwords). Every door that sets a
# password runs these: forms, the admin, `srdi createsuperuser` / `changepassword`.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "srdi.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("SRDI_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "srdi.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "srdi.accounts.passwords.NotUsernameValidator"},
    {"NAME": "srdi.accounts.passwords.HistoryValidator", "OPTIONS": {"keep": 5}},
]
AUTHENTICATION_BACKENDS = ["srdi.accounts.backends.ThrottledModelBackend"]

if TESTING:  # fast hashing in the test suite only (every fixture user has a password)
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login throttling (srdi.accounts.throttle): failures within the window lock one account from
# one client address (SRDI_LOGIN_MAX_FAILURES), or one address for every account at a higher
# limit (SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS). An account is never locked for everyone: many
# failures of one account from many addresses alert the administrators instead.
SRDI_LOGIN_MAX_FAILURES = int(os.environ.get("SRDI_LOGIN_MAX_FAILURES", "5"))
SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS", "30")
)
SRDI_LOGIN_ALERT_FAILURES = int(os.environ.get("SRDI_LOGIN_ALERT_FAILURES", "20"))
SRDI_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SRDI_LOGIN_LOCKOUT_MINUTES", "15"))
# audit records (and login records) are kept at least this long; `srdi purge_audit` refuses
# less than SRDI_AUDIT_MIN_DAYS (等保: 审计记录留存不少于六个月)
SRDI_AUDIT_MIN_DAYS = 180
SRDI_AUDIT_DAYS = int(os.environ.get("SRDI_AUDIT_DAYS", "365"))
# list exports with more rows run as a background job (progress page, download at the end)
SRDI_EXPORT_BACKGROUND_ROWS = int(os.environ.get("SRDI_EXPORT_BACKGROUND_ROWS", "5000"))
# result files of finished background jobs are kept this many days (`srdi purge_jobs`)
SRDI_JOB_FILE_DAYS = int(os.environ.get("SRDI_JOB_FILE_DAYS", "30"))
# evaluation runs older than this are deleted, except the last run of each month
# (`srdi purge_evaluations`)
SRDI_EVALUATION_DAYS = int(os.environ.get("SRDI_EVALUATION_DAYS", "90"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "srdi",
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "srdi",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

if os.environ.get("SRDI_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["SRDI_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("SRDI_SMTP_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("SRDI_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("SRDI_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("SRDI_SMTP_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("SRDI_MAIL_FROM", "srdi@localhost")

SRDI_SITE_NAME = "常熟市专精特新企业培育服务平台"
SRDI_CITY = "常熟市"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SRDI_LOG_LEVEL", "WARNING")},
}
