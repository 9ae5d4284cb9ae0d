import pytest

from factories import UserFactory
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.models import Role


@pytest.fixture
def catalogue(db):
    """The default catalogue, loaded through the real loader."""
    return catalogue_load_defaults()


@pytest.fixture
def everyone(actors):
    """The shared cast plus a beneficiary (who will order from the catalogue)."""
    return {**actors, "beneficiary": UserFactory(username="beneficiary", role=Role.BENEFICIARY)}
