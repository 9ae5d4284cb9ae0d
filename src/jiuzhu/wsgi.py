"""The WSGI application the production server (``jiuzhu serve``: gunicorn) loads in each
worker."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - import every view now, not at the first request

# What is loaded now (Django, the apps, every view: about 170,000 objects) lives as long as the
# worker. Frozen, the garbage collector no longer walks it in every full collection that a
# request building tens of thousands of rows sets off: the dispatch board at a million
# households went from 286 to 230 ms (bench/RESULTS.md, "Pages at a city's scale").
gc.freeze()
