"""Races on PostgreSQL with real parallel connections: two first reviews at once both count (one
moves the application into screening, the other finds it there); two managers deciding at once,
exactly one wins and the other gets 409."""

from __future__ import annotations

import pytest

from applications_cast import scores
from factories import valid_uscc
from jiuzhu.core.errors import Conflict
from jiuzhu.evaluation.models import Application, ApplicationEvent
from jiuzhu.evaluation.services import applications as services
from parallel import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _submit(areas, n):
    return services.application_submit(
        name=f"并发机构{n}",
        uscc=valid_uscc(900 + n),
        supply_type="social_work",
        staff_count=10,
        social_workers=2,
        signature_projects="项目",
        street=areas["yaohua"],
        address="1 号",
        contact_name="联系人",
        contact_phone="025-1",
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_first_reviews_at_once_both_count(postgres_only, areas, actors, reviewer, round_):
    application = _submit(areas, round_)
    results = in_parallel(
        *(
            lambda user=user: services.application_review(
                actor=user,
                application=Application.objects.get(pk=application.pk),
                scores=scores(70, 70, 70, 70, 70),
            )
            for user in (actors["qixia_manager"], reviewer)
        )
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    application.refresh_from_db()
    assert application.status == "screening" and application.reviews.count() == 2
    assert ApplicationEvent.objects.filter(application=application, action="screen").count() == 1


def test_two_managers_deciding_at_once_one_wins(postgres_only, areas, actors, reviewer):
    application = _submit(areas, 9)
    results = in_parallel(
        *(
            lambda user=user: services.application_reject(
                actor=user,
                application=Application.objects.get(pk=application.pk),
                reason=f"理由 {user.username}",
            )
            for user in (actors["qixia_manager"], reviewer)
        )
    )
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], Conflict)
    assert ApplicationEvent.objects.filter(application=application, action="reject").count() == 1


def test_two_managers_approving_a_statement_at_once_one_wins(
    postgres_only, project, march_deliveries, actors, reviewer
):
    from jiuzhu.evaluation.models import Statement, StatementEvent
    from jiuzhu.evaluation.services.statements import statement_approve, statement_draft

    statement, _ = statement_draft(actor=actors["qixia_manager"], project=project, period="2026-03")
    results = in_parallel(
        *(
            lambda user=user: statement_approve(
                actor=user, statement=Statement.objects.get(pk=statement.pk)
            )
            for user in (actors["qixia_manager"], reviewer)
        )
    )
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], Conflict)
    statement.refresh_from_db()
    assert statement.status == "approved" and statement.approved_by == wins[0].approved_by
    assert StatementEvent.objects.filter(statement=statement, action="approve").count() == 1
