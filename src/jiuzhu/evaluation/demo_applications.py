"""Demo step for applications and screening: a second reviewer for Qixia (栖霞区), and a few
applications to join the alliance — one just submitted, one reviewed by both managers, one
shortlisted, one rejected — made through the real services."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from stdnum.cn import uscc

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Area, AreaLevel, Role, User
from jiuzhu.evaluation.models import Application, Criterion
from jiuzhu.evaluation.services import applications as services
from jiuzhu.orders.models import SupplyType

DEMO_PASSWORD = "Jiuzhu-Demo-2026"  # noqa: S105 - the published demo password
REVIEWER = "qixia_reviewer"
MANAGER = "qixia_manager"

#: name, supply type, street code, staff, social workers, signature projects, scores by the
#: manager and by the reviewer (size, staff, projects, qualifications, performance), what then
APPLICANTS = [
    (
        "栖霞区仙林长者关爱服务中心",
        SupplyType.GOVERNMENT_PURCHASE,
        "320113007000",
        38,
        9,
        "仙林街道“银龄食堂”助餐项目，日均服务老人 260 人次；居家上门助浴 1,200 人次/年。",
        ((80, 85, 90, 80, 70), (75, 80, 85, 85, 75)),
        "shortlist",
    ),
    (
        "南京心语社会工作服务社",
        SupplyType.SOCIAL_WORK,
        "320113003000",
        16,
        11,
        "困境儿童成长陪伴“护苗计划”，服务 3 个社区 120 名儿童；单亲家庭情绪疏导小组。",
        ((60, 90, 75, 70, 60), (65, 85, 80, 75, 65)),
        "reviewed",
    ),
    (
        "栖霞区燕子矶邻里互助会",
        SupplyType.MUTUAL_AID,
        "320113004000",
        6,
        1,
        "邻里小饭桌：志愿者为独居老人送餐，每周 3 次。",
        ((40, 30, 50, 35, 50), None),
        "reject",
    ),
    (
        "南京康桥康复护理有限公司",
        SupplyType.ENTERPRISE,
        "320113002000",
        54,
        4,
        "残疾人居家肢体康复训练，年服务 800 人次；康复辅具适配与使用培训。",
        None,
        "",
    ),
]


def demo_code(n: int) -> str:
    body = f"52320113MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


def _reviewer() -> User | None:
    district = Area.objects.filter(code="320113", level=AreaLevel.DISTRICT).first()
    if district is None:
        return None
    user = User.objects.filter(username=REVIEWER).first()
    if user is None:
        user = User.objects.create(
            username=REVIEWER,
            role=Role.DISTRICT_MANAGER,
            area=district,
            display_name="李娜（栖霞区民政局 评审）",
            is_demo=True,
            password=make_password(DEMO_PASSWORD),
        )
    return user if user.is_demo else None


def _scores(values: tuple[int, ...]) -> dict[str, tuple[int, str]]:
    reasons = ("规模与场地", "专业社工配备", "品牌项目成效", "资质证书齐全程度", "过往项目评价")
    return {
        code: (score, f"{reason}：{score} 分")
        for code, score, reason in zip(Criterion.values, values, reasons, strict=True)
    }


@demo_step(96, "applications")
def applications(context: DemoContext) -> None:
    reviewer = _reviewer()
    manager = User.objects.filter(username=MANAGER, role=Role.DISTRICT_MANAGER).first()
    if reviewer is None or manager is None:
        return
    context.out(f"Alliance application reviewer: {REVIEWER} / {DEMO_PASSWORD}")
    if Application.objects.exists():
        return
    for n, (name, supply, street_code, staff, workers, projects, scores, then) in enumerate(
        APPLICANTS, start=1
    ):
        street = Area.objects.filter(code=street_code, level=AreaLevel.STREET).first()
        if street is None:
            continue
        application = services.application_submit(
            name=name,
            uscc=demo_code(n),
            supply_type=supply,
            staff_count=staff,
            social_workers=workers,
            signature_projects=projects,
            street=street,
            address=f"{street.name}示范路 {n} 号",
            contact_name="申请联系人",
            contact_phone=f"025-8560{n:04d}",
        )
        if scores is None:
            continue
        for user, values in zip((manager, reviewer), scores, strict=True):
            if values is not None:
                services.application_review(
                    actor=user, application=application, scores=_scores(values)
                )
        application.refresh_from_db()
        if then == "shortlist":
            services.application_shortlist(actor=manager, application=application)
        elif then == "reject":
            services.application_reject(
                actor=manager,
                application=application,
                reason="专业社工不足，暂无承接政府购买服务的项目经验；建议一年后再申请。",
            )
    context.say("Alliance applications: 4 demo applications.")
