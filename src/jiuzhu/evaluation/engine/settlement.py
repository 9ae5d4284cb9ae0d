"""Settlement of a purchased-service project for one period: what the provider is paid.

Plain data in, plain data out (no Django). Money is ``Decimal`` yuan throughout, never a float.

**Lines.** Confirmed deliveries are grouped by service item; each item gives one line:

    gross    = Σ quantity of its deliveries × the project's unit price for the item
    payable  = round(gross × pay percent ÷ 100)            (to the fen, half up)
    withheld = gross − payable

The line cites the deliveries (order ids) it counts, and the upheld complaints about them (the
complaints that lowered the quality score: complaint → order → line), so every line can be
traced to its rows.

**Tiers.** The district's tiers are ``(minimum score, pay percent)`` pairs; the score pays the
percent of the highest tier whose minimum it reaches (``score ≥ minimum``; a score exactly on a
boundary belongs to the tier above it: 90 pays as ≥ 90, 80 as 80–90, 60 as 60–80). Below every
minimum the period's payment is *withheld pending rectification* (0 %). The score is already
rounded to two decimals by ``quality.py``. A period without a score (no figures) is paid at
100 % and marked ``unscored``.

**Corrections** are amounts (positive or negative) decided after an earlier statement was locked
— a disputed line resolved in the provider's favour, an over-payment found later. A locked
statement never changes; its corrections are carried as lines of the next statement.

**Rounding rule.** Each line is rounded once, to 0.01 yuan, half up (``ROUND_HALF_UP``); the
statement total is the exact sum of the rounded lines and the corrections, so the total always
equals the sum of what is printed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tier:
    minimum: Decimal
    percent: Decimal


#: The example the source gives: ≥ 90 pays in full, 80–90 pays 90 %, 60–80 pays 70 %, below 60
#: withheld pending rectification.
DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(Decimal(90), Decimal(100)),
    Tier(Decimal(80), Decimal(90)),
    Tier(Decimal(60), Decimal(70)),
)


@dataclass(frozen=True)
class Delivery:
    """One confirmed delivery: the order, its item and how many units it counts."""

    order_id: int
    item: str
    quantity: int = 1
    #: Upheld complaints about the order (ids), cited by the line that counts it.
    complaints: tuple[int, ...] = ()


@dataclass(frozen=True)
class Correction:
    """An amount carried from an earlier, locked statement (``source`` names what it corrects)."""

    source: str
    amount: Decimal
    reason: str = ""


@dataclass(frozen=True)
class Line:
    item: str
    unit_price: Decimal
    quantity: int
    gross: Decimal
    percent: Decimal
    payable: Decimal
    withheld: Decimal
    orders: tuple[int, ...]
    complaints: tuple[int, ...] = ()


@dataclass(frozen=True)
class Statement:
    score: Decimal | None
    percent: Decimal
    withheld_pending_rectification: bool
    unscored: bool
    lines: tuple[Line, ...]
    corrections: tuple[Correction, ...]
    gross: Decimal
    payable: Decimal
    withheld: Decimal
    corrections_total: Decimal
    total: Decimal


def money(value: Decimal) -> Decimal:
    """Round to the fen, half up (the one rounding rule)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def tier_percent(score: Decimal | None, tiers: Sequence[Tier]) -> Decimal:
    """The pay percent for ``score`` under ``tiers`` (0 below every tier; 100 without a score)."""
    if score is None:
        return HUNDRED
    for tier in sorted(tiers, key=lambda t: t.minimum, reverse=True):
        if score >= tier.minimum:
            return tier.percent
    return Decimal(0)


def settle(
    *,
    deliveries: Sequence[Delivery],
    prices: Mapping[str, Decimal],
    score: Decimal | None,
    tiers: Sequence[Tier] = DEFAULT_TIERS,
    corrections: Sequence[Correction] = (),
) -> Statement:
    """The statement for one project and period. A delivery of an item without a unit price is
    an error (``KeyError``): the project does not buy that item."""
    percent = tier_percent(score, tiers)
    quantities: dict[str, int] = defaultdict(int)
    cited: dict[str, list[int]] = defaultdict(list)
    complained: dict[str, set[int]] = defaultdict(set)
    for delivery in deliveries:
        if delivery.item not in prices:
            raise KeyError(delivery.item)
        if delivery.quantity < 0:
            raise ValueError("a delivery's quantity cannot be negative")
        quantities[delivery.item] += delivery.quantity
        cited[delivery.item].append(delivery.order_id)
        complained[delivery.item].update(delivery.complaints)
    lines = []
    for item in sorted(quantities):
        price = prices[item]
        gross = price * quantities[item]
        payable = money(gross * percent / HUNDRED)
        lines.append(
            Line(
                item=item,
                unit_price=price,
                quantity=quantities[item],
                gross=gross,
                percent=percent,
                payable=payable,
                withheld=gross - payable,
                orders=tuple(sorted(cited[item])),
                complaints=tuple(sorted(complained[item])),
            )
        )
    carried = tuple(Correction(c.source, money(c.amount), c.reason) for c in corrections)
    gross_total = sum((line.gross for line in lines), Decimal(0))
    payable_total = sum((line.payable for line in lines), Decimal(0))
    corrections_total = sum((c.amount for c in carried), Decimal(0))
    return Statement(
        score=score,
        percent=percent,
        withheld_pending_rectification=score is not None and percent == 0,
        unscored=score is None,
        lines=tuple(lines),
        corrections=carried,
        gross=gross_total,
        payable=payable_total,
        withheld=gross_total - payable_total,
        corrections_total=corrections_total,
        total=payable_total + corrections_total,
    )
