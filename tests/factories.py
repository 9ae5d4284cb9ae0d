"""Test data built through factory_boy. Registry records go through the real services where the
behaviour matters (see ``make_household``); factories build the surrounding cast."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory

from jiuzhu.core.identity import complete_identity_number
from jiuzhu.core.models import Area, AreaLevel, Organisation, OrganisationKind, Role, User

PASSWORD = "Test-Passw0rd!"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Area {n}")
    level = AreaLevel.COMMUNITY


def area_tree() -> dict[str, Area]:
    """Nanjing; districts Qixia and Jianye; two streets in Qixia, one in Jianye; a community or
    two in each. Names match the real codes."""
    city = AreaFactory(code="320100", name="南京市", level=AreaLevel.CITY)
    qixia = AreaFactory(code="320113", name="栖霞区", level=AreaLevel.DISTRICT, parent=city)
    jianye = AreaFactory(code="320105", name="建邺区", level=AreaLevel.DISTRICT, parent=city)
    yaohua = AreaFactory(code="320113001000", name="尧化街道", level=AreaLevel.STREET, parent=qixia)
    maqun = AreaFactory(code="320113002000", name="马群街道", level=AreaLevel.STREET, parent=qixia)
    shazhou = AreaFactory(
        code="320105002000", name="沙洲街道", level=AreaLevel.STREET, parent=jianye
    )
    kw = {"level": AreaLevel.COMMUNITY, "latitude": Decimal("32.1"), "longitude": Decimal("118.9")}
    return {
        "city": city,
        "qixia": qixia,
        "jianye": jianye,
        "yaohua": yaohua,
        "maqun": maqun,
        "shazhou": shazhou,
        "yaohua_a": AreaFactory(code="320113001001", name="尧化门社区", parent=yaohua, **kw),
        "yaohua_b": AreaFactory(code="320113001002", name="尧林仙居社区", parent=yaohua, **kw),
        "maqun_a": AreaFactory(code="320113002001", name="马群社区", parent=maqun, **kw),
        "shazhou_a": AreaFactory(code="320105002001", name="沙洲社区", parent=shazhou, **kw),
    }


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.PROVIDER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STREET_CASEWORKER
    display_name = factory.LazyAttribute(lambda u: u.username)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


_sequence = itertools.count(1)


def identity_number(
    birth: dt.date | None = None, *, sex: str | None = None, area: str = "320113"
) -> str:
    """A valid 18-character number (unique per call within a test run)."""
    birth = birth or dt.date(1980, 5, 17)
    base = next(_sequence) % 499
    parity = {"M": 1, "F": 0}.get(sex or "", base % 2)
    sequence = base * 2 + parity
    return complete_identity_number(f"{area}{birth:%Y%m%d}{sequence:03d}")


def years_ago(years: int, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year - years) - dt.timedelta(days=30)
    except ValueError:
        return today.replace(year=today.year - years, day=28) - dt.timedelta(days=30)
