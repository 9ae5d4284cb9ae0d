"""The discovery app's endpoints under /api/v1. Thin: services and selectors do the work."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["discovery"])
