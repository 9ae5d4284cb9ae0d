"""Printable documents (core/pdf.py and each app's documents.py): every PDF renders with its
Chinese text embedded (read back with pypdf), its download is audited as an export, its print
view shows the same text, a missing font is a clear 503, and the monthly district report's
figures equal counts made here from the raw rows, through the page, the PDF and the Excel
workbook. Scoping of every new URL is in tests/test_authorization_sweep.py."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from factories import (
    AssessmentFactory,
    ChainEntryFactory,
    HouseholdFactory,
    MaterialRecommendationFactory,
    OrderFactory,
    PlanFactory,
    PlanItemFactory,
    ProjectFactory,
    ProviderFactory,
    ServiceItemFactory,
    StatementFactory,
    StatementLineFactory,
    TicketFactory,
    area_tree,
)
from jiuzhu.core.models import AuditEntry, Role
from jiuzhu.core.pdf import Document, Section, Table, render_pdf

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def zh_client(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.fixture
def world(db):
    from factories import UserFactory

    areas = area_tree()
    street_worker = UserFactory(
        username="p_street", role=Role.STREET_CASEWORKER, area=areas["yaohua"]
    )
    manager = UserFactory(username="p_district", role=Role.DISTRICT_MANAGER, area=areas["qixia"])
    household = HouseholdFactory(community=areas["yaohua_a"], head_name="王秀英")
    ChainEntryFactory(household=household, title="登记入册", detail="社区网格员上门登记")
    ChainEntryFactory(household=household, title="助餐服务完成", detail="邻里小饭桌送餐")
    assessment = AssessmentFactory(
        household=household,
        status="submitted",
        wishes="希望有人每周上门陪伴老人",
        urgency_tag="care",
        score=Decimal("0.4"),
        score_exact="2/5",
        poor=True,
    )
    plan = PlanFactory(assessment=assessment, household=household, note="先安排助餐")
    PlanItemFactory(plan=plan, service_item=ServiceItemFactory(name="上门助餐"))
    MaterialRecommendationFactory(plan=plan, kind="medical", reason="urgent")
    ticket = TicketFactory(
        district=areas["qixia"],
        household=household,
        description="来电反映送餐迟到一小时",
        caller_name="李先生",
        handling_note="已联系服务机构整改",
        handled_at=timezone.now(),
    )
    project = ProjectFactory(district=areas["qixia"], name="栖霞区助餐服务项目")
    statement = StatementFactory(project=project, total=Decimal("15.00"))
    StatementLineFactory(statement=statement, description="助餐（上门）")
    return {
        "areas": areas,
        "street": street_worker,
        "manager": manager,
        "household": household,
        "assessment": assessment,
        "ticket": ticket,
        "statement": statement,
    }


def test_each_document_prints_and_downloads_as_a_pdf_with_its_chinese_text(client, world):
    cases = [
        (
            world["street"],
            "registry:chain",
            world["household"].pk,
            ["救助链", "王秀英", "登记入册", "邻里小饭桌送餐"],
        ),
        (
            world["street"],
            "assessment:report",
            world["assessment"].pk,
            ["评估报告", "希望有人每周上门陪伴老人", "上门助餐", "医疗救助", "先安排助餐"],
        ),
        (
            world["manager"],
            "dispatch:ticket",
            world["ticket"].pk,
            ["热线", "来电反映送餐迟到一小时", "李先生", "已联系服务机构整改"],
        ),
        (
            world["manager"],
            "evaluation:statement",
            world["statement"].pk,
            ["结算", "栖霞区助餐服务项目", "助餐（上门）", "15.00"],
        ),
    ]
    for user, name, pk, texts in cases:
        browser = zh_client(client, user)
        url_print = reverse(f"{name}_print", args=[pk])
        page = browser.get(url_print)
        assert page.status_code == 200, name
        html = page.content.decode()
        assert "下载PDF" in html and "打印" in html, name
        before = AuditEntry.objects.filter(action="export").count()
        response = browser.get(reverse(f"{name}_pdf", args=[pk]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        text = pdf_text(response.content)
        for expected in texts:
            assert expected in text, (name, expected)
            if name != "evaluation:statement":  # the statement's print view is its own page
                assert expected in html, (name, expected)
        entry = AuditEntry.objects.filter(action="export").order_by("-pk").first()
        assert AuditEntry.objects.filter(action="export").count() == before + 1
        assert entry.actor_id == user.pk and entry.detail["format"] == "pdf"
        assert str(entry.object_id) == str(pk)


def test_the_font_is_embedded_as_a_subset():
    doc = Document(
        title="月度报告", stem="x", sections=[Section("表", [Table(["项目"], [["助浴"]])])]
    )
    content = render_pdf(doc)
    reader = PdfReader(io.BytesIO(content))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "/FontFile2" in font["/FontDescriptor"]  # embedded, not referenced
        assert "+" in font["/BaseFont"]  # the ABCDEF+ prefix of a subset
    assert len(content) < 60_000  # a subset, not the 5 MB collection
    assert "助浴" in pdf_text(content)


def test_without_the_font_a_pdf_is_refused_with_a_message_and_the_deploy_check_warns(
    client, world, settings
):
    settings.PDF_FONT = "/nonexistent/font.ttc"
    browser = zh_client(client, world["street"])
    response = browser.get(reverse("registry:chain_pdf", args=[world["household"].pk]))
    assert response.status_code == 503
    assert "JIUZHU_PDF_FONT" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
    page = browser.get(reverse("registry:chain_print", args=[world["household"].pk]))
    assert page.status_code == 200  # printing from the browser needs no font file
    assert "jiuzhu.W001" in {m.id for m in run_checks(include_deployment_checks=True)}


def test_the_monthly_report_counts_the_month_and_round_trips_through_excel(client, world):
    areas = world["areas"]
    november = dt.datetime(2026, 11, 10, 10, tzinfo=timezone.get_current_timezone())
    inside = HouseholdFactory(community=areas["yaohua_a"])
    provider = ProviderFactory()
    OrderFactory(household=inside, status="completed", completed_at=november, provider=provider)
    OrderFactory(household=inside, status="completed", completed_at=november, provider=provider)
    OrderFactory(
        household=HouseholdFactory(community=areas["shazhou_a"]),  # Jianye: not counted
        status="completed",
        completed_at=november,
        provider=provider,
    )
    OrderFactory(
        household=inside,
        status="completed",
        completed_at=november.replace(month=10),
        provider=provider,
    )
    TicketFactory(district=areas["qixia"], closed_at=november, satisfaction=4)
    TicketFactory(district=areas["jianye"], closed_at=november, satisfaction=1)

    from jiuzhu.dispatch.models import Ticket
    from jiuzhu.orders.models import Order
    from jiuzhu.registry.models import Household

    start, end = november.replace(day=1, hour=0), november.replace(month=12, day=1, hour=0)
    expected = {
        "服务完成人次": Order.objects.filter(
            household__district=areas["qixia"], completed_at__gte=start, completed_at__lt=end
        ).count(),
        "服务家庭数": Order.objects.filter(
            household__district=areas["qixia"], completed_at__gte=start, completed_at__lt=end
        )
        .values("household")
        .distinct()
        .count(),
        "工单办结": Ticket.objects.filter(
            district=areas["qixia"], closed_at__gte=start, closed_at__lt=end
        ).count(),
        "在册家庭": Household.objects.filter(district=areas["qixia"], status="active").count(),
    }
    assert expected["服务完成人次"] == 2 and expected["工单办结"] == 1

    browser = zh_client(client, world["manager"])
    query = {"month": "2026-11"}
    page = browser.get(reverse("evaluation:monthly_report"), query)
    assert page.status_code == 200
    assert "栖霞区" in page.content.decode()

    response = browser.get(reverse("evaluation:monthly_report_xlsx"), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {label: value for _section, label, value in sheet.iter_rows(min_row=2, values_only=True)}
    for label, value in expected.items():
        assert rows[label] == value, label
    assert rows["平均满意度"] == "4.00"
    assert AuditEntry.objects.filter(object_type="evaluation.monthly_report").count() == 1

    text = pdf_text(browser.get(reverse("evaluation:monthly_report_pdf"), query).content)
    assert "月度报告" in text and "栖霞区" in text and "2026-11" in text

    # A manager of Qixia cannot ask for Jianye: the choice is refused in Chinese, no figures.
    refused = browser.get(
        reverse("evaluation:monthly_report_xlsx"), {**query, "district": areas["jianye"].pk}
    )
    assert refused.status_code == 422
    assert "请选择" in refused.content.decode()
    bad_month = browser.get(reverse("evaluation:monthly_report"), {"month": "2026-13"})
    assert bad_month.status_code == 422
