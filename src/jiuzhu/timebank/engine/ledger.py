"""The time bank's ledger rules, without Django: double-entry postings in minutes, balances
derived from entries, the storage cap, star levels, who may redeem, and verification.

Every movement is a list of postings that sums to zero (one side takes, the other gives), so
the whole bank sums to zero. Only the *issuer* (the bank's own contra account, which hours are
deposited from) may go below zero; every other account, the donation pool included, never does.
Each entry carries the balance of its account after it (``balance_after``): the entries of one
account form a chain, and :func:`verify` recomputes it, so an edited, inserted or deleted entry is
found at the first account where the chain breaks.

Refusals are :class:`LedgerRefusal` with a ``rule`` code that the services turn into the
message naming the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MINUTES_PER_HOUR = 60
#: Nanjing's elderly-care time bank: at most 1,500 hours stored.
DEFAULT_CAP_MINUTES = 1500 * MINUTES_PER_HOUR
#: Star levels by hours stored (earned), from 100 to 1,500 hours.
DEFAULT_STAR_HOURS: tuple[int, ...] = (100, 300, 600, 1000, 1500)
REDEEM_AGE = 60
#: The spouse and direct relatives (直系亲属) for whom a holder may redeem or transfer.
FAMILY_RELATIONS = frozenset({"spouse", "parent", "child", "grandparent", "grandchild"})


class LedgerRefusal(Exception):
    """A movement the rules refuse; ``rule`` names the rule (a stable code)."""

    def __init__(self, rule: str, **extra: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.extra = extra


@dataclass(frozen=True)
class Posting:
    """One side of a movement: ``minutes`` added to (positive) or taken from (negative)
    ``account``."""

    account: str
    minutes: int


@dataclass(frozen=True)
class Entry:
    """A stored posting with its movement and the account's balance after it."""

    movement: str
    account: str
    minutes: int
    balance_after: int


def check_postings(postings: Sequence[Posting]) -> None:
    """Refuse a movement that is not balanced double entry: at least two sides, no zero
    posting, the minutes sum to zero."""
    if len(postings) < 2:
        raise LedgerRefusal("one_sided")
    if any(p.minutes == 0 for p in postings):
        raise LedgerRefusal("zero_posting")
    if sum(p.minutes for p in postings) != 0:
        raise LedgerRefusal("unbalanced")


def apply_postings(
    balances: Mapping[str, int], postings: Sequence[Posting], *, may_go_negative: Iterable[str] = ()
) -> dict[str, int]:
    """The balances after ``postings``; refuses (``insufficient_balance``) a movement that
    would take an account other than those in ``may_go_negative`` below zero. The input is
    not changed."""
    check_postings(postings)
    negative_ok = set(may_go_negative)
    after = dict(balances)
    for posting in postings:
        after[posting.account] = after.get(posting.account, 0) + posting.minutes
    for posting in postings:
        if after[posting.account] < 0 and posting.account not in negative_ok:
            raise LedgerRefusal(
                "insufficient_balance",
                account=posting.account,
                balance=balances.get(posting.account, 0),
                minutes=-posting.minutes,
            )
    return after


def split_for_cap(balance: int, minutes: int, cap: int = DEFAULT_CAP_MINUTES) -> tuple[int, int]:
    """(minutes the account keeps, minutes that go to the donation pool) when ``minutes``
    arrive at an account holding ``balance``: storage never exceeds ``cap``."""
    if minutes < 0 or balance < 0 or cap < 0:
        raise ValueError("minutes, balance and cap are not negative")
    room = max(cap - balance, 0)
    kept = min(minutes, room)
    return kept, minutes - kept


def deposit_postings(
    *, issuer: str, account: str, pool: str, balance: int, minutes: int, cap: int
) -> list[Posting]:
    """A deposit of ``minutes`` (one hour for one hour, whatever the service): from the issuer
    to the account, and what would exceed the cap to the pool."""
    if minutes <= 0:
        raise LedgerRefusal("not_positive")
    kept, overflow = split_for_cap(balance, minutes, cap)
    postings = [Posting(issuer, -minutes)]
    if kept:
        postings.append(Posting(account, kept))
    if overflow:
        postings.append(Posting(pool, overflow))
    return postings


def transfer_postings(
    *,
    source: str,
    target: str,
    pool: str,
    minutes: int,
    source_balance: int,
    target_balance: int,
    cap: int,
) -> list[Posting]:
    """A transfer from ``source`` to ``target``: refused beyond the source's balance; what
    would take the target beyond the cap goes to the pool."""
    if minutes <= 0:
        raise LedgerRefusal("not_positive")
    if source == target:
        raise LedgerRefusal("same_account")
    if minutes > source_balance:
        raise LedgerRefusal(
            "insufficient_balance", account=source, balance=source_balance, minutes=minutes
        )
    if target == pool:
        return [Posting(source, -minutes), Posting(pool, minutes)]
    kept, overflow = split_for_cap(target_balance, minutes, cap)
    postings = [Posting(source, -minutes)]
    if kept:
        postings.append(Posting(target, kept))
    if overflow:
        postings.append(Posting(pool, overflow))
    return postings


def star_level(earned_minutes: int, thresholds_hours: Sequence[int] = DEFAULT_STAR_HOURS) -> int:
    """Stars (0 to ``len(thresholds_hours)``) for hours earned: one for each threshold
    reached (a threshold reached exactly counts)."""
    return sum(1 for hours in thresholds_hours if earned_minutes >= hours * MINUTES_PER_HOUR)


def redemption_refusal(*, relation: str, beneficiary_age: int) -> str:
    """The rule a redemption breaks, or ``""``: hours buy services for the holder aged 60 or
    older, or for a spouse or direct relative aged 60 or older."""
    if relation != "self" and relation not in FAMILY_RELATIONS:
        return "not_family"
    if beneficiary_age < REDEEM_AGE:
        return "under_60"
    return ""


def transfer_refusal(*, source_kind: str, target_kind: str, relation: str) -> str:
    """The rule a transfer breaks, or ``""``: a group account's hours can only be donated to
    the pool; an individual's go to the pool or to a family member's account."""
    if target_kind == "pool":
        return ""
    if source_kind == "group":
        return "group_donates_only"
    if target_kind != "individual":
        return "bad_target"
    if relation not in FAMILY_RELATIONS:
        return "not_family"
    return ""


@dataclass
class Verification:
    """The outcome of :func:`verify`: ``ok``, or the first offending account and why."""

    ok: bool
    balances: dict[str, int] = field(default_factory=dict)
    account: str = ""
    problem: str = ""
    total: int = 0


def verify(
    entries: Iterable[Entry],
    *,
    may_go_negative: Iterable[str] = (),
    stored: Mapping[str, int] | None = None,
) -> Verification:
    """Replay ``entries`` (in the order they were written) and check: every movement sums to
    zero, every entry's ``balance_after`` continues its account's chain, no account except
    those in ``may_go_negative`` is ever below zero, the bank sums to zero and, given
    ``stored`` balances, each equals the replayed one. The first problem found is reported."""
    negative_ok = set(may_go_negative)
    balances: dict[str, int] = {}
    movement_sums: dict[str, int] = {}
    movement_first_account: dict[str, str] = {}
    for entry in entries:
        before = balances.get(entry.account, 0)
        after = before + entry.minutes
        if entry.balance_after != after:
            return Verification(False, balances, entry.account, "chain_broken")
        if after < 0 and entry.account not in negative_ok:
            return Verification(False, balances, entry.account, "negative_balance")
        balances[entry.account] = after
        movement_sums[entry.movement] = movement_sums.get(entry.movement, 0) + entry.minutes
        movement_first_account.setdefault(entry.movement, entry.account)
    for movement, total in movement_sums.items():
        if total != 0:
            return Verification(
                False, balances, movement_first_account[movement], "movement_unbalanced"
            )
    total = sum(balances.values())
    if total != 0:
        return Verification(False, balances, "", "bank_not_zero", total)
    for account, amount in sorted((stored or {}).items()):
        if balances.get(account, 0) != amount:
            return Verification(False, balances, account, "stored_balance_differs")
    return Verification(True, balances)


def entries_for(
    movement: str, postings: Sequence[Posting], balances: Mapping[str, int]
) -> list[Entry]:
    """The entries to store for ``postings`` applied to ``balances`` (in posting order)."""
    running = dict(balances)
    out: list[Entry] = []
    for posting in postings:
        running[posting.account] = running.get(posting.account, 0) + posting.minutes
        out.append(Entry(movement, posting.account, posting.minutes, running[posting.account]))
    return out
