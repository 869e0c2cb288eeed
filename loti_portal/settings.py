"""Settings for the LOTI Network Portal, read from the environment only.

Every value comes from an environment variable (or a local `.env` file, never committed).
A missing or malformed value stops start-up with an ImproperlyConfigured error that names it.
The defaults are the embedded ones for `make run` on a bare machine: SQLite under var/, an
embedded Celery broker under var/, console email.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _read(name, reader, **kwargs):
    """Read one variable, turning any parsing failure into a message that names it."""
    try:
        return reader(name, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # environ raises ValueError, KeyError, UnknownSchemeError…
        raise ImproperlyConfigured(f"The environment variable {name} is malformed: {exc}") from exc


def _bool(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"The environment variable {name} must be true or false, not {raw!r}.")


DEBUG = _bool("DEBUG", False)
# Every time shown to a person is London time (loti_portal.utils.LONDON), and so are cadences.
TIME_ZONE = "Europe/London"
TESTING = _bool("TESTING", False)
# Serves /benchmark/floor (a small template and one query) for `make bench`; off everywhere else.
BENCHMARK_FLOOR = _bool("BENCHMARK_FLOOR", False)

_INSECURE_DEV_KEY = "django-insecure-dev-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The environment variable SECRET_KEY is not set. Set it to a long random value "
            "(or set DEBUG=true for local development)."
        )
    SECRET_KEY = _INSECURE_DEV_KEY
elif not DEBUG and (SECRET_KEY == _INSECURE_DEV_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "The environment variable SECRET_KEY must be a random value of at least 32 characters "
        "when DEBUG is off; the development key is refused."
    )

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "The environment variable ALLOWED_HOSTS is not set; list the host names the portal "
        "answers to, separated by commas."
    )

SITE_URL = _read("SITE_URL", env.url, default="http://127.0.0.1:8000").geturl().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("The environment variable SITE_URL must start with http:// or https://.")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LOTI Network Portal <portal@loti.example>")
if "@" not in DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured("The environment variable DEFAULT_FROM_EMAIL must be an email address.")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The one address the public is given to contact the networks team (footer, error pages, network
# pages without a contact of their own), and where staff notifications go unless set apart.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="networks@loti.london")
if "@" not in CONTACT_EMAIL or any(character in CONTACT_EMAIL for character in "<> "):
    raise ImproperlyConfigured("The environment variable CONTACT_EMAIL must be one plain email address.")
STAFF_NOTIFICATION_EMAIL = env.str("STAFF_NOTIFICATION_EMAIL", default=CONTACT_EMAIL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "accounts.apps.SignInAddressesConfig",  # allauth.account, named for the admin index
    "crispy_forms",
    "crispy_forms_gds",
    "loti_portal",
    "accounts",
    "outbox",
    "networks",
    "events",
    "newsletter",
    "mentoring",
    "engagement",
    "organisations",
    "privacy",
    "certificates",
    "followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "loti_portal.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loti_portal.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "loti_portal.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "loti_portal.urls"
WSGI_APPLICATION = "loti_portal.wsgi.application"

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
                "loti_portal.context_processors.portal",
            ],
        },
    },
]


def _require_scheme(name, allowed):
    raw = env.str(name, default="")
    if raw and raw.partition("://")[0] not in allowed:
        raise ImproperlyConfigured(
            f"The environment variable {name} must start with one of: "
            + ", ".join(f"{scheme}://" for scheme in sorted(allowed))
        )


# Database: PostgreSQL in production and CI, a SQLite file for `make run` on a bare machine.
_require_scheme("DATABASE_URL", {"postgres", "postgresql", "pgsql", "sqlite"})
DATABASES = {"default": _read("DATABASE_URL", env.db_url, default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: a new connection per request costs ~3.5x on this stack.
    DATABASES["default"]["CONN_MAX_AGE"] = _read("DATABASE_CONN_MAX_AGE", env.int, default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements: a query run again on the same connection is not planned again (for
    # most of the portal's queries, planning takes as long as running them). They need the
    # parameters bound by the server. Nothing pools connections between the portal and the
    # database (docker-compose.yml), which prepared statements would not survive.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": 2})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Cache: Redis when there is one (shared by every process, used by rate limits), else a file
# cache under var/ so runserver, worker and beat still agree on a bare machine.
REDIS_URL = _read("REDIS_URL", env.str, default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("The environment variable REDIS_URL must start with redis:// or rediss://.")
# Parallel test processes (pytest-xdist names each PYTEST_XDIST_WORKER=gw0, gw1…) each take a
# Redis database of their own, for the cache and the broker, so that one clearing its cache or
# purging its queue never touches another's; the Celery workers they start inherit the name.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
if REDIS_URL and _TEST_WORKER.removeprefix("gw").isdigit():
    _redis = urlsplit(REDIS_URL)
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{1 + int(_TEST_WORKER.removeprefix('gw')) % 15}"))
if REDIS_URL:
    # Fails soft: with Redis down a read is a miss and a write is dropped, so pages still answer.
    CACHES = {
        "default": {
            "BACKEND": "loti_portal.cache_fail_soft.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif TESTING:
    # Tests without Redis: each test process its own memory (what the file cache shares between
    # processes on a bare machine, parallel tests must not).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Rendered parts of pages (templates' {% cache %} blocks, "fragments"), in each process's memory:
# HTML only, under keys made of what each part shows (an event's last change and its counts), so
# a part is never out of date and nothing needs to be shared or deleted. PAGE_FRAGMENT_CACHE=false
# draws every page and part afresh.
CACHES["fragments"] = (
    {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "page-fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
    if _bool("PAGE_FRAGMENT_CACHE", True)
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
)
# Whole pages (loti_portal/versions.py), apart from the parts so that a few hundred pages of
# 30 to 60 KB each (some 30 MB a process at most) never push the small parts out.
CACHES["pages"] = (
    {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "whole-pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
    if _bool("PAGE_FRAGMENT_CACHE", True)
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
)

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport under var/celery.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request hands emails to the broker after its commit: with the broker down it gives up
# within a second or two (the outbox's sweeper sends them later) rather than keep the page waiting.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, publishing through one client per channel (see the module).
    CELERY_BROKER_TRANSPORT = "loti_portal.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    CELERY_BEAT_SCHEDULE_FILENAME = str(_celery_dir / "beat-schedule")

# Email: console by default; smtp://user:pass@host:port (or smtp+tls://) in production.
_require_scheme("EMAIL_URL", set(environ.Env.EMAIL_SCHEMES))
EMAIL_CONFIG = _read("EMAIL_URL", env.email_url, default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = 20
# The outbox notes each message the mail server accepted in the default cache (its sent journal)
# and marks the rows sent in the database a chunk at a time. The cache is shared by every worker
# and beat wherever they can run apart: Redis, or without Redis the file cache of the one machine
# that the filesystem broker ties them to. False: each row is marked sent on its own.
OUTBOX_SENT_JOURNAL = True


def _seconds(name, default, *, least=1):
    """A whole number of seconds, `least` or more."""
    value = _read(name, env.int, default=default)
    if value < least:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number of seconds, {least} or more."
        )
    return value


# The outbox's clocks (outbox/services.py). A worker holds the rows it sends under a lease, renewed
# every third of it; beat's sweeper runs every OUTBOX_SWEEP_SECONDS and hands out again a row no
# worker took within OUTBOX_REQUEUE_SECONDS; a mail server that fails for now is tried again after
# OUTBOX_RETRY_FIRST_SECONDS, doubling up to OUTBOX_RETRY_MAX_SECONDS. So a killed worker's rows
# go out again within about max(lease, requeue) + sweep: under two minutes with these defaults.
# The integration tests start their workers and beat with short ones (tests/integration/conftest.py).
OUTBOX_LEASE_SECONDS = _seconds("OUTBOX_LEASE_SECONDS", 45, least=3)
OUTBOX_SWEEP_SECONDS = _seconds("OUTBOX_SWEEP_SECONDS", 30)
OUTBOX_REQUEUE_SECONDS = _seconds("OUTBOX_REQUEUE_SECONDS", 60)
OUTBOX_RETRY_FIRST_SECONDS = _seconds("OUTBOX_RETRY_FIRST_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = _seconds("OUTBOX_RETRY_MAX_SECONDS", 30 * 60)
if OUTBOX_RETRY_MAX_SECONDS < OUTBOX_RETRY_FIRST_SECONDS:
    raise ImproperlyConfigured(
        "The environment variable OUTBOX_RETRY_MAX_SECONDS must be at least OUTBOX_RETRY_FIRST_SECONDS."
    )

# Reminders go out this many hours before a session of no network, and before the meetings of a
# new network until staff change its list (networks.models.default_reminder_offsets reads this).
REMINDER_OFFSETS_HOURS = [7 * 24, 24]

# Answers to registration questions are deleted this many days after the event ends (UK GDPR:
# kept no longer than needed to run and report on the session).
# Certificates of attendance print names in DejaVu Sans from here when it is installed (Debian's
# fonts-dejavu-core), else in the PDF's built-in Helvetica (Latin-1 letters only).
CERTIFICATE_FONT_DIR = _read("CERTIFICATE_FONT_DIR", env.str, default="/usr/share/fonts/truetype/dejavu")
ANSWER_RETENTION_DAYS = _read("ANSWER_RETENTION_DAYS", env.int, default=180)
if ANSWER_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("The environment variable ANSWER_RETENTION_DAYS must be 0 or more.")

# Session materials (slides, files) are private: stored here, outside anything the web server or
# whitenoise serves, and streamed only through followup.views after the one permission check.
MATERIALS_ROOT = Path(_read("MATERIALS_ROOT", env.str, default=str(VAR_DIR / "materials")))
MATERIALS_MAX_UPLOAD_MB = _read("MATERIALS_MAX_UPLOAD_MB", env.int, default=50)
if not 1 <= MATERIALS_MAX_UPLOAD_MB <= 500:
    raise ImproperlyConfigured("The environment variable MATERIALS_MAX_UPLOAD_MB must be from 1 to 500.")

# allauth: email is the login, verification is mandatory, and answers never reveal whether an
# address has an account.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Tell people when their password or email address changes (templates/account/email/).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per browser address only: a limit per email address would let anyone lock a person out.
    # The cap per account across addresses is the portal's own (accounts.throttles), with a notice.
    "login_failed": "10/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # The newsletter's sign-up form uses the same throttle (newsletter.views).
    "newsletter_subscribe": "20/m/ip,3/10m/key",
    # A guest's registration form for a public session (events.views_guests): per client address,
    # and per email address entered, so nobody can fill a stranger's inbox.
    "guest_registration": "10/m/ip,60/h/ip,3/h/key",
}
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: trust no header).
# Rate limits count per client address (loti_portal.utils.client_ip): behind a proxy, with 0,
# every visitor would share the proxy's address.
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("The environment variable TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile-detail"
LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True

WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No base_url: a material has no public address (followup.views streams it).
    "materials": {
        "BACKEND": "followup.storage.MaterialsStorage",
        "OPTIONS": {"file_permissions_mode": 0o640},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Sessions: HttpOnly, SameSite, and they expire after SESSION_COOKIE_AGE without use. Rather than
# writing the session on every request, SessionIdleRefreshMiddleware extends it at most hourly.
# With Redis, sessions are read from the cache and written through to the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _read("SESSION_IDLE_SECONDS", env.int, default=60 * 60 * 24 * 14)
SESSION_REFRESH_SECONDS = 60 * 60
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "loti_portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
