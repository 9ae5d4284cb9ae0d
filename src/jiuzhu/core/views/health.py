"""Probes for load balancers and orchestrators: no sign-in, no personal data.

``/healthz`` answers as soon as the process can serve a request (liveness). ``/readyz`` also
checks what a request needs: the database, and the broker when ``CELERY_BROKER_URL`` is set;
it answers 503 with the failing check's reason otherwise, so a load balancer stops sending
traffic to a server that cannot use them. It also lists the periodic jobs' last runs (names,
times, durations, outcomes), which tell an operator whether the worker is alive.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str | None:
    """``None`` when the database answers, else a reason without connection details."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        log.warning("readiness: database unreachable: %s", error)
        return f"database unreachable ({type(error).__name__})"
    return None


def _broker(url: str) -> str | None:
    """``None`` when the broker accepts a connection within the timeout."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        log.warning("readiness: broker unreachable: %s", type(error).__name__)
        return f"broker unreachable ({type(error).__name__})"
    return None


@never_cache
@require_GET
def readyz(request):
    checks: dict[str, str] = {}
    reasons: list[str] = []
    problem = _database()
    checks["database"] = "ok" if problem is None else "failed"
    if problem:
        reasons.append(problem)
    if settings.CELERY_BROKER_URL:
        problem = _broker(settings.CELERY_BROKER_URL)
        checks["broker"] = "ok" if problem is None else "failed"
        if problem:
            reasons.append(problem)
    else:
        checks["broker"] = "not configured"
    body: dict = {"status": "ready" if not reasons else "not ready", "checks": checks}
    if reasons:
        body["reason"] = "; ".join(reasons)
        return JsonResponse(body, status=503)
    from jiuzhu.core.jobs import job_status

    try:
        body["jobs"] = job_status()
    except Exception as error:  # the jobs table missing (not migrated) is not a 500
        log.warning("readiness: job status unavailable: %s", error)
        body["jobs"] = None
    return JsonResponse(body)
