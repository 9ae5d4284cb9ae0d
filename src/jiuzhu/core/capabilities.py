"""Mounting the capabilities listed in ``jiuzhu/capabilities.py``: each app's AppConfig says
where its pages live and which API routers it brings, so registering an app is one line.

An AppConfig may declare:

* ``url_prefix``: where ``<app>/urls.py`` is mounted ("orders/"; "" for the root). None (the
  default) when the app has no pages.
* ``api_routers``: ``(prefix, "module:attribute")`` pairs mounted on ``/api/v1`` in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.urls import URLResolver, include, path

from jiuzhu.capabilities import CAPABILITIES


def capability_configs() -> list[AppConfig]:
    """The installed capabilities' AppConfigs, in layering order."""
    by_name = {config.name: config for config in apps.get_app_configs()}
    return [by_name[name] for name in CAPABILITIES if name in by_name]


def capability_urlpatterns(configs: Iterable[Any] | None = None) -> list[URLResolver]:
    """One ``include`` per capability with pages. Later capabilities come first, so an app
    mounted at the root ("") never shadows a later app's more specific path."""
    configs = list(capability_configs() if configs is None else configs)
    return [
        path(config.url_prefix, include(f"{config.name}.urls"))
        for config in reversed(configs)
        if getattr(config, "url_prefix", None) is not None
    ]


def _load(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)


def mount_routers(api: Any, configs: Iterable[Any] | None = None) -> None:
    """Add every capability's API routers to ``api`` (a NinjaAPI), in layering order."""
    for config in capability_configs() if configs is None else configs:
        for prefix, reference in getattr(config, "api_routers", ()):
            api.add_router(prefix, _load(reference))
