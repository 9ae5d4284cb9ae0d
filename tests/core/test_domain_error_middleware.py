"""The web turns ``NotFound`` into the 404 page and ``PermissionDenied`` into the 403 page in one
place, so a view may call ``<entity>_get_for`` and the policies' ``require_*`` unwrapped."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import RequestFactory

from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied
from jiuzhu.core.middleware import DomainErrorMiddleware
from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)


def middleware():
    return DomainErrorMiddleware(lambda request: None)


def test_not_found_becomes_a_404():
    with pytest.raises(Http404):
        middleware().process_exception(RequestFactory().get("/x"), NotFound("order"))


def test_permission_denied_becomes_a_403_with_its_message():
    with pytest.raises(DjangoPermissionDenied, match="not yours"):
        middleware().process_exception(RequestFactory().get("/x"), PermissionDenied("not yours"))


def test_other_errors_are_left_to_the_view():
    assert middleware().process_exception(RequestFactory().get("/x"), Conflict("c", "m")) is None


@pytest.mark.django_db
def test_missing_and_out_of_scope_orders_answer_the_same_404(client, actors, market):  # noqa: F811
    from jiuzhu.orders.services.placing import order_create

    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    client.force_login(market["staff_c"])  # serves 马群 only: the order is not theirs to see
    hidden = client.get(f"/orders/{order.pk}/")
    missing = client.get(f"/orders/{order.pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    api_hidden = client.get(f"/api/v1/orders/{order.pk}")
    api_missing = client.get(f"/api/v1/orders/{order.pk + 1000}")
    assert api_hidden.status_code == api_missing.status_code == 404
    assert api_hidden.json() == api_missing.json()
