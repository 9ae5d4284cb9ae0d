"""HMAC-SHA256 in hexadecimal with the key's two hash states computed once (no Django here: a
department import's checking process uses it too, see ``discovery.engine.parallel``).

The same digest as ``hmac.new(key, prefix + value, sha256)`` (RFC 2104), about 2.5x faster
per value, which matters when an import hashes a million rows; ``prefix`` is hashed into the
inner state once (a test compares both with ``hmac.new``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable


def hmac_sha256_hex(key: bytes, prefix: str = "") -> Callable[[str], str]:
    """A function giving ``HMAC-SHA256(key, prefix + value)`` as 64 hexadecimal digits."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    inner.update(prefix.encode("utf-8"))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(value: str) -> str:
        first = inner.copy()
        first.update(value.encode("utf-8"))
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    return digest
