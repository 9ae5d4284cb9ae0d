"""Test data built through factory_boy. Registry records go through the real services where the
behaviour matters (see ``make_household``); factories build the surrounding cast."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    Dimension,
    Indicator,
    IndicatorFramework,
    MaterialRecommendation,
    Plan,
    PlanItem,
    PlanOccurrence,
    Rescore,
)
from jiuzhu.catalog.models import (
    Need,
    NeedCategory,
    ServiceCategory,
    ServiceItem,
    ServiceLevel,
)
from jiuzhu.core import crypto
from jiuzhu.core.identity import complete_identity_number
from jiuzhu.core.models import (
    ApiToken,
    Area,
    AreaLevel,
    AuditEntry,
    DibaoLine,
    ExportJob,
    JobOutcome,
    JobRun,
    Notification,
    Organisation,
    OrganisationKind,
    OutboxDelivery,
    OutboxEvent,
    Role,
    SignInCode,
    SignInRequest,
    User,
)
from jiuzhu.dispatch.models import (
    DispatchOffer,
    DispatchRun,
    DisplayToken,
    Escalation,
    OrderSla,
    SlaPolicy,
    Ticket,
)
from jiuzhu.orders.models import (
    Complaint,
    DeliveryEvidence,
    DeliveryRecord,
    IdempotencyKey,
    Order,
    OrderDecline,
    OrderEvent,
    Provider,
    Rating,
)
from jiuzhu.registry.models import (
    BeneficiaryAccount,
    CaseNote,
    ChainEntry,
    Commendation,
    Consent,
    Household,
    HouseholdAssignment,
    HouseholdChange,
    Member,
    TrainingRecord,
    Transfer,
)
from jiuzhu.timebank.models import Account as TimebankAccount
from jiuzhu.timebank.models import Deposit, GroupActivity, Movement

PASSWORD = "Test-Passw0rd!"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:011d}")
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


# --- Model factories for every model the tests use -----------------------------------------
# Each builds a valid row with the fewest choices; tests pass what their rule is about.
# Registry rows whose behaviour matters (derived groups, history, audit) are better made through
# the services (``factories_registry``); these factories are for the surrounding data.


class DibaoLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DibaoLine

    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    monthly_amount = Decimal("1000")
    effective_from = dt.date(2024, 1, 1)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/"


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; use ``core.services.tokens.token_create`` when the secret is needed."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    prefix = factory.Sequence(lambda n: f"p{n:07d}"[:8])
    digest = factory.Sequence(lambda n: f"{n:064x}")


class SignInCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignInCode

    mobile = "13900000000"
    code_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=5))


class SignInRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignInRequest

    mobile_hash = factory.Sequence(lambda n: f"{n:064x}")
    ip_address = "127.0.0.1"


class OutboxEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    name = "household.registered"
    payload = factory.LazyFunction(dict)


class JobRunFactory(factory.django.DjangoModelFactory):
    """The last run of a periodic job (``core.jobs.record_run`` writes these)."""

    class Meta:
        model = JobRun

    name = factory.Sequence(lambda n: f"tests.job_{n}")
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda run: run.started_at)
    duration_ms = 12
    outcome = JobOutcome.OK
    runs = 1
    last_success_at = factory.LazyAttribute(lambda run: run.finished_at)


class OutboxDeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery of an outbox event to one handler (pending unless ``status`` says)."""

    class Meta:
        model = OutboxDelivery

    event = factory.SubFactory(OutboxEventFactory)
    handler = factory.Sequence(lambda n: f"tests.handler_{n}")


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """Audit rows are append-only in the database; create, never update."""

    class Meta:
        model = AuditEntry

    action = "view"
    result = "success"


# registry ---------------------------------------------------------------------------------


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household row in a community (street and district follow from the area tree). No
    members, groups or history: use ``factories_registry.make_household`` for those."""

    class Meta:
        model = Household

    community = factory.SubFactory(AreaFactory, level=AreaLevel.COMMUNITY)
    street = factory.LazyAttribute(lambda h: h.community.parent or h.community)
    district = factory.LazyAttribute(lambda h: h.street.parent or h.street)
    address = factory.Sequence(lambda n: f"测试路{n}号")
    phone = "025-85550000"
    tier = "dibao"
    monthly_income = Decimal("1200")


class MemberFactory(factory.django.DjangoModelFactory):
    """A member row with a valid, encrypted identity number (``id_number`` is not stored)."""

    class Meta:
        model = Member
        exclude = ("id_number",)

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    birth_date = factory.LazyFunction(lambda: years_ago(40))
    sex = "M"
    relation = "head"
    employment = "employed"
    id_number = factory.LazyAttribute(lambda m: identity_number(m.birth_date, sex=m.sex))
    id_number_encrypted = factory.LazyAttribute(lambda m: crypto.encrypt(m.id_number))
    id_number_hash = factory.LazyAttribute(lambda m: crypto.lookup_hash(m.id_number))
    id_last4 = factory.LazyAttribute(lambda m: m.id_number[-4:])


class HouseholdChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdChange

    household = factory.SubFactory(HouseholdFactory)
    kind = "registered"
    occurred_on = factory.LazyFunction(dt.date.today)


class ChainEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChainEntry

    household = factory.SubFactory(HouseholdFactory)
    at = factory.LazyFunction(timezone.now)
    source = "test"
    title = factory.Sequence(lambda n: f"Entry {n}")


class HouseholdAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdAssignment

    household = factory.SubFactory(HouseholdFactory)
    assignee = factory.SubFactory(UserFactory, role=Role.ASSESSOR)
    purpose = "assessment"


class BeneficiaryUserFactory(UserFactory):
    role = Role.BENEFICIARY


class BeneficiaryAccountFactory(factory.django.DjangoModelFactory):
    """A beneficiary's sign-in, tied to a member and their household."""

    class Meta:
        model = BeneficiaryAccount

    member = factory.SubFactory(MemberFactory)
    household = factory.LazyAttribute(lambda a: a.member.household)
    user = factory.SubFactory(BeneficiaryUserFactory)


# registry: casework (issue 10) ------------------------------------------------------------


class CaseNoteFactory(factory.django.DjangoModelFactory):
    """A home visit recorded today by a street caseworker, without a follow-up."""

    class Meta:
        model = CaseNote

    household = factory.SubFactory(HouseholdFactory)
    kind = "home_visit"
    occurred_on = factory.LazyFunction(timezone.localdate)
    author = factory.SubFactory(UserFactory, role=Role.STREET_CASEWORKER)
    findings = "家中整洁，老人行动不便"
    next_step = ""


class ConsentFactory(factory.django.DjangoModelFactory):
    """Consent to collect and share, in force."""

    class Meta:
        model = Consent

    household = factory.SubFactory(HouseholdFactory)
    scope = "share"
    given_on = factory.LazyFunction(timezone.localdate)
    signed_by = "户主"
    taken_by = factory.SubFactory(UserFactory, role=Role.COMMUNITY_WORKER)


class TransferFactory(factory.django.DjangoModelFactory):
    """A requested transfer of the household to ``to_community`` (by default a new community
    in a new street of a new district)."""

    class Meta:
        model = Transfer

    household = factory.SubFactory(HouseholdFactory)
    from_district = factory.LazyAttribute(lambda t: t.household.district)
    from_street = factory.LazyAttribute(lambda t: t.household.street)
    from_community = factory.LazyAttribute(lambda t: t.household.community)
    to_community = factory.SubFactory(AreaFactory, level=AreaLevel.COMMUNITY)
    to_street = factory.LazyAttribute(lambda t: t.to_community.parent or t.to_community)
    to_district = factory.LazyAttribute(lambda t: t.to_street.parent or t.to_street)
    reason = "搬家"
    requested_by = factory.SubFactory(UserFactory, role=Role.STREET_CASEWORKER)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    worker = factory.SubFactory(UserFactory, role=Role.COMMUNITY_WORKER)
    course = "社会救助政策解读"
    completed_on = factory.LazyFunction(timezone.localdate)
    hours = Decimal("4")
    recorded_by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


class CommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commendation

    worker = factory.SubFactory(UserFactory, role=Role.COMMUNITY_WORKER)
    title = "优秀救助小管家"
    awarded_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


# catalog ----------------------------------------------------------------------------------


class NeedCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"need_cat_{n}")
    name = factory.Sequence(lambda n: f"需求大类{n}")


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"need_{n}")
    name = factory.Sequence(lambda n: f"需求{n}")
    category = factory.SubFactory(NeedCategoryFactory)


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"level_{n}")
    name = factory.Sequence(lambda n: f"服务层级{n}")


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service_cat_{n}")
    name = factory.Sequence(lambda n: f"服务类别{n}")
    level = factory.SubFactory(ServiceLevelFactory)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"item_{n}")
    name = factory.Sequence(lambda n: f"服务项目{n}")
    category = factory.SubFactory(ServiceCategoryFactory)


# orders -----------------------------------------------------------------------------------

#: A valid unified social credit code (the check character matters); others come from
#: ``uscc()`` below, which the loader does not validate.
VALID_USCC = "91110108551385082Q"


class ProviderFactory(factory.django.DjangoModelFactory):
    """A provider profile for a new provider organisation, based in ``base``; pass ``streets``,
    ``communities`` and ``items`` as lists."""

    class Meta:
        model = Provider
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROVIDER)
    supply_type = "government_purchase"
    uscc = factory.Sequence(lambda n: f"91320113MA{n:07d}X")
    base = factory.SubFactory(AreaFactory, level=AreaLevel.COMMUNITY)
    latitude = Decimal("32.1")
    longitude = Decimal("118.9")
    daily_capacity = 5
    contact_name = "联系人"
    contact_phone = "025-1"

    @factory.post_generation
    def streets(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.streets.set(extracted)

    @factory.post_generation
    def communities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.communities.set(extracted)

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.items.set(extracted)


class OrderFactory(factory.django.DjangoModelFactory):
    """An order row (no SLA clock, no events): use ``orders.services.orders.order_create`` when
    the placing rules matter. A taken order needs a ``provider``."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"F{n:015d}")
    household = factory.SubFactory(HouseholdFactory)
    item = factory.SubFactory(ServiceItemFactory)
    channel = "community"
    placed_by = factory.SubFactory(UserFactory)


class OrderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    action = "place"
    to_status = "waiting"


class OrderDeclineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderDecline

    order = factory.SubFactory(OrderFactory)
    provider = factory.SubFactory(ProviderFactory)
    reason = "满员"


class DeliveryRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryRecord

    order = factory.SubFactory(
        OrderFactory, status="completed", provider=factory.SubFactory(ProviderFactory)
    )
    summary = "送餐到户"
    duration_minutes = 30


class DeliveryEvidenceFactory(factory.django.DjangoModelFactory):
    """Check-in and check-out of a completed visit, 30 minutes on site, not yet confirmed."""

    class Meta:
        model = DeliveryEvidence

    order = factory.SubFactory(
        OrderFactory, status="completed", provider=factory.SubFactory(ProviderFactory)
    )
    checked_in_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=30))
    checked_out_at = factory.LazyFunction(timezone.now)
    minutes_on_site = 30


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    order = factory.SubFactory(
        OrderFactory, status="completed", provider=factory.SubFactory(ProviderFactory)
    )
    score = 5


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    order = factory.SubFactory(OrderFactory)
    text = "服务人员迟到"


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    request_hash = factory.Sequence(lambda n: f"{n:064x}")


# assessment -------------------------------------------------------------------------------


class IndicatorFrameworkFactory(factory.django.DjangoModelFactory):
    """An empty framework row; ``assessment.services.frameworks.framework_import`` builds a
    usable one (``assessment_cast.SMALL_FRAMEWORK``) and the default comes from
    ``framework_load_default``."""

    class Meta:
        model = IndicatorFramework

    name = factory.Sequence(lambda n: f"框架{n}")
    version = factory.Sequence(lambda n: 1000 + n)
    status = "draft"


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension

    framework = factory.SubFactory(IndicatorFrameworkFactory)
    code = factory.Sequence(lambda n: f"dim{n}")
    name = factory.Sequence(lambda n: f"维度{n}")
    weight = "1"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    dimension = factory.SubFactory(DimensionFactory)
    code = factory.Sequence(lambda n: f"ind{n}")
    question = factory.Sequence(lambda n: f"问题{n}")
    data_type = "bool"
    deprived_if = "true"
    weight = "1"


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment row (a draft unless ``status`` says otherwise; a submitted one gets a
    submission time)."""

    class Meta:
        model = Assessment

    household = factory.SubFactory(HouseholdFactory)
    framework = factory.SubFactory(IndicatorFrameworkFactory)
    assessor = factory.SubFactory(UserFactory, role=Role.ASSESSOR)
    reason = "manual"
    status = "draft"
    submitted_at = factory.LazyAttribute(
        lambda a: timezone.now() if a.status == "submitted" else None
    )


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    assessment = factory.SubFactory(AssessmentFactory, status="submitted")
    household = factory.LazyAttribute(lambda p: p.assessment.household)
    urgency_tag = "care"


class MaterialRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialRecommendation

    plan = factory.SubFactory(PlanFactory)
    kind = "dibao"
    reason = "收入低于低保线"


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(PlanFactory)
    service_item = factory.SubFactory(ServiceItemFactory)
    per_month = 4
    months = 3


class RescoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rescore

    assessment = factory.SubFactory(AssessmentFactory, status="submitted")
    framework = factory.SubFactory(IndicatorFrameworkFactory)
    score_exact = "1/4"
    score = Decimal("0.25")


class PlanOccurrenceFactory(factory.django.DjangoModelFactory):
    """One scheduled date of a plan item (no order placed yet)."""

    class Meta:
        model = PlanOccurrence

    item = factory.SubFactory(PlanItemFactory)
    on = factory.LazyFunction(dt.date.today)


class AssessmentDueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentDue

    household = factory.SubFactory(HouseholdFactory)
    reason = "manual"
    due_on = factory.LazyFunction(dt.date.today)


# dispatch ---------------------------------------------------------------------------------


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    accept_hours = Decimal("2")
    complete_hours = Decimal("24")


class OrderSlaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderSla

    order = factory.SubFactory(OrderFactory)
    accept_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))
    complete_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=24))
    accept_hours = Decimal("2")
    complete_hours = Decimal("24")


class DispatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DispatchRun


class DispatchOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DispatchOffer

    order = factory.SubFactory(OrderFactory)
    provider = factory.SubFactory(ProviderFactory)
    respond_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=30))


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    order = factory.SubFactory(OrderFactory)
    reason = "no_provider"


class TicketFactory(factory.django.DjangoModelFactory):
    """A hotline ticket in a district (use ``ticket_open`` when numbering and audit matter)."""

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"H{n:015d}")
    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    kind = "complaint"
    description = "来电反映服务问题"
    respond_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=24))
    created_by = factory.SubFactory(UserFactory, role=Role.HOTLINE_OPERATOR)


class DisplayTokenFactory(factory.django.DjangoModelFactory):
    """A display link row; its secret is ``raw`` (not stored), so tests can open the screen."""

    class Meta:
        model = DisplayToken
        exclude = ("raw",)

    raw = factory.Sequence(lambda n: f"display-token-{n}")
    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    name = "大屏"
    digest = factory.LazyAttribute(lambda t: _display_digest(t.raw))
    created_by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


def _display_digest(raw: str) -> str:
    from jiuzhu.dispatch.services.display import _digest

    return _digest(raw)


class TimebankAccountFactory(factory.django.DjangoModelFactory):
    """A volunteer's time-bank account with no entries (balance 0: balances come only from
    ``timebank.services.ledger``, which writes the entries)."""

    class Meta:
        model = TimebankAccount

    kind = "individual"
    holder = factory.SubFactory(UserFactory, role=Role.VOLUNTEER)
    name = factory.LazyAttribute(lambda a: str(a.holder))


class MovementFactory(factory.django.DjangoModelFactory):
    """A pending movement header without entries (posting is the ledger service's)."""

    class Meta:
        model = Movement

    kind = "donation"
    source = factory.SubFactory(TimebankAccountFactory)
    target = factory.SubFactory(TimebankAccountFactory)
    minutes = 60


class GroupActivityFactory(factory.django.DjangoModelFactory):
    """A group activity header without deposits (deposits are the service's)."""

    class Meta:
        model = GroupActivity

    title = "重阳节敬老活动"
    held_on = factory.LazyFunction(dt.date.today)


class DepositFactory(factory.django.DjangoModelFactory):
    """A deposit waiting for confirmation."""

    class Meta:
        model = Deposit

    account = factory.SubFactory(TimebankAccountFactory)
    title = "助餐"
    minutes = 60


# Imports and warnings (discovery)
from jiuzhu.discovery.models import (  # noqa: E402
    CommunityReferral,
    DepartmentRecord,
    EarlyWarning,
    ImportBatch,
    PotentialCase,
    WarningEvent,
    WarningRule,
)


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    source = "medical"
    file_name = factory.Sequence(lambda n: f"医保{n}.csv")
    file_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    channel = "web"
    status = "imported"
    uploaded_by = factory.SubFactory(UserFactory, role=Role.DEPARTMENT)
    organisation = factory.LazyAttribute(lambda b: b.uploaded_by.organisation)


class PotentialCaseFactory(factory.django.DjangoModelFactory):
    """A person known to a department but not to the registry (identity number encrypted)."""

    class Meta:
        model = PotentialCase
        exclude = ("id_number",)

    id_number = factory.Sequence(
        lambda n: complete_identity_number(f"32011319800101{n % 1000:03d}")
    )
    id_number_encrypted = factory.LazyAttribute(lambda c: crypto.encrypt(c.id_number))
    id_number_hash = factory.LazyAttribute(lambda c: crypto.lookup_hash(c.id_number))
    id_last4 = factory.LazyAttribute(lambda c: c.id_number[-4:])
    name = factory.Sequence(lambda n: f"潜在对象{n}")
    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)


class DepartmentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentRecord

    batch = factory.SubFactory(ImportBatchFactory)
    source = "medical"
    row_key = factory.Sequence(lambda n: f"{n:064x}")
    id_number_hash = factory.Sequence(lambda n: f"{n:064x}")
    on = factory.LazyFunction(lambda: timezone.localdate())
    values = factory.LazyFunction(lambda: {"out_of_pocket": "100.00"})


class WarningRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarningRule

    code = factory.Sequence(lambda n: f"rule_{n}")
    version = 1
    kind = "medical_out_of_pocket"
    title = "医保个人自付超额"
    params = factory.LazyFunction(lambda: {"amount": "20000"})
    grade = "orange"
    verify_days = 7
    indicator = "health"
    status = "draft"


class CommunityReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityReferral

    referrer = factory.SubFactory(UserFactory, role=Role.VOLUNTEER)
    referrer_role = "volunteer"
    name = "王阿姨"
    noticed = "最近很少出门，家里似乎断了收入"
    community = factory.SubFactory(AreaFactory, level=AreaLevel.COMMUNITY)
    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)


class EarlyWarningFactory(factory.django.DjangoModelFactory):
    """A warning about a household (street, community and district follow from it)."""

    class Meta:
        model = EarlyWarning

    origin = "department"
    household = factory.SubFactory(HouseholdFactory)
    district = factory.LazyAttribute(lambda w: w.household.district)
    street = factory.LazyAttribute(lambda w: w.household.street)
    community = factory.LazyAttribute(lambda w: w.household.community)
    grade = "orange"
    indicator = "health"
    explanation = factory.LazyFunction(dict)
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class WarningEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarningEvent

    warning = factory.SubFactory(EarlyWarningFactory)
    action = "raise"


# evaluation: projects and settlement -------------------------------------------------------

from jiuzhu.evaluation.models import (  # noqa: E402
    Correction,
    Project,
    ProjectItem,
    SettlementRule,
    SpotCheck,
    Statement,
    StatementEvent,
    StatementLine,
)


class SettlementRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SettlementRule

    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    tiers = [["90", "100"], ["80", "90"], ["60", "70"]]


class ProjectFactory(factory.django.DjangoModelFactory):
    """A one-year monthly project from 2026-01-01; add items with ``ProjectItemFactory``."""

    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"GP-2026-{n:04d}")
    name = "助餐服务购买项目"
    provider = factory.SubFactory(ProviderFactory)
    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2027, 1, 1)
    cycle_years = 1
    period_kind = "month"
    budget = Decimal("100000.00")
    kpi_weights = {"confirmed": 3, "rating": 3, "timeliness": 2, "spot_checks": 2}
    created_by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


class ProjectItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectItem

    project = factory.SubFactory(ProjectFactory)
    item = factory.SubFactory(ServiceItemFactory)
    unit_price = Decimal("15.00")
    volume_target = 100


class SpotCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotCheck

    project = factory.SubFactory(ProjectFactory)
    checked_on = dt.date(2026, 3, 10)
    method = "phone"
    findings = "抽查3户，服务属实"
    score = 90
    by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


class StatementFactory(factory.django.DjangoModelFactory):
    """A draft statement row (no lines): use ``statement_draft`` when the amounts matter."""

    class Meta:
        model = Statement

    project = factory.SubFactory(ProjectFactory)
    period = "2026-03"
    period_start = dt.date(2026, 3, 1)
    period_end = dt.date(2026, 4, 1)
    percent = Decimal("100")
    gross = Decimal("0")
    payable = Decimal("0")
    withheld = Decimal("0")
    total = Decimal("0")
    fingerprint = "factory"


class StatementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatementLine

    statement = factory.SubFactory(StatementFactory)
    kind = "item"
    description = "助餐"
    unit_price = Decimal("15.00")
    quantity = 1
    gross = Decimal("15.00")
    amount = Decimal("15.00")


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    project = factory.SubFactory(ProjectFactory)
    amount = Decimal("15.00")
    reason = "上期争议更正"
    by = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)


class StatementEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatementEvent

    statement = factory.SubFactory(StatementFactory)
    action = "submit"
    from_status = "draft"
    to_status = "submitted"


# Applications and screening
from stdnum.cn import uscc as _uscc  # noqa: E402

from jiuzhu.evaluation.models import (  # noqa: E402
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Review,
    ReviewScore,
    ScreeningCriterion,
)


def valid_uscc(n: int) -> str:
    """A valid 18-character unified social credit code (check character computed)."""
    body = f"52320113MK{n:07d}"
    return body + _uscc.calc_check_digit(body)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application in a street of a district (use ``application_submit`` when the checks,
    numbering and audit matter); pass ``street`` with its district as ``district``."""

    class Meta:
        model = Application

    number = factory.Sequence(lambda n: f"AP{n:014d}")
    street = factory.SubFactory(AreaFactory, level=AreaLevel.STREET)
    district = factory.LazyAttribute(lambda o: o.street.parent or o.street)
    name = factory.Sequence(lambda n: f"申请机构{n}")
    uscc = factory.Sequence(valid_uscc)
    supply_type = "social_work"
    staff_count = 20
    social_workers = 5
    signature_projects = "社区助餐项目"
    address = "示范路 1 号"
    contact_name = "联系人"
    contact_phone = "025-1"


class ApplicationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(ApplicationFactory)
    kind = "qualification"
    file = factory.django.FileField(filename="cert.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "证书.pdf"
    content_type = "application/pdf"
    size = 15


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationEvent

    application = factory.SubFactory(ApplicationFactory)
    action = "submit"


class ScreeningCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningCriterion

    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    criterion = "size"
    weight = 20


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, role=Role.DISTRICT_MANAGER)
    total = Decimal("75.00")


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewScore

    review = factory.SubFactory(ReviewFactory)
    criterion = "size"
    weight = 20
    score = 75
    reason = "规模适中"


# Department referrals
from jiuzhu.discovery.models import (  # noqa: E402
    DepartmentDesk,
    DepartmentReferral,
    DepartmentReferralEvent,
)


class DepartmentDeskFactory(factory.django.DjangoModelFactory):
    """A department on the platform for one kind of assistance in one district."""

    class Meta:
        model = DepartmentDesk

    district = factory.SubFactory(AreaFactory, level=AreaLevel.DISTRICT)
    kind = "medical"
    department = factory.SubFactory(
        OrganisationFactory, name="医疗保障局", kind=OrganisationKind.DEPARTMENT
    )
    respond_days = 5
    complete_days = 30


class DepartmentReferralFactory(factory.django.DjangoModelFactory):
    """A referral waiting for the department (use ``referral_send`` when audit and chain
    matter)."""

    class Meta:
        model = DepartmentReferral

    recommendation = factory.SubFactory(MaterialRecommendationFactory, kind="medical")
    household = factory.LazyAttribute(lambda r: r.recommendation.plan.household)
    kind = factory.LazyAttribute(lambda r: r.recommendation.kind)
    department = factory.SubFactory(
        OrganisationFactory, name="医疗保障局", kind=OrganisationKind.DEPARTMENT
    )
    district = factory.LazyAttribute(lambda r: r.household.district)
    respond_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=5))
    sent_by = factory.SubFactory(UserFactory, role=Role.STREET_CASEWORKER)


class DepartmentReferralEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentReferralEvent

    referral = factory.SubFactory(DepartmentReferralFactory)
    action = "send"


# The hidden-poverty list, precomputed
from jiuzhu.discovery.models import HiddenPovertyEntry, HiddenPovertyRefresh  # noqa: E402


class HiddenPovertyEntryFactory(factory.django.DjangoModelFactory):
    """A stored row of the hidden-poverty list about a household (areas follow from it)."""

    class Meta:
        model = HiddenPovertyEntry

    household = factory.SubFactory(HouseholdFactory)
    key = factory.LazyAttribute(lambda e: f"household:{e.household.pk}")
    district = factory.LazyAttribute(lambda e: e.household.district)
    street = factory.LazyAttribute(lambda e: e.household.street)
    community = factory.LazyAttribute(lambda e: e.household.community)
    sources = ",assessment,"
    evidence = factory.LazyFunction(
        lambda: [{"source": "assessment", "text": "剥夺得分 50%", "url": "", "at": None}]
    )
    computed_at = factory.LazyFunction(timezone.now)


class HiddenPovertyRefreshFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HiddenPovertyRefresh

    trigger = "job"
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


# Dashboards (analytics)
from jiuzhu.analytics.models import CurrentFigure, MonthlySnapshot  # noqa: E402


class MonthlySnapshotFactory(factory.django.DjangoModelFactory):
    """One figure of a street for a month (take real snapshots with ``snapshot_take``)."""

    class Meta:
        model = MonthlySnapshot

    area = factory.SubFactory(AreaFactory, level=AreaLevel.STREET)
    month = dt.date(2026, 1, 1)
    key = factory.Sequence(lambda n: f"test.metric{n}")
    value = 1.0
    computed_at = factory.LazyFunction(timezone.now)


class CurrentFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurrentFigure

    area = factory.SubFactory(AreaFactory, level=AreaLevel.STREET)
    key = factory.Sequence(lambda n: f"test.metric{n}")
    value = 1.0
    computed_at = factory.LazyFunction(timezone.now)


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A background export waiting to be written (of the household list)."""

    class Meta:
        model = ExportJob

    user = factory.SubFactory(UserFactory)
    list_key = "registry.households"
    title = "困难家庭"
    path = "/households/"
