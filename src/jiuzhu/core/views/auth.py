"""Signing in and out: staff with a username and password, beneficiaries with a mobile number
and a one-time code. Every attempt is audited here, right after the authentication step."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, AuditResult
from jiuzhu.core.services.signin_codes import CodeRefused
from jiuzhu.registry.services.beneficiaries import beneficiary_request_code, beneficiary_sign_in

SESSION_MOBILE = "beneficiary_signin_mobile"
SESSION_DEMO_CODE = "beneficiary_signin_demo_code"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            audit.record(
                actor=user, action=AuditAction.LOGIN, obj=user, detail={"method": "password"}
            )
            return redirect(_safe_next(request, reverse("core:home")))
        audit.record(
            actor=None,
            actor_label=username,
            action=AuditAction.LOGIN,
            result=AuditResult.FAILURE,
            object_type="core.user",
            object_label=username,
            detail={
                "method": "password",
                "locked": bool(getattr(request, "axes_locked_out", False)),
            },
        )
    return render(
        request,
        "core/login.html",
        {"form": form, "next": _safe_next(request, "")},
    )


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a username is locked (``AXES_LOCKOUT_CALLABLE``)."""
    return render(request, "core/locked_out.html", {"minutes": lockout_minutes()}, status=429)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record(actor=request.user, action=AuditAction.LOGOUT, obj=request.user)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:login")


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
            return redirect("core:beneficiary_verify")
    return render(request, "core/beneficiary_login.html", {"form": form})


@csrf_protect
@never_cache
def beneficiary_verify(request):
    """Step 2: the code. Success signs the beneficiary in and opens their household."""
    mobile = request.session.get(SESSION_MOBILE)
    if not mobile:
        return redirect("core:beneficiary_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = beneficiary_sign_in(mobile=mobile, code=form.cleaned_data["code"])
        except CodeRefused as error:
            form.add_error("code", str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("registry:my_household")
    demo_code = request.session.get(SESSION_DEMO_CODE) if settings.DEMO_MODE else None
    masked = mobile[:3] + "****" + mobile[7:] if len(mobile) == 11 else mobile
    return render(
        request,
        "core/beneficiary_verify.html",
        {"form": form, "mobile": masked, "demo_code": demo_code},
    )
