"""Early warnings: raised by the rules in force on department records (and by urgent
assessments, hotline tickets and community referrals), verified by a home visit, escalated when
overdue. Every move goes through :data:`WARNING_FLOW` (``core.transitions``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import AssessmentReason
from jiuzhu.assessment.services.dues import due_add
from jiuzhu.core import audit
from jiuzhu.core.bulk import insert_rows, insert_rows_returning_ids, json_adapter
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.events import publish
from jiuzhu.core.models import Area, AreaLevel, AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.discovery import policy
from jiuzhu.discovery.engine.rules import KIND_SOURCE, Fact, Hit, RuleSpec, Subject, evaluate
from jiuzhu.discovery.events import WARNING_RAISED, WARNING_VERIFIED
from jiuzhu.discovery.models import (
    EarlyWarning,
    PotentialCase,
    PotentialCaseStatus,
    RuleStatus,
    WarningEvent,
    WarningOrigin,
    WarningRule,
    WarningStatus,
)
from jiuzhu.discovery.services.rule_inputs import (
    FreshRecords,
    Remember,
    RuleRecord,
    case_birth_dates,
    member_birth_dates,
    records_by_owner,
)
from jiuzhu.registry.models import Employment, Household, Member
from jiuzhu.registry.services.chain import chain_add

SYSTEM = "system"
#: How far back the rules read a household's dated records (see :func:`_horizon`).
HORIZON_DAYS = 400
#: Hours before an unverified warning escalates again after a first escalation.
REESCALATE_HOURS = 48
_OPEN = frozenset({WarningStatus.OPEN})
#: The only source whose rule reads the person's age (``school_leaving``).
AGED_SOURCE = KIND_SOURCE["school_leaving"]


def _history(step: Step[EarlyWarning]) -> None:
    WarningEvent.objects.create(
        warning=step.obj, action=step.action, actor=step.actor, note=step.note[:500]
    )


def _chain(step: Step[EarlyWarning], title: str, detail: str) -> None:
    if step.obj.household_id is not None:
        chain_add(
            household=step.obj.household,  # type: ignore[arg-type]
            source="discovery",
            title=title,
            detail=detail,
            source_id=step.obj.pk,
            actor=step.actor,
        )


WARNING_FLOW: StateMachine[EarlyWarning] = StateMachine(
    name="warning",
    model=EarlyWarning,
    actions={
        "assign": Action(_OPEN, WarningStatus.OPEN, policy.ASSIGNERS),
        "dismiss": Action(_OPEN, WarningStatus.DISMISSED, policy.VERIFIERS, WARNING_VERIFIED),
        "register": Action(_OPEN, WarningStatus.REGISTERED, policy.VERIFIERS, WARNING_VERIFIED),
        "reassess": Action(_OPEN, WarningStatus.REASSESSMENT, policy.VERIFIERS, WARNING_VERIFIED),
    },
    history=_history,
    chain=_chain,
    forbidden=lambda: _("Your role may not act on early warnings."),
)
OUTCOMES = ("dismiss", "register", "reassess")


# ---------------------------------------------------------------------------- rules


def rules_in_force() -> list[WarningRule]:
    return list(WarningRule.objects.filter(status=RuleStatus.PUBLISHED).order_by("code"))


def _spec(rule: WarningRule) -> RuleSpec:
    return RuleSpec(
        rule.code,
        rule.version,
        rule.kind,
        rule.params,
        rule.grade,
        rule.verify_days,
        rule.indicator,
    )


@transaction.atomic
def rule_publish(
    *,
    actor: User,
    code: str,
    kind: str,
    title: str,
    params: dict[str, Any],
    grade: str,
    verify_days: int,
    indicator: str,
) -> WarningRule:
    """A new version of a rule, in force at once; the version it replaces is retired (its
    warnings keep naming it)."""
    policy.require_rule_editor(actor)
    from jiuzhu.discovery.models import Grade, Indicator, RuleKind

    errors: dict[str, list[str]] = {}
    if not code.strip() or len(code) > 40:
        errors["code"] = [_("Give the rule a short code.")]
    if kind not in RuleKind.values:
        errors["kind"] = [_("Choose the kind of rule.")]
    if grade not in Grade.values:
        errors["grade"] = [_("Choose a grade.")]
    if indicator not in Indicator.values:
        errors["indicator"] = [_("Choose the indicator the rule moves.")]
    if not 1 <= verify_days <= 90:
        errors["verify_days"] = [_("Between 1 and 90 days.")]
    if not isinstance(params, dict):
        errors["params"] = [_("Thresholds are a JSON object.")]
    if errors:
        raise ValidationFailed(errors)
    code = code.strip()
    latest = WarningRule.objects.select_for_update().filter(code=code).order_by("-version").first()
    if latest is not None and latest.kind != kind:
        raise ValidationFailed({"kind": [_("A rule keeps its kind across versions.")]})
    WarningRule.objects.filter(code=code, status=RuleStatus.PUBLISHED).update(
        status=RuleStatus.RETIRED
    )
    rule = WarningRule.objects.create(
        code=code,
        version=(latest.version + 1) if latest else 1,
        kind=kind,
        title=title.strip()[:120] or code,
        params=params,
        grade=grade,
        verify_days=verify_days,
        indicator=indicator,
        status=RuleStatus.PUBLISHED,
        created_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rule, detail={"version": rule.version})
    return rule


# ---------------------------------------------------------------------------- raising


class _Member(NamedTuple):
    relation: str
    employed: bool
    is_active: bool
    household_id: int


def _facts_for(
    records: Iterable[RuleRecord],
    members: dict[int, _Member],
    births: dict[int, dt.date | None],
) -> list[Fact]:
    facts = []
    for pk, source, on, values, member_id, _owner in records:
        member = members.get(member_id) if member_id is not None else None
        if member_id is None or member is None:
            facts.append(Fact(pk, source, on, values))
        else:
            facts.append(
                Fact(
                    pk, source, on, values, member.relation, births.get(member_id), member.employed
                )
            )
    return facts


def _aged(records: dict[int, list[RuleRecord]], key: str) -> set[int]:
    """The people (member ids, or potential-case ids with ``key="owner_id"``) whose age a rule
    reads: those with a record of the one source whose rule asks for an age."""
    return {getattr(r, key) for rows in records.values() for r in rows if r.source == AGED_SOURCE}


class _Pending:
    """Warnings raised by an import's rules, written per chunk of subjects: the warnings, their
    history rows and their audit entries in three statements of plain rows (``core.bulk``), not
    three INSERTs per warning nor model instances (the same rows; profiled on a 100,000-row
    file, building and preparing instances for ``bulk_create`` took longer than the rules)."""

    #: EarlyWarning columns written for a raised warning (the rest are empty).
    COLUMNS = [
        "origin",
        "rule",
        "record",
        "household",
        "potential_case",
        "district",
        "street",
        "community",
        "grade",
        "indicator",
        "explanation",
        "dedupe_key",
        "status",
        "due_at",
        "escalation_level",
        "outcome_note",
        "created_at",
    ]

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.audit: list[tuple[str, str]] = []  # (dedupe key, grade)
        self.now = timezone.now()
        self._explanation_json = json_adapter(EarlyWarning, "explanation")
        self._created_at = connection.ops.adapt_datetimefield_value(self.now)
        self._due: dict[int, Any] = {}

    def _due_at(self, days: int) -> Any:
        """The verification deadline ``days`` from now, in the database's form (the same for
        every warning of a rule: adapted once)."""
        due = self._due.get(days)
        if due is None:
            due = self._due[days] = connection.ops.adapt_datetimefield_value(
                self.now + dt.timedelta(days=days)
            )
        return due

    def add(
        self,
        *,
        rule: WarningRule,
        record_id: int,
        hit: Hit,
        explanation: dict[str, Any],
        dedupe_key: str,
        subject: dict[str, int | None],
    ) -> None:
        self.rows.append(
            (
                WarningOrigin.DEPARTMENT,
                rule.pk,
                record_id,
                subject.get("household_id"),
                subject.get("potential_case_id"),
                subject["district_id"],
                subject.get("street_id"),
                subject.get("community_id"),
                hit.grade,
                hit.indicator,
                self._explanation_json(explanation),
                dedupe_key,
                WarningStatus.OPEN,
                self._due_at(rule.verify_days),
                0,
                "",
                self._created_at,
            )
        )
        self.audit.append((dedupe_key, hit.grade))

    def write(self) -> None:
        rows, self.rows = self.rows, []
        raised, self.audit = self.audit, []
        if not rows:
            return
        ids = dict(
            zip(
                (key for key, _grade in raised),
                insert_rows_returning_ids(EarlyWarning, self.COLUMNS, rows),
                strict=True,
            )
        )
        insert_rows(
            WarningEvent,
            ["warning", "action", "note", "created_at"],
            [(ids[key], "raise", "", self._created_at) for key, _grade in raised],
        )
        audit.record_system_rows(
            actor_label=SYSTEM,
            action=AuditAction.CREATE,
            model=EarlyWarning,
            rows=[
                (ids[key], {"origin": WarningOrigin.DEPARTMENT, "grade": grade})
                for key, grade in raised
            ],
        )
        for key, _grade in raised:
            publish(WARNING_RAISED, warning_id=ids[key])


def _create(
    *,
    origin: str,
    dedupe_key: str,
    grade: str,
    due_days: int,
    district: Area | None = None,
    explanation: dict[str, Any],
    household: Household | None = None,
    potential_case: PotentialCase | None = None,
    street: Area | None = None,
    community: Area | None = None,
    rule: WarningRule | None = None,
    record_id: int | None = None,
    indicator: str = "",
    referral: Any = None,
    known: set[str] | None = None,
) -> EarlyWarning | None:
    """One warning, unless the same one was raised before (``dedupe_key``). ``known``: the
    dedupe keys already raised among those the caller may raise (loaded in one query for a
    whole chunk); it gets the new key. An import's rules write theirs in bulk
    (:class:`_Pending`)."""
    if known is not None:
        if dedupe_key in known:
            return None
        known.add(dedupe_key)
    elif EarlyWarning.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    warning = EarlyWarning(
        origin=origin,
        dedupe_key=dedupe_key,
        grade=grade,
        due_at=timezone.now() + dt.timedelta(days=due_days),
        district=district,
        street=street,
        community=community,
        household=household,
        potential_case=potential_case,
        rule=rule,
        record_id=record_id,
        indicator=indicator,
        explanation=explanation,
        referral=referral,
    )
    warning.save(force_insert=True)
    WarningEvent.objects.create(warning=warning, action="raise", note="")
    audit.record(
        actor=None,
        actor_label=SYSTEM,
        action=AuditAction.CREATE,
        obj=warning,
        detail={"origin": origin, "grade": grade},
    )
    publish(WARNING_RAISED, warning_id=warning.pk)
    return warning


def _subject_key(subject: dict[str, Any]) -> str:
    return (
        f"h{subject['household_id']}"
        if subject.get("household_id")
        else f"p{subject['potential_case_id']}"
    )


def _known_for_chunk(
    owners: Iterable[str], rules: dict[str, WarningRule]
) -> tuple[set[str], set[tuple[str, str]]]:
    """For the subjects of one chunk (``h12``, ``p7``): the dedupe keys of the rules' warnings
    already raised, and the (rule code, subject) pairs with an open warning; one query each."""
    owners = list(owners)
    households = [int(o[1:]) for o in owners if o[0] == "h"]
    cases = [int(o[1:]) for o in owners if o[0] == "p"]
    about = Q(household_id__in=households) | Q(potential_case_id__in=cases)
    rows = EarlyWarning.objects.filter(about, rule__code__in=list(rules)).values_list(
        "dedupe_key", "status", "rule__code", "household_id", "potential_case_id"
    )
    known: set[str] = set()
    open_pairs: set[tuple[str, str]] = set()
    for key, status, code, household_id, case_id in rows:
        known.add(key)
        if status == WarningStatus.OPEN:
            open_pairs.add((code, f"h{household_id}" if household_id else f"p{case_id}"))
    return known, open_pairs


def _raise_hits(
    hits: list[Hit],
    rules: dict[str, WarningRule],
    records: dict[int, RuleRecord],
    known: set[str],
    open_pairs: set[tuple[str, str]],
    pending: _Pending,
    **subject: int | None,
) -> int:
    raised = 0
    who = _subject_key(subject)
    for hit in hits:
        rule = rules[hit.rule]
        record = records[hit.record_id]
        # An aggregate rule (medical costs) warns once while a warning is open; others per record.
        if rule.kind == "medical_out_of_pocket" and (rule.code, who) in open_pairs:
            continue
        dedupe_key = f"rule:{rule.code}:{who}:r{record.pk}"
        if dedupe_key in known:
            continue
        known.add(dedupe_key)
        pending.add(
            rule=rule,
            record_id=record.pk,
            hit=hit,
            explanation=hit.explanation(record.source),
            dedupe_key=dedupe_key,
            subject=subject,
        )
        raised += 1
        open_pairs.add((rule.code, who))
    return raised


def _horizon(today: dt.date) -> dt.date:
    """The earliest date of a household's dated record the rules read (the longest window a
    rule takes is twelve months; a margin for month arithmetic)."""
    return today - dt.timedelta(days=HORIZON_DAYS)


def rules_remember(today: dt.date) -> Remember:
    """What an import should keep in memory of its new records for :func:`warnings_evaluate`."""
    sources = frozenset(KIND_SOURCE[rule.kind] for rule in rules_in_force())
    return Remember(sources, _horizon(today))


def _with_fresh(
    found: dict[int, list[RuleRecord]], ids: list[int], fresh: dict[int, list[RuleRecord]]
) -> dict[int, list[RuleRecord]]:
    for subject_id in ids:
        new = fresh.get(subject_id)
        if new:
            earlier = found.get(subject_id)
            if earlier:
                earlier.extend(new)
            else:
                found[subject_id] = new  # the import's list itself: read, never changed
    return found


def warnings_evaluate(
    *,
    household_ids: Iterable[int],
    case_ids: Iterable[int],
    today: dt.date | None = None,
    fresh: FreshRecords | None = None,
) -> int:
    """Run the rules in force over the department records of these households and potential
    cases; returns how many warnings were raised (idempotent: a second run raises none).
    ``fresh``: an import's own records, kept in memory (:func:`rules_remember`); then only the
    earlier ones are read from the database (at a million rows, reading the import's records
    back took 12 of its seconds).

    Works in chunks of 500 subjects, each with a handful of queries (records and members as
    plain values, the subjects, the warnings already raised) and three statements for the
    warnings raised (:class:`_Pending`)."""
    today = today or timezone.localdate()
    rules = {rule.code: rule for rule in rules_in_force()}
    if not rules:
        return 0
    specs = [_spec(rule) for rule in rules.values()]
    sources = {KIND_SOURCE[spec.kind] for spec in specs}
    since = _horizon(today)
    up_to_id = fresh.up_to_id if fresh is not None else None
    raised = 0
    household_ids = sorted(set(household_ids))
    for start in range(0, len(household_ids), 500):
        ids = household_ids[start : start + 500]
        by_household = records_by_owner("household", ids, sources, since=since, up_to_id=up_to_id)
        if fresh is not None:
            by_household = _with_fresh(by_household, ids, fresh.households)
        members = {
            row[0]: _Member(row[1], row[2] == Employment.EMPLOYED, row[3], row[4])
            for row in Member.objects.filter(household_id__in=ids).values_list(
                "pk", "relation", "employment", "is_active", "household_id"
            )
        }
        births = member_birth_dates(_aged(by_household, "member_id"))
        # Plain values, not instances: building ~40,000 households with three areas each was
        # a sixth of a profiled 50,000-row import.
        households = {
            row[0]: row[1:]
            for row in Household.objects.filter(pk__in=ids).values_list(
                "pk", "tier", "monthly_income", "district_id", "street_id", "community_id"
            )
        }
        earners_of: dict[int, int] = defaultdict(int)
        for m in members.values():
            if m.is_active and m.employed:
                earners_of[m.household_id] += 1
        known, open_pairs = _known_for_chunk((f"h{i}" for i in by_household), rules)
        pending = _Pending()
        for household_id, records in by_household.items():
            tier, income, district_id, street_id, community_id = households[household_id]
            earners = earners_of[household_id]
            subject = Subject(tier=tier, monthly_income=Decimal(income), earners=earners)
            hits = evaluate(specs, _facts_for(records, members, births), subject, today)
            if not hits:
                continue
            raised += _raise_hits(
                hits,
                rules,
                {r.pk: r for r in records},
                known,
                open_pairs,
                pending,
                household_id=household_id,
                district_id=district_id,
                street_id=street_id,
                community_id=community_id,
            )
        pending.write()
    case_ids = sorted(set(case_ids))
    for start in range(0, len(case_ids), 500):
        ids = case_ids[start : start + 500]
        by_case = records_by_owner("potential_case", ids, sources, up_to_id=up_to_id)
        if fresh is not None:
            by_case = _with_fresh(by_case, ids, fresh.cases)
        cases = {
            row[0]: row[1:]
            for row in PotentialCase.objects.filter(pk__in=ids).values_list(
                "pk", "status", "district_id", "street_id", "community_id"
            )
        }
        births = case_birth_dates(_aged(by_case, "owner_id"))
        known, open_pairs = _known_for_chunk((f"p{i}" for i in by_case), rules)
        pending = _Pending()
        for case_id, records in by_case.items():
            status, district_id, street_id, community_id = cases[case_id]
            birth_date = births.get(case_id)
            if district_id is None or status != PotentialCaseStatus.OPEN:
                continue
            facts = [Fact(r.pk, r.source, r.on, r.values, "", birth_date, False) for r in records]
            hits = evaluate(specs, facts, Subject(), today)
            if not hits:
                continue
            raised += _raise_hits(
                hits,
                rules,
                {r.pk: r for r in records},
                known,
                open_pairs,
                pending,
                potential_case_id=case_id,
                district_id=district_id,
                street_id=street_id,
                community_id=community_id,
            )
        pending.write()
    return raised


# ---------------------------------------------------------------------------- the queue


@transaction.atomic
def warning_assign(
    *, actor: User, warning: EarlyWarning, assignee: User, note: str = ""
) -> EarlyWarning:
    """Hand a warning to a community worker, volunteer or surveyor for the visit. A warning
    without a community (a potential case) takes the assignee's."""
    WARNING_FLOW.require("assign", obj=warning, actor=actor)
    if assignee.role not in policy.VERIFIERS or not assignee.is_active:
        raise ValidationFailed({"assignee": [_("Choose a community worker or volunteer.")]})
    changes: dict[str, Any] = {"assignee_id": assignee.pk}
    area = assignee.area
    if warning.community_id is None and area is not None and area.level == AreaLevel.COMMUNITY:
        changes.update(community_id=area.pk, street_id=area.parent_id)
    warning = WARNING_FLOW.apply(
        obj=warning, action="assign", actor=actor, changes=changes, note=note
    )
    notify(
        users=[assignee],
        title=_("An early warning to verify"),
        body=_("Visit and record the outcome by %(due)s.")
        % {"due": timezone.localtime(warning.due_at).strftime("%Y-%m-%d")},
    )
    return warning


@transaction.atomic
def warning_verify(
    *,
    actor: User,
    warning: EarlyWarning,
    outcome: str,
    note: str,
    household: Household | None = None,
    immediate: bool = False,
) -> EarlyWarning:
    """Record the visit's outcome: ``dismiss`` (with a reason), ``register`` (the new
    household registered for the person), or ``reassess`` (跟进评, or 立即评 when
    ``immediate``) of the household."""
    policy.require_verifier(actor, warning)
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": [_("Choose an outcome.")]})
    WARNING_FLOW.require(outcome, obj=warning, actor=actor)
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": [_("Say what the visit found.")]})
    changes: dict[str, Any] = {
        "outcome_note": note[:500],
        "verified_by_id": actor.pk,
        "verified_at": timezone.now(),
    }
    target = warning.household
    if outcome == "register":
        if (
            household is None
            or not visible(actor, Household.objects.filter(pk=household.pk)).exists()
        ):
            raise ValidationFailed({"household": [_("Choose the household you registered.")]})
        changes["household_id"] = household.pk
        target = household
        if warning.potential_case_id is not None:
            PotentialCase.objects.filter(pk=warning.potential_case_id).update(
                status=PotentialCaseStatus.REGISTERED, household=household
            )
    elif outcome == "reassess":
        target = target or household
        if target is None:
            raise ValidationFailed(
                {"household": [_("Only a registered household is re-assessed.")]}
            )
        changes["household_id"] = target.pk
    elif warning.potential_case_id is not None:
        PotentialCase.objects.filter(pk=warning.potential_case_id).update(
            status=PotentialCaseStatus.DISMISSED
        )
    if target is not None and warning.household_id is None:
        warning.household = target  # the chain entry goes to the new household
    titles = {
        "dismiss": _("Early warning dismissed after a visit"),
        "register": _("Household registered after an early warning"),
        "reassess": _("Re-assessment requested after an early warning"),
    }
    warning = WARNING_FLOW.apply(
        obj=warning,
        action=outcome,
        actor=actor,
        changes=changes,
        note=note,
        chain_title=titles[outcome] if target is not None else "",
        payload={"warning_id": warning.pk, "outcome": outcome},
    )
    if outcome == "reassess" and target is not None:
        reason = AssessmentReason.CHANGE if immediate else AssessmentReason.DISCOVERY
        due_add(household=target, reason=reason)
    if warning.referral_id is not None:
        referral = warning.referral
        notify(
            users=[referral.referrer],  # type: ignore[union-attr]
            title=_("Thank you: your referral was looked into"),
            body=referral_outcome_text(warning.status),
        )
    return warning


def referral_outcome_text(status: str) -> str:
    """What a referrer is told: never the household's data."""
    texts: dict[str, str] = {
        WarningStatus.OPEN: _("A worker will visit soon."),
        WarningStatus.DISMISSED: _("A worker visited; no assistance was needed."),
        WarningStatus.REGISTERED: _("A worker visited; the family now receives assistance."),
        WarningStatus.REASSESSMENT: _(
            "A worker visited; the family's needs are being re-assessed."
        ),
    }
    return texts[status]


def warnings_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate open warnings past their deadline: once at the deadline (to the street's
    caseworkers), again every REESCALATE_HOURS (to the district's managers). A conditional
    UPDATE on the level, so two workers never escalate the same warning twice."""
    now = now or timezone.now()
    again = now - dt.timedelta(hours=REESCALATE_HOURS)
    due = EarlyWarning.objects.filter(status=WarningStatus.OPEN, due_at__lt=now).filter(
        Q(escalation_level=0) | Q(escalated_at__lt=again)
    )
    count = 0
    for warning in due.select_related("district", "street")[:1000]:
        with transaction.atomic():
            level = warning.escalation_level
            won = EarlyWarning.objects.filter(
                pk=warning.pk, status=WarningStatus.OPEN, escalation_level=level
            ).update(escalation_level=level + 1, escalated_at=now)
            if not won:
                continue
            WarningEvent.objects.create(
                warning=warning,
                action="escalate",
                note=_("level %(level)d") % {"level": level + 1},
            )
            audit.record(
                actor=None,
                actor_label=SYSTEM,
                action=AuditAction.UPDATE,
                obj=warning,
                detail={"transition": "escalate", "level": level + 1},
            )
            if level == 0 and warning.street_id is not None:
                people = User.objects.filter(role=Role.STREET_CASEWORKER, area_id=warning.street_id)
            else:
                people = User.objects.filter(
                    role=Role.DISTRICT_MANAGER, area_id=warning.district_id
                )
            notify(
                users=list(people),
                title=_("An early warning is overdue for verification"),
                body=_("Warning #%(id)s was not verified in time.") % {"id": warning.pk},
            )
            count += 1
    return count
