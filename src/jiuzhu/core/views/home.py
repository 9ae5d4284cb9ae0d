"""The landing page: each role goes where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiuzhu.core.navigation import start_url
from jiuzhu.core.worklist import has_workspace


@login_required
def home(request):
    if has_workspace(request.user):
        return redirect("core:workspace")
    target = start_url(request.user)
    if target:
        return redirect(target)
    return render(request, "core/welcome.html")
