"""Registering a capability is one line in jiuzhu/capabilities.py: settings install it, the URL
configuration and the API mount what its AppConfig declares (docs/architecture.md, "Adding a
capability")."""

from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver
from ninja import NinjaAPI

from jiuzhu.capabilities import CAPABILITIES
from jiuzhu.core.capabilities import capability_configs, capability_urlpatterns, mount_routers


def test_settings_install_exactly_the_capabilities_in_order():
    ours = [name for name in settings.INSTALLED_APPS if name.startswith("jiuzhu.")]
    assert ours == CAPABILITIES
    assert [config.name for config in capability_configs()] == CAPABILITIES


def test_every_capability_with_pages_is_mounted_at_its_prefix():
    mounted = {
        pattern.urlconf_name.__name__: str(pattern.pattern)
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and hasattr(pattern.urlconf_name, "__name__")
    }
    for config in capability_configs():
        assert mounted[f"{config.name}.urls"] == config.url_prefix, config.name


def test_every_declared_router_is_mounted_on_the_api():
    from jiuzhu.api import api

    mounted = [id(router) for _, router in api._routers]
    for config in capability_configs():
        for _, reference in config.api_routers:
            module, _, attribute = reference.partition(":")
            router = getattr(__import__(module, fromlist=[attribute]), attribute)
            assert id(router) in mounted, reference


def test_a_new_capability_needs_only_its_app_config():
    """What a new app declares is all the mounting reads: a stand-in AppConfig for an app
    "newcap" gets its pages and its router mounted, with nothing else edited."""
    catalog = apps.get_app_config("catalog")
    newcap = SimpleNamespace(
        name="jiuzhu.catalog",  # an existing urls module stands in for the new app's
        url_prefix="newcap/",
        api_routers=(("/newcap", "ninja:Router"),),
    )
    patterns = capability_urlpatterns([catalog, newcap])
    assert [str(pattern.pattern) for pattern in patterns] == ["newcap/", "catalog/"]

    api = NinjaAPI(urls_namespace="newcap-test")
    calls = []
    api.add_router = lambda prefix, router: calls.append((prefix, router))  # type: ignore[method-assign]
    mount_routers(api, [newcap])
    assert [prefix for prefix, _ in calls] == ["/newcap"]
