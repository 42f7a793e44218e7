"""Settings, all from the environment (see README). One module: development by default,
``DJANGO_ENV=production`` for real deployments (then missing secrets stop the process).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from core.queues import DEFAULT_QUEUE, GRADING_QUEUE, RUN_QUEUE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

PLATFORM_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PLATFORM_DIR.parent
VAR_DIR = Path(env_str("DLGRADE_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV={ENVIRONMENT!r}: expected development or production")
PRODUCTION = ENVIRONMENT == "production"


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY") or env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_SECRET_KEY")
    # Development: a random key kept under var/ so sessions and seeds survive restarts, and the
    # worker process (which reads the same file) derives the same student seeds.
    path = VAR_DIR / "dev-secret-key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside, then linked into place (fails if present): two processes starting at
        # once agree on one key, and nobody ever reads a half-written file.
        draft = VAR_DIR / f".dev-secret-key.{secrets.token_hex(6)}"
        draft.write_text(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    # Sessions, CSRF tokens and every student's grading seed hang on this key (check --deploy W009).
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak: use 50+ random characters")
# Student seeds (inputs and quiz variants) are an HMAC of (user, question) under this secret.
GRADING_SEED_SECRET = env_str("GRADING_SEED_SECRET") or SECRET_KEY
DEBUG = env_bool("DJANGO_DEBUG", env_bool("DEBUG", not PRODUCTION))
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production")

# Development answers only this machine's names; serving the network means naming the hosts
# (scripts/run.sh does it with HOST=0.0.0.0).
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["[::1]"]))
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_ALLOWED_HOSTS")
# Container health checks call http://127.0.0.1:8000/healthz from inside the container.
ALLOWED_HOSTS += [host for host in ("127.0.0.1", "localhost") if host not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS. Production defaults are the strict ones (`manage.py check --deploy` is clean with them);
# each can be turned off from the environment, e.g. for a loopback benchmark without TLS.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", PRODUCTION)
# Container health checks speak plain HTTP to 127.0.0.1:8000: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy (nginx, a load balancer) the request reaches gunicorn as HTTP;
# trust the proxy's X-Forwarded-Proto only when told that such a proxy strips client copies of it.
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
CSRF_COOKIE_HTTPONLY = False  # WEB-CONTRACT: the browser reads csrftoken and sends X-CSRFToken
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "core",
    "courses",
    "assessments",
    "pools",
    "submissions",
    "gradebook",
    "scoring",
    "progress",
    "grading",
    "regrade_requests",
    "insights",
    "authoring",
    "lti",
    "runs",
    "notebooks",
    "announcements",
    "exams",
]

MIDDLEWARE = [
    "config.middleware.LocalOnlyWhileDebugMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "config.middleware.BoundedUrlIdsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Question kinds keep their form templates in their own folder: <kind>/form.html.
        "DIRS": [PLATFORM_DIR / "templates", BASE_DIR / "kinds"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections, checked before reuse: a Postgres restart costs one failed
        # check per connection instead of one failed request.
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 60), conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent too (DJANGO_DB_CONN_MAX_AGE): opening a SQLite connection (functions registered,
    # the PRAGMAs below) costs about a millisecond, paid by every request and every task otherwise
    # (a status poll, a grading). An idle connection holds no snapshot: it never blocks WAL checkpoints.
    # The web process and the worker write the same file: wait for locks instead of failing,
    # and take the write lock at BEGIN so concurrent transactions queue up cleanly. The wait is
    # configurable so fault-injection tests can make a held lock fail fast.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 30),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file (not :memory:) so that a real Celery worker subprocess sees their data.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str(
            "DJANGO_TEST_DB", str(Path(tempfile.gettempdir()) / f"dlgrade-test-{secrets.token_hex(4)}.sqlite3")
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_BACKEND = env_str("DJANGO_CACHE", "redis" if PRODUCTION else "locmem")
if CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "core.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_BACKEND == "locmem":
    # Room for a course's similarity fingerprints (one entry per submission; the default is 300).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 20000}}}
else:
    raise ImproperlyConfigured(f"DJANGO_CACHE={CACHE_BACKEND!r}: expected redis or locmem")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "courses:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PLATFORM_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [PLATFORM_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # No manifest: the image runs collectstatic at build time without DJANGO_ENV, and a page
        # must never fail because a (front-end build) file is missing from a manifest.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Request bodies: code is capped at 256 KiB (grader.submission); JSON around it stays well below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
SUBMIT_RATE_PER_MINUTE = env_int("SUBMIT_RATE_PER_MINUTE", 6)
# The Run button (runs/): per student, all questions; a run is no attempt, but it takes a runner.
RUN_RATE_PER_MINUTE = env_int("RUN_RATE_PER_MINUTE", 30)

# Grading. "sandbox": grader.sandbox.default_executor() (the zygote). "inprocess": no isolation,
# only for unit tests of the pipeline.
GRADER_EXECUTOR = env_str("GRADER_EXECUTOR", "sandbox")
if GRADER_EXECUTOR not in ("sandbox", "inprocess"):
    raise ImproperlyConfigured(f"GRADER_EXECUTOR={GRADER_EXECUTOR!r}: expected sandbox or inprocess")
if PRODUCTION and GRADER_EXECUTOR != "sandbox":
    raise ImproperlyConfigured("GRADER_EXECUTOR=inprocess runs student code unisolated: never in production")
GRADER_SLOTS = env_int("GRADER_SLOTS", 2)
# Reference results shared by the workers and computed ahead of attempts (core/reference_cache.py):
# "redis" (REDIS_URL, default in production and run.sh's stack) or "off" (each worker runs them).
GRADER_REFERENCE_CACHE = env_str("GRADER_REFERENCE_CACHE", "redis" if PRODUCTION else "off")
if GRADER_REFERENCE_CACHE not in ("redis", "off"):
    raise ImproperlyConfigured(f"GRADER_REFERENCE_CACHE={GRADER_REFERENCE_CACHE!r}: expected redis or off")
# An entry serves the next attempt (hours away at most) and is ~250 KB for ch07's convolution; the
# broker's Redis never evicts, so the cache keeps its own budget (oldest entries deleted first).
GRADER_REFERENCE_CACHE_TTL = env_int("GRADER_REFERENCE_CACHE_TTL", 24 * 3600)
# How many of a student's next attempts at a code question have their reference prepared: once a
# graded attempt used up the window it is refilled (in one sandbox job), and prepare_references
# fills it for everyone (e.g. before a deadline), so a burst of resubmissions runs only the
# students' code.
GRADER_REFERENCE_AHEAD = max(1, env_int("GRADER_REFERENCE_AHEAD", 3))
# Similarity fingerprints are taken in batches: how long a batch collects graded submissions (ms).
FINGERPRINT_BATCH_MS = max(0, env_int("FINGERPRINT_BATCH_MS", 2000))
GRADER_REFERENCE_CACHE_MAX_BYTES = env_int("GRADER_REFERENCE_CACHE_MAX_BYTES", 4 * 1024 * 1024)
GRADER_REFERENCE_CACHE_TOTAL_BYTES = env_int("GRADER_REFERENCE_CACHE_TOTAL_BYTES", 512 * 1024 * 1024)
ASSIGNMENTS_DIR = Path(env_str("ASSIGNMENTS_DIR", str(BASE_DIR / "assignments")))
DEMO_COURSE_SLUG = "dl-demo"

# Celery: limits, retries and queues in one place (read by config/celery.py, namespace CELERY_).
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # results live in the database rows, not in Redis
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE  # queue names: core/queues.py
# Runs (the Run button) have their own queue and worker, so a grading burst never delays them.
CELERY_TASK_ROUTES = {"submissions.tasks.grade_submission": {"queue": GRADING_QUEUE},
                      "runs.tasks.execute_run": {"queue": RUN_QUEUE}}
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 150
# A submit must answer at once even when Redis is down: fail fast, the sweeper retries later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": 600,
    "max_retries": 0,
    # A worker takes from its queues in the order of -Q ("grading,celery"): reference precomputes
    # (celery queue) never delay a burst of gradings.
    "queue_order_strategy": "priority",
}
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {"task": "core.tasks.sweep_jobs", "schedule": 30.0},
    "finish-expired-exams": {"task": "exams.tasks.finish_expired_exams", "schedule": 15.0},
    "release-held-lti-grades": {"task": "lti.tasks.release_held_grades", "schedule": 300.0},
    "purge-runs": {"task": "runs.tasks.purge_runs", "schedule": 300.0},
}
# Every job table (core/jobs.py): the beat's one sweep walks them all.
JOB_TABLES = [
    "submissions.jobs.SUBMISSIONS",
    "scoring.regrade.jobs.REGRADE_ITEMS",
    "authoring.jobs.AUTHORING_RUNS",
    "lti.jobs.GRADE_PASSBACKS",
    "runs.jobs.CODE_RUNS",
    "announcements.jobs.OUTBOX",
]
# The one retry policy of the job pipeline (core/jobs.py), per kind of job. Sandbox jobs retry
# quickly (the sandbox restarts in seconds); an LMS outage is waited out for hours.
JOB_RETRY_POLICIES = {
    "sandbox": {"max_tries": env_int("JOB_SANDBOX_MAX_TRIES", 10), "first_delay": 2.0, "max_delay": 60.0,
                "max_releases": 3},
    "lms": {"max_tries": env_int("JOB_LMS_MAX_TRIES", 9), "first_delay": 30.0, "max_delay": 3600.0,
            "max_releases": 3},
    # A run is interactive: a few quick tries, then the student is told to press Run again.
    "run": {"max_tries": 3, "first_delay": 0.5, "max_delay": 2.0, "max_releases": 1},
    # E-mail (announcements/): a mail server outage is waited out for about a day.
    "mail": {"max_tries": env_int("JOB_MAIL_MAX_TRIES", 12), "first_delay": 60.0, "max_delay": 3 * 3600.0,
             "max_releases": 3},
}
SWEEP_QUEUED_AFTER_SECONDS = env_int("SWEEP_QUEUED_AFTER_SECONDS", 20)
SWEEP_RUNNING_AFTER_SECONDS = env_int("SWEEP_RUNNING_AFTER_SECONDS", 120)
# Sooner for rows of a worker whose heartbeat has stopped (it died; jobs last seconds).
SWEEP_DEAD_WORKER_AFTER_SECONDS = env_int("SWEEP_DEAD_WORKER_AFTER_SECONDS", 30)
# Each worker writes a heartbeat key in Redis (config/health.py); /healthz counts live ones.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)

# LTI: every request the tool makes to a platform (key sets, tokens, grade passback) goes through
# lti/http.py. The URLs come from registrations any instructor can make, so addresses inside the
# network (loopback, private, link-local, ...) are refused unless allowed: an LMS on the campus
# network is named in LTI_PRIVATE_HOSTS (or LTI_ALLOW_PRIVATE_URLS=1 allows every address).
LTI_ALLOW_HTTP_URLS = env_bool("LTI_ALLOW_HTTP_URLS", not PRODUCTION)  # else https:// only
LTI_ALLOW_PRIVATE_URLS = env_bool("LTI_ALLOW_PRIVATE_URLS", False)
LTI_PRIVATE_HOSTS = [host.lower() for host in env_list("LTI_PRIVATE_HOSTS", [])]
LTI_HTTP_TIMEOUT_SECONDS = env_int("LTI_HTTP_TIMEOUT_SECONDS", 10)
LTI_HTTP_MAX_BYTES = env_int("LTI_HTTP_MAX_BYTES", 1024 * 1024)
if LTI_HTTP_TIMEOUT_SECONDS < 1 or LTI_HTTP_MAX_BYTES < 1024:
    raise ImproperlyConfigured("LTI_HTTP_TIMEOUT_SECONDS must be >= 1 and LTI_HTTP_MAX_BYTES >= 1024")

# E-mail (announcements/: announcements, released grades, answered regrade requests), sent by
# the Celery worker through Django's backend. Development prints mail on the worker's console;
# production sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dlgrade <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as students reach it: the links in e-mails start with it.
SITE_URL = env_str("DLGRADE_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
