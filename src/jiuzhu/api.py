"""The /api/v1 instance: every capability's router is mounted here."""

from jiuzhu.core.api import build_api
from jiuzhu.registry.api import router as registry_router

api = build_api()
api.add_router("/", registry_router)
