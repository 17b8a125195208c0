"""Settings for the test suite: the real settings, with a fixed key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from postbbs.settings import *  # noqa: F403

# Hashing speed is not what the tests check; MD5 keeps a login under a millisecond.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
