"""yekuo settings, all from environment variables (see README "Configuration").

YEKUO_ENV=production switches on the deployment hardening that `yekuo check --deploy` asks for and
requires a real SECRET_KEY; the default is a development set-up on an embedded SQLite file.
"""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    database_from_url,
    env_bool,
    env_dir,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_time_range,
    env_url,
    redis_url,
    web_workers,
)

BASE_DIR = Path(__file__).resolve().parent.parent

YEKUO_ENV = env_str("YEKUO_ENV", "development")
if YEKUO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"YEKUO_ENV={YEKUO_ENV!r} must be development, production or test")
PRODUCTION = YEKUO_ENV == "production"

# Django's debug pages show settings, code and data to whoever triggers an error: only when asked for (DEBUG=1),
# never by default, and never in production.
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when YEKUO_ENV=production")

DATA_DIR = env_dir("YEKUO_DATA_DIR", BASE_DIR / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "dev-only-insecure-key-yekuo-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when YEKUO_ENV=production")
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production")

# Old keys still accepted for what they signed (sessions, CSRF), while a new SECRET_KEY takes over (docs/security.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list this server's host names when YEKUO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "csp",
    "yekuo.common",
    "yekuo.accounts",
    "yekuo.workcal",
    "yekuo.regulations",
    "yekuo.approvals",
    "yekuo.orders",
    "yekuo.exports",
    "yekuo.outbox",
    "yekuo.partners",
    "yekuo.intake",
    "yekuo.monitoring",
    "yekuo.web",
    "yekuo.customers",
    "yekuo.reserve",
    "yekuo.reports",
    "yekuo.visits",
    "yekuo.normativity",
    "yekuo.bulletin",
    "yekuo.whatif",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yekuo.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the whole body: a file over the limit is refused unread (S1).
    "yekuo.common.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yekuo.web.middleware.DatabaseUnavailableMiddleware",
    "yekuo.web.middleware.MethodNotAllowedPage",
    # Last, as django-axes asks: it turns a locked-out sign-in into the page that says when to try again.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", f"sqlite:///{DATA_DIR / 'yekuo.sqlite3'}")}
# Web worker processes of `yekuo serve` (gunicorn); bench/lifecycle.py drives the services with as many.
YEKUO_WEB_WORKERS = web_workers()
# `yekuo serve`'s address (its --host and --port override them).
YEKUO_HOST = env_str("HOST", "127.0.0.1")
YEKUO_PORT = env_int("PORT", 8000, minimum=1)
# Fill the caches at server start (config/wsgi.py, yekuo/orders/warmup.py); off for a server that must start
# without touching the database.
YEKUO_WARM_UP = env_bool("YEKUO_WARM_UP", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Files, not each process's memory: `yekuo serve` runs several web workers, and the customer lookup's guessing
    # limit (common/throttle.py) must count one client's failures in all of them.
    # MAX_ENTRIES: past it Django deletes a third of the files at random, failure counts among them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Sign-ins (staff pages and admin) are throttled by django-axes: after YEKUO_LOGIN_FAILURE_LIMIT failures for one
# account, or from one client address (behind YEKUO_TRUSTED_PROXIES, as the customer lookup counts them), that
# account or address is refused for YEKUO_LOGIN_LOCKOUT_MINUTES after its last failure. Every sign-in, good or
# bad, is recorded in the database (admin: Axes, access logs and failures) for auditors (docs/security.md).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("YEKUO_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("YEKUO_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "yekuo.common.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "yekuo.web.views.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]

# A Content-Security-Policy on every response (django-csp): only the scripts, styles, images and fonts yekuo serves
# itself (static/, no CDN), no inline script or style except an inline script given the request's nonce
# ({{ CSP_NONCE }}), no plugins, no framing, forms posted only to yekuo. `data:` images are Bootstrap's icons
# (its CSS draws them as data: SVG). A response that sets its own policy keeps it (uploads: common/uploads).
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
    }
}
# No page script reads the CSRF cookie (htmx sends the token from the page: base.html hx-headers), so script
# cannot read it either.
CSRF_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English available; all datetimes aware, stored in UTC, shown in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "yekuo" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside STATIC_ROOT and never served by URL: uploaded files reach a browser only through the view that checks
# scope and sets their headers (web/views/detail.suspension_evidence).
MEDIA_ROOT = DATA_DIR / "media"
# The largest upload (a suspension's evidence) accepted; larger files are refused with a message (common/uploads).
YEKUO_UPLOAD_MAX_BYTES = env_int("YEKUO_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# WhiteNoise serves the apps' static folders directly outside production (no collectstatic needed to develop);
# production serves the hashed, compressed copies that collectstatic made.
WHITENOISE_USE_FINDERS = not PRODUCTION

# How many years past the last official State Council schedule get a provisional calendar (I7).
YEKUO_PROVISIONAL_YEARS = env_int("YEKUO_PROVISIONAL_YEARS", 2, minimum=1)
# R9: warn when this share of a clock's budget is used, and/or when this many working minutes are left
# (the earlier of the two); set either to "off" to use only the other.
YEKUO_WARN_USED_FRACTION = env_float("YEKUO_WARN_USED_FRACTION", 0.75)
YEKUO_WARN_REMAINING_MINUTES = env_int("YEKUO_WARN_REMAINING_MINUTES", 0, minimum=0) or None
# Time-limit control (R9, R10; docs/monitoring.md). The warning rules file (levels, thresholds, who is told);
# empty: the bundled yekuo/monitoring/data/warnings.toml.
YEKUO_MONITOR_RULES = env_str("YEKUO_MONITOR_RULES", "")
# How often the background worker scans the running clocks for warnings, in minutes (1-60).
YEKUO_MONITOR_SCAN_MINUTES = env_int("YEKUO_MONITOR_SCAN_MINUTES", 5, minimum=1)
# Quiet hours (Asia/Shanghai, "HH:MM-HH:MM", may cross midnight; "off": none): only alarms (overdue and worse)
# are sent then; pre-warnings wait until they end.
YEKUO_QUIET_HOURS = env_time_range("YEKUO_QUIET_HOURS", "22:00-07:30")
# Channels of a user who has chosen none: inbox (always), email, wecom, dingtalk, sms.
YEKUO_NOTIFY_DEFAULT_CHANNELS = env_list("YEKUO_NOTIFY_DEFAULT_CHANNELS", ["inbox", "email"])
# The address of yekuo as people reach it, for the links in notifications (no trailing slash).
YEKUO_SITE_URL = env_str("YEKUO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Order lists longer than this are exported by the background worker, with a progress page (P4); shorter ones
# are a direct download.
YEKUO_EXPORT_INLINE_ROWS = env_int("YEKUO_EXPORT_INLINE_ROWS", 2000, minimum=0)
# The control dashboard's counts are stored by the background worker every this many minutes (and by
# `yekuo monitor count`); the page reads the latest and says when it was made, and the lists it opens are
# always live (docs/monitoring.md).
YEKUO_DASHBOARD_COUNT_MINUTES = env_int("YEKUO_DASHBOARD_COUNT_MINUTES", 2, minimum=1)
# An entry dated more than this before it is recorded is back-dated: it needs a reason and is flagged.
# Platform pushes (R3, docs/platforms.md): a signed request is refused when its timestamp is further than this
# from the server's clock; the master key derives each platform key's secret (only its hash is stored).
YEKUO_PLATFORM_CLOCK_SKEW_SECONDS = env_int("YEKUO_PLATFORM_CLOCK_SKEW_SECONDS", 300, minimum=5)
# Default: derived from SECRET_KEY; set it on its own so that a new SECRET_KEY keeps the partners' secrets.
YEKUO_PLATFORM_KEY = env_str("YEKUO_PLATFORM_KEY", "platform-key:" + SECRET_KEY)
if len(YEKUO_PLATFORM_KEY) < 32:
    raise ImproperlyConfigured("YEKUO_PLATFORM_KEY must be a random string of at least 32 characters")
# Timeout of one fetch of a pushed application's document from its platform (the worker tries again later).
YEKUO_PLATFORM_DOCUMENT_TIMEOUT = env_float("YEKUO_PLATFORM_DOCUMENT_TIMEOUT", 10.0, minimum=0.1, maximum=300.0)
# How long an old platform key stays valid after `yekuo platforms rotate` (both keys live meanwhile).
YEKUO_PLATFORM_ROTATION_HOURS = env_int("YEKUO_PLATFORM_ROTATION_HOURS", 72, minimum=0)
# Where `yekuo outbox seed` points the platforms' callbacks (the platform simulator's default address).
YEKUO_PLATFORM_CALLBACK_URL = env_str("YEKUO_PLATFORM_CALLBACK_URL", "http://127.0.0.1:8790/callbacks")

YEKUO_BACKDATE_MINUTES = env_int("YEKUO_BACKDATE_MINUTES", 30, minimum=1)
# The largest request body read into memory (files uploaded as multipart are not counted). A realistic batch of
# 1,000 events, each a new order with every field and an evidence note, is 1.0 MB as ASCII-escaped JSON
# (yekuo/orders/tests/test_api_limits.py): 5 MB leaves room for longer texts. A larger body is 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("YEKUO_MAX_REQUEST_BYTES", 5 * 1024 * 1024, minimum=1024 * 1024)
# Issue 11 §4 (orders/suspension_review.py): a suspension started by the person whose clock it pauses, one
# back-dated beyond YEKUO_BACKDATE_MINUTES, or one longer than this many working days ("off": no limit) waits
# for a second person's approval; until then the clocks run on.
YEKUO_SUSPENSION_REVIEW_SELF = env_bool("YEKUO_SUSPENSION_REVIEW_SELF", True)
YEKUO_SUSPENSION_REVIEW_DAYS = env_float("YEKUO_SUSPENSION_REVIEW_DAYS", 5.0, minimum=0.0, maximum=365.0)
# R6/R7 (approvals/gate.py): what holds the grid works: a route consultation still open, the filing of low-risk
# works not yet recorded, the approval not yet granted. "off" (or "none"): nothing does.
YEKUO_WORKS_GATE = env_list("YEKUO_WORKS_GATE", ["consultation", "filing", "approval"])
if [g for g in YEKUO_WORKS_GATE if g.lower() in ("off", "none")]:
    YEKUO_WORKS_GATE = []
if set(YEKUO_WORKS_GATE) - {"consultation", "filing", "approval"}:
    raise ImproperlyConfigured(
        f"YEKUO_WORKS_GATE={','.join(YEKUO_WORKS_GATE)!r}: expected a comma-separated list of "
        "consultation, filing, approval, or off"
    )
# Reverse proxies in front of yekuo whose X-Forwarded-For is believed (common/throttle.client_address): behind
# one, every customer would otherwise share the proxy's address, and one guesser would lock all of them out.
YEKUO_TRUSTED_PROXIES = env_networks("YEKUO_TRUSTED_PROXIES")

# The outbox (yekuo/outbox, docs/outbox.md): a failed delivery is tried again after BACKOFF × 2^(tries−1) seconds,
# ±25 % jitter, at most BACKOFF_MAX, up to its destination's max_attempts.
YEKUO_OUTBOX_BACKOFF_SECONDS = env_int("YEKUO_OUTBOX_BACKOFF_SECONDS", 30, minimum=1)
YEKUO_OUTBOX_BACKOFF_MAX_SECONDS = env_int("YEKUO_OUTBOX_BACKOFF_MAX_SECONDS", 3600, minimum=1)
# The shared secret the demo destinations and simulators sign with (`yekuo outbox seed`); real partners get their
# own secret per destination in admin.
YEKUO_PARTNER_SECRET = env_str("YEKUO_PARTNER_SECRET", "yekuo-demo-partner-secret")
# Partner services (yekuo/partners, docs/partners.md; R2, R4). Each adapter calls its endpoint with this timeout
# (seconds) and this many quick retries; when the service is still down or slow the application is saved waiting
# for verification and the worker tries again with the outbox's backoff. The defaults are the local simulators
# (`yekuo simulate elicence|identity|utilities`), which `yekuo serve` starts when YEKUO_SIMULATORS is on.
YEKUO_ELICENCE_URL = env_url("YEKUO_ELICENCE_URL", "http://127.0.0.1:8791")
YEKUO_ELICENCE_TIMEOUT = env_float("YEKUO_ELICENCE_TIMEOUT", 3.0, minimum=0.1, maximum=120.0)
YEKUO_ELICENCE_RETRIES = env_int("YEKUO_ELICENCE_RETRIES", 1, minimum=0)
YEKUO_IDENTITY_URL = env_url("YEKUO_IDENTITY_URL", "http://127.0.0.1:8792")
YEKUO_IDENTITY_TIMEOUT = env_float("YEKUO_IDENTITY_TIMEOUT", 3.0, minimum=0.1, maximum=120.0)
YEKUO_IDENTITY_RETRIES = env_int("YEKUO_IDENTITY_RETRIES", 1, minimum=0)
# The joint utility application's units (R4): base URL of the units' endpoint (the `utilities` simulator).
YEKUO_UTILITIES_URL = env_url("YEKUO_UTILITIES_URL", "http://127.0.0.1:8793")
# The customer's own pages (yekuo/customers, docs/customers.md; R1, R2). The SMS gateway the one-time codes leave
# through (the outbox destination `customer_sms`, transport `sms`; `yekuo simulate sms` locally); how long a code
# lives; how long the signed link of an acceptance slip's QR code opens the order's progress page; the company
# whose orders online applications become (its code; default: the only company, else the first).
YEKUO_SMS_URL = env_url("YEKUO_SMS_URL", "http://127.0.0.1:8794")
YEKUO_CODE_SECONDS = env_int("YEKUO_CODE_SECONDS", 300, minimum=30)
YEKUO_TRACK_LINK_DAYS = env_int("YEKUO_TRACK_LINK_DAYS", 90, minimum=1)
YEKUO_ONLINE_COMPANY = env_str("YEKUO_ONLINE_COMPANY", "")
# `yekuo serve` also starts the local simulators as children (the demo: `make run` sets it).
YEKUO_SIMULATORS = env_bool("YEKUO_SIMULATORS", False)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Background work (DESIGN: Huey): a SQLite queue beside the database by default, Redis when REDIS_URL is
# set, so workers on several machines share it. `yekuo serve` runs the consumer beside the web.
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "yekuo",
    "immediate": env_bool("YEKUO_TASKS_IMMEDIATE", False),
    "utc": False,  # periodic tasks at local (Asia/Shanghai) times: Django sets the process time zone
    "consumer": {"workers": 2, "worker_type": "thread", "check_worker_health": True},
    **({"url": REDIS_URL} if REDIS_URL else {"filename": str(DATA_DIR / "tasks.sqlite3")}),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON that gives a key twice is refused (yekuo/common/strict_json.py); forms and files as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "yekuo.common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "yekuo.common.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "yekuo.common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "yekuo API",
    "DESCRIPTION": "Work orders of new-connection applications (业扩报装) and their regulated clocks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# The worker's "huey" logger is configured here with its own format and does not propagate: `run_huey` adds
# a handler of its own only when the logger has none, and the root handler would print each line again.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"worker": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(process)d:%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "worker": {"class": "logging.StreamHandler", "formatter": "worker"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"handlers": ["worker"], "level": env_str("WORKER_LOG_LEVEL", "INFO"), "propagate": False}},
}
