"""The capabilities of the platform, in layering order: the one list a new app is added to.

Settings install them (after Django's and third-party apps), ``jiuzhu/urls.py`` mounts each
one's pages at its ``AppConfig.url_prefix`` and ``jiuzhu/api.py`` mounts its
``AppConfig.api_routers``; navigation, scoping grants, demo steps, periodic jobs and event
handlers are registered by the app's own ``AppConfig.ready``. An app may import only the apps
before it here (``tests/test_layering.py``). See docs/architecture.md, "Adding a capability".

Plain data, no Django import: settings read it before Django is set up.
"""

CAPABILITIES = [
    "jiuzhu.core",
    "jiuzhu.registry",
    "jiuzhu.catalog",
    "jiuzhu.orders",
    "jiuzhu.assessment",
    "jiuzhu.dispatch",
    "jiuzhu.evaluation",
    "jiuzhu.discovery",
    "jiuzhu.timebank",
    "jiuzhu.analytics",
]
