import pytest

from factories import UserFactory, valid_uscc
from jiuzhu.core.models import Role
from settlement_cast import march_deliveries, market, project  # noqa: F401


@pytest.fixture
def reviewer(areas):
    """A second district manager of Qixia (the cast's ``qixia_manager`` is the first)."""
    return UserFactory(username="qixia_reviewer", role=Role.DISTRICT_MANAGER, area=areas["qixia"])


@pytest.fixture
def submission(areas):
    """The arguments of a valid public application from a Yaohua organisation."""
    return {
        "name": "南京心语社会工作服务社",
        "uscc": valid_uscc(42),
        "supply_type": "social_work",
        "staff_count": 16,
        "social_workers": 11,
        "signature_projects": "困境儿童成长陪伴项目",
        "street": areas["yaohua"],
        "address": "尧化街道示范路 1 号",
        "contact_name": "张老师",
        "contact_phone": "025-85600001",
    }
