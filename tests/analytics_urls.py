"""The site's URLs plus the analytics page at the address the lead will give it, so the page can
be tested through the full middleware stack before assessment/urls.py includes it."""

from django.urls import path

from jiuzhu.assessment.views import analytics
from jiuzhu.urls import handler403, handler404  # noqa: F401  (the site's error pages)
from jiuzhu.urls import urlpatterns as site

urlpatterns = [
    path("assessment/analytics/", analytics.analytics_page, name="analytics"),
    *site,
]
