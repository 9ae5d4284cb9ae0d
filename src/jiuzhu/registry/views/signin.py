"""Beneficiaries sign in with a member's mobile number and a one-time SMS code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from jiuzhu.core.identity import mask_mobile
from jiuzhu.core.services.signin_codes import CodeRefused
from jiuzhu.core.views.common import domain_errors
from jiuzhu.registry.services.beneficiaries import (
    beneficiary_request_code,
    beneficiary_set_elderly_mode,
    beneficiary_sign_in,
)

SESSION_MOBILE = "beneficiary_signin_mobile"
SESSION_DEMO_CODE = "beneficiary_signin_demo_code"


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Sign-in code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


@csrf_protect
@never_cache
def beneficiary_login(request):
    """Step 1: the mobile number. The answer is the same whether or not it is registered."""
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            code = beneficiary_request_code(mobile=mobile)
        except CodeRefused as error:
            form.add_error("mobile", str(error))
        else:
            request.session[SESSION_MOBILE] = "".join(mobile.split()).replace("-", "")
            if settings.DEMO_MODE and code:
                request.session[SESSION_DEMO_CODE] = code
            else:
                request.session.pop(SESSION_DEMO_CODE, None)
            messages.info(
                request,
                _(
                    "If this number belongs to a registered household member, a code has been "
                    "sent to it by SMS."
                ),
            )
            return redirect("registry:beneficiary_verify")
    return render(request, "core/beneficiary_login.html", {"form": form})


@csrf_protect
@never_cache
def beneficiary_verify(request):
    """Step 2: the code. Success signs the beneficiary in and opens their household."""
    mobile = request.session.get(SESSION_MOBILE)
    if not mobile:
        return redirect("registry:beneficiary_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = beneficiary_sign_in(mobile=mobile, code=form.cleaned_data["code"])
        except CodeRefused as error:
            form.add_error("code", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("core:home")  # the household's start page (its own home)
    demo_code = request.session.get(SESSION_DEMO_CODE) if settings.DEMO_MODE else None
    return render(
        request,
        "core/beneficiary_verify.html",
        {"form": form, "mobile": mask_mobile(mobile), "demo_code": demo_code},
    )


@login_required
@require_POST
@domain_errors
def elderly_mode(request):
    """Turn the elderly-friendly mode on or off (kept on the account), then back home."""
    on = request.POST.get("on") == "1"
    beneficiary_set_elderly_mode(actor=request.user, on=on)
    messages.success(
        request,
        _("Large text is on.") if on else _("Large text is off."),
    )
    return redirect("core:home")
