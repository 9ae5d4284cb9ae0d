"""Wall screens: the manager's list of display links, and the display page itself, which needs
no session (the secret in its address is the credential) and shows no personal data."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import add_domain_errors, domain_errors, is_htmx, vary_on_htmx
from jiuzhu.dispatch.forms import DisplayTokenForm
from jiuzhu.dispatch.policy import require_display_manager
from jiuzhu.dispatch.services.display import (
    display_figures,
    display_token_create,
    display_token_resolve,
    display_token_revoke,
    display_tokens_for,
)
from jiuzhu.dispatch.views.board import (
    POLL_SECONDS,
    decorate,
    provider_chart,
    status_cards,
)
from jiuzhu.dispatch.views.common import tabs

NEW_LINK_KEY = "dispatch_new_display_link"
WALL_ROWS = 7


def _require_manager(request: HttpRequest) -> None:
    require_display_manager(request.user)


@login_required
@domain_errors
def displays(request: HttpRequest) -> HttpResponse:
    """The district's display links; a new link's address is shown once, right after."""
    _require_manager(request)
    form = DisplayTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = display_token_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            link = request.build_absolute_uri(reverse("dispatch:display", args=[raw]))
            request.session[NEW_LINK_KEY] = {"id": token.pk, "name": token.name, "url": link}
            return redirect("dispatch:displays")
    new_link = request.session.pop(NEW_LINK_KEY, None)
    response = render(
        request,
        "dispatch/displays.html",
        {
            "form": form,
            "tokens": display_tokens_for(actor=request.user),
            "new_link": new_link,
            "tabs": tabs(request.user, "dispatch:displays"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors
def display_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_manager(request)
    token = get_object_or_404(display_tokens_for(actor=request.user), pk=token_id)
    try:
        display_token_revoke(actor=request.user, token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The link of “%(name)s” is revoked; the screen goes blank at its next refresh.")
            % {"name": token.name},
        )
    return redirect("dispatch:displays")


def display(request: HttpRequest, token: str) -> HttpResponse:
    """The wall screen (no sign-in). A revoked or unknown link is 404 — to the poll too, which
    then shows that the link no longer works."""
    found = display_token_resolve(token)
    partial = is_htmx(request)
    if found is None:
        if partial:
            return render(request, "dispatch/_display_gone.html", status=404)
        raise Http404
    figures = decorate(display_figures(token=found, limit=WALL_ROWS), shown=WALL_ROWS)
    context = {
        "figures": figures,
        "cards": status_cards(figures),
        "chart": provider_chart(figures["providers"]),
        "poll_url": request.path,
        "poll_seconds": POLL_SECONDS,
        "time_zone": settings.TIME_ZONE,
    }
    template = "dispatch/_display.html" if partial else "dispatch/display.html"
    response = vary_on_htmx(render(request, template, context))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
