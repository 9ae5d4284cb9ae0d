"""Reading import batches and potential cases, scoped (``scopes.py``)."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import require_granted, visible
from jiuzhu.discovery.models import ImportBatch, PotentialCase

BATCH_SORTS = {"new": "-id", "old": "id", "rows": "-rows", "rejected": "-rejected"}


def batch_list(
    *, user: User, source: str = "", status: str = "", sort: str = "new"
) -> QuerySet[ImportBatch]:
    require_granted(user, ImportBatch)
    batches = visible(user, ImportBatch.objects.all()).select_related("uploaded_by")
    if source:
        batches = batches.filter(source=source)
    if status:
        batches = batches.filter(status=status)
    return batches.order_by(BATCH_SORTS.get(sort, "-id"), "-id").defer("errors")


def batch_get_for(*, user: User, batch_id: int) -> ImportBatch:
    batch = visible(user, ImportBatch.objects.filter(pk=batch_id)).first()
    if batch is None:
        raise NotFound("batch")
    return batch


def potential_case_get_for(*, user: User, case_id: int) -> PotentialCase:
    case = visible(user, PotentialCase.objects.filter(pk=case_id)).first()
    if case is None:
        raise NotFound("potential_case")
    return case
