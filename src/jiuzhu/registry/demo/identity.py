"""Unique, valid identity numbers for generated people.

The database allows one active member per identity number (a partial unique index on the
lookup hash). Generating with the same seed twice, or next to hand-entered members, would draw
the same numbers again, so the allocator is given every hash already stored and steps to the
next free sequence number (same parity, so the sex stays right) when a number is taken. That
makes ``demo_data`` without ``--reset`` safe to repeat: it adds households and never collides.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from jiuzhu.core.identity import complete_identity_number
from jiuzhu.registry.models import Member

SEQUENCES_PER_SEX = 500


def stored_identity_hashes() -> set[str]:
    """Every identity hash in the registry (active or not: a person who left may return)."""
    return set(Member.objects.values_list("id_number_hash", flat=True))


class IdentityAllocator:
    """Hands out numbers for (issuing area, birth date, sex); ``digest`` is the lookup hash."""

    def __init__(self, *, digest: Callable[[str], str], taken: set[str], rng: random.Random):
        self.digest = digest
        self.taken = taken
        self.rng = rng
        self.used: set[str] = set()

    def allocate(self, *, area: str, birth: dt.date, sex: str) -> tuple[str, str, dt.date]:
        """(number, hash, birth date). The birth date moves a day earlier only in the unlikely
        case that all 500 sequence numbers of that day and area are gone."""
        parity = 1 if sex == "M" else 0
        for _ in range(366):
            first14 = f"{area}{birth:%Y%m%d}"
            start = self.rng.randrange(SEQUENCES_PER_SEX)
            for step in range(SEQUENCES_PER_SEX):
                sequence = ((start + step) % SEQUENCES_PER_SEX) * 2 + parity
                first17 = f"{first14}{sequence:03d}"
                if sequence == 0 or first17 in self.used:
                    continue
                self.used.add(first17)
                number = complete_identity_number(first17)
                digest = self.digest(number)
                if digest not in self.taken:
                    self.taken.add(digest)
                    return number, digest, birth
            birth -= dt.timedelta(days=1)
        raise RuntimeError(f"no free identity number near {area}{birth:%Y%m%d}")
