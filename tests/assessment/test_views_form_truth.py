"""The assessment form says what is true: counters follow the saved answers, the score is a
percentage with the exact fraction on hover, unanswered questions are counted apart, and an
urgent tag beside "not poor" says why."""

import re

import pytest

from assessment_cast import NOT_DEPRIVED
from jiuzhu.assessment.services.assessments import assessment_start

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _posted(answers):
    return {
        f"q_{code}": {"yes": "1", "no": "0"}.get(value, str(value))
        for code, value in answers.items()
    }


@pytest.fixture
def draft(household, actors):
    return assessment_start(actor=actors["assessor"], household=household)


def test_counters_update_as_answers_save(client, draft, actors):
    client.force_login(actors["assessor"])
    page = client.get(f"/assessment/{draft.pk}/").content.decode()
    # No minor in the household: "a minor without guardianship" is pre-filled (no).
    assert 'id="progress-social">1/3<' in page
    social = {"isolated_vulnerable": "no"}
    html = client.post(
        f"/assessment/{draft.pk}/save/", {"revision": "0", **_posted(social)}, **HX
    ).content.decode()
    assert '<span class="progress" id="progress-social" hx-swap-oob="true">2/3</span>' in html
    html = client.post(
        f"/assessment/{draft.pk}/save/",
        {"revision": "1", **_posted({"psychological_distress": "yes"})},
        **HX,
    ).content.decode()
    assert 'id="progress-social" hx-swap-oob="true">3/3</span>' in html


def test_the_score_is_a_percentage_and_unanswered_questions_stand_apart(client, draft, actors):
    client.force_login(actors["assessor"])
    # Only food shortage answered, deprived: 1/18 of the score so far.
    answers = dict.fromkeys(NOT_DEPRIVED, "")
    answers["food_shortage"] = "yes"
    html = client.post(
        f"/assessment/{draft.pk}/save/", {"revision": "0", **_posted(answers)}, **HX
    ).content.decode()
    assert re.search(r'title="1/18 = 0\.055556"[^>]*>5\.6%<', html)
    assert "Answered: 1 of 15 questions" in html
    assert "14 unanswered" in html


def test_an_urgent_tag_beside_not_poor_says_why(client, draft, actors):
    client.force_login(actors["assessor"])
    answers = {**NOT_DEPRIVED, "isolated_vulnerable": "yes"}  # 1/18, critical
    html = client.post(
        f"/assessment/{draft.pk}/save/", {"revision": "0", **_posted(answers)}, **HX
    ).content.decode()
    assert "Urgent intervention" in html and "Not poor" in html
    assert "Urgent because of a critical indicator (An elderly or disabled person" in html
