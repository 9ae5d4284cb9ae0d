"""The household's own home (issue 10, item 5): "book a service" first, what is coming and what
was delivered, the hotline, the plan as help; never the office's urgency tags, group labels,
scores or income figures; the elderly-friendly mode kept on the account."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from jiuzhu.core.models import AuditEntry
from jiuzhu.orders.services.orders import order_accept, order_create
from jiuzhu.registry.models import BeneficiaryAccount, Household
from jiuzhu.registry.services.chain import chain_add
from market_cast import market  # noqa: F401, F811  (the shared cloud-supermarket fixture)

pytestmark = pytest.mark.django_db

#: What the office knows about the household and must not show it: urgency tags, group
#: labels, the figures of its income and spending, scores.
HIDDEN = ("紧急干预", "困难老人", "1,234.56", "1234.56", "8,765.43", "8765.43", "得分", "0.4567")


@pytest.fixture
def home(market, caseworker):  # noqa: F811
    household = market["household"]
    Household.objects.filter(pk=household.pk).update(
        urgency_tag="urgent",
        primary_group="elderly",
        groups="|elderly|",
        monthly_income=Decimal("1234.56"),
        medical_spending_12m=Decimal("8765.43"),
    )
    chain_add(
        household=household,
        source="assessment",
        title="评估完成：紧急干预（得分 0.4567）",
        actor=caseworker,
    )
    coming = order_create(
        actor=market["beneficiary"],
        household=household,
        item=market["meal"],
        preferred_time=timezone.now() + dt.timedelta(days=2),
    )
    order_accept(actor=market["staff_a"], order=coming)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(market["beneficiary"])
    return {
        "client": client,
        "household": household,
        "order": coming,
        "caseworker": caseworker,
        **market,
    }


def test_the_household_lands_on_its_home_with_booking_first(home):
    client = home["client"]
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/assessment/my-home/"
    page = response.content.decode()
    main = page[page.index('id="main"') :]
    assert main.index("预约服务") < main.index('id="coming"') < main.index('id="hotline"')
    assert "助餐" in main and "服务机构甲" in main  # what is coming, and who comes
    assert 'href="tel:12345"' in main


def test_no_tag_group_score_or_income_is_shown_to_the_household(home):
    client = home["client"]
    household = home["household"]
    pages = [
        client.get("/assessment/my-home/"),
        client.get(f"/households/{household.pk}/"),
        client.get(f"/assessment/households/{household.pk}/box/"),
        client.get("/assessment/my-services/"),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        for word in HIDDEN:
            assert word not in text, (response.request["PATH_INFO"], word)
    # The caseworker's page of the same household still shows them.
    staff = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    staff.force_login(home["caseworker"])
    text = staff.get(f"/households/{household.pk}/").content.decode()
    assert "困难老人" in text and ("1,234.56" in text or "1234.56" in text)


def test_elderly_mode_is_kept_on_the_account_and_toggled_from_the_home(home):
    client = home["client"]
    response = client.post("/my-household/elderly-mode/", {"on": "1"}, follow=True)
    assert response.status_code == 200
    account = BeneficiaryAccount.objects.get(user=home["beneficiary"])
    assert account.elderly_mode is True
    assert AuditEntry.objects.filter(object_type="registry.beneficiaryaccount").exists()
    page = client.get("/assessment/my-home/").content.decode()
    assert re.search(r'<body class="elderly"', page)
    # Fewer choices: one link in the menu, no per-order links.
    nav = page[page.index('class="site-nav"') : page.index("</nav>")]
    assert nav.count("<li>") == 1
    client.post("/my-household/elderly-mode/", {"on": "0"})
    account.refresh_from_db()
    assert account.elderly_mode is False


def test_staff_have_no_elderly_mode_to_toggle(home, client):
    client.force_login(home["staff_a"])
    assert client.post("/my-household/elderly-mode/", {"on": "1"}).status_code == 403


def test_the_api_gives_the_household_no_classification_or_money_figures(home):
    household = home["household"]
    own = home["client"].get(f"/api/v1/households/{household.pk}").json()
    assert own["id"] == household.pk and own["address"] == household.address
    hidden = ("tier", "monthly_income", "medical_spending_12m", "education_spending_12m")
    assert all(own[field] is None for field in (*hidden, "urgency_tag", "primary_group"))
    assert own["groups"] == []
    listed = home["client"].get("/api/v1/households").json()["items"]
    assert [row["monthly_income"] for row in listed] == [None]
    staff = Client()
    staff.force_login(home["caseworker"])
    seen = staff.get(f"/api/v1/households/{household.pk}").json()
    assert seen["urgency_tag"] == "urgent" and seen["monthly_income"] == "1234.56"
    assert seen["groups"] == ["elderly"]
