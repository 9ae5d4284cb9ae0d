"""The discovery demo step: the 残联 account imports a disability file and a medical-costs file
(a few Yaohua members and two people the registry does not know), which raise warnings in the
尧化门 community worker's queue; a volunteer refers a neighbour."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone

from jiuzhu.core import crypto
from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Area, Role, User
from jiuzhu.discovery.engine.validate import check_character
from jiuzhu.discovery.models import ImportBatch, ImportChannel

# Imports and warnings
STRANGERS = (("32011319620305112", "赵桂英"), ("32011320090812204", "钱小雨"))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


@demo_step(98, "discovery")
def department_data(context: DemoContext) -> None:
    if ImportBatch.objects.exists():
        return
    from jiuzhu.discovery.services.community_referrals import referral_submit
    from jiuzhu.discovery.services.imports import import_file
    from jiuzhu.registry.models import Member

    department = User.objects.filter(username="canlian", role=Role.DEPARTMENT).first()
    if department is None:
        return
    members = list(
        Member.objects.filter(is_active=True, household__community__code="320113001001")
        .order_by("pk")
        .values_list("id_number_encrypted", "name")[:4]
    )
    if not members:
        return
    people = [(crypto.decrypt(token), name) for token, name in members]
    strangers = [(first17 + check_character(first17), name) for first17, name in STRANGERS]
    today = timezone.localdate()
    recent = (today - dt.timedelta(days=12)).isoformat()
    with tempfile.TemporaryDirectory() as folder:
        disability = Path(folder) / "残联-新增残疾认定.csv"
        _write(
            disability,
            ["身份证号", "姓名", "认定日期", "残疾等级", "残疾类别"],
            [[number, name, recent, "1", "肢体"] for number, name in people[:2] + strangers],
        )
        import_file(
            actor=department,
            source="disability",
            path=disability,
            channel=ImportChannel.WEB,
        )
        medical = Path(folder) / "医保-个人自付.csv"
        _write(
            medical,
            ["身份证号", "姓名", "结算日期", "个人自付"],
            [[people[-1][0], people[-1][1], recent, "26800.00"]],
        )
        import_file(actor=department, source="medical", path=medical, channel=ImportChannel.WEB)
    volunteer = User.objects.filter(username="volunteer", role=Role.VOLUNTEER).first()
    community = Area.objects.filter(code="320113001001").first()
    if volunteer is not None and community is not None:
        referral_submit(
            actor=volunteer,
            community=community,
            address="尧化门新村 12 栋 301",
            noticed="独居老人最近摔伤，没人照顾，吃饭也成问题",
            consent_note="老人同意社区上门",
        )
    context.say("discovery: department data imported, warnings raised")
