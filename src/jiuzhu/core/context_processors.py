import functools

from django.conf import settings

from jiuzhu.core.services.notifications import unread_count


def site(request) -> dict:
    return {"DEMO_MODE": settings.DEMO_MODE}


def notifications(request) -> dict:
    """The header bell's unread count, counted once and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": functools.cache(lambda: unread_count(user))}
