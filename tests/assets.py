"""What a page loads must come from the deployment itself: government intranets have no internet.

A bare "cdn" substring test is not enough and not safe: a random CSRF token can contain it.
"""

from __future__ import annotations

import re

_OFF_SERVER = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_LOADED = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def external_assets(html: str) -> list[str]:
    """The script, stylesheet and image addresses in ``html`` that point off the server."""
    return [url for url in _LOADED.findall(html) if _OFF_SERVER.match(url)]
