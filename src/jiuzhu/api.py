"""The /api/v1 instance: every capability's routers (its ``AppConfig.api_routers``) are mounted
here, in the order of ``jiuzhu/capabilities.py``."""

from jiuzhu.core.api import build_api
from jiuzhu.core.capabilities import mount_routers

api = build_api()
mount_routers(api)
