"""The audit chain's periodic job: seal, then append the seal as a signed checkpoint to the file
an operator ships off the host (``JIUZHU_AUDIT_CHECKPOINTS``)."""

from __future__ import annotations

import json

from django.conf import settings

from jiuzhu.core.audit_chain import checkpoint, seal
from jiuzhu.core.jobs import periodic


@periodic("core.audit_seal", every_seconds=settings.AUDIT_SEAL_EVERY_SECONDS)
def run_audit_seal() -> dict[str, int]:
    new_seal = seal()
    if new_seal is None:
        return {"sealed": 0}
    path = settings.AUDIT_CHECKPOINTS
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as archive:
        archive.write(json.dumps(checkpoint(new_seal)) + "\n")
    path.chmod(0o600)
    return {"sealed": new_seal.entries, "sequence": new_seal.sequence}
