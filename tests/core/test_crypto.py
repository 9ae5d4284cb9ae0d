import pytest
from cryptography.fernet import Fernet
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
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY), pytest.raises(ValueError) as error:
        crypto.decrypt(token)
    assert str(error.value) == "cannot decrypt: wrong JIUZHU_FIELD_KEY or damaged value"


def test_after_a_key_rotation_old_values_still_decrypt_and_new_ones_use_the_new_key():
    """docs/operations.md, key rotation: the new key in JIUZHU_FIELD_KEY, the old ones in
    JIUZHU_FIELD_KEY_OLD until every row is re-encrypted."""
    from django.conf import settings

    old_key = settings.FIELD_ENCRYPTION_KEY
    token = crypto.encrypt("11010519491231002X")
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY, FIELD_ENCRYPTION_KEYS_OLD=(old_key,)):
        assert crypto.decrypt(token) == "11010519491231002X"
        fresh = crypto.encrypt("11010519491231002X")
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY, FIELD_ENCRYPTION_KEYS_OLD=()):
        assert crypto.decrypt(fresh) == "11010519491231002X"
        with pytest.raises(ValueError):
            crypto.decrypt(token)


def hkdf_sha256(master: bytes, info: bytes) -> bytes:
    """RFC 5869 with no salt (HashLen zero bytes) and 32 bytes of output: one expand block."""
    import hashlib
    import hmac

    prk = hmac.new(b"\0" * 32, master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\1", hashlib.sha256).digest()


def test_the_keys_are_hkdf_sha256_of_the_master_key_with_their_own_labels():
    """The derivation is part of the stored data's format: lookup hashes already in the
    database and values already encrypted must stay readable, so it is pinned here from the
    RFC, not from the code."""
    import base64
    import hashlib
    import hmac

    crypto._keys.cache_clear()
    master = base64.urlsafe_b64decode(OTHER_KEY)
    mac_key = hkdf_sha256(master, b"jiuzhu lookup hash v1")
    fernet_key = hkdf_sha256(master, b"jiuzhu field encryption v1")
    value = "11010519491231002X"
    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY):
        assert crypto.lookup_hash(value) == (
            hmac.new(mac_key, value.encode(), hashlib.sha256).hexdigest()
        )
        token = Fernet(base64.urlsafe_b64encode(fernet_key)).encrypt(value.encode()).decode()
        assert crypto.decrypt(token) == value
        enc, digest = crypto.bulk_encryptor()
        assert digest(value) == crypto.lookup_hash(value)
        assert Fernet(base64.urlsafe_b64encode(fernet_key)).decrypt(enc(value).encode()) == (
            value.encode()
        )
    crypto._keys.cache_clear()


def test_the_lookup_hash_and_the_encryption_use_separate_keys():
    """Two keys are derived from JIUZHU_FIELD_KEY: knowing the lookup-hash key (or one hash)
    must not give the encryption key, nor the other way round."""
    import base64
    import hashlib
    import hmac

    from django.conf import settings

    fernet, mac_key = crypto._keys(settings.FIELD_ENCRYPTION_KEY)
    master = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY)
    # Fernet's two halves: the HMAC signing key and the AES key.
    encryption_keys = {fernet._signing_key, fernet._encryption_key}
    encryption_keys.add(fernet._signing_key + fernet._encryption_key)
    assert len(mac_key) == 32
    assert mac_key not in encryption_keys
    assert mac_key != master
    value = "11010519491231002X"
    for key in [*encryption_keys, master]:
        other = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
        assert crypto.lookup_hash(value) != other
    # The bulk path uses the same two keys as the one-value path.
    enc, digest = crypto.bulk_encryptor()
    assert digest(value) == crypto.lookup_hash(value)
    assert crypto.decrypt(enc(value)) == value


def test_a_purpose_key_is_hkdf_of_the_master_key_with_the_purposes_label():
    import base64

    master = base64.urlsafe_b64decode(OTHER_KEY)
    with override_settings(AUDIT_KEY=OTHER_KEY):
        assert crypto.purpose_key("audit chain") == hkdf_sha256(master, b"jiuzhu audit chain v1")
        assert crypto.purpose_key("audit chain") != crypto.purpose_key("lookup hash")
        assert crypto.purpose_key("lookup hash") == hkdf_sha256(master, b"jiuzhu lookup hash v1")


def test_the_bulk_lookup_hash_is_hmac_sha256_for_any_value():
    """The bulk digest copies precomputed HMAC states; it must equal ``hmac.new`` (RFC 2104)
    for empty, ASCII, non-ASCII and block-sized values, and when called many times."""
    import hashlib
    import hmac

    from django.conf import settings

    _fernet, mac_key = crypto._keys(settings.FIELD_ENCRYPTION_KEY)
    _enc, digest = crypto.bulk_encryptor()
    for value in ["", "11010519491231002X", "王某|320113", "a" * 64, "b" * 200]:
        expected = hmac.new(mac_key, value.encode(), hashlib.sha256).hexdigest()
        assert digest(value) == expected and digest(value) == expected
