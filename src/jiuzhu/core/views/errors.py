"""Error pages in the site's layout (wired as handler400/403/404/500 in ``jiuzhu.urls``); under
``/api/`` the same errors answer in the API's JSON shape ``{code, message, extra}``."""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from jiuzhu.core.failsafe import api_error, is_api

log = logging.getLogger(__name__)


def bad_request(request, exception=None):
    if is_api(request):
        return api_error(400, "bad_request", _("The request could not be understood."))
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception is not None and str(exception) else ""
    if is_api(request):
        return api_error(403, "forbidden", message or _("You may not do this."))
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page with the layout; if even that fails, a plain page. JSON under /api/."""
    if is_api(request):
        return api_error(500, "server_error", _("The system could not complete the request."))
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the layout itself may be what broke (e.g. the database is down)
        log.exception("The 500 page could not be rendered with the layout.")
        try:
            return HttpResponseServerError(loader.get_template("500.html").render({}))
        except Exception:
            return HttpResponseServerError(
                "<!doctype html><title>500</title><h1>500</h1><p>Server error.</p>"
            )
