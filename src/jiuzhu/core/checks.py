"""Deployment checks: ``jiuzhu check --deploy`` refuses demo mode and demo accounts, and warns
when PDF documents cannot be made (no CJK font)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_mode_is_off(app_configs, **kwargs):
    if settings.DEMO_MODE:
        return [
            Error(
                "Demo mode is on (JIUZHU_DEMO). It shows sign-in codes on the page and allows "
                "generated secrets.",
                hint="Unset JIUZHU_DEMO in production.",
                id="jiuzhu.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def no_demo_accounts(app_configs, databases=None, **kwargs):
    from jiuzhu.core.models import User

    try:
        count = User.objects.filter(is_demo=True, is_active=True).count()
    except DatabaseError:
        return []  # no database yet: nothing to refuse
    if count:
        return [
            Error(
                f"{count} demo account(s) are active; their passwords are published in the README.",
                hint="Run `jiuzhu manage disable_demo_accounts` or use a database without "
                "demo data.",
                id="jiuzhu.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def debug_is_off(app_configs, **kwargs):
    if settings.DEBUG:
        return [Error("DEBUG is on.", hint="Unset DEBUG in production.", id="jiuzhu.E003")]
    return []


#: Roles MLPS level 3 wants behind two factors.
TWO_FACTOR_MINIMUM = {"security_admin", "audit_admin", "city_admin", "district_manager"}


@register(Tags.security, deploy=True)
def two_factor_for_administrators(app_configs, **kwargs):
    missing = sorted(TWO_FACTOR_MINIMUM - set(settings.TWO_FACTOR_ROLES))
    if missing:
        return [
            Error(
                "Two-factor sign-in is not required for: " + ", ".join(missing) + ".",
                hint="Leave JIUZHU_2FA_ROLES unset, or include these roles in it.",
                id="jiuzhu.E004",
            )
        ]
    return []


@register(deploy=True)
def pdf_font_is_installed(app_configs, **kwargs):
    from jiuzhu.core.pdf import font_problem

    problem = font_problem()
    if problem:
        return [
            Warning(
                problem,
                hint="Install Debian's fonts-wqy-microhei, or point JIUZHU_PDF_FONT at a CJK "
                ".ttf/.otf/.ttc font. Print views work without it; PDF downloads do not.",
                id="jiuzhu.W001",
            )
        ]
    return []
