"""Settings for the test suite: the production settings with test-only conveniences."""

import os
import tempfile

os.environ.setdefault("JIUZHU_TESTING", "1")
os.environ.setdefault("JIUZHU_VAR_DIR", os.path.join(tempfile.gettempdir(), "jiuzhu-test-var"))
os.environ.setdefault("JIUZHU_SMS_BACKEND", "file")

from jiuzhu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (silences WhiteNoise's warning)
