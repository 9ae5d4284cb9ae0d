"""A sign-in code's row holds the beneficiary's mobile number in clear for its five minutes;
an expired code is deleted by the hourly ``core.signin_codes_purge`` job, so the numbers are
not kept (docs/data-classification.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import SignInCodeFactory
from jiuzhu.core.jobs import periodic_jobs
from jiuzhu.core.models import SignInCode
from jiuzhu.core.services.signin_codes import signin_codes_purge

pytestmark = pytest.mark.django_db


def test_expired_codes_are_deleted_and_live_ones_kept(clock):
    SignInCodeFactory(mobile="13900000001", expires_at=clock.now - dt.timedelta(seconds=1))
    SignInCodeFactory(
        mobile="13900000002",
        expires_at=clock.now - dt.timedelta(days=30),
        used_at=clock.now - dt.timedelta(days=30, minutes=3),
    )
    on_the_edge = SignInCodeFactory(mobile="13900000003", expires_at=clock.now)
    live = SignInCodeFactory(mobile="13900000004", expires_at=clock.now + dt.timedelta(minutes=4))
    assert signin_codes_purge() == 2
    assert set(SignInCode.objects.values_list("pk", flat=True)) == {on_the_edge.pk, live.pk}
    assert signin_codes_purge(now=clock.now + dt.timedelta(minutes=5)) == 2
    assert not SignInCode.objects.exists()


def test_the_purge_runs_every_hour():
    job = {j.name: j for j in periodic_jobs()}["core.signin_codes_purge"]
    assert job.every_seconds == 3600
