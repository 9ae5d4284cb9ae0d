"""The cloud supermarket's demo steps: providers across the demo streets (the demo provider
account's organisation among them, serving Yaohua), then — on the first run — orders in every
state, made through the real services by the Qixia hotline operator and the providers' staff.

Supply meets demand (``orders.demo_supply``): every active catalogue item is offered in every
street where demo households live, and after the orders are placed each provider's daily
capacity is sized to its share of the day's demand and the providers answer most waiting
orders, so a new visitor sees a working supermarket rather than a backlog."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from stdnum.cn import uscc

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.catalog.selectors import catalog_items_for_household
from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import Area, AreaLevel, Organisation, OrganisationKind, Role, User
from jiuzhu.orders import demo_supply
from jiuzhu.orders.models import Channel, Order, Provider, SupplyType
from jiuzhu.orders.selectors.provider_facts import eligible_providers
from jiuzhu.orders.services import placing
from jiuzhu.orders.services import transitions as services
from jiuzhu.registry.models import Household, HouseholdStatus

DEMO_PASSWORD = "Jiuzhu-Demo-2026"  # noqa: S105 - the published demo password
#: (name, supply type, street codes served, base community code, item codes)
PROVIDERS = [
    (
        "栖霞区乐龄居家养老服务中心",
        SupplyType.GOVERNMENT_PURCHASE,
        ["320113001000", "320113002000"],
        "320113001001",
        [
            "meal_help",
            "bath_help",
            "cleaning_help",
            "mobility_help",
            "medical_escort",
            "caring_visit",
            "health_monitoring",
            "chat_help",
        ],
    ),
    (
        "栖霞区心桥社会工作服务中心",
        SupplyType.SOCIAL_WORK,
        ["320113001000", "320113003000"],
        "320113003001",
        [
            "psych_counselling",
            "psych_guidance",
            "emotional_relief",
            "growth_companionship",
            "after_school_care",
            "policy_explanation",
        ],
    ),
    (
        "尧化邻里互助会",
        SupplyType.MUTUAL_AID,
        ["320113001000"],
        "320113001002",
        ["neighbourhood_dining", "shopping_help", "chat_help", "caring_visit", "cleaning_help"],
    ),
    (
        "栖霞区康复护理站",
        SupplyType.GOVERNMENT_PURCHASE,
        ["320113001000", "320113004000", "320113005000"],
        "320113004001",
        [
            "limb_rehab",
            "medication_training",
            "device_training",
            "child_rehab",
            "health_record",
            "family_doctor",
        ],
    ),
    (
        "南京仁爱就业促进中心",
        SupplyType.RESOURCE_LINKAGE,
        ["320113001000", "320113007000", "320105002000"],
        "320113007001",
        [
            "job_consulting",
            "job_training",
            "job_placement",
            "career_planning",
            "livestream_employment",
        ],
    ),
    (
        "建邺区暖心家政服务社",
        SupplyType.ENTERPRISE,
        ["320105001000", "320105002000", "320105003000"],
        "320105002001",
        ["meal_help", "cleaning_help", "bath_help", "home_repair"],
    ),
    (
        "建邺区法律援助志愿团",
        SupplyType.VOLUNTEERING,
        ["320105001000", "320105002000", "320105004000"],
        "320105001001",
        ["legal_aid", "legal_help", "policy_explanation", "application_help"],
    ),
    (
        "金陵慈善助学基金",
        SupplyType.CHARITY,
        ["320113001000", "320105006000"],
        "320105006001",
        ["study_help", "hardship_help", "emergency_help"],
    ),
]


def demo_uscc(n: int) -> str:
    """A valid unified social credit code for demo provider ``n`` (check character computed)."""
    body = f"5232011{n:02d}MJ{n:06d}"  # 17 characters, then the check character: 18
    return body + uscc.calc_check_digit(body)


@demo_step(85, "providers")
def providers(context: DemoContext) -> None:
    password = make_password(DEMO_PASSWORD)
    items = {item.code: item for item in ServiceItem.objects.all()}
    for n, (name, supply, streets, base_code, codes) in enumerate(PROVIDERS, start=1):
        base = Area.objects.filter(code=base_code, level=AreaLevel.COMMUNITY).first()
        if base is None:
            continue
        organisation, _ = Organisation.objects.get_or_create(
            name=name, kind=OrganisationKind.PROVIDER, defaults={"area": base.parent.parent}
        )
        provider, created = Provider.objects.get_or_create(
            organisation=organisation,
            defaults={
                "supply_type": supply,
                "uscc": demo_uscc(n),
                "base": base,
                "latitude": base.latitude or 0,
                "longitude": base.longitude or 0,
                "staff_count": 12 + n * 3,
                "social_workers": 2 + n,
                "daily_capacity": 30,
                "contact_name": "联系人",
                "contact_phone": f"025-8{n:03d}0000",
            },
        )
        if created:
            provider.streets.set(Area.objects.filter(code__in=streets))
            provider.items.set([items[code] for code in codes if code in items])
        username = f"provider{n}"
        if not User.objects.filter(organisation=organisation, role=Role.PROVIDER_STAFF).exists():
            User.objects.get_or_create(
                username=username,
                defaults={
                    "role": Role.PROVIDER_STAFF,
                    "organisation": organisation,
                    "display_name": f"{name}工作人员",
                    "is_demo": True,
                    "password": password,
                },
            )
    added = demo_supply.cover_demo_streets()
    if added:
        context.say(f"Providers now offer {added} more (street, item) pairs.")


def _staff(provider: Provider) -> User:
    return (
        User.objects.filter(organisation_id=provider.organisation_id, role=Role.PROVIDER_STAFF)
        .order_by("id")
        .first()
    )


@demo_step(95, "orders")
def orders(context: DemoContext) -> None:
    if Order.objects.exclude(channel=Channel.PLAN).exists():
        return
    hotline = User.objects.filter(role=Role.HOTLINE_OPERATOR, is_demo=True).first()
    volunteer = User.objects.filter(role=Role.VOLUNTEER, is_demo=True).first()
    if hotline is None:
        return
    rng = random.Random(context.seed)
    households = list(
        Household.objects.filter(district_id=hotline.area_id, status=HouseholdStatus.ACTIVE)
        .exclude(groups="")
        .order_by("id")[: max(20, context.households // 6)]
    )
    context.say(f"Placing {len(households)} demo orders…")
    outcomes = [
        "waiting",
        "accepted",
        "assigned",
        "in_service",
        "completed",
        "completed",
        "completed",
        "cancelled",
    ]
    for household in households:
        offered = set(
            Provider.objects.filter(active=True, streets=household.street_id).values_list(
                "items", flat=True
            )
        )
        choices = [item for item in catalog_items_for_household(household) if item.pk in offered]
        rng.shuffle(choices)
        for item in choices:
            try:
                order = placing.order_create(actor=hotline, household=household, item=item)
            except DomainError:
                continue
            _advance(order, rng.choice(outcomes), hotline, volunteer, rng)
            break


def _advance(order: Order, outcome: str, hotline: User, volunteer: User | None, rng) -> None:
    if outcome == "waiting":
        return
    if outcome == "cancelled":
        services.order_cancel(actor=hotline, order=order, reason="家属已自行安排")
        return
    candidates = list(eligible_providers(order))
    if not candidates:
        return
    staff = _staff(rng.choice(candidates))
    try:
        order = services.order_accept(actor=staff, order=order)
        if outcome == "accepted":
            return
        worker = volunteer if (volunteer and rng.random() < 0.3) else staff
        order = services.order_assign(actor=staff, order=order, assignee=worker)
        if outcome == "assigned":
            return
        order = services.order_start(actor=worker, order=order)
        if outcome == "in_service":
            return
        order = services.order_complete(
            actor=worker,
            order=order,
            summary="已按约完成服务",
            duration_minutes=rng.choice([30, 45, 60, 90]),
        )
        if rng.random() < 0.7:
            services.order_rate(
                actor=hotline, order=order, score=rng.choice([3, 4, 5, 5, 5]), comment=""
            )
    except DomainError:
        return


def supply(context: DemoContext) -> None:
    """Size each provider's capacity to its share of the day's demand, then let the providers
    answer most waiting orders. Run once, on the demo's first load, by the dispatch centre's demo
    step (which marks the demo as started, so a second ``jiuzhu demo`` answers nothing again)."""
    if not Order.objects.exists():
        return
    demo_supply.cover_demo_streets()
    demo_supply.size_capacity()
    taken = demo_supply.providers_answer(rng=random.Random(context.seed + 96))
    context.say(f"Providers answered {taken} waiting orders.")
