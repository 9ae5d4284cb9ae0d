"""The fast keyed hash equals the standard library's HMAC-SHA256 (RFC 2104) for any key,
prefix and value."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.core.keyed_digest import hmac_sha256_hex


@given(key=st.binary(max_size=150), prefix=st.text(max_size=8), values=st.lists(st.text()))
def test_equals_hmac_new(key, prefix, values):
    digest = hmac_sha256_hex(key, prefix)
    for value in values:  # the same function again and again: its states are copied, not used
        expected = hmac.new(key, (prefix + value).encode(), hashlib.sha256).hexdigest()
        assert digest(value) == expected


def test_a_known_vector():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assert hmac_sha256_hex(b"Jefe", "what do ya ")("want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
