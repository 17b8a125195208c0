"""Settings for the test suite: the real settings, with a fixed key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from postbbs import settings as base
from postbbs.settings import *  # noqa: F403

# Hashing speed is not what the tests check; MD5 keeps a login under a millisecond. The
# other hashers stay (the legacy one verifies imported passwords).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *base.PASSWORD_HASHERS[1:]]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Whitenoise's manifest needs `collectstatic`; the in-process tests use plain static URLs.
# The production-server tests (tests/server/) run collectstatic and the real storage.
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static folder in the in-process tests: look files up lazily, as in development.
WHITENOISE_AUTOREFRESH = True
