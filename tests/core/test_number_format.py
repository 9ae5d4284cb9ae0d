import pytest
from django.template import Context, Template

from jiuzhu.core.templatetags.jiuzhu_ui import grouped


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (999, "999"), (24249, "24,249"), (1234567, "1,234,567"), (None, "–")],
)
def test_counts_are_grouped_by_thousands(value, shown):
    assert grouped(value) == shown


def test_the_board_prints_big_counts_grouped():
    """The board's figures go through the filter (a city's board counts tens of thousands)."""
    html = Template("{% load jiuzhu_ui %}{% include 'dispatch/_board.html' %}").render(
        Context(
            {
                "figures": {
                    "now": None,
                    "overdue_count": 71943,
                    "at_risk_count": 1200,
                    "escalations": 0,
                    "live_offers": 0,
                    "at_risk": [],
                    "overdue": [],
                    "providers": [],
                    "streets": [{"street": "尧化街道", "open": 24249, "at_risk": 0, "overdue": 0}],
                    "districts": [],
                },
                "cards": [{"status": "waiting", "label": "待接单", "value": 30512, "tone": ""}],
                "reasons": [{"code": "pending", "label": "待派单", "count": 5120}],
                "chart": {"height": 12},
            }
        )
    )
    for shown in ("71,943", "1,200", "24,249", "30,512", "5,120"):
        assert shown in html


def test_the_board_lists_say_how_many_in_all_grouped():
    row = {
        "id": 1,
        "number": "JZ1",
        "status": "waiting",
        "status_label": "待接单",
        "item": "助餐",
        "street": "尧化街道",
        "community": "尧辰社区",
        "provider": "",
        "deadline": None,
        "left": "6 天",
    }
    html = Template("{% include 'dispatch/_order_rows.html' %}").render(
        Context({"rows": [row], "total": 4213, "list": "overdue", "late": True})
    )
    assert html.count("4,213") == 2  # "the 1 most pressing of 4,213" and "see all 4,213"
