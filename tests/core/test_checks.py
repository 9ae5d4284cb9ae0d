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


def test_check_deploy_is_clean_on_a_production_configuration(tmp_path):
    """Issue 16 item 20: the production checklist of SECURITY.md, followed, leaves `jiuzhu check
    --deploy` with nothing to say — not even a warning."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIUZHU_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        SECRET_KEY="Qw8sZr2Lk9Vb7Nm4Xc1Tg6Hy3Ju5Ip0Oa8Sd2Fe4Rt6Yh9Ul1Kj3Mn5Bv7Cx9Zq",
        JIUZHU_FIELD_KEY="nOOmMRKhUtqD-XuUGRJZlCp5bPgevzJFLjQ8GNV4lSU=",
        JIUZHU_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="jiuzhu.example.org",
        JIUZHU_HSTS_SECONDS="31536000",
        JIUZHU_HSTS_INCLUDE_SUBDOMAINS="1",
        JIUZHU_HSTS_PRELOAD="1",
        JIUZHU_SSL_REDIRECT="1",
    )
    jiuzhu = str(Path(sys.executable).with_name("jiuzhu"))
    result = subprocess.run(  # noqa: S603 - our own console script
        [jiuzhu, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    # and the same configuration in demo mode is refused
    env["JIUZHU_DEMO"] = "1"
    demo = subprocess.run(  # noqa: S603
        [jiuzhu, "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode != 0
    assert "jiuzhu.E001" in demo.stdout + demo.stderr
