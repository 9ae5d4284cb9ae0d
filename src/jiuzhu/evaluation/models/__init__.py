"""The evaluation app's models, one module per part of the capability; each is imported here so that
Django finds it."""

# Applications and screening
from jiuzhu.evaluation.models.applications import (  # noqa: E402, F401
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

# Projects and settlement
from jiuzhu.evaluation.models.projects import (  # noqa: F401
    LOCKED,
    Correction,
    DisputeState,
    LineKind,
    PeriodKind,
    Project,
    ProjectItem,
    SettlementRule,
    SpotCheck,
    SpotMethod,
    Statement,
    StatementEvent,
    StatementLine,
    StatementStatus,
)
