"""Plans for demo households: who lives together, how old they are, their health, work, school,
income and spending. Pure (plain dataclasses, one ``random.Random``), so a seed always gives the
same people, and the bulk writer in ``generate`` stays about storage only.

The mix aims at what a Nanjing street office sees: tiers in realistic shares, many elderly people
living alone, disability in about one household in five, serious illness behind most
rigid-expenditure hardship, single parents and grandparents raising grandchildren.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from jiuzhu.registry.demo.names import given_name, surname

#: Tier shares (per cent) across generated households.
TIER_WEIGHTS = {
    "dibao": 45, "tekun": 8, "near_dibao": 20, "rigid_expenditure": 12, "monitored": 5,
    "other": 10,
}  # fmt: skip
#: Household shapes and their shares among non-tekun households.
SHAPE_WEIGHTS = {
    "elderly_alone": 12, "elderly_couple": 10, "couple_children": 18, "single_parent": 8,
    "three_generation": 9, "skipped_generation": 4, "single_adult": 14, "couple_adult": 13,
    "adult_with_parent": 8,
}  # fmt: skip
#: Monthly per-capita income range (yuan) by tier; the demo dibao line is 1,100.
PER_CAPITA_INCOME = {
    "tekun": (200, 800), "dibao": (500, 1050), "near_dibao": (1100, 1650),
    "rigid_expenditure": (1300, 2600), "monitored": (1000, 2200), "other": (900, 2000),
}  # fmt: skip
DISABILITY_TYPES = {
    "physical": 40, "visual": 12, "hearing": 12, "speech": 3, "intellectual": 12, "mental": 13,
    "multiple": 8,
}  # fmt: skip
DISABILITY_GRADES = {1: 12, 2: 28, 3: 32, 4: 28}
SERIOUS_ILLNESSES = (
    "恶性肿瘤", "尿毒症（血液透析）", "白血病", "脑卒中后遗症", "重症精神障碍", "肝硬化失代偿",
    "器官移植术后", "慢性心力衰竭", "再生障碍性贫血",
)  # fmt: skip
CHRONIC_ILLNESSES = ("高血压", "糖尿病", "冠心病", "慢性阻塞性肺病", "类风湿关节炎", "脑梗后遗症")
#: Yearly out-of-pocket school costs (yuan) by enrolment.
SCHOOL_COSTS = {"preschool": (3_000, 10_000), "enrolled": (800, 5_000), "higher": (8_000, 20_000)}
HOME_AREA = 0.72
OTHER_NANJING = ("320102", "320104", "320106", "320111", "320114", "320115", "320116")
OTHER_JIANGSU = ("320381", "320282", "321281", "320922", "321323", "320723", "320481")
#: Codes since renamed or merged (白下, 下关, 大厂, 江浦县, 六合县, 溧水县, 高淳县): issued
#: numbers keep them for life.
OLD_NANJING = ("320103", "320107", "320112", "320122", "320123", "320124", "320125")
OTHER_PROVINCES = ("341122", "341124", "340104", "342501", "370102", "410102")
#: Mobile prefixes in use; 138 is left out so nothing collides with the demo accounts' 1380000….
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189",
    "191", "198", "199",
)  # fmt: skip


@dataclass
class PersonPlan:
    name: str
    birth_date: dt.date
    sex: str
    relation: str
    id_area: str
    mobile: str = ""
    disability_type: str = ""
    disability_grade: int | None = None
    illness: str = ""
    illness_note: str = ""
    employment: str = ""
    schooling: str = ""
    guardian: int | None = None  # index of the guardian in the household's member list


@dataclass
class HouseholdPlan:
    community_code: str
    tier: str
    address: str
    registered_on: dt.date
    members: list[PersonPlan] = field(default_factory=list)
    phone: str = ""
    monthly_income: Decimal = Decimal(0)
    medical_spending_12m: Decimal = Decimal(0)
    education_spending_12m: Decimal = Decimal(0)


def _weighted(rng: random.Random, weights: dict):
    """One key of ``weights``, drawn in proportion to its value."""
    return rng.choices(list(weights), list(weights.values()))[0]


def _age_of(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _birth_for_age(rng: random.Random, age: int, on: dt.date) -> dt.date:
    """A birth date giving exactly ``age`` completed years on ``on``."""
    day = 28 if (on.month, on.day) == (2, 29) else on.day
    latest = on.replace(year=on.year - age, day=day)
    return latest - dt.timedelta(days=rng.randrange(0, 365))


class Planner:
    """Builds households one at a time. Mobile numbers are unique (a sign-in code must reach
    one member) and never start with 138, which is kept for the demo accounts."""

    def __init__(
        self, rng: random.Random, *, on: dt.date, used_mobiles: set[str] | None = None
    ) -> None:
        self.rng = rng
        # Mobile numbers come from their own stream: redrawing one that is taken must not shift
        # the names, ages and tiers that follow (same seed, same people, whatever is stored).
        self.mobile_rng = random.Random(rng.random())
        self.on = on
        self.used_mobiles = used_mobiles if used_mobiles is not None else set()

    # -- people ---------------------------------------------------------------------------
    def id_area(self, home: str, birth_year: int) -> str:
        draw = self.rng.random()
        if draw < HOME_AREA:
            return home
        if draw < 0.84:
            return self.rng.choice(OTHER_NANJING)
        if draw < 0.92:
            return self.rng.choice(OTHER_JIANGSU)
        if draw < 0.97 and birth_year < 2013:
            return self.rng.choice(OLD_NANJING)
        return self.rng.choice(OTHER_PROVINCES)

    def mobile(self) -> str:
        while True:
            rng = self.mobile_rng
            number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number

    def person(self, *, age: int, sex: str, relation: str, family: str, home: str) -> PersonPlan:
        birth = _birth_for_age(self.rng, max(age, 0), self.on)
        return PersonPlan(
            name=family + given_name(self.rng, sex=sex, birth_year=birth.year),
            birth_date=birth,
            sex=sex,
            relation=relation,
            id_area=self.id_area(home, birth.year),
        )

    # -- households -----------------------------------------------------------------------
    def household(self, *, community_code: str, home: str, address: str) -> HouseholdPlan:
        rng = self.rng
        tier = _weighted(rng, TIER_WEIGHTS)
        if tier == "tekun":
            shape = "elderly_alone" if rng.random() < 0.65 else "single_adult"
        else:
            shape = _weighted(rng, SHAPE_WEIGHTS)
        years = 8 if tier in ("dibao", "tekun") else 3
        plan = HouseholdPlan(
            community_code=community_code,
            tier=tier,
            address=address,
            registered_on=self.on - dt.timedelta(days=rng.randrange(30, 365 * years)),
        )
        plan.members = getattr(self, f"_shape_{shape}")(home)
        self._health(plan, shape)
        self._work_and_school(plan)
        self._contacts(plan)
        self._money(plan)
        return plan

    def _couple(self, home: str, head_age: int, *, male_head: float = 0.7) -> list[PersonPlan]:
        rng = self.rng
        head_sex = "M" if rng.random() < male_head else "F"
        family = surname(rng)
        head = self.person(age=head_age, sex=head_sex, relation="head", family=family, home=home)
        gap = rng.randint(0, 5) * (1 if head_sex == "M" else -1)
        spouse = self.person(
            age=max(20, head_age - gap),
            sex="F" if head_sex == "M" else "M",
            relation="spouse",
            family=surname(rng, avoid=family),
            home=home,
        )
        return [head, spouse]

    def _children(
        self,
        members: list[PersonPlan],
        home: str,
        *,
        count: int,
        oldest: int,
        relation: str = "child",
        minor: bool = True,
    ) -> None:
        rng = self.rng
        family = members[0].name[0]
        if len(members) > 1 and rng.random() < 0.1:
            family = members[1].name[0]
        youngest_parent = min(_age_of(m.birth_date, self.on) for m in members)
        top = max(0, min(oldest, youngest_parent - 20))
        for index in range(count):
            age = rng.randint(0, min(top, 17)) if minor and index == 0 else rng.randint(0, top)
            sex = "M" if rng.random() < 0.52 else "F"
            child = self.person(age=age, sex=sex, relation=relation, family=family, home=home)
            members.append(child)

    def _shape_elderly_alone(self, home: str) -> list[PersonPlan]:
        sex = "F" if self.rng.random() < 0.62 else "M"
        age = min(99, 60 + int(self.rng.expovariate(1 / 12)))
        return [self.person(age=age, sex=sex, relation="head", family=surname(self.rng), home=home)]

    def _shape_elderly_couple(self, home: str) -> list[PersonPlan]:
        members = self._couple(home, self.rng.randint(64, 90), male_head=0.85)
        members[1].birth_date = min(members[1].birth_date, _birth_for_age(self.rng, 60, self.on))
        return members

    def _shape_couple_children(self, home: str) -> list[PersonPlan]:
        members = self._couple(home, self.rng.randint(28, 52))
        count = _weighted(self.rng, {1: 55, 2: 38, 3: 7})
        self._children(members, home, count=count, oldest=25)
        return members

    def _shape_single_parent(self, home: str) -> list[PersonPlan]:
        rng = self.rng
        sex = "F" if rng.random() < 0.75 else "M"
        head = self.person(
            age=rng.randint(25, 50), sex=sex, relation="head", family=surname(rng), home=home
        )
        members = [head]
        self._children(members, home, count=1 if rng.random() < 0.7 else 2, oldest=17)
        return members

    def _shape_three_generation(self, home: str) -> list[PersonPlan]:
        rng = self.rng
        members = self._couple(home, rng.randint(35, 55))
        self._children(members, home, count=1, oldest=20)
        head_age = _age_of(members[0].birth_date, self.on)
        father_family = members[0].name[0]  # the head's father gave the head their surname
        for sex in ("M", "F") if rng.random() < 0.4 else (rng.choice("MF"),):
            age = min(98, max(60, head_age + rng.randint(22, 34)))
            family = father_family if sex == "M" else surname(rng, avoid=father_family)
            members.append(
                self.person(age=age, sex=sex, relation="parent", family=family, home=home)
            )
        return members

    def _shape_skipped_generation(self, home: str) -> list[PersonPlan]:
        rng = self.rng
        if rng.random() < 0.6:
            members = self._couple(home, rng.randint(55, 75))
        else:
            members = [
                self.person(
                    age=rng.randint(55, 75),
                    sex=rng.choice("MF"),
                    relation="head",
                    family=surname(rng),
                    home=home,
                )
            ]
        for _ in range(1 if rng.random() < 0.7 else 2):
            members.append(
                self.person(
                    age=rng.randint(3, 17),
                    sex=rng.choice("MF"),
                    relation="grandchild",
                    family=members[0].name[0],
                    home=home,
                )
            )
        return members

    def _shape_single_adult(self, home: str) -> list[PersonPlan]:
        rng = self.rng
        return [
            self.person(
                age=rng.randint(22, 59),
                sex="M" if rng.random() < 0.6 else "F",
                relation="head",
                family=surname(rng),
                home=home,
            )
        ]

    def _shape_couple_adult(self, home: str) -> list[PersonPlan]:
        members = self._couple(home, self.rng.randint(40, 59))
        if self.rng.random() < 0.4:
            self._children(members, home, count=1, oldest=35, minor=False)
            child = members[-1]
            if _age_of(child.birth_date, self.on) < 18:
                child.birth_date = _birth_for_age(self.rng, self.rng.randint(18, 30), self.on)
        return members

    def _shape_adult_with_parent(self, home: str) -> list[PersonPlan]:
        rng = self.rng
        head_age = rng.randint(30, 59)
        family = surname(rng)
        head = self.person(
            age=head_age, sex=rng.choice("MF"), relation="head", family=family, home=home
        )
        sex = "F" if rng.random() < 0.6 else "M"
        parent = self.person(
            age=min(98, max(60, head_age + rng.randint(22, 34))),
            sex=sex,
            relation="parent",
            family=family if sex == "M" else surname(rng, avoid=family),
            home=home,
        )
        return [head, parent]

    # -- circumstances --------------------------------------------------------------------
    def _disable(self, person: PersonPlan, *, severe: bool = False) -> None:
        person.disability_type = _weighted(self.rng, DISABILITY_TYPES)
        person.disability_grade = (
            self.rng.choice((1, 2)) if severe else _weighted(self.rng, DISABILITY_GRADES)
        )

    def _health(self, plan: HouseholdPlan, shape: str) -> None:
        """Disability in about one household in six (more among tekun, where a severely
        disabled adult living alone is typical), serious illness behind most rigid-expenditure
        hardship, chronic illness common from middle age."""
        rng, on = self.rng, self.on
        members = plan.members
        ages = [_age_of(m.birth_date, on) for m in members]
        if plan.tier == "tekun" and shape == "single_adult":
            self._disable(members[0], severe=True)
        elif rng.random() < (0.32 if plan.tier == "tekun" else 0.15):
            candidates = [i for i, a in enumerate(ages) if a >= 3]
            self._disable(members[rng.choice(candidates)])
            if len(candidates) > 1 and rng.random() < 0.1:
                self._disable(members[rng.choice(candidates)])
        if rng.random() < (0.6 if plan.tier == "rigid_expenditure" else 0.07):
            adults = [i for i, a in enumerate(ages) if a >= 30] or list(range(len(members)))
            sick = members[rng.choice(adults)]
            sick.illness, sick.illness_note = "serious", rng.choice(SERIOUS_ILLNESSES)
        for person, age in zip(members, ages, strict=True):
            if person.illness:
                continue
            if rng.random() < (0.45 if age >= 60 else 0.12 if age >= 40 else 0.0):
                person.illness, person.illness_note = "chronic", rng.choice(CHRONIC_ILLNESSES)

    def _work_and_school(self, plan: HouseholdPlan) -> None:
        """Minors get the first adult as guardian and a school status (a few of school age not
        enrolled, which the registry must surface); adults who cannot work are not counted as
        unemployed, so the unemployed group means what it says."""
        rng, on = self.rng, self.on
        guardian = next(
            (i for i, m in enumerate(plan.members) if _age_of(m.birth_date, on) >= 18), 0
        )
        unemployed_share = 34 if plan.tier in ("dibao", "near_dibao") else 22
        for person in plan.members:
            age = _age_of(person.birth_date, on)
            unable = person.disability_grade in (1, 2) or person.illness == "serious"
            if age < 18:
                person.guardian = guardian
            if age < 3:
                person.employment = "child"
            elif age < 6:
                person.employment = "child"
                person.schooling = "preschool" if rng.random() < 0.85 else ""
            elif age < 18:
                if rng.random() < 0.03 or (person.disability_grade == 1 and rng.random() < 0.5):
                    person.schooling = "not_enrolled"
                    person.employment = "unemployed" if age >= 16 and not unable else "child"
                else:
                    person.schooling, person.employment = "enrolled", "student"
            elif age < 23 and person.relation in ("child", "grandchild") and rng.random() < 0.5:
                person.schooling, person.employment = "higher", "student"
            elif age >= 60:
                person.employment = "retired" if rng.random() < 0.55 else "unable"
            elif unable or plan.tier == "tekun":
                person.employment = "unable"
            else:
                person.employment = _weighted(
                    rng,
                    {"employed": 30, "flexible": 30, "unemployed": unemployed_share, "unable": 8},
                )

    def _contacts(self, plan: HouseholdPlan) -> None:
        """Most heads have a mobile (the very old less often); some households only a landline."""
        rng, on = self.rng, self.on
        for index, person in enumerate(plan.members):
            age = _age_of(person.birth_date, on)
            if index == 0:
                chance = 0.93 if age < 75 else 0.7
            else:
                chance = 0.6 if 18 <= age <= 70 else 0.15 if age > 70 else 0.0
            if rng.random() < chance:
                person.mobile = self.mobile()
        head_mobile = plan.members[0].mobile
        if head_mobile:
            plan.phone = head_mobile
        elif rng.random() < 0.2:
            plan.phone = f"025-8{rng.randrange(10**6, 10**7)}"

    def _money(self, plan: HouseholdPlan) -> None:
        """Income per person follows the tier's definition against the 1,100-yuan demo line;
        spending follows illness, disability and schooling, so rigid-expenditure households
        really do spend heavily."""
        rng = self.rng
        size = len(plan.members)
        low, high = PER_CAPITA_INCOME[plan.tier]
        income = rng.uniform(low, high) * size
        if rng.random() < 0.04:
            income *= rng.uniform(1.5, 3.0)  # the tail: a member found work, a lump of rent
        medical = rng.uniform(0, 1500)
        education = 0.0
        for person in plan.members:
            if person.illness == "serious":
                high = 200_000 if plan.tier == "rigid_expenditure" else 80_000
                medical += rng.uniform(high * 0.15, high)
            elif person.illness == "chronic":
                medical += rng.uniform(1_500, 12_000)
            if person.disability_grade in (1, 2):
                medical += rng.uniform(2_000, 10_000)
            if person.schooling in SCHOOL_COSTS:
                education += rng.uniform(*SCHOOL_COSTS[person.schooling])
        if plan.tier == "rigid_expenditure" and medical < 20_000 and education < 15_000:
            medical += rng.uniform(20_000, 60_000)  # an operation or an accident this year
        plan.monthly_income = Decimal(round(income, -1)).quantize(Decimal("0.01"))
        plan.medical_spending_12m = Decimal(round(medical)).quantize(Decimal("0.01"))
        plan.education_spending_12m = Decimal(round(education)).quantize(Decimal("0.01"))
