"""Settings for the test suite: the production settings with test-only conveniences."""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("JIUZHU_TESTING", "1")
# One scratch folder per checkout: two checkouts testing at once on one machine must not share
# uploads, static files or the SMS outbox.
_checkout = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:10]
os.environ.setdefault(
    "JIUZHU_VAR_DIR", os.path.join(tempfile.gettempdir(), f"jiuzhu-test-var-{_checkout}")
)
os.environ.setdefault("JIUZHU_SMS_BACKEND", "file")

from jiuzhu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (silences WhiteNoise's warning)
# Django's test client builds the middleware chain once per client, and WhiteNoise's middleware
# then lists and stats every static file (about 160) through the finders: a quarter of a second
# per client, which the authorization sweep (a client per request) paid thousands of times. With
# autorefresh WhiteNoise finds a static file when it is asked for instead, and serves it the same.
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Tests need no durability: a commit need not wait for the write-ahead log to reach disk.
    # Added to the options settings.py gives (jit=off), not in their place.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
