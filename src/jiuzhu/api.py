"""The /api/v1 instance: every capability's router is mounted here."""

from jiuzhu.assessment.api import router as assessment_router
from jiuzhu.assessment.api_analytics import router as analytics_router
from jiuzhu.catalog.api import router as catalog_router
from jiuzhu.core.api import build_api
from jiuzhu.core.api_areas import router as areas_router
from jiuzhu.dispatch.api import router as dispatch_router
from jiuzhu.orders.api import router as orders_router
from jiuzhu.registry.api import router as registry_router

api = build_api()
api.add_router("/", areas_router)
api.add_router("/", registry_router)
api.add_router("/catalog", catalog_router)
api.add_router("/", orders_router)
api.add_router("/", analytics_router)
api.add_router("/", assessment_router)
api.add_router("/", dispatch_router)
