"""Settings for pm-oauth. Nothing here needs editing to deploy: every knob is an environment variable,
declared with its type, default and meaning in pmsite/config.py (docs/configuration.md lists them).
"""

from __future__ import annotations

import logging

import dj_database_url

from pmsite import config, logs
from workspaces.names import WORKSPACE_NAME

# One object per concern (pmsite/config.py). Every variable is read, and so checked, now: a wrong
# value stops the app at start, whether or not a setting below uses it.
site = config.Site()
https = config.Https()
database = config.Database()
shared = config.SharedState()
operators = config.Operators()
observability = config.Observability()
for concern in (site, https, database, shared, operators, observability):
    concern.check()

BASE_DIR = config.BASE_DIR
VAR_DIR = site.var_dir
SECRET_KEY = site.SECRET_KEY
PM_ENCRYPTION_KEYS = site.PM_ENCRYPTION_KEYS
PM_SIGNING_KEY_ROTATION_DAYS = site.PM_SIGNING_KEY_ROTATION_DAYS
DEBUG = site.DEBUG
ALLOWED_HOSTS = site.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = site.CSRF_TRUSTED_ORIGINS

INSTALLED_APPS = [
    "accounts.adminconfig.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "plumbing",
    "workspaces",
    "oauth_apps",
    "processes",
    "accounts",
    "pmimport",
]

MIDDLEWARE = [
    "workspaces.middleware.TrustedProxyMiddleware",
    "pmsite.observability.RequestMiddleware",
    "pmsite.middleware.MachineHttpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "plumbing.row_cache.VersionsMiddleware",  # the kept rows' versions: one Redis round trip a request
    "workspaces.middleware.WorkspaceRoutingMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # "Browser" middleware: the stock classes, stepping aside for machine requests (the token,
    # revoke and introspect endpoints; REST calls without a session cookie): pmsite/middleware.py.
    "accounts.middleware.AdminCookiesMiddleware",  # the admin's session and CSRF cookies are its own
    "pmsite.middleware.BrowserSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pmsite.middleware.BrowserCsrfViewMiddleware",
    "pmsite.middleware.BrowserAuthenticationMiddleware",
    "pmsite.middleware.BrowserWebSessionMiddleware",
    "pmsite.middleware.BrowserOperatorSessionMiddleware",
    "pmsite.middleware.BrowserMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pmsite.middleware.PageErrorMiddleware",
]

ROOT_URLCONF = "pmsite.urls"
WSGI_APPLICATION = "pmsite.wsgi.application"

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
                "oauth_apps.context_processors.route",
            ],
        },
    },
]

# --- Database: one variable chooses it. ---------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        database.DATABASE_URL,
        conn_max_age=database.DB_CONN_MAX_AGE,
        conn_health_checks=database.DB_CONN_HEALTH_CHECKS,
    )
}
ON_MYSQL = DATABASES["default"]["ENGINE"] == "django.db.backends.mysql"
if ON_MYSQL:
    DATABASES["default"]["ENGINE"] = "pmsite.mysql"  # Django's, with one round trip less per transaction
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            # A database that does not answer fails the request in seconds (a 503), not minutes.
            "connect_timeout": database.DB_CONNECT_TIMEOUT,
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep the file locked between requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions take the write lock up front, so two concurrent refreshes
    # of one token serialise instead of both reading it as unused.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # A file, not Django's in-memory default, so tests can race real threads against it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: what every worker and node shares (the login counters). Redis in
# production (REDIS_URL); while it is down, and without it, MySQL's pm_shared_cache table through a
# connection of its own ("shared_cache": a failed token request's rollback must not undo its count).
# On SQLite (one machine, the demo) a second connection would wait on the request's write lock:
# each process counts for itself there.
REDIS_URL = shared.REDIS_URL
if ON_MYSQL:
    DATABASES["shared_cache"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["plumbing.failover_cache.SharedCacheRouter"]
    SHARED_CACHE_FALLBACK = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "pm_shared_cache", "KEY_PREFIX": "pm"
    }  # fmt: skip
else:
    SHARED_CACHE_FALLBACK = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "pm"}
CACHES = {
    "default": (
        {"BACKEND": "plumbing.failover_cache.FailoverRedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "pm"}
        if REDIS_URL
        else SHARED_CACHE_FALLBACK
    ),
    "fallback": SHARED_CACHE_FALLBACK,
}

# --- Users and passwords. -------------------------------------------------------
AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "workspaces.backends.WorkspaceBackend",
    "workspaces.backends.OperatorBackend",
]
PASSWORD_HASHERS = [
    "workspaces.hashers.PMArgon2PasswordHasher",
    "workspaces.hashers.ClientSecretHasher",
    "workspaces.hashers.PMSha256PasswordHasher",
    "workspaces.hashers.PMMd5PasswordHasher",
    "workspaces.hashers.PMSha256Argon2PasswordHasher",
    "workspaces.hashers.PMMd5Argon2PasswordHasher",
]
# A workspace's user is judged by the workspace's password policy, a site operator by a new
# workspace's (workspaces/password_policy.py).
AUTH_PASSWORD_VALIDATORS = [{"NAME": "workspaces.password_policy.PasswordPolicyValidator"}]
# The username is unique per workspace, not site-wide; the backends know that.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

LOGIN_URL = "/admin/login/"
# Site operators (the Django admin): failed logins per username and per address lock like a
# workspace's (threshold, window seconds, lock seconds), and sessions end after PM_ADMIN_IDLE_SECONDS
# without a request or PM_ADMIN_SESSION_SECONDS after login, whichever comes first.
PM_ADMIN_SECOND_FACTOR = operators.PM_ADMIN_SECOND_FACTOR
PM_ADMIN_LOCKOUT = (
    operators.PM_ADMIN_LOCKOUT_THRESHOLD,
    operators.PM_ADMIN_LOCKOUT_WINDOW,
    operators.PM_ADMIN_LOCKOUT_DURATION,
)
PM_AUDIT_RETENTION_DAYS = operators.PM_AUDIT_RETENTION_DAYS
PM_ADMIN_IDLE_SECONDS = operators.PM_ADMIN_IDLE_SECONDS
PM_ADMIN_SESSION_SECONDS = operators.PM_ADMIN_SESSION_SECONDS

# --- Sessions and security headers. ---------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How long a process may keep a workspace row, a client row and a bearer token's lookup (0, and no
# Redis: no cache). No freshness windows: a change on any node reaches every process at once through
# a version in Redis (plumbing.row_cache); these only bound memory, and a change Redis missed.
PM_WORKSPACE_CACHE_SECONDS = shared.PM_WORKSPACE_CACHE_SECONDS
PM_CLIENT_CACHE_SECONDS = shared.PM_CLIENT_CACHE_SECONDS
PM_TOKEN_CACHE_SECONDS = shared.PM_TOKEN_CACHE_SECONDS
PM_LIST_WORKSPACES = site.PM_LIST_WORKSPACES

# HTTPS is the default: outside DEBUG, plain HTTP is redirected, cookies are Secure and HSTS is
# sent, unless PM_ALLOW_HTTP=1 says otherwise (the loopback demo of `make run`, the tests).
PM_ALLOW_HTTP = https.PM_ALLOW_HTTP
HTTPS_ONLY = not DEBUG and not PM_ALLOW_HTTP
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]  # a load balancer's probes may speak plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = https.PM_HSTS_SECONDS


# The one origin the issuer, the metadata, `iss`, introspection's `iss` and the device flow's
# verification_uri name, whatever Host a request came with (fetching metadata at localhost and then
# sending the browser to 127.0.0.1 made strict clients refuse the issuer). Management commands run
# without it; a server refuses to start (pmsite.wsgi, pmsite.asgi) unless PM_ALLOW_HTTP=1.
PM_PUBLIC_URL = https.public_url


# The reverse proxy in front (nginx terminating TLS). X-Forwarded-Proto and X-Forwarded-For are
# believed only on requests that come from one of these addresses, and removed from all others.
PM_TRUSTED_PROXY = https.PM_TRUSTED_PROXY

# /metrics: readable with PM_METRICS_TOKEN as a bearer token, or from the addresses or networks in
# PM_METRICS_ALLOW; with neither, it is not served (404).
PM_METRICS_TOKEN = observability.PM_METRICS_TOKEN
PM_METRICS_ALLOW = observability.PM_METRICS_ALLOW
PROMETHEUS_MULTIPROC_DIR = observability.PROMETHEUS_MULTIPROC_DIR
if PM_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Static files: the app serves its own, nothing from other hosts. -------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- OAuth (django-oauth-toolkit with ProcessMaker's tables). ---------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth_apps.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth_apps.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth_apps.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth_apps.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth_apps.IDToken"
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "oauth_apps.DeviceGrant"
# Only what our classes do not decide themselves: scopes, their defaults, PKCE and refresh-token
# rotation are the validator's (oauth_apps/validator.py), client ids and secrets the model's
# field defaults. The server, validator and body-parsing classes are set here, once, and every
# oauthlib view of ours takes them from here.
OAUTH2_PROVIDER = {
    "CLIENT_SECRET_HASHER": "pm_client_secret",
    "ACCESS_TOKEN_GENERATOR": "oauth_apps.identifiers.new_token",
    "REFRESH_TOKEN_GENERATOR": "oauth_apps.identifiers.new_token",
    "OAUTH2_SERVER_CLASS": "oauth_apps.server.ProcessMakerServer",
    "OAUTH2_VALIDATOR_CLASS": "oauth_apps.validator.ProcessMakerValidator",
    "OAUTH2_BACKEND_CLASS": "oauth_apps.backends.ProcessMakerOAuthLibCore",
}

# --- Logging: stdout only; oauthlib logs whole tokens at DEBUG, so never below INFO. --
LOG_LEVEL = observability.LOG_LEVEL
# Loggers that put credentials in their DEBUG lines (oauthlib: whole tokens and bodies; the database
# backend: every SQL parameter) never go below INFO, whatever LOG_LEVEL says (NOTSET included).
AT_LEAST_INFO = logging.getLevelName(max(logging.getLevelName(LOG_LEVEL), logging.INFO))
LOG_FORMAT = observability.LOG_FORMAT
PM_ACCESS_LOG = observability.PM_ACCESS_LOG
LOGGING = logs.configuration(LOG_LEVEL, AT_LEAST_INFO, LOG_FORMAT)

# Serve static files straight from the apps too, so a checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True

# --- REST API (Django REST framework). -------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.WorkspaceBearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ProcessMakerPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.RememberingContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.handlers.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pm-oauth REST API",
    "DESCRIPTION": "ProcessMaker-compatible REST API. Authenticate with `Authorization: Bearer <access_token>` "
    "from /{workspace}/oauth2/token.",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive page loads its assets from this server, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"Status": ["ACTIVE", "INACTIVE"], "UserStatus": ["ACTIVE", "INACTIVE", "VACATION"]},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.workspace_paths"],
}

# --- CORS: ProcessMaker answers the API and the token routes for any origin. ----------
# That is the REST API, and the OAuth routes at /{ws}/oauth2/ and /api/1.0/{ws}/oauth2/ (token,
# revoke, ProcessMaker's {token}/expire and {token}), but never authorize or logout (a person's pages) or
# introspect (resource servers call it, not browsers); OpenID Connect's UserInfo and JWKS (under oauth2/);
# and the RFC 8414 metadata and OpenID Connect Discovery.
CORS_ALLOW_ALL_ORIGINS = True
_OAUTH_FOR_BROWSERS = r"oauth2/(?!(?:authorize|introspect|logout)$)[^/]+(?:/expire)?"
CORS_URLS_REGEX = (
    rf"^/(?:api/1\.0/{WORKSPACE_NAME}/(?!oauth2/).*|(?:api/1\.0/)?{WORKSPACE_NAME}/{_OAUTH_FOR_BROWSERS}"
    rf"|{WORKSPACE_NAME}/\.well-known/(?:oauth-authorization-server|openid-configuration)"
    rf"|\.well-known/oauth-authorization-server/{WORKSPACE_NAME})$"
)
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
CORS_PREFLIGHT_MAX_AGE = 60
