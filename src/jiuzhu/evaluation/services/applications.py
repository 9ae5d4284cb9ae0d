"""Applications to join the alliance: the public submission (rate-limited, documents checked by
their content), independent reviews against the district's scorecard, the shortlist, approval
(which admits the organisation as a provider through ``orders``' own service) and rejection.

Every move goes through :data:`APPLICATION_FLOW` (``core.transitions``): one conditional UPDATE,
the history row and the audit record in the same transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, DomainError, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, User
from jiuzhu.core.request_context import current_request_info
from jiuzhu.core.sms import send_sms
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.screening import review_total
from jiuzhu.evaluation.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    Criterion,
    DocumentKind,
    Review,
    ReviewScore,
    ScreeningCriterion,
)
from jiuzhu.orders.models import Provider, SupplyType
from jiuzhu.orders.services.providers import (
    clean_uscc,
    provider_create,
    provider_update,
)

# ---------------------------------------------------------------- limits

#: Applications accepted from one network address per hour, and from everyone per day.
PER_ADDRESS_PER_HOUR = 5
PER_DAY = 200
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENTS_MAX = 8
#: Reviews needed before an application may be shortlisted.
MIN_REVIEWS = 2

#: A document's first bytes → (extension, content type): PDF, JPEG or PNG only.
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)

#: The scorecard a district starts from until it sets its own: weight and what to look at.
DEFAULT_SCORECARD: dict[str, tuple[int, Any]] = {
    Criterion.SIZE: (20, gettext_lazy("Staff, premises, annual budget and years of operation.")),
    Criterion.STAFF: (
        25,
        gettext_lazy("Qualified social workers and other professionals on staff."),
    ),
    Criterion.PROJECTS: (
        20,
        gettext_lazy("Signature projects: their reach, results and recognition."),
    ),
    Criterion.QUALIFICATIONS: (
        15,
        gettext_lazy("Registration, grade assessment, licences and certificates."),
    ),
    Criterion.PERFORMANCE: (
        20,
        gettext_lazy(
            "Ratings, complaints and timeliness on this platform where it already served; "
            "references of past projects otherwise."
        ),
    ),
}


class TooManyApplications(DomainError):
    status = 429


def document_kind(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG or PNG by its first bytes, else None."""
    for signature, extension, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return extension, content_type
    return None


# ---------------------------------------------------------------- the state machine


def _history(step: Step[Application]) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=step.obj, action=step.action, actor=step.actor, note=step.note
    )


def _conflict(application: Application) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This application is %(status)s; it cannot move that way now.")
        % {"status": application.get_status_display()},
        application_status=application.status,
    )


class _AlreadyScreening(Conflict):
    """Raised only to be caught: another reviewer's first review started screening."""


def _lost_screen(application: Application) -> Conflict:
    if application.status == ApplicationStatus.SCREENING:
        return _AlreadyScreening("already_screening", "")
    return _conflict(application)


def _forbidden() -> str:
    return _("Your role may not decide on applications.")


OPEN = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING})
APPLICATION_FLOW: StateMachine[Application] = StateMachine(
    name="application",
    model=Application,
    actions={
        "screen": Action(
            frozenset({ApplicationStatus.SUBMITTED}),
            ApplicationStatus.SCREENING,
            policy.REVIEWERS,
        ),
        "shortlist": Action(
            frozenset({ApplicationStatus.SCREENING}),
            ApplicationStatus.SHORTLISTED,
            policy.APPLICATION_DECIDERS,
        ),
        "approve": Action(
            frozenset({ApplicationStatus.SHORTLISTED}),
            ApplicationStatus.APPROVED,
            policy.APPLICATION_DECIDERS,
        ),
        "reject": Action(
            frozenset(
                {
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.SCREENING,
                    ApplicationStatus.SHORTLISTED,
                }
            ),
            ApplicationStatus.REJECTED,
            policy.APPLICATION_DECIDERS,
        ),
    },
    history=_history,
    forbidden=_forbidden,
    conflict=_conflict,
    stamp="updated_at",
)


def application_actions(application: Application, user: User) -> list[str]:
    """The decisions ``user`` could take on ``application`` now (for buttons and the API);
    ``screen`` is not a button (the first review makes it)."""
    return [a for a in APPLICATION_FLOW.actions_for(application.status, user.role) if a != "screen"]


# ---------------------------------------------------------------- the scorecard


@dataclass(frozen=True)
class CardRow:
    code: str
    label: str
    weight: int
    guidance: str


def scorecard_rows(district: Area) -> list[CardRow]:
    """The district's scorecard: its own weights where set, the defaults otherwise."""
    own = {c.criterion: c for c in ScreeningCriterion.objects.filter(district=district)}
    rows = []
    for code, label in Criterion.choices:
        weight, guidance = DEFAULT_SCORECARD[code]
        if code in own:
            weight, guidance = own[code].weight, own[code].guidance or guidance
        rows.append(CardRow(code=code, label=str(label), weight=weight, guidance=str(guidance)))
    return rows


@transaction.atomic
def scorecard_update(
    *, actor: User, district: Area, weights: Mapping[str, int], guidance: Mapping[str, str]
) -> list[CardRow]:
    policy.require_scorecard_editor(actor)
    policy.require_application_district(actor, district.pk)
    errors: dict[str, list[str]] = {}
    for code in Criterion.values:
        weight = weights.get(code)
        if weight is None or not 0 <= weight <= 100:
            errors[code] = [_("A weight from 0 to 100.")]
    if not errors and sum(weights[c] for c in Criterion.values) <= 0:
        errors["__all__"] = [_("At least one criterion needs a weight above 0.")]
    if errors:
        raise ValidationFailed(errors)
    for code in Criterion.values:
        ScreeningCriterion.objects.update_or_create(
            district=district,
            criterion=code,
            defaults={"weight": weights[code], "guidance": (guidance.get(code) or "")[:300]},
        )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="evaluation.screeningcriterion",
        object_id=district.pk,
        object_label=district.name,
        detail={"weights": {c: weights[c] for c in Criterion.values}},
    )
    return scorecard_rows(district)


# ---------------------------------------------------------------- submission


def _admit(ip_address: str | None) -> None:
    """Refuse (429) when this address or the platform has sent too many applications."""
    now = timezone.now()
    recent = Application.objects.filter(created_at__gt=now - timedelta(hours=1))
    if ip_address and recent.filter(ip_address=ip_address).count() >= PER_ADDRESS_PER_HOUR:
        raise TooManyApplications(
            "too_many_applications",
            _("Too many applications were sent from this network. Try again in an hour."),
        )
    if Application.objects.filter(created_at__gt=now - timedelta(days=1)).count() >= PER_DAY:
        raise TooManyApplications(
            "too_many_applications",
            _("The application form is busy. Please try again tomorrow."),
        )


def _check_document(kind: str, upload: UploadedFile) -> tuple[str, str]:
    if kind not in DocumentKind.values:
        raise ValidationFailed({"documents": [_("Choose what each document is.")]})
    if (upload.size or 0) > DOCUMENT_MAX_BYTES:
        raise ValidationFailed({"documents": [_("Each document may be at most 5 MB.")]})
    upload.seek(0)
    found = document_kind(upload.read(16))
    upload.seek(0)
    if found is None:
        raise ValidationFailed(
            {
                "documents": [
                    _("Upload documents as PDF, JPEG or PNG files (%(name)s is not).")
                    % {"name": (upload.name or "")[:60]}
                ]
            }
        )
    return found


@transaction.atomic
def application_submit(
    *,
    name: str,
    uscc: str,
    supply_type: str,
    staff_count: int,
    social_workers: int,
    signature_projects: str,
    street: Area,
    address: str,
    contact_name: str,
    contact_phone: str,
    items: Sequence[ServiceItem] = (),
    past_projects: str = "",
    contact_email: str = "",
    documents: Sequence[tuple[str, UploadedFile]] = (),
) -> Application:
    """Record an organisation's application from the public form (nobody signed in)."""
    ip_address = current_request_info().ip_address or None
    _admit(ip_address)
    errors: dict[str, list[str]] = {}
    try:
        code = clean_uscc(uscc)
    except ValidationFailed as error:
        errors.update(error.fields)
        code = ""
    if not name.strip():
        errors["name"] = [_("Give the organisation's registered name.")]
    if supply_type not in SupplyType.values:
        errors["supply_type"] = [_("Choose the supply type.")]
    if staff_count < 0 or social_workers < 0:
        errors["staff_count"] = [_("Counts cannot be negative.")]
    elif social_workers > staff_count:
        errors["social_workers"] = [_("Qualified social workers are counted among the staff.")]
    if not signature_projects.strip():
        errors["signature_projects"] = [_("Describe at least one signature project.")]
    if street.level != AreaLevel.STREET or street.parent is None:
        errors["street"] = [_("Choose the street of the organisation's address.")]
    if not contact_name.strip() or not contact_phone.strip():
        errors["contact_phone"] = [_("Give a contact person and phone number.")]
    if len(documents) > DOCUMENTS_MAX:
        errors["documents"] = [_("At most %(n)d documents.") % {"n": DOCUMENTS_MAX}]
    if code:
        if Provider.objects.filter(uscc=code, active=True).exists():
            errors["uscc"] = [_("An organisation with this code is already a provider.")]
        elif Application.objects.filter(
            uscc=code,
            status__in=[*OPEN, ApplicationStatus.SHORTLISTED],
        ).exists():
            errors["uscc"] = [_("An application with this code is already being screened.")]
    if errors:
        raise ValidationFailed(errors)
    kinds = [_check_document(kind, upload) for kind, upload in documents]
    assert street.parent is not None  # checked above
    application = Application.objects.create(
        number=f"AP{uuid.uuid4().hex[:12].upper()}",
        district=street.parent,
        street=street,
        name=name.strip()[:128],
        uscc=code,
        supply_type=supply_type,
        staff_count=staff_count,
        social_workers=social_workers,
        signature_projects=signature_projects.strip()[:4000],
        past_projects=past_projects.strip()[:4000],
        address=address.strip()[:200],
        contact_name=contact_name.strip()[:40],
        contact_phone=contact_phone.strip()[:20],
        contact_email=contact_email.strip()[:254],
        ip_address=ip_address,
    )
    application.number = f"AP{timezone.localdate():%Y%m%d}{application.pk:05d}"
    application.save(update_fields=["number"])
    application.items.set(items)
    for (kind, upload), (extension, content_type) in zip(documents, kinds, strict=True):
        original = (upload.name or "")[:120]
        upload.name = f"{uuid.uuid4().hex}.{extension}"
        ApplicationDocument.objects.create(
            application=application,
            kind=kind,
            file=upload,
            original_name=original,
            content_type=content_type,
            size=upload.size or 0,
        )
    ApplicationEvent.objects.create(application=application, action="submit", note="")
    audit.record(
        actor=None,
        actor_label=_("public application form"),
        action=AuditAction.CREATE,
        obj=application,
        detail={"documents": len(documents)},
    )
    return application


# ---------------------------------------------------------------- reviews


@transaction.atomic
def application_review(
    *,
    actor: User,
    application: Application,
    scores: Mapping[str, tuple[int, str]],
    comment: str = "",
) -> Review:
    """Submit ``actor``'s scores (criterion → (score 0–100, reason)) once. The first review moves
    the application into screening."""
    policy.require_reviewer(actor)
    policy.require_application_district(actor, application.district_id)
    if application.status not in OPEN:
        raise _conflict(application)
    if Review.objects.filter(application=application, reviewer=actor).exists():
        raise Conflict("already_reviewed", _("You have reviewed this application already."))
    card = scorecard_rows(application.district)
    errors: dict[str, list[str]] = {}
    for row in card:
        given = scores.get(row.code)
        if given is None or not 0 <= given[0] <= 100:
            errors[row.code] = [_("A score from 0 to 100.")]
        elif not given[1].strip():
            errors[row.code] = [_("Give the reason for this score.")]
    if errors:
        raise ValidationFailed(errors)
    weights = {row.code: row.weight for row in card}
    total = review_total({c: scores[c][0] for c in weights}, weights)
    if application.status == ApplicationStatus.SUBMITTED:
        # Two first reviews at once: one moves it, the other finds it in screening already.
        try:
            application = APPLICATION_FLOW.apply(
                obj=application,
                action="screen",
                actor=actor,
                lost=_lost_screen,
            )
        except _AlreadyScreening:
            application.refresh_from_db()
    if application.status not in OPEN:
        raise _conflict(application)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                application=application,
                reviewer=actor,
                total=total,
                comment=comment.strip()[:2000],
            )
    except IntegrityError:
        raise Conflict(
            "already_reviewed", _("You have reviewed this application already.")
        ) from None
    ReviewScore.objects.bulk_create(
        ReviewScore(
            review=review,
            criterion=row.code,
            weight=row.weight,
            score=scores[row.code][0],
            reason=scores[row.code][1].strip()[:500],
        )
        for row in card
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        detail={"application": application.pk, "total": str(total)},
    )
    return review


# ---------------------------------------------------------------- decisions


# ---------------------------------------------------------------- telling the applicant

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _tell_applicant(application: Application) -> None:
    """Tell the applicant the decision. Applicants have no account: the message goes by SMS to
    the mobile number they gave (after commit), quoting the reference number they look the
    application up with on the public status page (``evaluation:apply_status``). A landline
    gets no SMS; the status page still answers."""
    mobile = "".join(ch for ch in application.contact_phone if ch.isdigit())
    if not MOBILE.match(mobile):
        return
    text = _(
        "Your application %(number)s to join the assistance service alliance: %(status)s. "
        "Look it up with this number and your phone at %(url)s."
    ) % {
        "number": application.number,
        "status": application.get_status_display(),
        "url": reverse("evaluation:apply_status"),
    }
    transaction.on_commit(lambda: send_sms(mobile, text))


@transaction.atomic
def application_shortlist(*, actor: User, application: Application, note: str = "") -> Application:
    APPLICATION_FLOW.require("shortlist", obj=application, actor=actor)
    policy.require_application_district(actor, application.district_id)
    if application.reviews.count() < MIN_REVIEWS:
        raise Conflict(
            "too_few_reviews",
            _("At least %(n)d reviewers must score an application before it is shortlisted.")
            % {"n": MIN_REVIEWS},
        )
    application = APPLICATION_FLOW.apply(
        obj=application, action="shortlist", actor=actor, note=note.strip()[:1000]
    )
    _tell_applicant(application)
    return application


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    APPLICATION_FLOW.require("reject", obj=application, actor=actor)
    policy.require_application_district(actor, application.district_id)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Give the reason for the rejection.")]})
    application = APPLICATION_FLOW.apply(
        obj=application,
        action="reject",
        actor=actor,
        note=reason.strip()[:2000],
        changes={
            "decision_reason": reason.strip()[:2000],
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    _tell_applicant(application)
    return application


@transaction.atomic
def application_approve(
    *,
    actor: User,
    application: Application,
    base: Area,
    streets: list[Area],
    communities: list[Area],
    items: list[ServiceItem],
    daily_capacity: int = 20,
    reason: str = "",
) -> Application:
    """Admit the organisation: the provider is created by ``orders``' ``provider_create`` (its
    checks: code, areas in the manager's district, profile) — or, for an organisation that
    served before and was made inactive, reactivated by ``provider_update`` — then the
    application moves to approved pointing at it, in one transaction."""
    APPLICATION_FLOW.require("approve", obj=application, actor=actor)
    policy.require_application_district(actor, application.district_id)
    profile: dict[str, Any] = {
        "supply_type": application.supply_type,
        "staff_count": application.staff_count,
        "social_workers": application.social_workers,
        "signature_projects": application.signature_projects,
        "contact_name": application.contact_name,
        "contact_phone": application.contact_phone,
        "daily_capacity": daily_capacity,
    }
    former = Provider.objects.filter(uscc=application.uscc).first()
    if former is not None and former.active:
        raise Conflict(
            "already_provider", _("An organisation with this code is already a provider.")
        )
    if former is not None:  # it served before and was made inactive: admitted again
        provider = provider_update(
            actor=actor,
            provider=former,
            name=application.name,
            base=base,
            streets=streets,
            communities=communities,
            items=items,
            active=True,
            **profile,
        )
    else:
        provider = provider_create(
            actor=actor,
            name=application.name,
            uscc=application.uscc,
            base=base,
            streets=streets,
            communities=communities,
            items=items,
            **profile,
        )
    application = APPLICATION_FLOW.apply(
        obj=application,
        action="approve",
        actor=actor,
        note=reason.strip()[:2000],
        changes={
            "provider": provider,
            "decision_reason": reason.strip()[:2000],
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    _tell_applicant(application)
    return application
