"""PostBBS settings, read from the environment (see README "Configuration")."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "board.apps.BoardAdminConfig",  # django.contrib.admin, its apps in the board's order
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "board.apps.LoginLockoutConfig",  # django-axes, under a Korean name
    "board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files straight from the app server, hashed and compressed (no nginx needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Korean unless the browser (Accept-Language) or the switcher asks for English.
    "django.middleware.locale.LocaleMiddleware",
    # Before CommonMiddleware: an imported site's old address (/?document_srl=1597,
    # /notice/1597) is answered by its redirect, not by the add-a-slash one (board/legacy/links.py).
    "board.legacy.links.old_links",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "board.middleware.load_user",
    # Last: it locks out repeated failed logins (per user name and per address).
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "postbbs.urls"

TEMPLATES = [
    {
        # The reader pages (templates/): Jinja2, through Django's own backend. Listed first, so
        # the error pages and the login and password pages of django.contrib.auth come from
        # here too.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "board.templating.environment",
            "context_processors": [
                "board.templating.translations",
                "board.templating.navigation",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The admin's templates, from the apps; board/admin_templates/ overrides the few whose
        # English is written into Django's own template.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "board" / "admin_templates"],
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

WSGI_APPLICATION = "postbbs.wsgi.application"

DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A real site on one file: WAL lets readers run beside the writer, IMMEDIATE takes the
    # write lock at BEGIN (no lock upgrade deadlocks), and the busy timeout makes writers wait
    # for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: PostgreSQL spent 0.45–0.85 ms planning each of a reader page's
    # statements and 0.02–0.16 ms running them (pg_stat_statements), the article's three
    # reads 2.3 ms of planning in all. psycopg prepares a statement on its 5th use on a
    # connection (which needs server-side binding) and PostgreSQL then keeps its plan.
    # DATABASE_PREPARED_STATEMENTS=false behind a pooler in transaction mode that does not
    # track them (PgBouncer before 1.21, or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None,
    )
# Persistent connections: opening a PostgreSQL connection costs more than a listing page, and
# on SQLite each new connection runs the PRAGMAs above and closing the last one after a write
# checkpoints the WAL (an fsync): a new visitor's article page paid both, every time.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app processes or hosts share one cache: Redis in production (CACHE_URL or REDIS_URL,
# e.g. redis://127.0.0.1:6379/0), a per-process memory cache otherwise.
CACHE_URL = env("CACHE_URL", default="") or env("REDIS_URL", default="")
if CACHE_URL:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
    # Sessions read from the shared cache and are written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # Refuses logins while a user name or an address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Loads the moderator flag with the user, in the one query that loads the user.
    "board.auth.BoardBackend",
]

# Login lockout (board.auth.LoginGuard, README "Safe under abuse"): 5 failures lock that user
# name from that address, 20 lock the address for every name, for 15 minutes; a name failed
# from 3 or more addresses within a minute is refused to those addresses (not to its owner on
# a clean address) until the minute is quiet. A success resets only its own name and address.
# Attempts are stored in the database, so every app process and host sees them.
AXES_HANDLER = "board.auth.LoginGuard"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_THROTTLE = (60, 3)  # (seconds, addresses that failed for one name within them)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The same client address as the sign-up limit (the proxy's entry, not the client's own).
AXES_CLIENT_IP_CALLABLE = "board.limits.client_ip"

# Sign-ups per address: at most (limit) within the last (seconds), counted in the database.
SIGNUP_RATE_LIMITS = [(3600, env.int("SIGNUP_LIMIT_PER_HOUR", default=5))]

# Password-reset mails: per client address and per email address, at most (limit) within the
# last (seconds), counted in the database alike for known and unknown addresses (board.limits).
PASSWORD_RESET_LIMITS_PER_ADDRESS = [(3600, env.int("PASSWORD_RESET_LIMIT_PER_HOUR", default=10))]
PASSWORD_RESET_LIMITS_PER_EMAIL = [(3600, 3)]
PASSWORD_RESET_TIMEOUT = 3600  # the mailed link works for an hour

# Outgoing mail (password reset): EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587
# in production; by default each mail is printed to the server's output (README "Configuration").
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PostBBS <noreply@localhost>")
# Password-reset mails leave from a background thread, so the answer takes as long whether or
# not the address has an account (an SMTP round trip would tell).
MAIL_IN_BACKGROUND = env.bool("MAIL_IN_BACKGROUND", default=True)

# Django's own hashers first (the first makes every new hash), then the one that verifies
# passwords imported from XE, Rhymix or Gnuboard5; a legacy hash is replaced by the first on
# the member's first login (board/legacy_passwords.py).
PASSWORD_HASHERS = [
    *global_settings.PASSWORD_HASHERS,
    "board.legacy_passwords.LegacyPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
# locale/ko holds the project's Korean for Django's own strings (the admin's, the forms'):
# project catalogues take precedence over Django's.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the board writes them (2008.04.21 00:00), in the admin too: postbbs/formats/ko.
FORMAT_MODULE_PATH = ["postbbs.formats"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# The site's name, in the admin's title, header and login page.
SITE_NAME = env("SITE_NAME", default="PostBBS")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploaded images go through Django's storage API; another backend can replace this one.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded images are served by the board, which checks their article (board.file_views.media_file):
# an embargoed photo is not for the web server or other users on the host to read from disk.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# HTTPS: the production environment sets HTTPS=true (see README). Off by default so that
# `make serve` works on http://127.0.0.1 for a local check.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers check health over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list binds every subdomain for months and is hard to undo:
    # the operator decides it (SECURE_HSTS_PRELOAD=true), the default does not.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# How many proxies we run in front of the app, each appending to X-Forwarded-For: the client's
# address is the entry that many places from the right (board.limits.client_ip).
PROXY_HOPS = env.int("PROXY_HOPS", default=1)
if BEHIND_PROXY:
    # Trust the proxy's word that the request came over HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "board.account_views.csrf_failure"

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere; a nonce for
# any inline script a page may need; no framing by other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "board:post-list"
LOGOUT_REDIRECT_URL = "board:post-list"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The board the site's root URL shows (created by migration 0002).
BOARD_SLUG = env("BOARD_SLUG", default="news")

# Comments per reader: at most (limit) within (seconds), for each pair.
COMMENT_RATE_LIMITS = [(10, 1), (3600, 30)]
# New votes per account: at most (limit) within (seconds), for each pair (board.services.vote).
VOTE_RATE_LIMITS = [(60, 30), (3600, 300)]
# Reports (신고) per account: at most (limit) within (seconds), for each pair (board.reports).
REPORT_RATE_LIMITS = [(60, 5), (86400, 50)]
# Searches per client address: at most (limit) within (seconds), for each pair, counted in the
# database (board.search.throttle). On PostgreSQL a search statement stops after this long.
SEARCH_RATE_LIMITS = [
    (10, env.int("SEARCH_LIMIT_PER_10S", default=10)),
    (60, env.int("SEARCH_LIMIT_PER_MINUTE", default=30)),
]
SEARCH_STATEMENT_TIMEOUT_MS = env.int("SEARCH_STATEMENT_TIMEOUT_MS", default=2000)
MAX_IMAGE_BYTES = env.int("MAX_IMAGE_BYTES", default=5 * 1024 * 1024)
# The most pixels an attached image may have (width × height, read from its header before it
# is decoded): 40 megapixels is a large camera's photo; a decompression bomb is far beyond.
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)
# Files attached to articles (board.forms.AttachmentForm): the extensions allowed, lower case
# without the dot, and the largest size. Readers always get them as downloads.
ATTACHMENT_EXTENSIONS = env.list(
    "ATTACHMENT_EXTENSIONS",
    default=[
        "pdf", "hwp", "hwpx", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp",
        "zip", "txt", "csv",
    ],
)  # fmt: skip
MAX_ATTACHMENT_BYTES = env.int("MAX_ATTACHMENT_BYTES", default=20 * 1024 * 1024)
