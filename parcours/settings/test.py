"""Test settings: the same application, made fast and self-contained.

``DATABASE_URL`` selects PostgreSQL; without it the tests use SQLite.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test process, so a test sees the job's end state without a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PARCOURS_TEST_SQLITE", "")}
else:
    # One test database per run, so several runs on one server (developers, CI) do not drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_parcours_{os.getpid()}"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
