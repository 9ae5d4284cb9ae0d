"""The household's own home (我的首页): "book a service" first, what is coming and when, what was
delivered, the hotline to call, and the plan as the help the household will get — in plain
words, on a phone. The elderly-friendly mode is kept on the account (``registry``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiuzhu.assessment.selectors.home import beneficiary_home
from jiuzhu.core.errors import NotFound
from jiuzhu.core.views.common import domain_errors
from jiuzhu.registry.policy import require_beneficiary
from jiuzhu.registry.selectors.households import household_list
from jiuzhu.registry.services.beneficiaries import beneficiary_account_of


@login_required
@require_GET
@domain_errors
def my_home(request: HttpRequest) -> HttpResponse:
    require_beneficiary(request.user)
    household = household_list(user=request.user).first()
    if household is None:
        raise NotFound("household")
    account = beneficiary_account_of(request.user)
    return render(
        request,
        "assessment/my_home.html",
        {
            "home": beneficiary_home(user=request.user, household=household),
            "elderly": bool(account and account.elderly_mode),
            "hotline": settings.HOTLINE_PHONE,
        },
    )
