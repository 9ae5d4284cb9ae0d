"""Generating demo households in bulk.

The registry's services write one household at a time with a query or more per field; that is
right for people at a desk and far too slow for 100,000 demo households. This module takes the
bulk path instead and keeps the registry's invariants by hand: groups, primary group, head name
and member count computed with the same ``classify``; identity numbers encrypted and hashed with
keys resolved once; a "registered" change and a chain entry per household; and one audit entry
for the whole batch, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiuzhu.core import audit, crypto
from jiuzhu.core.models import Area, AreaLevel, AuditAction, User
from jiuzhu.registry import search
from jiuzhu.registry.demo.identity import IdentityAllocator, stored_identity_hashes
from jiuzhu.registry.demo.people import HouseholdPlan, Planner
from jiuzhu.registry.groups import MemberFacts, age_on, classify, encode_groups
from jiuzhu.registry.models import ChainEntry, ChangeKind, Household, HouseholdChange, Member

#: Districts the demo fills by default: Jianye and Qixia, the two the source document describes.
DEMO_DISTRICTS = ("320105", "320113")
BATCH_SIZE = 2_000
_ESTATE_SUFFIXES = ("新村", "小区", "花园", "苑")


@dataclass(frozen=True)
class Place:
    """A community with its street and district, and the stem used for addresses."""

    community: Area
    street: Area
    district: Area

    def address(self, rng: random.Random) -> str:
        stem = self.community.name.removesuffix("社区")
        if stem.endswith("村") or rng.random() < 0.12:
            return f"{self.street.name}{stem}{rng.randint(1, 12)}组{rng.randint(1, 180)}号"
        suffix = _ESTATE_SUFFIXES[int(self.community.code) % len(_ESTATE_SUFFIXES)]
        floor, room = rng.randint(1, 18), rng.randint(1, 4)
        return (
            f"{self.street.name}{stem}{suffix}{rng.randint(1, 40)}幢"
            f"{rng.randint(1, 4)}单元{floor}{room:02d}室"
        )


def demo_places(*, streets: Iterable[str] | None = None) -> list[Place]:
    """Communities under the given streets (codes or names), or under Jianye and Qixia."""
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY).select_related(
        "parent", "parent__parent"
    )
    if streets:
        wanted = list(streets)
        street_ids = Area.objects.filter(level=AreaLevel.STREET).filter(
            code__in=wanted
        ) | Area.objects.filter(level=AreaLevel.STREET, name__in=wanted)
        communities = communities.filter(parent__in=street_ids)
    else:
        communities = communities.filter(parent__parent__code__in=DEMO_DISTRICTS)
    places = [Place(c, c.parent, c.parent.parent) for c in communities.order_by("code")]
    if not places:
        raise ValueError("no communities to fill: load the areas first (they come with demo)")
    return places


class HouseholdWriter:
    """Stores household plans with bulk inserts; one writer per transaction."""

    def __init__(self, *, on: dt.date, rng: random.Random, detail: dict) -> None:
        self.encrypt, self.digest = crypto.bulk_encryptor()
        self.allocator = IdentityAllocator(
            digest=self.digest, taken=stored_identity_hashes(), rng=rng
        )
        self.detail = detail
        self.on = on
        self.title = str(ChangeKind.REGISTERED.label)
        self.tz = timezone.get_current_timezone()

    def _member(self, household: Household, plan) -> Member:
        number, digest, birth = self.allocator.allocate(
            area=plan.id_area, birth=plan.birth_date, sex=plan.sex
        )
        plan.birth_date = birth
        return Member(
            household_id=household.pk,
            name=plan.name,
            id_number_encrypted=self.encrypt(number),
            id_number_hash=digest,
            id_last4=number[-4:],
            birth_date=birth,
            sex=plan.sex,
            mobile=plan.mobile,
            relation=plan.relation,
            disability_type=plan.disability_type,
            disability_grade=plan.disability_grade,
            illness=plan.illness,
            illness_note=plan.illness_note,
            employment=plan.employment,
            schooling=plan.schooling,
        )

    def _household(self, plan: HouseholdPlan, place: Place) -> Household:
        groups, primary = classify(
            (
                MemberFacts(
                    birth_date=m.birth_date,
                    relation=m.relation,
                    disability_type=m.disability_type,
                    disability_grade=m.disability_grade,
                    illness=m.illness,
                    employment=m.employment,
                )
                for m in plan.members
            ),
            on=self.on,
        )
        return Household(
            district_id=place.district.pk,
            street_id=place.street.pk,
            community_id=place.community.pk,
            address=plan.address,
            phone=plan.phone,
            head_name=plan.members[0].name,
            tier=plan.tier,
            monthly_income=plan.monthly_income,
            medical_spending_12m=plan.medical_spending_12m,
            education_spending_12m=plan.education_spending_12m,
            groups=encode_groups(groups),
            primary_group=primary,
            member_count=len(plan.members),
        )

    def write(self, plans: list[tuple[HouseholdPlan, Place]]) -> list[Household]:
        """Insert one batch: households, members (guardians before their wards), the
        "registered" changes and their chain entries."""
        households = [self._household(plan, place) for plan, place in plans]
        Household.objects.bulk_create(households)
        adults: list[Member] = []
        wards: list[tuple[Member, Member]] = []
        for household, (plan, _) in zip(households, plans, strict=True):
            built = [self._member(household, person) for person in plan.members]
            for person, member in zip(plan.members, built, strict=True):
                guardian = built[person.guardian] if person.guardian is not None else None
                if guardian is not None and age_on(guardian.birth_date, self.on) >= 18:
                    wards.append((member, guardian))
                else:
                    adults.append(member)
        Member.objects.bulk_create(adults)
        for member, guardian in wards:
            member.guardian_id = guardian.pk
        Member.objects.bulk_create([member for member, _ in wards])
        changes = [
            HouseholdChange(
                household_id=household.pk,
                kind=ChangeKind.REGISTERED,
                occurred_on=plan.registered_on,
                detail=self.detail,
            )
            for household, (plan, _) in zip(households, plans, strict=True)
        ]
        HouseholdChange.objects.bulk_create(changes)
        registered_at = {
            change.household_id: dt.datetime.combine(
                change.occurred_on, dt.time(9 + change.household_id % 8), tzinfo=self.tz
            )
            for change in changes
        }
        # The page's "registered" time is the row's creation time, which the insert set to
        # today; a demo household was registered on its plan's date, like its change record.
        for household in households:
            household.created_at = registered_at[household.pk]
        Household.objects.bulk_update(households, ["created_at"])
        ChainEntry.objects.bulk_create(
            ChainEntry(
                household_id=change.household_id,
                at=registered_at[change.household_id],
                source="registry",
                source_id=str(change.pk),
                title=self.title,
            )
            for change in changes
        )
        return households


def _write_all(*, count, rng, places, planner, writer, progress) -> tuple[int, int, int]:
    created = 0
    first_id = last_id = None
    while created < count:
        batch = []
        for _ in range(min(BATCH_SIZE, count - created)):
            place = rng.choice(places)
            plan = planner.household(
                community_code=place.community.code,
                home=place.district.code,
                address=place.address(rng),
            )
            batch.append((plan, place))
        households = writer.write(batch)
        first_id = first_id or households[0].pk
        last_id = households[-1].pk
        created += len(households)
        if progress is not None:
            progress(created)
    return created, first_id, last_id


def generate_households(
    *,
    count: int,
    seed: int,
    streets: Iterable[str] | None = None,
    on: dt.date | None = None,
    actor: User | None = None,
    progress: Callable[[int], None] | None = None,
    ids: list[int] | None = None,
) -> int:
    """Create ``count`` households spread over the communities of ``streets`` (default: every
    community of Jianye and Qixia); returns how many were created.

    The same seed gives the same people (names, ages, tiers, circumstances) on the same day;
    only the ciphertexts differ. Identity numbers and mobiles already stored are skipped, so a
    second run without ``--reset`` adds households instead of failing on the unique index.
    ``ids``, when given, receives the first and last id created (for the bulk steps).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return 0
    on = on or timezone.localdate()
    rng = random.Random(seed)
    places = demo_places(streets=streets)
    used_mobiles = set(Member.objects.exclude(mobile="").values_list("mobile", flat=True))
    planner = Planner(rng, on=on, used_mobiles=used_mobiles)
    with transaction.atomic():
        writer = HouseholdWriter(
            on=on,
            rng=random.Random(f"identity-{seed}"),
            detail={"source": "demo_data", "seed": seed},
        )
        # The search table's triggers would rebuild a household's row once per member; paused,
        # the rows of the whole load are built by one statement at the end.
        with search.paused():
            created, first_id, last_id = _write_all(
                count=count,
                rng=rng,
                places=places,
                planner=planner,
                writer=writer,
                progress=progress,
            )
            search.rebuild(first_id=first_id, last_id=last_id)
        if ids is not None:
            ids.extend([first_id, last_id])
        audit.record(
            actor=actor,
            actor_label="demo_data",
            action=AuditAction.BULK_CREATE,
            object_type="registry.household",
            object_label=f"{created} demo households",
            detail={
                "count": created,
                "seed": seed,
                "first_id": first_id,
                "last_id": last_id,
                "streets": sorted({p.street.code for p in places}),
            },
        )
    return created
