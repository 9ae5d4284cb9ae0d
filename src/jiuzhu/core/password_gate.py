"""Finishing the sign-in before anything else.

Until a person has chosen their own password (after an administrator set it), and — where their
role requires it or they turned it on — confirmed the second factor, every request but the pages
that finish the sign-in is turned back: pages redirect there, the API answers 403 in its error
shape. The gate reads only the signed-in user's own row (``must_change_password``,
``two_factor_enabled``): no query of its own, and it never touches the session (a poll must not).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jiuzhu.core.failsafe import api_error, is_api
from jiuzhu.core.services.two_factor import two_factor_enabled, two_factor_required


def _needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not (two_factor_required(user) or two_factor_enabled(user)):
        return False
    return not user.is_verified()  # django-otp adds is_verified()


class PasswordChangeRequiredMiddleware:
    """Install after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request.path):
            if getattr(user, "must_change_password", False):
                if request.path != reverse("core:password_change"):
                    return _turn_back(
                        request, "core:password_change", "password_change_required",
                        _("Choose a new password first."),
                    )  # fmt: skip
            elif _needs_second_factor(request) and request.path != reverse("core:two_factor"):
                return _turn_back(
                    request, "core:two_factor", "two_factor_required",
                    _("Confirm the second factor first."),
                )  # fmt: skip
        response: HttpResponse = self.get_response(request)
        return response


def _exempt(path: str) -> bool:
    return path == reverse("core:logout") or path.startswith(("/static/", "/i18n/"))


def _turn_back(request: HttpRequest, url_name: str, code: str, message: str) -> HttpResponse:
    if is_api(request):
        return api_error(403, code, message)
    return redirect(url_name)
