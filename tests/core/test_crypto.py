import pytest
from django.test import override_settings

from jiuzhu.core import crypto

OTHER_KEY = "q8M3m2x3J0Jm0bLw2oV3Qe2uXoRr2nYyQk7m4b0pX1Y="


def test_round_trip_and_fresh_ciphertexts():
    first, second = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert first != second
    assert "11010519491231002X" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "11010519491231002X"


def test_lookup_hash_is_deterministic_and_keyed():
    value = "11010519491231002X"
    assert crypto.lookup_hash(value) == crypto.lookup_hash(value)
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY):
        other = crypto.lookup_hash(value)
    assert other != crypto.lookup_hash(value)


def test_a_wrong_key_cannot_decrypt():
    token = crypto.encrypt("secret")
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY), pytest.raises(ValueError):
        crypto.decrypt(token)
