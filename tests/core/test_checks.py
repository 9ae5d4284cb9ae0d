import pytest
from django.core.checks import run_checks
from django.test import override_settings

from jiuzhu.core.models import User


def deploy_error_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_deploy_checks_refuse_demo_mode():
    with override_settings(DEMO_MODE=True):
        assert "jiuzhu.E001" in deploy_error_ids()
    with override_settings(DEMO_MODE=False):
        assert "jiuzhu.E001" not in deploy_error_ids()


@pytest.mark.django_db
def test_deploy_checks_refuse_active_demo_accounts():
    assert "jiuzhu.E002" not in deploy_error_ids()
    user = User.objects.create(username="demo_x", role="city_admin", is_demo=True)
    assert "jiuzhu.E002" in deploy_error_ids()
    user.is_active = False
    user.save()
    assert "jiuzhu.E002" not in deploy_error_ids()
