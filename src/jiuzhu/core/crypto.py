"""Field encryption and keyed lookup hashes for sensitive values such as identity numbers.

Two keys are derived from ``JIUZHU_FIELD_KEY`` with HKDF: one encrypts (Fernet: AES-128-CBC with
an HMAC), one computes the HMAC-SHA256 lookup hash. The hash lets the registry find a duplicate
identity number without decrypting anything, and without the key it cannot be brute-forced.

Key rotation (``jiuzhu rotate-key``, :mod:`jiuzhu.core.keyrotation`): new values are always
encrypted and hashed under ``JIUZHU_FIELD_KEY``; values are decrypted with it or any key in
``JIUZHU_FIELD_KEY_OLD`` (a MultiFernet), and :func:`lookup_hashes` gives a value's hash under
every configured key, so reads and searches work while the data is half moved. Which fields are
encrypted, and why, is docs/data-classification.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from jiuzhu.core.keyed_digest import hmac_sha256_hex


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[Fernet, bytes]:
    master = base64.urlsafe_b64decode(master_b64.encode("ascii"))
    fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"jiuzhu field encryption v1")))
    return fernet, _derive(master, b"jiuzhu lookup hash v1")


@lru_cache(maxsize=8)
def _purpose_key(master_b64: str, purpose: bytes) -> bytes:
    return _derive(base64.urlsafe_b64decode(master_b64.encode("ascii")), purpose)


def purpose_key(purpose: str) -> bytes:
    """A key for one purpose (e.g. the audit chain), derived by HKDF with its own label, so no
    two mechanisms ever share key material. It comes from ``JIUZHU_AUDIT_KEY`` (by default the
    field key): what it keys is written once and cannot be re-keyed when the field key rotates."""
    return _purpose_key(settings.AUDIT_KEY, f"jiuzhu {purpose} v1".encode())


def _masters() -> tuple[str, ...]:
    return (settings.FIELD_ENCRYPTION_KEY, *getattr(settings, "FIELD_ENCRYPTION_KEYS_OLD", ()))


@lru_cache(maxsize=4)
def _multi(masters: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_keys(master)[0] for master in masters])


#: Every Fernet token starts with the version byte 0x80, which is "gAAAAA" in base64.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - a format marker, not a secret


def is_token(value: str) -> bool:
    """Whether ``value`` looks like what :func:`encrypt` produces (not a plaintext value)."""
    return value.startswith(TOKEN_PREFIX)


def encrypt(value: str) -> str:
    """Encrypt a text value; the result is ASCII and differs on every call."""
    fernet, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    return fernet.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt what :func:`encrypt` produced, under the current or an old key; a wrong key
    raises ``ValueError``."""
    try:
        return _multi(_masters()).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong JIUZHU_FIELD_KEY or damaged value") from None


def lookup_hash(value: str) -> str:
    """A keyed, deterministic hash for equality lookups of a normalised value."""
    _, mac_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def lookup_hashes(value: str) -> list[str]:
    """The value's lookup hash under the current key and every old one (current first): what an
    equality search compares with while ``jiuzhu rotate-key`` has moved only some rows."""
    hashes = []
    for master in _masters():
        _, mac_key = _keys(master)
        hashes.append(hmac.new(mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest())
    return hashes


def bulk_encryptor():
    """The (encrypt, lookup_hash) pair with keys resolved once, for bulk loaders."""
    fernet, mac_key = _keys(settings.FIELD_ENCRYPTION_KEY)

    def enc(value: str) -> str:
        return fernet.encrypt(value.encode("utf-8")).decode("ascii")

    return enc, hmac_sha256_hex(mac_key)


def lookup_key() -> bytes:
    """The current lookup-hash key itself, for a process without Django settings that must
    compute the same keyed hashes (a department import's checking process)."""
    return _keys(settings.FIELD_ENCRYPTION_KEY)[1]
