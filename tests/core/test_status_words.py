"""One English word, several meanings: "Refused" names a referral the department turned down, a
department file the import refused and a transfer the receiving street declined. Each reads as
its own Chinese word (a refused import is not "未获批", "not approved")."""

from __future__ import annotations

from django.utils import translation

from jiuzhu.assessment.models import ReferralStatus
from jiuzhu.discovery.models.imports import ImportStatus
from jiuzhu.registry.models import TransferStatus


def test_each_refused_reads_as_its_own_word_in_chinese():
    with translation.override("zh-hans"):
        assert str(ReferralStatus.REFUSED.label) == "未获批"
        assert str(ImportStatus.REFUSED.label) == "已拒收"
        assert str(TransferStatus.REFUSED.label) == "已拒绝"


def test_english_keeps_one_word():
    with translation.override("en"):
        labels = {ReferralStatus.REFUSED.label, ImportStatus.REFUSED.label}
        assert {str(label) for label in labels | {TransferStatus.REFUSED.label}} == {"Refused"}
