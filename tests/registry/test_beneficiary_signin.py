import json

import pytest
from django.conf import settings

from factories_registry import add_member, make_household
from jiuzhu.core.models import AuditEntry, User
from jiuzhu.core.services.signin_codes import MAX_ATTEMPTS, CodeRefused
from jiuzhu.registry.services.beneficiaries import (
    beneficiary_request_code,
    beneficiary_sign_in,
)

pytestmark = pytest.mark.django_db


def last_code(mobile: str) -> str:
    lines = settings.SMS_OUTBOX.read_text(encoding="utf-8").splitlines()
    text = [json.loads(line) for line in lines if json.loads(line)["to"] == mobile][-1]["text"]
    return "".join(ch for ch in text if ch.isdigit())[:6]


@pytest.fixture
def member(areas, caseworker):
    settings.SMS_OUTBOX.unlink(missing_ok=True)
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    return add_member(actor=caseworker, household=household, mobile="13911112222")


def test_a_member_signs_in_with_the_code_from_the_outbox(member):
    beneficiary_request_code(mobile="13911112222")
    user = beneficiary_sign_in(mobile="13911112222", code=last_code("13911112222"))
    assert user.role == "beneficiary"
    assert user.beneficiary.household == member.household
    assert AuditEntry.objects.filter(action="login", actor=user, result="success").exists()


def test_an_unknown_number_gets_no_code_and_is_audited(member):
    assert beneficiary_request_code(mobile="13700000000") is None
    assert AuditEntry.objects.filter(action="login", result="failure").exists()


def test_wrong_codes_are_counted_and_survive_the_refusal(member):
    beneficiary_request_code(mobile="13911112222")
    right = last_code("13911112222")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeRefused):
            beneficiary_sign_in(mobile="13911112222", code=wrong)
    with pytest.raises(CodeRefused, match="Too many"):
        beneficiary_sign_in(mobile="13911112222", code=right)


def test_an_existing_user_with_that_name_is_reused(member):
    User.objects.create(username="m13911112222", role="beneficiary", is_active=False)
    beneficiary_request_code(mobile="13911112222")
    user = beneficiary_sign_in(mobile="13911112222", code=last_code("13911112222"))
    assert user.username == "m13911112222"
    assert user.is_active
