"""The world the authorization sweep runs in: one actor per role, and for every kind of object
the URLs and the API take one instance inside every actor's scope and one outside it.

Inside is 尧化门 (Yaohua street, Qixia district): every area role works at or above it, the
assessor is assigned its household, the beneficiary belongs to it, the provider staff's provider
holds its order and the volunteer delivers it. Outside is 沙洲 (Jianye district), which only the
city administrator (and roles that see everything of a kind, e.g. the security administrator
for accounts) can reach.

Everything is built with the factories; nothing here decides what anyone may see.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from factories import (
    ApplicationDocumentFactory,
    ApplicationFactory,
    AreaFactory,
    AssessmentFactory,
    BeneficiaryAccountFactory,
    CaseNoteFactory,
    ComplaintFactory,
    ConsentFactory,
    DepartmentDeskFactory,
    DepartmentReferralFactory,
    DepositFactory,
    DisplayTokenFactory,
    EarlyWarningFactory,
    EscalationFactory,
    HouseholdAssignmentFactory,
    HouseholdFactory,
    ImportBatchFactory,
    IndicatorFactory,
    IndicatorFrameworkFactory,
    MaterialRecommendationFactory,
    MemberFactory,
    NeedCategoryFactory,
    NeedFactory,
    NotificationFactory,
    OrderFactory,
    OrganisationFactory,
    OutboxDeliveryFactory,
    PlanFactory,
    PlanItemFactory,
    ProjectFactory,
    ProjectItemFactory,
    ProviderFactory,
    ServiceItemFactory,
    StatementFactory,
    StatementLineFactory,
    TicketFactory,
    TimebankAccountFactory,
    TransferFactory,
    UserFactory,
    area_tree,
)
from jiuzhu.core.models import AreaLevel, OrganisationKind, Role

#: The actor's key in the world for each role ("anonymous" is nobody signed in).
ANONYMOUS = "anonymous"
ACTORS = [ANONYMOUS, *Role.values]


def build_world() -> dict:
    areas = area_tree()
    inside, outside = areas["yaohua_a"], areas["shazhou_a"]
    assess_org = OrganisationFactory(name="评估机构甲", kind=OrganisationKind.ASSESSMENT)
    dept = OrganisationFactory(name="残联", kind=OrganisationKind.DEPARTMENT)
    provider_in = ProviderFactory(
        organisation__name="服务机构甲", base=inside, streets=[areas["yaohua"]]
    )
    provider_out = ProviderFactory(
        organisation__name="服务机构乙", base=outside, streets=[areas["shazhou"]]
    )
    make = UserFactory
    actors = {
        Role.BENEFICIARY: make(username="s_beneficiary", role=Role.BENEFICIARY),
        Role.COMMUNITY_WORKER: make(
            username="s_community", role=Role.COMMUNITY_WORKER, area=inside
        ),
        Role.STREET_CASEWORKER: make(
            username="s_street", role=Role.STREET_CASEWORKER, area=areas["yaohua"]
        ),
        Role.DISTRICT_MANAGER: make(
            username="s_district", role=Role.DISTRICT_MANAGER, area=areas["qixia"]
        ),
        Role.CITY_ADMIN: make(username="s_city", role=Role.CITY_ADMIN, area=areas["city"]),
        Role.ASSESSOR: make(username="s_assessor", role=Role.ASSESSOR, organisation=assess_org),
        Role.PROVIDER_STAFF: make(
            username="s_provider", role=Role.PROVIDER_STAFF, organisation=provider_in.organisation
        ),
        Role.VOLUNTEER: make(username="s_volunteer", role=Role.VOLUNTEER),
        Role.HOTLINE_OPERATOR: make(
            username="s_hotline", role=Role.HOTLINE_OPERATOR, area=areas["qixia"]
        ),
        Role.DEPARTMENT: make(username="s_department", role=Role.DEPARTMENT, organisation=dept),
        Role.SECURITY_ADMIN: make(username="s_security", role=Role.SECURITY_ADMIN),
        Role.AUDIT_ADMIN: make(username="s_audit", role=Role.AUDIT_ADMIN),
    }
    jianye_manager = make(username="s_jianye", role=Role.DISTRICT_MANAGER, area=areas["jianye"])
    other_assessor = make(username="s_assessor2", role=Role.ASSESSOR)

    # The catalogue and the framework are configuration: the same for inside and outside.
    need = NeedFactory(category=NeedCategoryFactory(code="sweep_cat"), code="sweep_need")
    item = ServiceItemFactory(code="sweep_item")
    provider_in.items.set([item])
    provider_out.items.set([item])
    framework = IndicatorFrameworkFactory(version=1, status="published")
    indicator = IndicatorFactory(dimension__framework=framework)

    def side(community, *, assessor, provider, district, writer, volunteer=None, beneficiary=None):
        household = HouseholdFactory(community=community)
        member = MemberFactory(household=household)
        if beneficiary is not None:
            BeneficiaryAccountFactory(user=beneficiary, member=member)
        HouseholdAssignmentFactory(household=household, assignee=assessor)
        order = OrderFactory(
            household=household,
            item=item,
            placed_by=actors[Role.CITY_ADMIN],
            provider=provider,
            status="assigned",
            assignee=volunteer,
        )
        assessment = AssessmentFactory(household=household, framework=framework, assessor=assessor)
        plan = PlanFactory(
            household=household,
            assessment__household=household,
            assessment__framework=framework,
            assessment__assessor=assessor,
        )
        return {
            "household": household,
            "member": member,
            "order": order,
            "assessment": assessment,
            "plan": plan,
            "material": MaterialRecommendationFactory(plan=plan),
            "plan_item": PlanItemFactory(plan=plan, service_item=item),
            # A complaint's ticket, so the verdict on it can be tried.
            "ticket": TicketFactory(
                district=district,
                household=household,
                order=order,
                complaint=ComplaintFactory(order=order),
                created_by=actors[Role.CITY_ADMIN],
            ),
            "escalation": EscalationFactory(order=order),
            # Casework (issue 10): a visit with a follow-up due, a consent in force.
            "note": CaseNoteFactory(
                household=household,
                author=writer,
                follow_up_on=timezone.localdate() - dt.timedelta(days=1),
                occurred_on=timezone.localdate() - dt.timedelta(days=7),
            ),
            "consent": ConsentFactory(household=household, taken_by=writer),
        }

    sides = {
        "in": side(
            inside,
            assessor=actors[Role.ASSESSOR],
            provider=provider_in,
            district=areas["qixia"],
            volunteer=actors[Role.VOLUNTEER],
            beneficiary=actors[Role.BENEFICIARY],
            writer=actors[Role.STREET_CASEWORKER],
        ),
        "out": side(
            outside,
            assessor=other_assessor,
            provider=provider_out,
            district=areas["jianye"],
            writer=jianye_manager,
        ),
    }
    # Transfers: inside, a household of 马群 coming to 尧化门 (the street caseworker's street
    # receives it); outside, one of 沙洲 moving to 双闸 (both in Jianye).
    shuangzha = AreaFactory(
        code="320105003000", name="双闸街道", level=AreaLevel.STREET, parent=areas["jianye"]
    )
    shuangzha_a = AreaFactory(code="320105003001", name="双闸社区", parent=shuangzha)
    sides["in"]["transfer"] = TransferFactory(
        household=HouseholdFactory(community=areas["maqun_a"]),
        to_community=inside,
        requested_by=actors[Role.DISTRICT_MANAGER],
    )
    sides["out"]["transfer"] = TransferFactory(
        household=HouseholdFactory(community=outside),
        to_community=shuangzha_a,
        requested_by=jianye_manager,
    )
    sides["in"]["provider"], sides["out"]["provider"] = provider_in, provider_out
    # Department referrals: inside is sent to the department actor's own department, outside
    # (a Jianye household) to another department.
    other_dept = OrganisationFactory(name="建邺区医保局", kind=OrganisationKind.DEPARTMENT)
    for key, department, district in (
        ("in", dept, areas["qixia"]),
        ("out", other_dept, areas["jianye"]),
    ):
        sides[key]["desk"] = DepartmentDeskFactory(
            district=district, kind="employment", department=department
        )
        sides[key]["referral"] = DepartmentReferralFactory(
            recommendation__plan=sides[key]["plan"],
            recommendation__kind="medical",
            department=department,
            sent_by=actors[Role.STREET_CASEWORKER],
        )
    sides["in"]["display"] = DisplayTokenFactory(
        district=areas["qixia"], created_by=actors[Role.DISTRICT_MANAGER], raw="sweep-in"
    )
    sides["out"]["display"] = DisplayTokenFactory(
        district=areas["jianye"], created_by=jianye_manager, raw="sweep-out"
    )
    sides["in"]["display_raw"], sides["out"]["display_raw"] = "sweep-in", "sweep-out"
    # Notifications belong to one user: inside is the actor's own (made per actor below),
    # outside is someone else's.
    sides["out"]["notification"] = NotificationFactory(user=jianye_manager)
    own_notifications = {role: NotificationFactory(user=user) for role, user in actors.items()}
    # Background exports belong to one user too: inside the actor's own, outside someone else's.
    sides["out"]["export_job"] = _export_job(jianye_manager)
    own_export_jobs = {role: _export_job(user) for role, user in actors.items()}
    # Accounts: inside is a colleague in Yaohua, outside one in Jianye.
    sides["in"]["account"] = actors[Role.COMMUNITY_WORKER]
    sides["out"]["account"] = jianye_manager
    # Time-bank accounts: inside the volunteer's own (serving Qixia) with a deposit for the
    # inside order; outside a Jianye volunteer's, with one for the outside order.
    outside_volunteer = make(username="s_volunteer2", role=Role.VOLUNTEER)
    for key, holder, district in (
        ("in", actors[Role.VOLUNTEER], areas["qixia"]),
        ("out", outside_volunteer, areas["jianye"]),
    ):
        sides[key]["timebank_account"] = TimebankAccountFactory(holder=holder, district=district)
        sides[key]["deposit"] = DepositFactory(
            account=sides[key]["timebank_account"], order=sides[key]["order"]
        )
    # Event deliveries are operations data, the same for everyone who may see them.
    delivery = OutboxDeliveryFactory()
    for key in sides:
        sides[key]["delivery"] = delivery
        sides[key].update(item=item, need=need, framework=framework, indicator=indicator)
    # Imports and warnings: a batch of the department's (Qixia) and one of another department's
    # (Jianye); a warning about each side's household, the inside one assigned to the volunteer.
    dept.area = areas["qixia"]
    dept.save()
    other_dept = OrganisationFactory(name="医保局", kind=OrganisationKind.DEPARTMENT)
    sides["in"]["batch"] = ImportBatchFactory(
        uploaded_by=actors[Role.DEPARTMENT], organisation=dept, district=areas["qixia"]
    )
    sides["out"]["batch"] = ImportBatchFactory(
        uploaded_by=make(username="s_department2", role=Role.DEPARTMENT, organisation=other_dept),
        organisation=other_dept,
        district=areas["jianye"],
    )
    sides["in"]["warning"] = EarlyWarningFactory(
        household=sides["in"]["household"], assignee=actors[Role.VOLUNTEER]
    )
    sides["out"]["warning"] = EarlyWarningFactory(household=sides["out"]["household"])
    # Projects and settlement: a project of each side's provider in its district, with a draft
    # statement of one line.
    for key, provider, district in (
        ("in", provider_in, areas["qixia"]),
        ("out", provider_out, areas["jianye"]),
    ):
        project = ProjectFactory(provider=provider, district=district)
        ProjectItemFactory(project=project, item=item)
        statement = StatementFactory(project=project)
        sides[key].update(
            project=project,
            statement=statement,
            line=StatementLineFactory(statement=statement, item=item),
        )
    # Applications and screening: inside one in Yaohua (Qixia), outside one in Shazhou (Jianye).
    for key, street in (("in", areas["yaohua"]), ("out", areas["shazhou"])):
        application = ApplicationFactory(street=street, district=street.parent)
        sides[key]["application"] = application
        sides[key]["application_document"] = ApplicationDocumentFactory(application=application)
    return {
        "areas": areas,
        "actors": actors,
        "sides": sides,
        "own_notifications": own_notifications,
        "own_export_jobs": own_export_jobs,
    }


def _export_job(user):
    """A finished background export of ``user``'s, with its file."""
    from jiuzhu.core.models import ExportJob, ExportStatus
    from jiuzhu.core.services.background_exports import exports_dir

    job = ExportJob.objects.create(
        user=user,
        list_key="core.notifications",
        title="sweep",
        path="/notifications/",
        status=ExportStatus.DONE,
        total=0,
        expires_at=timezone.now() + dt.timedelta(days=365),
    )
    job.file_name = f"sweep-{job.pk}.xlsx"
    job.save(update_fields=["file_name"])
    (exports_dir() / job.file_name).write_bytes(b"sweep")
    return job
