"""Settings, read from environment variables (see README, "Configuration").

Defaults suit a developer's machine: SQLite in the project folder, console
e-mail, in-process cache. Production sets DJANGO_SECRET_KEY, DATABASE_URL,
DJANGO_ALLOWED_HOSTS and REDIS_URL and leaves DJANGO_DEBUG off.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.directory import directory_settings

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in _TRUE


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """A whole number of zero or more from the environment, refused with a message naming the variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of zero or more, not {value!r}.")
    return number


DEBUG = env_bool("DJANGO_DEBUG")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "audit",
    "departments",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (a phone's ballot of 45 departments is 160 KB of HTML, 10 KB compressed); static files
    # are answered above by whitenoise, compressed at collectstatic. Django masks the CSRF token per response
    # and pads compressed bodies with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.errors.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "departments.context_processors.navigation",
                "evaluation.context_processors.programme_navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Allocations between two runs of the garbage collector's first generation (config.collector); 0 keeps
# Python's own 700.
GC_THRESHOLD = env_int("GC_THRESHOLD", 50000)
if REDIS_URL:
    # config.cache.RedisCache: Django's backend, sharing one Redis client per connection pool.
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database: no session query on most requests.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "departments.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Directory login (README, "Directory login"): the directory first when LDAP_SERVER_URI is set,
# then the product's own accounts, which keep working when the directory is unreachable.
_DIRECTORY = directory_settings(os.environ)
globals().update(_DIRECTORY)
AUTHENTICATION_BACKENDS = [
    *(["departments.directory.DirectoryBackend"] if _DIRECTORY else []),
    # Django's ModelBackend, reading an account's permissions and roles in one query (departments.auth).
    "departments.auth.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Plotly's bundled JavaScript is served from the installed package (charts work offline): static "plotly/plotly.min.js".
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).resolve().parent / "package_data")]
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
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "evaluation@localhost")

# Uploaded workbooks larger than this are refused before they are read.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Limits on what an uploaded workbook may unpack to, checked before it is parsed (README, "Hostile workbooks").
# The defaults are ten times the largest real workbook, the Benxi-scale quarter (bench/workbook_gen.py): one
# 54.8 MB sheet of 137,521 rows and 9 columns, 12 parts. Rows are capped by Excel's own 1,048,576.
WORKBOOK_MAX_ENTRIES = env_int("WORKBOOK_MAX_ENTRIES", 1000)
WORKBOOK_MAX_UNPACKED_BYTES = env_int("WORKBOOK_MAX_UNPACKED_BYTES", 550 * 1000 * 1000)
WORKBOOK_MAX_SHARED_STRINGS_BYTES = env_int("WORKBOOK_MAX_SHARED_STRINGS_BYTES", 64 * 1000 * 1000)
WORKBOOK_MAX_ROWS = env_int("WORKBOOK_MAX_ROWS", 1048576)
WORKBOOK_MAX_COLUMNS = env_int("WORKBOOK_MAX_COLUMNS", 100)
WORKBOOK_MAX_CELLS = env_int("WORKBOOK_MAX_CELLS", 12_500_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The publish confirmation and the home page flag a source whose participation is below this share (percent) of the
# raters expected to vote.
PARTICIPATION_WARNING_PERCENT = env_int("PARTICIPATION_WARNING_PERCENT", 50)

# Where printed ballot slips point phones to; defaults to the requesting host.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
# Online grassroots ballots reach the ballot tables in batches of this many per unit, drawn from twice
# as many waiting (evaluation.services.inbox): the batch is the crowd a ballot hides in.
BALLOT_INBOX_BATCH = env_int("BALLOT_INBOX_BATCH", 10)

# Security. Production runs behind a TLS-terminating reverse proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Plotly sets inline styles on the SVG it draws.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The name shown in the navigation bar and page titles.
SITE_TITLE = _("Department work-style evaluation")
CSRF_FAILURE_VIEW = "departments.views.csrf_failure"
