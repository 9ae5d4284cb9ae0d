"""Who the donation pool gives to first, without Django.

Nanjing's elderly-care time bank: donated hours go first to elderly people living alone. A
request for pool hours is ranked by who it serves — an elderly person (60 or older) living
alone, then any other household with an elderly member, then everyone else — and, within one
rank, by when it was made (``seq``). The pool fills requests in that order, each in full while
it can; the first request it cannot fill in full gets what is left, and those after it nothing.
(A partial grant is still worth a service hour or two; skipping to a smaller later request
would let a later, lower-priority request overtake an earlier one of the same rank.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ALONE_ELDERLY, ELDERLY, OTHERS = 0, 1, 2


@dataclass(frozen=True)
class PoolRequest:
    """A request for ``minutes`` of pool hours for household account ``key``."""

    key: str
    minutes: int
    elderly: bool
    living_alone: bool
    seq: int = 0


@dataclass(frozen=True)
class PoolGrant:
    key: str
    requested: int
    granted: int
    rank: int


def rank_of(request: PoolRequest) -> int:
    """0: an elderly person living alone; 1: a household with an elderly member; 2: others."""
    if request.elderly and request.living_alone:
        return ALONE_ELDERLY
    if request.elderly:
        return ELDERLY
    return OTHERS


def allocate(pool_minutes: int, requests: Sequence[PoolRequest]) -> list[PoolGrant]:
    """The grants, in the order the pool serves them (every request appears once; ``granted``
    is 0 for those the pool could not reach). Refuses a negative pool or request."""
    if pool_minutes < 0 or any(r.minutes <= 0 for r in requests):
        raise ValueError("the pool and every request are positive")
    if len({r.key for r in requests}) != len(requests):
        raise ValueError("one request per account")
    left = pool_minutes
    grants: list[PoolGrant] = []
    for request in sorted(requests, key=lambda r: (rank_of(r), r.seq)):
        granted = min(request.minutes, left)
        left -= granted
        grants.append(PoolGrant(request.key, request.minutes, granted, rank_of(request)))
    return grants
