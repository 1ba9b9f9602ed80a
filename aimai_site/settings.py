"""All settings, read from the environment (see the table in README.md).

DJANGO_ENV=development (the default) runs on an embedded SQLite file with Celery tasks executed
in-process. DJANGO_ENV=production refuses to start without a real secret key and explicit
hosts, and switches on the HTTPS-only protections that `manage.py check --deploy` expects.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from aimai_site.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r}: use 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# --- Core ---------------------------------------------------------------------------------

# Development only: production refuses this key (see below).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE): at least 50 random "
        "characters, not the development key. Generate one with: python -c "
        '"import secrets; print(secrets.token_urlsafe(64))"'
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "allauth",
    "allauth.account",
    "countries",
    "compacts",
    "registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # a NUL in the address is a 400 before any view passes it to the database
    "aimai_site.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # a domain refusal raised by a plain view is a 4xx with its message, never a 500
    "aimai_site.middleware.DomainErrorMiddleware",
    # the admin's ids and initial values checked before its views use them
    "aimai_site.admin.AdminParametersMiddleware",
]

ROOT_URLCONF = "aimai_site.urls"
WSGI_APPLICATION = "aimai_site.wsgi.application"

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

# --- Database -----------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    _db = environ.Env.db_url_config(DATABASE_URL)
except (KeyError, ValueError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
_db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker process can open the test database too.
    _db["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    # recursive_triggers: INSERT OR REPLACE's implicit delete fires the append-only triggers
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA recursive_triggers = ON;",
    }
# Set only by the test suite, so that a real worker process opens pytest's test database.
if env_str("AIMAI_TEST_DB_NAME"):
    _db["NAME"] = env_str("AIMAI_TEST_DB_NAME")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, result store and cache; absent means in-process -----------------------

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aimai",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# --- Transparency registry --------------------------------------------------------------

# The log's Ed25519 private key (PEM). Required in production; elsewhere a development key is
# made once in a git-ignored file.
REGISTRY_SIGNING_KEY = env_secret("REGISTRY_SIGNING_KEY")
REGISTRY_DEVELOPMENT_KEY_PATH = BASE_DIR / ".local" / "registry-signing-key.pem"
if PRODUCTION and not REGISTRY_SIGNING_KEY:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs REGISTRY_SIGNING_KEY (or REGISTRY_SIGNING_KEY_FILE): the "
        "Ed25519 private key, PEM, that signs the registry's tree heads."
    )

CELERY_BEAT_SCHEDULE = {
    "verify-published-data-releases": {
        "task": "countries.tasks.data_releases_verify_task",
        "schedule": 24 * 3600,
    },
    # Publishing already queues a recompute; this catches anything missed (a broker outage).
    # Unchanged inputs make it a no-op.
    "recompute-index": {
        "task": "countries.tasks.recompute_index_task",
        "schedule": 3600,
    },
    "mark-stale-compacts": {
        "task": "compacts.tasks.compacts_mark_stale_task",
        "schedule": 24 * 3600,
    },
    # offers, needs and score sets queue a recompute as they change; this catches the rest
    "recompute-suggestions": {
        "task": "compacts.tasks.suggestions_recompute_task",
        "schedule": 6 * 3600,
    },
}

# --- Auth ---------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin's username login
    "allauth.account.auth_backends.AuthenticationBackend",  # members: e-mail login
]
# Members sign up and log in with their e-mail address, which they must verify first.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AI4NATIONS] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# allauth's messages go through the site's retrying mail task
ACCOUNT_ADAPTER = "aimai_site.accounts.AccountAdapter"

# --- E-mail: the console unless an SMTP host is given --------------------------------------

# Links in e-mail point here: the address the site is served at, without a trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Observation files: the largest an editor may import, and the largest anyone may check on the
# public "Check my file" page, with how many checks an address may run per hour.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 100) * 1024 * 1024
CHECK_MAX_BYTES = env_int("CHECK_MAX_MB", 5) * 1024 * 1024
CHECK_RATE_PER_HOUR = env_int("CHECK_RATE_PER_HOUR", 30)
# Django refuses bigger request bodies before a view sees them; imports need the room
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AI4NATIONS <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise; nothing from a CDN) -------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        # Only behind a proxy that sets this header itself and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "aimai_site.api.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aimai_site.api.Pagination",
    # JSON with a bound on nesting (a 400, not a RecursionError), forms and uploads; no NUL
    "DEFAULT_PARSER_CLASSES": [
        "aimai_site.parsers.JSONParser",
        "aimai_site.parsers.FormParser",
        "aimai_site.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aimai_site.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI4NATIONS platform API",
    "DESCRIPTION": (
        "The AI Mutual Aid Index (countries, indicators, observations with their sources, "
        "releases, methodologies and score sets: public and read-only), the transparency "
        "registry, members' compacts (writes for signed-in members), and the editors' desk "
        "(imports and release steps, for editors and reviewers)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one name per vocabulary of the compacts app (several fields share "status", "kind"...)
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"compacts.choices.{name}"
        for name in (
            "CompactStatus",
            "Contribution",
            "Domain",
            "Licence",
            "OrganisationKind",
            "PartyRole",
            "PublicationStatus",
            "ResourceKind",
            "Role",
        )
    }
    | {"StatusEnum": "countries.choices.ReleaseStatus"},  # the name it had before
}

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
}
