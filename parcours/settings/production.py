"""Production settings: PostgreSQL, a real secret, HTTPS.

Starts only with ``SECRET_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS`` set; passes ``parcours check --deploy``.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Production needs the environment variable {name}.")
    return value


_required("SECRET_KEY")
_required("DATABASE_URL")
_required("ALLOWED_HOSTS")

from .base import *  # noqa: E402,F403
from .base import SECRET_KEY, env_bool  # noqa: E402

if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

DEBUG = False
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy the client address is in X-Forwarded-For; django-axes must lock the client, not the proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# HSTS preloading binds the whole domain and its subdomains to HTTPS in browsers for months: the operator opts
# in (SECURE_HSTS_PRELOAD=1); until then Django's reminder (security.W021) is not a deployment fault.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
