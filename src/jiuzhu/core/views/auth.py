"""Signing in and out: staff with a username and password, beneficiaries with a mobile number
and a one-time code. Every attempt is audited here, right after the authentication step."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
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
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import AuditAction, AuditResult
from jiuzhu.core.services.accounts import password_change
from jiuzhu.core.views.common import add_domain_errors


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", gettext_lazy("The two passwords differ."))
        return data


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


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@csrf_protect
@never_cache
def password_change_view(request):
    """Choose one's own password; required after an administrator set it."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "required": request.user.must_change_password},
    )
