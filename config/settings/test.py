"""Test run: fast hashing, Celery eager unless a test starts a real worker."""

from config.env import env_bool, env_float, env_networks, env_str
from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests never reach the internet: the fetcher resolves only the names a test maps, and tasks run
# inline unless a test starts a real worker (tests/sources/test_celery_integration.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
FETCH_RESOLVER = "sources.resolvers.static_resolver"
FETCH_ALLOWED_NETWORKS = env_networks("FETCH_ALLOWED_NETWORKS", ["127.0.0.0/8"])
FETCH_HOST_MIN_INTERVAL_SECONDS = env_float("FETCH_HOST_MIN_INTERVAL_SECONDS", 0.001, minimum=0.001)

# Each test process keeps its own cache unless Redis is given (xdist workers must not share counters).
if not env_str("REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests log in with force_login and authenticate() without a request; the login-throttling tests
# switch it on (tests/web/test_login_throttling.py).
AXES_ENABLED = False
