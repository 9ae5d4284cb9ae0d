"""GET /api/v1/analytics/mpi: the Alkire–Foster measures over the caller's area, in the JSON
shape of ``jiuzhu mpi --format json`` plus ``counts``, ``labels`` and the filters used.
Scoped and refused exactly like the analytics page (see ``selectors/analytics.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router

from jiuzhu.assessment.models import IndicatorFramework
from jiuzhu.assessment.selectors.analytics import analytics_for, require_analytics_access
from jiuzhu.core.api import ErrorOut
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.scoping import visible

router = Router(tags=["analytics"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/analytics/mpi", response={200: dict[str, Any], **ERRORS})
def analytics_mpi(
    request,
    framework: int | None = None,
    by: str | None = None,
    district: int | None = None,
    street: int | None = None,
    source: str = "assessed",
):
    """H, A, M0, headcount ratios, contributions, bands, score distribution and (with ``by`` =
    district, street, group or tier) the subgroup decomposition. ``framework`` is a version
    number (default: the published version); ``source=rescored`` also counts households
    rescored under it."""
    require_analytics_access(request.user)
    chosen = None
    if framework is not None:
        chosen = visible(request.user, IndicatorFramework.objects.filter(version=framework)).first()
        if chosen is None:
            raise ValidationFailed({"framework": [_("No framework has this version.")]})
    return analytics_for(
        user=request.user,
        framework=chosen,
        by=by or None,
        district=district,
        street=street,
        source=source,
    )
