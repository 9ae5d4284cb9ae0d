"""Every model the project defines has a factory in ``tests/factories.py`` that builds a valid
row (issue 8, item 10), so tests build data with factories rather than by hand."""

from __future__ import annotations

import factory
import pytest
from django.apps import apps

import factories

#: Models whose rows only their service may write (a factory would forge them).
NO_FACTORY = {
    "AuditSeal",  # the audit trail's tamper-evident chain (core.audit)
    "Entry",  # the time bank's ledger: only timebank.services.ledger posts (double entry)
}

FACTORIES = {
    value._meta.model: value
    for value in vars(factories).values()
    if isinstance(value, type)
    and issubclass(value, factory.django.DjangoModelFactory)
    and value._meta.model is not None
}


def _project_models():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("jiuzhu.") and model.__name__ not in NO_FACTORY
    ]


def test_every_model_has_a_factory():
    missing = sorted(model.__name__ for model in _project_models() if model not in FACTORIES)
    assert not missing, f"models without a factory in tests/factories.py: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", _project_models(), ids=lambda model: f"{model._meta.app_label}.{model.__name__}"
)
def test_the_factory_builds_a_saved_row(model):
    obj = FACTORIES[model]()
    assert obj.pk is not None
    assert model._default_manager.filter(pk=obj.pk).exists()
