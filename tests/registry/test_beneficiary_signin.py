import contextlib
import datetime as dt
import json
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from factories_registry import add_member, make_household
from jiuzhu.core.models import AuditEntry, User
from jiuzhu.core.request_context import RequestInfo, reset_request_info, set_request_info
from jiuzhu.core.services.signin_codes import MAX_ATTEMPTS, CodeRefused
from jiuzhu.registry.services.beneficiaries import (
    beneficiary_request_code,
    beneficiary_sign_in,
)

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def freeze(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def last_code(mobile: str) -> str:
    lines = settings.SMS_OUTBOX.read_text(encoding="utf-8").splitlines()
    text = [json.loads(line) for line in lines if json.loads(line)["to"] == mobile][-1]["text"]
    return "".join(ch for ch in text if ch.isdigit())[:6]


@pytest.fixture
def member(areas, caseworker, settings, tmp_path):
    # Each test its own outbox: parallel workers share the var folder, and another test asking
    # a code for the same number would otherwise write the "last" code this test reads.
    settings.SMS_OUTBOX = tmp_path / "outbox.jsonl"
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    return add_member(actor=caseworker, household=household, mobile="13911112222")


def test_a_member_signs_in_with_the_code_from_the_outbox(member):
    beneficiary_request_code(mobile="13911112222")
    user = beneficiary_sign_in(mobile="13911112222", code=last_code("13911112222"))
    assert user.role == "beneficiary"
    assert user.beneficiary.household == member.household
    assert AuditEntry.objects.filter(action="login", actor=user, result="success").exists()


def test_an_unknown_number_gets_no_code_and_is_audited_masked(member):
    assert beneficiary_request_code(mobile="13700001234") is None
    entry = AuditEntry.objects.get(action="login", result="failure")
    assert entry.actor_label == "137****1234"


def test_a_wrong_code_is_audited_with_the_number_masked(member):
    beneficiary_request_code(mobile="13911112222")
    with pytest.raises(CodeRefused):
        beneficiary_sign_in(mobile="13911112222", code="99999x")
    entry = AuditEntry.objects.get(action="login", result="failure")
    assert entry.actor_label == "139****2222"


def test_the_code_page_shows_the_number_masked(client, member):
    response = client.post("/login/sms/", {"mobile": "13911112222"}, follow=True)
    page = response.content.decode()
    assert "139****2222" in page
    assert "13911112222" not in page


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


def _answer(mobile: str) -> str:
    """What the person asking sees: a code was (maybe) sent, or why not."""
    try:
        beneficiary_request_code(mobile=mobile)
    except CodeRefused as refusal:
        return str(refusal)
    return "sent"


def test_asking_twice_answers_the_same_for_a_registered_and_an_unknown_number(member):
    registered = [_answer("13911112222"), _answer("13911112222")]
    unknown = [_answer("13700000000"), _answer("13700000000")]
    assert (
        registered
        == unknown
        == [
            "sent",
            "A code was sent less than 30 seconds ago. Please wait.",
        ]
    )


def test_a_number_gets_at_most_its_daily_codes(member, settings):
    settings.SMS_PER_NUMBER_PER_DAY = 3
    start = timezone.now()
    answers = []
    for minute in range(4):
        with freeze(start + dt.timedelta(minutes=minute)):
            answers.append(_answer("13700000000"))
    assert answers[:3] == ["sent"] * 3
    assert "Too many codes were asked for this number today" in answers[3]
    with freeze(start + dt.timedelta(days=1, minutes=1)):
        assert _answer("13700000000") == "sent"


def test_a_client_address_gets_at_most_its_hourly_codes(member, settings):
    settings.SMS_PER_ADDRESS_PER_HOUR = 2
    token = set_request_info(RequestInfo(ip_address="10.9.8.7", channel="web"))
    try:
        answers = [_answer(f"1370000000{n}") for n in range(3)]
    finally:
        reset_request_info(token)
    assert answers[:2] == ["sent", "sent"]
    assert "from this network" in answers[2]
    assert _answer("13700000009") == "sent"  # another address is not held back


def test_the_platform_has_a_daily_cap(member, settings):
    settings.SMS_PER_DAY = 1
    assert _answer("13911112222") == "sent"
    assert "not available right now" in _answer("13700000001")


def test_every_request_and_every_refusal_is_audited_with_a_masked_number(member):
    _answer("13911112222")
    _answer("13911112222")
    _answer("13700000000")
    steps = list(
        AuditEntry.objects.filter(action="login")
        .order_by("id")
        .values_list("actor_label", "result", "detail__step")
    )
    assert steps == [
        ("139****2222", "success", "code sent"),
        ("139****2222", "denied", "limit"),
        ("137****0000", "failure", "unknown number"),
    ]
    assert not AuditEntry.objects.filter(actor_label__contains="13911112222").exists()


def test_full_width_digits_ask_for_the_same_number(member):
    assert _answer("１３９１１１１２２２２") == "sent"
    assert last_code("13911112222")
