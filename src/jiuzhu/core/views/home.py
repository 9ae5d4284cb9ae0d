"""The landing page: each role goes where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiuzhu.core.navigation import start_url


@login_required
def home(request):
    target = start_url(request.user)
    if target:
        return redirect(target)
    return render(request, "core/welcome.html")
