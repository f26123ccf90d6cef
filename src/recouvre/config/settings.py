"""The one settings module. Every value that varies between machines is read through config.env."""

from pathlib import Path

import dj_database_url

from recouvre.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The repository root when running from a checkout; data and node_modules are looked up from here.
BASE_DIR = PACKAGE_DIR.parent.parent

DATA_DIR = Path(env_str("RECOUVRE_DATA_DIR", str(Path.cwd() / "var"))).resolve()
BASE_URL = env_str("RECOUVRE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# The secret signs sessions and, later, portal links: a deployment must set its own. The development
# default is derived from the data directory so that two checkouts never share one by accident.
SECRET_KEY = env_str("RECOUVRE_SECRET_KEY", "") or f"insecure-dev-key::{DATA_DIR}"
DEBUG = env_bool("RECOUVRE_DEBUG", False)
ALLOWED_HOSTS = env_list("RECOUVRE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "recouvre.common",
    "recouvre.tenancy",
    "recouvre.timeline",
    "recouvre.audit",
    "recouvre.ledger",
    "recouvre.disputes",
    "recouvre.imports",
    "recouvre.messaging",
    "recouvre.arrangements",
    "recouvre.selfservice",
    "recouvre.dunning",
    "recouvre.backoffice",
    "recouvre.portal",
    "recouvre.api",
    "recouvre.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recouvre.backoffice.middleware.OrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "recouvre.config.urls"
WSGI_APPLICATION = "recouvre.config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("OPTIONS", {})
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "recouvre.sqlite3"),
        "OPTIONS": {
            # The web process and the worker share the file: WAL lets readers go on while one writes,
            # IMMEDIATE transactions take the write lock up front instead of failing half-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=20000;"
            ),
        },
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")} if env_bool("RECOUVRE_TEST_DB_ON_DISK") else {},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Filled by `collectstatic` for a deployment behind a web server; WhiteNoise serves from the finders
# (WHITENOISE_USE_FINDERS) otherwise, and warns on every request while the directory is missing.
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end libraries come from npm packages installed by `make` into node_modules/; nothing is
# copied into the repository by hand and nothing is loaded from a CDN.
NODE_MODULES = Path(env_str("RECOUVRE_NODE_MODULES", str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Background work: django-tasks with its database backend by default; RQ on Redis when one machine is
# not enough (TASKS_BACKEND=rq). Neither schedules nor retries: the product owns both.
TASKS_BACKEND = env_str("RECOUVRE_TASKS_BACKEND", "database")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email: RECOUVRE_EMAIL_URL (smtp://user:password@host:port, smtps:// for TLS); without it each email is
# written as an .eml file under RECOUVRE_DATA_DIR/outbox/ (cli.md), the embedded default for trying.
EMAIL_URL = env_str("RECOUVRE_EMAIL_URL", "")
DEFAULT_FROM_EMAIL = env_str("RECOUVRE_FROM_EMAIL", "recouvre@localhost")
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in ("smtp", "smtps"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"RECOUVRE_EMAIL_URL must start with smtp:// or smtps:// (got {_email.scheme!r})"
        )
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "recouvre.common.eml_backend.EmlFileBackend"
EMAIL_OUTBOX_DIR = DATA_DIR / "outbox"

IMPORT_CHUNK_SIZE = env_int("RECOUVRE_IMPORT_CHUNK_SIZE", 5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("RECOUVRE_LOG_LEVEL", "WARNING")},
    "loggers": {"recouvre": {"level": env_str("RECOUVRE_LOG_LEVEL", "INFO"), "propagate": True}},
}

# The daily cycle (dunning.md "When it runs"): the planning time in Europe/Paris, each organisation
# may set its own in settings["dunning"]["plan_at"]; dispatch happens within the contact hours.
CYCLE_PLAN_AT = env_str("RECOUVRE_CYCLE_PLAN_AT", "08:00")
# A message claimed or being sent for longer than this belongs to a dispatcher that died: claimed
# ones are taken again, `sending` ones become `unknown` (never sent twice).
DISPATCH_LEASE_SECONDS = env_int("RECOUVRE_DISPATCH_LEASE_SECONDS", 600)
# How long a debtor's portal link opens the portal (selfservice.domain.links): long enough for a letter.
PORTAL_LINK_DAYS = env_int("RECOUVRE_PORTAL_LINK_DAYS", 90)
