"""Automatic dispatch: match every waiting order to an eligible provider at once (pure numpy/scipy).

"Every request answered, every order taken" (有求必应、有单尽接). Given the waiting orders, the
providers with their capacity left, and the eligible (order, provider) pairs, `assign` finds the
assignment that

1. serves the largest urgency-weighted number of orders (with positive weights this is also the
   largest possible *number* of orders, and urgent orders win capacity when it is short), then
2. among those, has the smallest total cost,

by one transportation LP over the eligible pairs only (`scipy.optimize.linprog`, HiGHS, sparse
constraints). `assign_greedy` is the first-come baseline. Every order comes back either with a
provider, its cost and a `Why` record, or unassigned with a reason (`no_provider`: escalate to the
manager; `no_capacity`). docs/dispatch-matching.md explains the model and the choices.

No Django here: the dispatch services turn rows into these arrays and the result back into offers.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

__all__ = [
    "EARTH_RADIUS_KM",
    "NO_CAPACITY_LEFT",
    "NO_ELIGIBLE_PROVIDER",
    "REASONS",
    "URGENCY_WEIGHTS",
    "Assignment",
    "CostWeights",
    "Dispatch",
    "MatchingError",
    "Orders",
    "PairCosts",
    "Pairs",
    "Providers",
    "Unassigned",
    "Why",
    "assign",
    "assign_greedy",
    "eligible_pairs",
    "haversine_km",
    "pair_costs",
]

#: Unassigned because no provider serves the area, offers the item and is not excluded:
#: the district manager must find one (escalation).
NO_ELIGIBLE_PROVIDER = "no_provider"
#: Unassigned because every eligible provider's capacity went to other orders (or was zero).
NO_CAPACITY_LEFT = "no_capacity"
REASONS = {
    NO_ELIGIBLE_PROVIDER: "No eligible provider",
    NO_CAPACITY_LEFT: "No capacity left",
}

#: Suggested urgency weights by the registry's urgency tag (紧急干预, 纳入兜底, 需要关爱, 持续关注;
#: "" = untagged). Any positive weights work; see `assign` for what they mean.
URGENCY_WEIGHTS: dict[str, float] = {
    "urgent": 4.0,
    "safety_net": 3.0,
    "care": 2.0,
    "watch": 1.0,
    "": 1.0,
}

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

#: Largest |x - round(x)| accepted from the LP before it is re-solved with dual simplex.
_INTEGRALITY_TOL = 1e-6


class MatchingError(ValueError):
    """Bad input to the matching engine, or a solver failure (never expected on valid input)."""


# --------------------------------------------------------------------------- input


def _vector(name: str, values: Any, n: int | None, dtype: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=dtype)
    if arr.ndim != 1:
        raise MatchingError(f"{name} must be one-dimensional")
    if n is not None and arr.shape[0] != n:
        raise MatchingError(f"{name} has {arr.shape[0]} values, expected {n}")
    return arr


def _ints(name: str, values: Any, n: int | None) -> np.ndarray:
    arr = np.asarray(values)
    if (
        arr.size
        and not np.issubdtype(arr.dtype, np.integer)
        and (not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)))
    ):
        raise MatchingError(f"{name} must hold whole numbers")
    return _vector(name, arr, n, np.int64)


def _unique_ids(name: str, ids: Any) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise MatchingError(f"{name} must be one-dimensional")
    if len(set(arr.tolist())) != arr.shape[0]:
        raise MatchingError(f"{name} must be unique")
    return arr


def _sets(
    name: str, values: Sequence[Collection[Hashable] | None] | None, n: int
) -> tuple[frozenset[Hashable], ...]:
    if values is None:
        return tuple(frozenset() for _ in range(n))
    if len(values) != n:
        raise MatchingError(f"{name} has {len(values)} entries, expected {n}")
    return tuple(frozenset(v) if v is not None else frozenset() for v in values)


def _check_coordinates(name: str, lat: np.ndarray, lon: np.ndarray) -> None:
    """Degrees in range; NaN in both means "location unknown" (a neutral distance term)."""
    if np.any(np.isinf(lat)) or np.any(np.isinf(lon)) or np.any(np.isnan(lat) != np.isnan(lon)):
        raise MatchingError(f"{name} coordinates must be finite, or NaN in both for unknown")
    if np.any(np.abs(lat) > 90) or np.any(np.abs(lon) > 180):
        raise MatchingError(f"{name} coordinates out of range (lat ±90, lon ±180)")


@dataclass(frozen=True, eq=False)
class Orders:
    """The waiting orders, one entry per order in every array.

    - ``ids``: the order ids (unique; returned in the result).
    - ``lat``, ``lon``: the household's community, in degrees (NaN in both: unknown).
    - ``item``: the service item of each order (an item index or code, matched against
      ``Providers.items`` and ``item_category``).
    - ``urgency``: positive weight (default 1; `URGENCY_WEIGHTS` maps urgency tags to weights).
      Use a few distinct levels: weights closer than about 1e-6 are not told apart reliably.
    - ``area``: the area code providers declare they serve (usually the street); only
      `eligible_pairs` needs it.
    - ``created``: creation times (any sortable values); only the greedy baseline uses them,
      default the order of the arrays.
    - ``excluded``: per order, the provider ids that must not get it (declined, missed a
      deadline); `eligible_pairs` leaves those pairs out.
    """

    ids: Any
    lat: Any
    lon: Any
    item: Any
    urgency: Any = None
    area: Any = None
    created: Any = None
    excluded: Sequence[Collection[Hashable] | None] | None = None

    def __post_init__(self) -> None:
        ids = _unique_ids("order ids", self.ids)
        n = ids.shape[0]
        lat = _vector("order lat", self.lat, n, np.float64)
        lon = _vector("order lon", self.lon, n, np.float64)
        _check_coordinates("order", lat, lon)
        item = np.asarray(self.item)
        if item.ndim != 1 or item.shape[0] != n:
            raise MatchingError(f"order item must have {n} values")
        urgency = (
            np.ones(n) if self.urgency is None else _vector("urgency", self.urgency, n, np.float64)
        )
        if not (np.all(np.isfinite(urgency)) and np.all(urgency > 0)):
            raise MatchingError("urgency weights must be positive and finite")
        area = None if self.area is None else np.asarray(self.area)
        if area is not None and (area.ndim != 1 or area.shape[0] != n):
            raise MatchingError(f"order area must have {n} values")
        created = None if self.created is None else np.asarray(self.created)
        if created is not None and (created.ndim != 1 or created.shape[0] != n):
            raise MatchingError(f"order created must have {n} values")
        excluded = None if self.excluded is None else _sets("excluded", self.excluded, n)
        for name, value in (
            ("ids", ids),
            ("lat", lat),
            ("lon", lon),
            ("item", item),
            ("urgency", urgency),
            ("area", area),
            ("created", created),
            ("excluded", excluded),
        ):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, eq=False)
class Providers:
    """The providers that may take orders, one entry per provider in every array.

    - ``ids``: provider ids (unique).
    - ``lat``, ``lon``: the provider's base, in degrees (NaN in both: unknown).
    - ``capacity``: orders it can still take now (int ≥ 0; 0 takes none).
    - ``load``: orders it is serving now (int ≥ 0); the load term is
      ``load / (load + capacity)``.
    - ``rating``: average rating 1–5, NaN when it has none (neutral, see `pair_costs`).
    - ``items``: per provider, the items it offers (same codes as ``Orders.item``).
    - ``areas``: per provider, the area codes it serves (same codes as ``Orders.area``).
    """

    ids: Any
    lat: Any
    lon: Any
    capacity: Any
    load: Any = None
    rating: Any = None
    items: Sequence[Collection[Hashable]] | None = None
    areas: Sequence[Collection[Hashable]] | None = None

    def __post_init__(self) -> None:
        ids = _unique_ids("provider ids", self.ids)
        n = ids.shape[0]
        lat = _vector("provider lat", self.lat, n, np.float64)
        lon = _vector("provider lon", self.lon, n, np.float64)
        _check_coordinates("provider", lat, lon)
        capacity = _ints("capacity", self.capacity, n)
        load = np.zeros(n, dtype=np.int64) if self.load is None else _ints("load", self.load, n)
        if np.any(capacity < 0) or np.any(load < 0):
            raise MatchingError("capacity and load must be ≥ 0")
        rating = (
            np.full(n, np.nan) if self.rating is None else _vector("rating", self.rating, n, float)
        )
        rated = rating[~np.isnan(rating)]
        if np.any(rated < 1) or np.any(rated > 5):
            raise MatchingError("ratings must be between 1 and 5 (NaN when none)")
        for name, value in (
            ("ids", ids),
            ("lat", lat),
            ("lon", lon),
            ("capacity", capacity),
            ("load", load),
            ("rating", rating),
            ("items", _sets("provider items", self.items, n)),
            ("areas", _sets("provider areas", self.areas, n)),
        ):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, eq=False)
class Pairs:
    """Eligible (order, provider) pairs as positions in `Orders` and `Providers`.

    Stored sorted by order then provider, without duplicates, so each order's pairs are one
    contiguous run. Build with `Pairs.of` (validates and sorts) or `eligible_pairs`.
    """

    order: np.ndarray
    provider: np.ndarray

    def __post_init__(self) -> None:
        o = _ints("pair order", self.order, None)
        p = _ints("pair provider", self.provider, o.shape[0])
        if o.size and (o.min() < 0 or p.min() < 0):
            raise MatchingError("pair positions must be ≥ 0")
        later = (o[1:] > o[:-1]) | ((o[1:] == o[:-1]) & (p[1:] > p[:-1]))
        if not np.all(later):
            raise MatchingError("pairs must be sorted by order then provider, without repeats")
        object.__setattr__(self, "order", o)
        object.__setattr__(self, "provider", p)

    @classmethod
    def of(cls, order: Any, provider: Any, *, n_orders: int, n_providers: int) -> Pairs:
        o = _ints("pair order", np.atleast_1d(order), len(np.atleast_1d(order)))
        p = _ints("pair provider", np.atleast_1d(provider), o.shape[0])
        if o.size and (o.min() < 0 or o.max() >= n_orders):
            raise MatchingError("pair order index out of range")
        if p.size and (p.min() < 0 or p.max() >= n_providers):
            raise MatchingError("pair provider index out of range")
        code = np.unique(o * max(n_providers, 1) + p)  # sorted, deduplicated
        return cls(code // max(n_providers, 1), code % max(n_providers, 1))

    @classmethod
    def empty(cls) -> Pairs:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.order.shape[0])


# --------------------------------------------------------------------------- eligibility


def _index_sets(
    sets: Sequence[Collection[Hashable]], codes: dict[Hashable, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(code index, owner) for every member of every set, adding new codes to ``codes``."""
    rows, cols = [], []
    for owner, members in enumerate(sets):
        for member in members:
            rows.append(codes.setdefault(member, len(codes)))
            cols.append(owner)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def _lookup(values: np.ndarray, codes: dict[Hashable, int], missing: int) -> np.ndarray:
    """Index of each value in ``codes`` (``missing`` when absent), one dict lookup per distinct
    value."""
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    uniq, inverse = np.unique(values, return_inverse=True)
    found = np.fromiter((codes.get(v, missing) for v in uniq.tolist()), np.int64, uniq.shape[0])
    return found[inverse.reshape(-1)]


def eligible_pairs(orders: Orders, providers: Providers) -> Pairs:
    """The (order, provider) pairs where the provider serves the order's area, offers its item
    and is not in the order's excluded set.

    Vectorised with sparse incidence matrices: one row per distinct (area, item) combination of
    the orders (area ∩ item providers), then repeated for the orders that share it. Cost is
    proportional to the number of pairs, never to orders × providers.
    """
    if orders.area is None:
        raise MatchingError("eligible_pairs needs Orders.area")
    n, n_prov = len(orders), len(providers)
    if n == 0 or n_prov == 0:
        return Pairs.empty()
    # Providers.__post_init__ replaces None with one empty set per provider.
    assert providers.areas is not None and providers.items is not None
    area_codes: dict[Hashable, int] = {}
    item_codes: dict[Hashable, int] = {}
    a_rows, a_cols = _index_sets(providers.areas, area_codes)
    i_rows, i_cols = _index_sets(providers.items, item_codes)
    n_area, n_item = len(area_codes) + 1, len(item_codes) + 1  # last row: unknown code, empty

    def incidence(rows: np.ndarray, cols: np.ndarray, n_rows: int) -> sparse.csr_array:
        m = sparse.csr_array(
            (np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(n_rows, n_prov)
        )
        m.sum_duplicates()
        m.data[:] = 1
        return m

    serves = incidence(a_rows, a_cols, n_area)
    offers = incidence(i_rows, i_cols, n_item)
    key = _lookup(orders.area, area_codes, n_area - 1) * n_item + _lookup(
        orders.item, item_codes, n_item - 1
    )
    keys, key_of_order = np.unique(key, return_inverse=True)
    both = serves[keys // n_item].multiply(offers[keys % n_item]).tocsr()
    rows = both[key_of_order.reshape(-1)].tocsr()
    rows.eliminate_zeros()
    rows.sort_indices()
    order = np.repeat(np.arange(n, dtype=np.int64), np.diff(rows.indptr))
    provider = rows.indices.astype(np.int64)
    if orders.excluded is not None and any(orders.excluded):
        position = {pid: i for i, pid in enumerate(providers.ids.tolist())}
        banned = np.fromiter(
            (
                o * n_prov + position[pid]
                for o, ids in enumerate(orders.excluded)
                for pid in ids or ()  # never None: Orders.__post_init__ makes them sets
                if pid in position
            ),
            dtype=np.int64,
        )
        keep = ~np.isin(order * n_prov + provider, banned)
        order, provider = order[keep], provider[keep]
    return Pairs(order, provider)


# --------------------------------------------------------------------------- costs


@dataclass(frozen=True)
class CostWeights:
    """Weights of the cost terms. Every term is scaled to about 0–1 before weighting, so a weight
    says what a whole unit of that term is worth against ``distance_scale_km`` of travel.

    - distance: ``distance * km / distance_scale_km`` (default 1 unit per 5 km, straight line;
      a pair with an unknown location counts as the average term of the known pairs);
    - load: ``load * load / (load + capacity)`` (0 idle … 1 full);
    - rating: ``rating * (5 - r) / 4`` (0 for 5 stars … 1 for 1 star; no rating counts as the
      average term of the rated providers, so it is neither preferred nor avoided);
    - specialisation: ``specialisation * (1 - share)``, share = the part of the provider's items
      in the order item's category (1/number of items offered when no categories are given).

    Defaults: a 5-star provider 5 km away costs the same as a 1-star one next door; a full
    provider costs as much as 2.5 km more travel; a provider entirely in the item's category is
    preferred to a generalist by up to 2.5 km.
    """

    distance: float = 1.0
    distance_scale_km: float = 5.0
    load: float = 0.5
    rating: float = 1.0
    specialisation: float = 0.5

    def __post_init__(self) -> None:
        values = (self.distance, self.load, self.rating, self.specialisation)
        if not all(np.isfinite(v) and v >= 0 for v in values):
            raise MatchingError("cost weights must be finite and ≥ 0")
        if not (np.isfinite(self.distance_scale_km) and self.distance_scale_km > 0):
            raise MatchingError("distance_scale_km must be positive")


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (vectorised)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    km: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return km


@dataclass(frozen=True, eq=False)
class PairCosts:
    """Per eligible pair (aligned with `Pairs`): the raw figures, the weighted cost terms, the
    total cost, and the rank of the pair's provider among the order's eligible ones (1 = the
    cheapest; ties by provider position). ``n_eligible`` is per order."""

    distance_km: np.ndarray
    load_share: np.ndarray
    rating: np.ndarray
    specialisation: np.ndarray
    terms: dict[str, np.ndarray]
    total: np.ndarray
    rank: np.ndarray
    n_eligible: np.ndarray

    @classmethod
    def given(cls, pairs: Pairs, total: Any, *, n_orders: int) -> PairCosts:
        """Costs computed elsewhere (one per pair, finite, ≥ 0); the figures are NaN and the
        only term is ``given``. For callers with their own cost model, and for tests."""
        cost = _vector("costs", total, len(pairs), np.float64)
        if not (np.all(np.isfinite(cost)) and np.all(cost >= 0)):
            raise MatchingError("costs must be finite and ≥ 0")
        rank, n_eligible = _ranks(pairs, cost, n_orders)
        nan = np.full(len(pairs), np.nan)
        return cls(nan, nan, nan, nan, {"given": cost}, cost, rank, n_eligible)


def _category_shares(
    orders: Orders, providers: Providers, pairs: Pairs, item_category: Any
) -> np.ndarray:
    """Share of the pair provider's items that are in the order item's category."""
    # Providers.__post_init__ replaces None with one empty set per provider.
    assert providers.items is not None
    n_items = np.fromiter((len(s) for s in providers.items), np.int64, len(providers))
    n_items = np.maximum(n_items, 1)[pairs.provider]
    if item_category is None:
        even: np.ndarray = 1.0 / n_items
        return even

    def category(item: Hashable) -> Hashable:
        cat: Hashable
        if isinstance(item_category, Mapping):
            cat = item_category.get(item)
            return cat
        try:
            cat = item_category[item]
        except (IndexError, KeyError, TypeError):
            return None
        return cat

    codes: dict[Hashable, int] = {}
    rows, cols = [], []
    for p, items in enumerate(providers.items):
        for item in items:
            cat = category(item)
            if cat is not None:
                rows.append(p)
                cols.append(codes.setdefault(cat, len(codes)))
    counts = np.zeros((len(providers), len(codes) + 1))  # last column: unknown category
    np.add.at(counts, (np.asarray(rows, np.int64), np.asarray(cols, np.int64)), 1.0)
    uniq, inverse = np.unique(orders.item, return_inverse=True)
    cat_of = np.fromiter(
        (codes.get(category(i), len(codes)) for i in uniq.tolist()), np.int64, uniq.shape[0]
    )
    order_cat = cat_of[inverse.reshape(-1)]
    shares: np.ndarray = counts[pairs.provider, order_cat[pairs.order]] / n_items
    return shares


def pair_costs(
    orders: Orders,
    providers: Providers,
    pairs: Pairs,
    *,
    weights: CostWeights | None = None,
    item_category: Mapping[Hashable, Hashable] | Sequence[Hashable] | np.ndarray | None = None,
) -> PairCosts:
    """The cost of giving each eligible pair's order to its provider (see `CostWeights`).

    ``item_category`` maps an item to its category (a mapping, or an array indexed by item
    index); without it, specialisation is 1/number of items the provider offers.
    """
    w = weights or CostWeights()
    o, p = pairs.order, pairs.provider
    n = len(orders)
    dist = haversine_km(orders.lat[o], orders.lon[o], providers.lat[p], providers.lon[p])
    distance_term = dist / w.distance_scale_km
    unknown = np.isnan(distance_term)
    if unknown.any():  # a location is unknown: neutral, the mean of the known pairs
        distance_term[unknown] = distance_term[~unknown].mean() if (~unknown).any() else 0.0
    full = providers.load + providers.capacity
    share_used = np.divide(
        providers.load.astype(np.float64), full, out=np.zeros(len(providers)), where=full > 0
    )
    rating_term = (5.0 - providers.rating) / 4.0
    rated = ~np.isnan(rating_term)
    neutral = float(rating_term[rated].mean()) if rated.any() else 0.5
    rating_term = np.where(rated, rating_term, neutral)
    spec = _category_shares(orders, providers, pairs, item_category)
    terms = {
        "distance": w.distance * distance_term,
        "load": w.load * share_used[p],
        "rating": w.rating * rating_term[p],
        "specialisation": w.specialisation * (1.0 - spec),
    }
    total = terms["distance"] + terms["load"] + terms["rating"] + terms["specialisation"]
    rank, n_eligible = _ranks(pairs, total, n)
    return PairCosts(
        distance_km=dist,
        load_share=share_used[p],
        rating=providers.rating[p],
        specialisation=spec,
        terms=terms,
        total=total,
        rank=rank,
        n_eligible=n_eligible,
    )


def _ranks(pairs: Pairs, total: np.ndarray, n_orders: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each pair by cost within its order (1 = cheapest), and pairs per order."""
    o = pairs.order
    n_eligible = np.bincount(o, minlength=n_orders).astype(np.int64)
    rank = np.zeros(len(pairs), dtype=np.int64)
    if len(pairs):
        by_cost = np.lexsort((pairs.provider, total, o))
        first = np.concatenate(([0], np.cumsum(n_eligible)[:-1]))
        rank[by_cost] = np.arange(len(pairs)) - first[o[by_cost]] + 1
    return rank, n_eligible


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Why:
    """Why this provider got the order: the figures behind the cost, and how it ranked."""

    distance_km: float
    load: int
    capacity_left: int
    load_share: float
    rating: float | None
    specialisation: float
    terms: dict[str, float]
    cost: float
    rank: int
    eligible: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``DispatchOffer.why``)."""
        return {
            "distance_km": _json_number(self.distance_km, 3),
            "load": self.load,
            "capacity_left": self.capacity_left,
            "load_share": _json_number(self.load_share, 4),
            "rating": _json_number(self.rating, 2),
            "specialisation": _json_number(self.specialisation, 4),
            "cost": _json_number(self.cost, 4),
            "terms": {k: _json_number(v, 4) for k, v in self.terms.items()},
            "rank": self.rank,
            "eligible": self.eligible,
        }


def _json_number(value: float | None, digits: int) -> float | None:
    """Rounded, and None for a missing (NaN) figure, which JSON cannot hold."""
    return None if value is None or np.isnan(value) else round(float(value), digits)


@dataclass(frozen=True)
class Assignment:
    order_id: Any
    provider_id: Any
    cost: float
    why: Why


@dataclass(frozen=True)
class Unassigned:
    order_id: Any
    reason: str  # NO_ELIGIBLE_PROVIDER or NO_CAPACITY_LEFT

    @property
    def escalate(self) -> bool:
        """No provider could ever take it: the district manager must act."""
        return self.reason == NO_ELIGIBLE_PROVIDER

    @property
    def message(self) -> str:
        return REASONS[self.reason]


@dataclass(frozen=True, eq=False)
class Dispatch:
    """The outcome for every order (arrays aligned with `Orders`; ``chosen`` is the index of the
    chosen pair or -1), plus the inputs it was computed from."""

    orders: Orders
    providers: Providers
    pairs: Pairs
    costs: PairCosts
    chosen: np.ndarray
    reason: np.ndarray
    method: str

    @property
    def assigned(self) -> np.ndarray:
        return self.chosen >= 0

    @property
    def provider(self) -> np.ndarray:
        """Provider position per order, -1 when unassigned."""
        out = np.full(self.chosen.shape[0], -1, dtype=np.int64)
        out[self.assigned] = self.pairs.provider[self.chosen[self.assigned]]
        return out

    @property
    def cost(self) -> np.ndarray:
        """Cost per order, NaN when unassigned."""
        out = np.full(self.chosen.shape[0], np.nan)
        out[self.assigned] = self.costs.total[self.chosen[self.assigned]]
        return out

    @property
    def n_assigned(self) -> int:
        return int(self.assigned.sum())

    @property
    def total_cost(self) -> float:
        return float(self.costs.total[self.chosen[self.assigned]].sum())

    @property
    def urgency_assigned(self) -> float:
        return float(self.orders.urgency[self.assigned].sum())

    @property
    def taken(self) -> np.ndarray:
        """Orders given to each provider in this dispatch (never above its capacity)."""
        used = self.provider[self.assigned]
        return np.bincount(used, minlength=len(self.providers)).astype(np.int64)

    def summary(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "orders": len(self.orders),
            "assigned": self.n_assigned,
            NO_ELIGIBLE_PROVIDER: int((self.reason == NO_ELIGIBLE_PROVIDER).sum()),
            NO_CAPACITY_LEFT: int((self.reason == NO_CAPACITY_LEFT).sum()),
            "total_cost": self.total_cost,
            "urgency_assigned": self.urgency_assigned,
        }

    def decision(self, i: int) -> Assignment | Unassigned:
        """The outcome for the order at position ``i``."""
        k = int(self.chosen[i])
        order_id = _plain(self.orders.ids[i])
        if k < 0:
            return Unassigned(order_id, str(self.reason[i]))
        p = int(self.pairs.provider[k])
        c, prov = self.costs, self.providers
        rating = float(c.rating[k])
        why = Why(
            distance_km=float(c.distance_km[k]),
            load=int(prov.load[p]),
            capacity_left=int(prov.capacity[p]),
            load_share=float(c.load_share[k]),
            rating=None if np.isnan(rating) else rating,
            specialisation=float(c.specialisation[k]),
            terms={name: float(v[k]) for name, v in c.terms.items()},
            cost=float(c.total[k]),
            rank=int(c.rank[k]),
            eligible=int(c.n_eligible[i]),
        )
        return Assignment(order_id, _plain(prov.ids[p]), float(c.total[k]), why)

    def decisions(self) -> list[Assignment | Unassigned]:
        """One outcome per order, in the order of `Orders`."""
        return [self.decision(i) for i in range(len(self.orders))]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value (ids go back to the caller as they came in)."""
    return value.item() if isinstance(value, np.generic) else value


def _result(
    orders: Orders,
    providers: Providers,
    pairs: Pairs,
    costs: PairCosts,
    chosen: np.ndarray,
    method: str,
) -> Dispatch:
    reason = np.where(
        chosen >= 0,
        "",
        np.where(costs.n_eligible > 0, NO_CAPACITY_LEFT, NO_ELIGIBLE_PROVIDER),
    ).astype(object)
    return Dispatch(orders, providers, pairs, costs, chosen, reason, method)


def _prepare(
    orders: Orders,
    providers: Providers,
    pairs: Pairs | None,
    weights: CostWeights | None,
    item_category: Any,
    costs: PairCosts | None,
) -> tuple[Pairs, PairCosts]:
    if pairs is None:
        pairs = eligible_pairs(orders, providers)
    if len(pairs) and (pairs.order.max() >= len(orders) or pairs.provider.max() >= len(providers)):
        raise MatchingError("pairs refer to orders or providers that are not given")
    if costs is None:
        costs = pair_costs(orders, providers, pairs, weights=weights, item_category=item_category)
    elif costs.total.shape[0] != len(pairs):
        raise MatchingError("costs do not match the pairs")
    return pairs, costs


# --------------------------------------------------------------------------- assignment


def _reward_scale(urgency: np.ndarray, cost: np.ndarray, n_orders: int, n_providers: int) -> float:
    """The reward per unit of urgency that makes the LP lexicographic.

    Any improvement of the assigned set (one more order, or swapping an order for a more urgent
    one) is one augmenting path in the flow network; it adds at most min(orders, providers)
    pairs and removes no more, so it changes the cost by at most ``K * span`` (span = the cost
    range, 0 included). It raises the reward by at least ``M * delta`` (delta = the smallest
    weight or gap between two weights), so with ``M * delta > K * span`` urgency always beats
    cost.
    """
    levels = np.unique(urgency)
    delta = (
        float(levels[0]) if levels.shape[0] == 1 else float(min(levels[0], np.diff(levels).min()))
    )
    k = min(n_orders, n_providers)
    span = float(cost.max(initial=0.0)) - float(cost.min(initial=0.0))  # 0 inside the span
    return (k * span + 1.0) / delta


def _solve_lp(
    urgency: np.ndarray,
    capacity: np.ndarray,
    order: np.ndarray,
    provider: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """0/1 choice per pair maximising Σ M·urgency − cost with ≤ 1 per order and ≤ capacity per
    provider (the rows that can bind only)."""
    orders_in, orow = np.unique(order, return_inverse=True)
    provs_in, prow = np.unique(provider, return_inverse=True)
    orow, prow = orow.reshape(-1), prow.reshape(-1)
    cap = capacity[provs_in]
    big = _reward_scale(urgency[orders_in], cost, orders_in.shape[0], provs_in.shape[0])
    objective = cost - big * urgency[order]
    per_order = np.bincount(orow)
    per_prov = np.bincount(prow)
    o_bind = per_order > 1  # an order with one pair is already bounded by x ≤ 1
    p_bind = per_prov > cap  # a provider with fewer pairs than capacity never binds
    o_row = np.cumsum(o_bind) - 1
    p_row = np.cumsum(p_bind) - 1 + int(o_bind.sum())
    n_rows = int(o_bind.sum() + p_bind.sum())
    if n_rows == 0:
        return np.ones(order.shape[0], dtype=bool)
    k_o = np.flatnonzero(o_bind[orow])
    k_p = np.flatnonzero(p_bind[prow])
    a_ub = sparse.csr_array(
        (
            np.ones(k_o.shape[0] + k_p.shape[0]),
            (np.concatenate((o_row[orow[k_o]], p_row[prow[k_p]])), np.concatenate((k_o, k_p))),
        ),
        shape=(n_rows, order.shape[0]),
    )
    b_ub = np.concatenate((np.ones(int(o_bind.sum())), cap[p_bind].astype(np.float64)))
    x: np.ndarray | None = None
    for method in ("highs", "highs-ds"):
        res = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method=method)
        if res.status != 0:
            raise MatchingError(f"the assignment LP failed: {res.message}")
        if np.max(np.abs(res.x - np.round(res.x)), initial=0.0) <= _INTEGRALITY_TOL:
            x = np.round(res.x).astype(bool)
            break
    if x is None:  # the LP is totally unimodular: a vertex is integral, so this is a solver bug
        raise MatchingError("the assignment LP returned a fractional solution")
    if np.any(np.bincount(orow, weights=x) > 1) or np.any(np.bincount(prow, weights=x) > cap):
        raise MatchingError("the assignment LP returned an infeasible solution")
    return x


def assign(
    orders: Orders,
    providers: Providers,
    pairs: Pairs | None = None,
    *,
    weights: CostWeights | None = None,
    item_category: Any = None,
    costs: PairCosts | None = None,
) -> Dispatch:
    """The optimal assignment of all waiting orders at once.

    Lexicographic: first the largest total urgency weight of assigned orders (since the sets of
    orders that can be served together form a matroid, with positive weights that is always a
    largest possible number of orders, and the urgent ones among them), then the smallest total
    cost. Solved as one LP over the eligible pairs only (variables = pairs, each order ≤ 1, each
    provider ≤ capacity; totally unimodular, so the HiGHS vertex is integral, and it is still
    rounded and checked). ``pairs`` default to `eligible_pairs`; ``costs`` to `pair_costs`.
    """
    pairs, costs = _prepare(orders, providers, pairs, weights, item_category, costs)
    chosen = np.full(len(orders), -1, dtype=np.int64)
    live = np.flatnonzero(providers.capacity[pairs.provider] > 0)
    if live.shape[0]:
        x = _solve_lp(
            orders.urgency,
            providers.capacity,
            pairs.order[live],
            pairs.provider[live],
            costs.total[live],
        )
        picked = live[x]
        chosen[pairs.order[picked]] = picked
    return _result(orders, providers, pairs, costs, chosen, "optimal")


def assign_greedy(
    orders: Orders,
    providers: Providers,
    pairs: Pairs | None = None,
    *,
    weights: CostWeights | None = None,
    item_category: Any = None,
    costs: PairCosts | None = None,
) -> Dispatch:
    """The first-come baseline: orders by creation time (``Orders.created``, else array order),
    each to its cheapest eligible provider that still has capacity."""
    pairs, costs = _prepare(orders, providers, pairs, weights, item_category, costs)
    n = len(orders)
    chosen = np.full(n, -1, dtype=np.int64)
    if len(pairs):
        turn = np.empty(n, dtype=np.int64)
        queue = (
            np.arange(n) if orders.created is None else np.argsort(orders.created, kind="stable")
        )
        turn[queue] = np.arange(n)
        sequence = np.lexsort((costs.total, turn[pairs.order]))
        left = providers.capacity.tolist()
        done = [False] * n
        o_list, p_list = pairs.order.tolist(), pairs.provider.tolist()
        for k in sequence.tolist():
            o, p = o_list[k], p_list[k]
            if not done[o] and left[p] > 0:
                done[o] = True
                left[p] -= 1
                chosen[o] = k
    return _result(orders, providers, pairs, costs, chosen, "greedy")
