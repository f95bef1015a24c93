"""Settings for the merchant support portal, driven by environment variables (see .env.example).

Defaults give a working local portal (SQLite, local media folder, DEBUG off).
PORTAL_ENV=production makes every secret and host setting mandatory.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise ImproperlyConfigured(f"Environment variable {name} must be set (see .env.example).")
    return default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


PORTAL_ENV = env_str("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORTAL_ENV={PORTAL_ENV!r}; use 'development' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PORTAL_ENV=production.")


def _development_secret_key() -> str:
    # A random key kept on this machine only, so sessions survive restarts without a shared default secret.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") if PRODUCTION else env_str("SECRET_KEY", "") or _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when PORTAL_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "dbbackup",
    "anymail",
    "portal.third_party.TaskQueueConfig",
    "portal.third_party.SignInLockoutConfig",
    "portal",
    "infra",
    "kb",
    "tickets",
    "agents",
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Permissions-Policy on every response, and no copy kept of agents' and merchants' own pages.
    "infra.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Merchants are often on slow mobile data; Django's gzip adds BREACH-mitigating random padding.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "infra.middleware.RememberedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before any view, form or log line reads a field (the CSRF token is among the fields kept as they are).
    "infra.middleware.CardMaskingMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The API's 405s (answered by django-ninja itself) as problem documents like its other errors.
    "api.middleware.MethodNotAllowedProblemMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "infra.pagecache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; the timeout rides out short write bursts.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # runserver starts a thread per request, so persistent SQLite connections would pile up there; under
    # gunicorn, DATABASE_CONN_MAX_AGE may keep them (bench/search.py measures both).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0) if PRODUCTION else 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
# Redis down, unreachable or slow costs a request at most these waits per call, never an error:
# IGNORE_EXCEPTIONS makes a failed call a miss (sessions then come from the database, pages are rendered),
# and each failure is logged (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS) so operators see it. On a LAN a reply
# takes well under a millisecond, so these only ever expire when Redis is in trouble.
REDIS_CONNECT_TIMEOUT_MS = env_int("REDIS_CONNECT_TIMEOUT_MS", 100, minimum=1)
REDIS_SOCKET_TIMEOUT_MS = env_int("REDIS_SOCKET_TIMEOUT_MS", 200, minimum=1)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Without Redis, a folder: every process on this machine (gunicorn's workers, the task worker) then shares
# one cache, so cached pages, rate limits and the synonym version agree. Process-local memory would not.
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_CONNECT_TIMEOUT_MS / 1000,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT_MS / 1000,
                # After a failure, no call waits for Redis again for a moment (infra/cache.py says why).
                "CONNECTION_POOL_CLASS": "infra.cache.ConnectionPool",
            },
        }
        if REDIS_URL
        else {
            "BACKEND": "infra.cache.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 3000, minimum=100)},
        }
    )
}
if REDIS_URL:
    # Several web processes behind a load balancer must keep no state of their own. cached_db over cache:
    # reads come from Redis (no query per request for an agent who keeps the queue open all day) and
    # writes go to both, so a Redis restart, an eviction under its memory limit (it also holds the page
    # cache) or a cache.clear() never signs anyone out in the middle of a ticket; nor does Redis being down
    # (IGNORE_EXCEPTIONS: a failed read is a miss, and the session is read from the database). Without Redis
    # the database backend (Django's default) already serves every process alike.
    SESSION_ENGINE = "infra.sessions"  # cached_db, its Redis copies named by the epoch (infra/sessions.py)
# Public pages rendered for anonymous visitors are kept this long (0 turns the page cache off); any
# change to their content replaces them at once (infra/pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# Search answers are kept this long per query (index and synonym edits replace them at once).
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "infra.permissions.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch is remembered for a year, not just until the browser closes.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Media is never served by URL: every file goes through an access-checked view.
MEDIA_URL = "/media-not-served/"
# Uploads larger than this stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Uploaded files: the media folder by default (several machines share it only as a shared mount), or
# S3-compatible object storage when S3_BUCKET is set. Either way nothing is public: every file goes
# through an access-checked view, which reads it through default_storage (never a local path).
S3_VARIABLES = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


def object_storage_from_env() -> dict | None:
    """The STORAGES entry for object storage from the S3_* variables; None when none is set."""
    given = {name: env_str(name, "") for name in S3_VARIABLES}
    given = {name: value for name, value in given.items() if value}
    if not given:
        return None
    # Half a configuration fails at start-up, not at the first upload; missing keys would otherwise let
    # boto3 pick up whatever credentials the machine happens to have.
    missing = [name for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY") if name not in given]
    if "S3_ENDPOINT_URL" not in given and "S3_REGION" not in given:
        missing.append("S3_ENDPOINT_URL or S3_REGION")
    if missing:
        raise ImproperlyConfigured(
            f"Object storage is half configured ({', '.join(sorted(given))} set): also set {', '.join(missing)}."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": given["S3_BUCKET"],
            "endpoint_url": given.get("S3_ENDPOINT_URL"),
            "region_name": given.get("S3_REGION"),
            "access_key": given["S3_ACCESS_KEY_ID"],
            "secret_key": given["S3_SECRET_ACCESS_KEY"],
            "default_acl": "private",
            # A URL is never handed out, but if code ever asked for one it would be signed and short-lived.
            "querystring_auth": True,
            # As in the media folder: a name already taken gets a new one instead of replacing a file.
            "file_overwrite": False,
            # A download is read into a temporary file that moves to disk past this size (the default, 0,
            # would hold a 10 MB log in the worker's memory).
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


STORAGES = {
    "default": object_storage_from_env() or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

# --- Backups (`manage.py backup` / `manage.py restore`, built on django-dbbackup) ------------------
# A set (database dump + media archive + manifest) goes to BACKUP_DIR, or to the bucket BACKUP_S3_BUCKET on
# the object storage the S3_* variables describe: another bucket than the media's, so a media backup never
# archives earlier backups, and one the portal's keys may write but that an operator should version or lock.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_S3_BUCKET = env_str("BACKUP_S3_BUCKET", "")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)


def backup_storage() -> dict:
    if not BACKUP_S3_BUCKET:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(BACKUP_DIR)}}
    media = STORAGES["default"]
    if media["BACKEND"] != "storages.backends.s3.S3Storage":
        raise ImproperlyConfigured("BACKUP_S3_BUCKET needs the S3_* variables (endpoint and keys) to be set too.")
    if media["OPTIONS"]["bucket_name"] == BACKUP_S3_BUCKET:
        raise ImproperlyConfigured("BACKUP_S3_BUCKET must not be the media bucket (S3_BUCKET).")
    return {"BACKEND": media["BACKEND"], "OPTIONS": {**media["OPTIONS"], "bucket_name": BACKUP_S3_BUCKET}}


STORAGES["dbbackup"] = backup_storage()
# Encrypt every set to this GPG key (needs the `gpg` program and the python-gnupg package); empty: not encrypted.
DBBACKUP_GPG_RECIPIENT = env_str("BACKUP_GPG_RECIPIENT", "") or None
# The passphrase of the private key that restores an encrypted set (empty for a key without one).
BACKUP_GPG_PASSPHRASE = env_str("BACKUP_GPG_PASSPHRASE", "")
# A failed backup exits non-zero with its error on stderr for cron or the timer to report; no ADMINS mail.
DBBACKUP_SEND_EMAIL = False
WHITENOISE_MAX_AGE = 3600

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the upload script reads it to send the token with XHR
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every page's scripts and styles come from /static/: nothing inline runs, so an injected <script> or
# onerror= does nothing. A page that ever needs an inline script gives it {{ csp_nonce }}; the nonce is in
# the header only on pages that used it. blob: images are the upload form's previews of chosen photos, data:
# images the tracking link's QR code (an SVG drawn into an <img>, where it cannot run anything).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "blob:", "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page uses are refused, for this site and anything it could ever embed. The camera
# stays allowed for the site itself: the ticket form's photo field asks for it (capture="environment").
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), midi=(), display-capture=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
# Pages under these URL namespaces show one agent's or one merchant's tickets: never stored by a browser
# or a proxy (a shared shop computer's back button, a carrier's cache).
PRIVATE_NAMESPACES = {"agents", "tickets"}
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the portal append to X-Forwarded-For (0: clients connect directly, the
# header is ignored). Exactly this many entries from the right are trusted (infra/ratelimit.py client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Mail (Django 6.1 MAILERS) -----------------------------------------------------------------
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@localhost")
SITE_NAME = env_str("SITE_NAME", "POS 商户服务中心")
# Where links in notification emails point (emails are written outside any request).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- SMS (infra/sms/, README "SMS") -----------------------------------------------------------------
# Printed to the console in development; off in production until a provider is configured (merchants who
# gave only a phone number then get no SMS, and "Find my ticket" tells them to call SUPPORT_PHONE).
_SMS_BACKENDS = {
    "": "",
    "console": "infra.sms.backends.ConsoleBackend",
    "file": "infra.sms.backends.FileBackend",
    "locmem": "infra.sms.backends.LocmemBackend",
    "alibaba": "infra.sms.providers.AlibabaBackend",
    "tencent": "infra.sms.providers.TencentBackend",
}
_sms_backend = os.environ.get("SMS_BACKEND", "").strip() if PRODUCTION else env_str("SMS_BACKEND", "console")
if _sms_backend not in _SMS_BACKENDS:
    raise ImproperlyConfigured(f"SMS_BACKEND={_sms_backend!r}; use one of {', '.join(filter(None, _SMS_BACKENDS))}.")
SMS_BACKEND = _SMS_BACKENDS[_sms_backend]
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms"))
# The signature registered with the provider, shown as 【…】 before every message.
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "" if PRODUCTION else "POS服务")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID", "")  # Alibaba AccessKey ID / Tencent SecretId
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET", "")  # Alibaba AccessKey secret / Tencent SecretKey
SMS_APP_ID = env_str("SMS_APP_ID", "")  # Tencent SmsSdkAppId
SMS_REGION = env_str("SMS_REGION", "ap-guangzhou")  # Tencent region
# The provider's address, for a local stub server in tests; empty: the provider's own.
SMS_ENDPOINT = env_str("SMS_ENDPOINT", "")
SMS_ENDPOINT_PROTOCOL = env_str("SMS_ENDPOINT_PROTOCOL", "https")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10, minimum=1)
# Template codes registered with the provider, one per message kind (templates/sms/<kind>.txt is the text).
SMS_TEMPLATES = {
    kind: env_str(f"SMS_TEMPLATE_{kind.upper()}", "")
    for kind in ("ticket_receipt", "agent_reply", "waiting_on_merchant", "resolved", "tracking_link", "find_code")
}
if PRODUCTION and SMS_BACKEND.startswith("infra.sms.providers"):
    _missing = [f"SMS_TEMPLATE_{kind.upper()}" for kind, code in SMS_TEMPLATES.items() if not code]
    _needed = ("SMS_SIGN_NAME", "SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET")
    _missing += [name for name in _needed if not globals()[name]]
    if _sms_backend == "tencent" and not SMS_APP_ID:
        _missing.append("SMS_APP_ID")
    if _missing:
        raise ImproperlyConfigured(f"SMS_BACKEND={_sms_backend} needs {', '.join(_missing)} (see .env.example).")
# "Find my ticket" by SMS: a code (valid 10 minutes, as its SMS says) may be tried this many times.
FIND_CODE_ATTEMPTS = env_int("FIND_CODE_ATTEMPTS", 5, minimum=1)
# Codes sent per number per hour, so nobody can flood a merchant's phone.
FIND_CODES_PER_NUMBER = env_int("FIND_CODES_PER_NUMBER", 3, minimum=1)

# --- Support contact (the contact and "Find my ticket" pages) -----------------------------------------
SUPPORT_PHONE = env_str("SUPPORT_PHONE", "")
# When the phone is answered, shown as written in both languages: times only, e.g. "09:00–21:00".
SUPPORT_HOURS = env_str("SUPPORT_HOURS", "")
# How soon a request gets its first answer, in hours (0: not promised on the pages).
SUPPORT_FIRST_REPLY_HOURS = env_int("SUPPORT_FIRST_REPLY_HOURS", 0)

# --- Knowledge base ---------------------------------------------------------------------------
MARKDOWNX_MARKDOWNIFY_FUNCTION = "kb.markdown.render_preview"
MARKDOWNX_URLS_PATH = "/admin/kb/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/kb/markdownx/upload/"
MARKDOWNX_EDITOR_RESIZABLE = True
KB_IMAGE_MAX_BYTES = env_int("KB_IMAGE_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
KB_IMAGE_MAX_PIXELS = env_int("KB_IMAGE_MAX_PIXELS", 25_000_000, minimum=10_000)

# --- Tickets ----------------------------------------------------------------------------------
TICKET_MAX_FILES = env_int("TICKET_MAX_FILES", 10, minimum=1)
TICKET_MAX_FILE_BYTES = env_int("TICKET_MAX_FILE_BYTES", 10 * 1024 * 1024, minimum=1024)
TICKET_MAX_TOTAL_BYTES = env_int("TICKET_MAX_TOTAL_BYTES", 30 * 1024 * 1024, minimum=1024)
# Sends per submitter (account, else session) per window, accepted or not: room for a few corrected mistakes.
TICKET_RATE_LIMIT = env_int("TICKET_RATE_LIMIT", 10, minimum=1)
# A backstop per address, generous because carrier NAT and shop Wi-Fi put many merchants behind one address.
TICKET_RATE_LIMIT_PER_ADDRESS = env_int("TICKET_RATE_LIMIT_PER_ADDRESS", 60, minimum=1)
TICKET_REPLY_RATE_LIMIT = env_int("TICKET_REPLY_RATE_LIMIT", 30, minimum=1)  # replies per ticket per window
TICKET_RATE_WINDOW_SECONDS = env_int("TICKET_RATE_WINDOW_SECONDS", 3600, minimum=1)
TICKET_MAX_IMAGE_PIXELS = env_int("TICKET_MAX_IMAGE_PIXELS", 50_000_000, minimum=10_000)  # phone photos reach 48 MP
TICKET_MAX_ARCHIVE_MEMBERS = env_int("TICKET_MAX_ARCHIVE_MEMBERS", 50, minimum=1)
# Photos of the screen are read by the OCR server (python -m ocr.server, docs/ocr.md) on this local socket;
# a web worker waits at most OCR_TIMEOUT_SECONDS for its answer, and tells a caller turned away as busy to
# come back after OCR_RETRY_AFTER_SECONDS.
OCR_SOCKET = env_str("OCR_SOCKET", str(VAR_DIR / "ocr.sock"))
OCR_TIMEOUT_SECONDS = env_int("OCR_TIMEOUT_SECONDS", 20, minimum=1)
OCR_RETRY_AFTER_SECONDS = env_int("OCR_RETRY_AFTER_SECONDS", 5, minimum=1)
# A ticket's photo turned away because the OCR server is busy is read again by the task worker after 1, 2, 4 …
# × OCR_READ_RETRY_SECONDS, OCR_READ_TRIES tries in all; then it is left without text (docs/ocr.md).
OCR_READ_RETRY_SECONDS = env_int("OCR_READ_RETRY_SECONDS", 30, minimum=1)
OCR_READ_TRIES = env_int("OCR_READ_TRIES", 5, minimum=1)
# Photos read per client address and minute on the photo search page (the API counts them like its searches).
PHOTO_SEARCH_RATE_PER_MINUTE = env_int("PHOTO_SEARCH_RATE_PER_MINUTE", 20, minimum=1)
# Abuse limits per client address (a shop's Wi-Fi or a carrier's NAT puts many merchants behind one, so
# they are generous): searches served and searches recorded for analytics per minute, result clicks
# recorded per minute, votes without a visitor cookie and sign-ups per hour.
SEARCH_RATE_PER_MINUTE = env_int("SEARCH_RATE_PER_MINUTE", 600, minimum=1)
SEARCH_LOG_PER_MINUTE = env_int("SEARCH_LOG_PER_MINUTE", 120, minimum=1)
# The search log is stored in bulk after responses, at most this often (kb/search/services.py); in
# development at once, so the figures are there as soon as you search.
SEARCH_LOG_FLUSH_SECONDS = env_int("SEARCH_LOG_FLUSH_SECONDS", 2 if PRODUCTION else 0)
# `manage.py search_log_prune` (daily, docs/operations.md) deletes search records older than this: a year and
# a month, so the analytics can compare a month with the same month last year, and no query is kept forever.
SEARCH_LOG_KEEP_DAYS = env_int("SEARCH_LOG_KEEP_DAYS", 400, minimum=1)
SEARCH_OPEN_PER_MINUTE = env_int("SEARCH_OPEN_PER_MINUTE", 60, minimum=1)
VOTE_NEW_VISITOR_PER_HOUR = env_int("VOTE_NEW_VISITOR_PER_HOUR", 30, minimum=1)
SIGNUP_PER_HOUR = env_int("SIGNUP_PER_HOUR", 10, minimum=1)
TICKET_MAX_UNPACKED_BYTES = env_int("TICKET_MAX_UNPACKED_BYTES", 50 * 1024 * 1024, minimum=1024)  # per archive
# A tracking link works until the merchant stops it, or until its ticket has been closed this many days.
TRACKING_LINK_RETENTION_DAYS = env_int("TRACKING_LINK_RETENTION_DAYS", 180, minimum=1)

# --- Replies by email (tickets/services/inbound.py, docs/operations.md) ------------------------------------
# The mailbox merchants' replies go to, e.g. support@example.com; each notification's Reply-To is
# support+<signed token>@example.com. Empty: no Reply-To, and no email promises that a reply is read.
INBOUND_REPLY_ADDRESS = env_str("INBOUND_REPLY_ADDRESS", "")
# IMAP polling (`manage.py inbound_mail_poll`, run by cron or the worker's scheduler); empty host: off.
INBOUND_IMAP_HOST = env_str("INBOUND_IMAP_HOST", "")
INBOUND_IMAP_PORT = env_int("INBOUND_IMAP_PORT", 993, minimum=1)
INBOUND_IMAP_SSL = env_bool("INBOUND_IMAP_SSL", True)
INBOUND_IMAP_USER = env_str("INBOUND_IMAP_USER", "")
INBOUND_IMAP_PASSWORD = env_str("INBOUND_IMAP_PASSWORD", "")
INBOUND_IMAP_FOLDER = env_str("INBOUND_IMAP_FOLDER", "INBOX")
INBOUND_IMAP_TIMEOUT = env_int("INBOUND_IMAP_TIMEOUT", 30, minimum=1)
# Replies accepted per ticket and sender per hour: an auto-reply loop stops here even if it hides its headers.
INBOUND_MAX_PER_HOUR = env_int("INBOUND_MAX_PER_HOUR", 10, minimum=1)
# django-anymail's inbound webhooks (hosted providers): the basic-auth "user:password" the provider posts with.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", "")} if env_str("ANYMAIL_WEBHOOK_SECRET", "") else {}

LOGGING_CONFIG = "infra.logs.configure"  # masks card numbers in every log record
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Background tasks (django.tasks) ---------------------------------------------------------------
# Production queues notifications in the database for `manage.py db_worker` (see `make serve`); development
# and tests run them at once, in the request, so `make run` needs no worker.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database" if PRODUCTION else "immediate")
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}; use one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# A notification whose mail server is down is tried again after 1, 2, 4 … × NOTIFY_RETRY_SECONDS for
# NOTIFY_GIVE_UP_HOURS, then shown as undeliverable to agents and in the admin (docs/operations.md).
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
NOTIFY_GIVE_UP_HOURS = env_int("NOTIFY_GIVE_UP_HOURS", 24, minimum=1)
# A task still RUNNING this long after it started lost its worker; `tickets_tasks_recover` runs it again.
TASK_STALE_MINUTES = env_int("TASK_STALE_MINUTES", 15, minimum=1)
# Agents are warned this long before a due time (once per ticket and due time; `tickets_breach_check`).
BREACH_WARNING_MINUTES = env_int("BREACH_WARNING_MINUTES", 30, minimum=1)

# --- The REST API (/api/v1/, api/) -----------------------------------------------------------------
# Calls a minute: per client address without a token, per token with one. Public reads may be kept by
# clients and proxies this long (they carry an ETag).
API_PUBLIC_RATE_LIMIT = env_int("API_PUBLIC_RATE_LIMIT", 120, minimum=1)
API_TOKEN_RATE_LIMIT = env_int("API_TOKEN_RATE_LIMIT", 600, minimum=1)
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300, minimum=0)
# Webhooks: tried again after 1, 2, 4 … × WEBHOOK_RETRY_SECONDS, given up after WEBHOOK_MAX_ATTEMPTS tries.
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 30, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)

# --- Health checks (/healthz liveness, /readyz readiness: infra/health.py) ---------------------------
# /readyz fails when the task worker has left a heartbeat task unanswered this long (a worker that is busy
# still answers: the heartbeat goes first), or when more than HEALTH_TASK_BACKLOG_MAX tasks are due and waiting.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", 300, minimum=10)
HEALTH_TASK_BACKLOG_MAX = env_int("HEALTH_TASK_BACKLOG_MAX", 500, minimum=1)

# --- Sign-in lockout (django-axes) -------------------------------------------------------------------
# Per account AND address together: AXES_FAILURE_LIMIT wrong passwords for one username from one address
# lock that pair only. Neither an attacker elsewhere nor a neighbour on a shop's shared Wi-Fi or carrier NAT
# can lock a merchant out. No limit per address alone: it would refuse the right password to everyone
# behind a shared address (README.md, "Sign-in lockout", says why and how an administrator unlocks one).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "infra.lockout.lockout_response"
# infra/admin.py registers axes' admin pages itself, with an "unlock" action.
AXES_ENABLE_ADMIN = False
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
# Tries while locked out do not restart the cool-off, so the time the lockout page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "infra.ratelimit.client_ip"
AXES_VERBOSE = False
# Failures are what the lockout needs; a log row per successful sign-in would be a second, unused history.
AXES_DISABLE_ACCESS_LOG = True
