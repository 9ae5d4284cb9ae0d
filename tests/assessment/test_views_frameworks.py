"""The framework pages: every staff role reads them; only the city administrator starts, edits,
compares and publishes drafts (403 for everyone else), and a broken file shows the engine's own
message."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment_cast import NOT_DEPRIVED
from factories_registry import add_member, make_household
from jiuzhu.assessment.models import FrameworkStatus, Indicator, IndicatorFramework, Rescore
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.frameworks import framework_clone
from jiuzhu.registry.models import HouseholdAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The UI's English msgids (the default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"


NOT_EDITORS = ("qixia_manager", "yaohua_caseworker", "yaohua_a_worker", "assessor", "qixia_hotline")


@pytest.fixture
def published(configured):
    return configured


@pytest.fixture
def draft(published, actors):
    return framework_clone(source=published, actor=actors["city_admin"])


@pytest.fixture
def admin(client, actors):
    client.force_login(actors["city_admin"])
    return client


def test_staff_read_the_frameworks_others_do_not(client, actors, published):
    for name in ("city_admin", "qixia_manager", "yaohua_caseworker", "assessor"):
        client.force_login(actors[name])
        listing = client.get("/assessment/frameworks/")
        assert listing.status_code == 200, name
        assert "六维困境指数" in listing.content.decode()
        assert client.get(f"/assessment/frameworks/{published.version}/").status_code == 200
    for name in ("provider_staff", "volunteer", "security_admin"):
        client.force_login(actors[name])
        assert "六维困境指数" not in client.get("/assessment/frameworks/").content.decode()
        assert client.get(f"/assessment/frameworks/{published.version}/").status_code == 404
    client.logout()
    assert client.get("/assessment/frameworks/").status_code == 302


def test_the_detail_shows_indicators_rules_and_effective_weights(admin, published):
    html = admin.get(f"/assessment/frameworks/{published.version}/").content.decode()
    assert "daily_care_gap" in html and "&lt; 1.5" in html
    assert "equal share" in html
    assert "1/18" in html and "1/12" in html and "1/6" in html  # computed by the engine
    assert "income_ratio" in html  # a pre-fill source
    assert "New draft from this version" in html
    assert "Publish</button>" not in html  # a published version does not change


def test_export_is_yaml_that_imports_again(admin, published):
    response = admin.get(f"/assessment/frameworks/{published.version}/export.yaml")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "六维困境指数" in text  # allow_unicode
    data = yaml.safe_load(text)
    assert data["poverty_cutoff"] == "1/3"
    upload = SimpleUploadedFile("fw.yaml", response.content, content_type="application/yaml")
    imported = admin.post("/assessment/frameworks/import/", {"file": upload})
    assert imported.status_code == 302
    assert IndicatorFramework.objects.filter(status=FrameworkStatus.DRAFT).count() == 1


def test_only_the_city_admin_changes_frameworks(client, actors, published, draft):
    indicator = Indicator.objects.filter(dimension__framework=draft).first()
    v, d = published.version, draft.version
    posts = [
        f"/assessment/frameworks/{v}/clone/",
        f"/assessment/frameworks/{d}/settings/",
        f"/assessment/frameworks/{d}/indicators/new/",
        f"/assessment/frameworks/{d}/indicators/{indicator.pk}/",
        f"/assessment/frameworks/{d}/indicators/{indicator.pk}/delete/",
        f"/assessment/frameworks/{d}/compare/",
        f"/assessment/frameworks/{d}/publish/",
        "/assessment/frameworks/import/",
    ]
    gets = [
        f"/assessment/frameworks/{d}/settings/",
        f"/assessment/frameworks/{d}/indicators/new/",
        f"/assessment/frameworks/{d}/indicators/{indicator.pk}/",
        f"/assessment/frameworks/{d}/compare/",
        "/assessment/frameworks/import/",
    ]
    for name in NOT_EDITORS:
        client.force_login(actors[name])
        for url in posts:
            assert client.post(url, {"name": "x"}).status_code == 403, (name, url)
        for url in gets:
            assert client.get(url).status_code == 403, (name, url)
        html = client.get(f"/assessment/frameworks/{d}/").content.decode()
        assert "Edit settings" not in html and "New draft" not in html
    assert IndicatorFramework.objects.count() == 2
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_clone_edit_and_publish_a_draft(admin, published):
    response = admin.post(f"/assessment/frameworks/{published.version}/clone/")
    draft = IndicatorFramework.objects.get(status=FrameworkStatus.DRAFT)
    assert response["Location"] == f"/assessment/frameworks/{draft.version}/"
    page = admin.get(response["Location"]).content.decode()
    assert "Edit settings" in page and "Publish</button>" in page
    url = f"/assessment/frameworks/{draft.version}/settings/"
    assert admin.get(url).status_code == 200
    bad = admin.post(
        url,
        {
            "name": "新版",
            "poverty_cutoff": "2",
            "urgent_at": "1/5",
            "safety_net_at": "1/3",
            "care_at": "1/2",
        },
    )
    assert bad.status_code == 422
    good = admin.post(
        url,
        {
            "name": "六维困境指数（修订）",
            "poverty_cutoff": "1/4",
            "urgent_at": "1/2",
            "safety_net_at": "1/4",
            "care_at": "1/6",
            "notes": "降低k",
        },
    )
    assert good.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.poverty_cutoff, draft.care_at) == (
        "六维困境指数（修订）",
        "1/4",
        "1/6",
    )
    # edit an indicator: a bad rule is the engine's message on the field
    indicator = Indicator.objects.get(dimension__framework=draft, code="living_area")
    edit_url = f"/assessment/frameworks/{draft.version}/indicators/{indicator.pk}/"
    form = admin.get(edit_url)
    assert form.status_code == 200 and 'value="living_area"' in form.content.decode()
    fields = {
        "code": "living_area",
        "question": "人均住房面积",
        "data_type": "number",
        "deprived_if": "< 12",
        "needs": ["benefit_access"],
        "critical": "",
    }
    assert admin.post(edit_url, {**fields, "deprived_if": "<< 12"}).status_code == 422
    assert admin.post(edit_url, fields).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.deprived_if, indicator.question) == ("< 12", "人均住房面积")
    assert list(indicator.needs.values_list("code", flat=True)) == ["benefit_access"]
    # add one, with a duplicate code refused first
    housing = indicator.dimension
    add_url = f"/assessment/frameworks/{draft.version}/indicators/new/"
    new = {
        "dimension": housing.pk,
        "code": "no_heating",
        "question": "冬季是否无取暖",
        "data_type": "boolean",
        "deprived_if": "true",
        "weight": "",
    }
    assert admin.post(add_url, {**new, "code": "living_area"}).status_code == 422
    assert admin.post(add_url, {**new, "data_type": "choice"}).status_code == 422
    assert admin.post(add_url, new).status_code == 302
    added = Indicator.objects.get(dimension__framework=draft, code="no_heating")
    assert added.position == 2
    detail = admin.get(f"/assessment/frameworks/{draft.version}/").content.decode()
    assert "1/18" in detail  # housing now has three indicators: 1/6 ÷ 3
    # delete it again, then publish
    delete_url = f"/assessment/frameworks/{draft.version}/indicators/{added.pk}/delete/"
    assert admin.post(delete_url).status_code == 302
    assert not Indicator.objects.filter(pk=added.pk).exists()
    published_page = admin.post(f"/assessment/frameworks/{draft.version}/publish/", follow=True)
    assert "is published" in published_page.content.decode()
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == ("published", "retired")
    # a published version cannot be edited any more
    response = admin.post(
        f"/assessment/frameworks/{draft.version}/settings/", {"name": "x"}, follow=True
    )
    assert "Published frameworks cannot change" in response.content.decode()
    assert admin.post(f"/assessment/frameworks/{draft.version}/publish/").status_code == 302


def test_a_draft_with_problems_lists_them_and_is_not_published(admin, draft):
    Indicator.objects.filter(dimension__framework=draft, dimension__code="housing").delete()
    page = admin.get(f"/assessment/frameworks/{draft.version}/").content.decode()
    assert "It cannot be published yet" in page
    assert "housing" in page
    response = admin.post(f"/assessment/frameworks/{draft.version}/publish/", follow=True)
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT
    assert "housing" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("broken.yaml", b"name: x\npoverty_cutoff: 1/3\ndimensions: [", "could not be read"),
        ("list.yaml", b"- a\n- b\n", "one framework"),
        ("latin1.yaml", "name: é".encode("latin-1"), "not UTF-8"),
        ("nodims.yaml", b"name: x\npoverty_cutoff: 1/3\n", "dimensions"),
        (
            "bad.json",
            b'{"name": "x", "poverty_cutoff": "1/3", "dimensions": [{"name": "d", '
            b'"indicators": [{"name": "i", "deprived_if": "<<"}]}]}',
            "deprived_if",
        ),
        (
            "typo.yaml",
            b"name: x\npoverty_cutoff: 1/3\ndimensions:\n  - name: d\n    wieght: 1\n"
            b"    indicators: [{name: i, deprived_if: 'true'}]\n",
            "did you mean",
        ),
    ],
)
def test_a_broken_file_shows_the_message(admin, published, name, content, shown):
    upload = SimpleUploadedFile(name, content)
    response = admin.post("/assessment/frameworks/import/", {"file": upload})
    assert response.status_code == 422
    assert shown in response.content.decode()
    assert IndicatorFramework.objects.count() == 1


def test_import_without_a_file_is_a_form_error(admin, published):
    assert admin.post("/assessment/frameworks/import/", {}).status_code == 422


@pytest.fixture
def scored_household(published, areas, actors, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"], income="1500")
    add_member(actor=caseworker, household=household, age=52, employment="unemployed")
    HouseholdAssignment.objects.create(
        household=household,
        assignee=actors["assessor"],
        purpose="assessment",
        created_by=caseworker,
    )
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    answers = {
        **NOT_DEPRIVED,
        "food_shortage": "yes",
        "unsafe_housing": "yes",
        "lacks_skills": "yes",
        "no_family_doctor": "yes",
        "psychological_distress": "yes",
    }
    assessment = assessment_save(actor=assessor, assessment=assessment, answers=answers)
    return assessment_submit(actor=assessor, assessment=assessment)


def test_compare_rescores_and_shows_tag_moves(admin, scored_household, draft):
    # 1/18 + 1/12 + 1/12 + 1/18 + 1/18 = 1/3: safety net now
    assert scored_household.urgency_tag == "safety_net"
    url = f"/assessment/frameworks/{draft.version}/compare/"
    empty = admin.get(url).content.decode()
    assert "Not rescored yet" in empty
    admin.post(
        f"/assessment/frameworks/{draft.version}/settings/",
        {
            "name": draft.name,
            "poverty_cutoff": "1/3",
            "urgent_at": "1/3",
            "safety_net_at": "1/4",
            "care_at": "1/5",
        },
    )
    response = admin.post(url)
    assert response["Location"] == url
    assert Rescore.objects.filter(framework=draft).count() == 1
    html = admin.get(url).content.decode()
    assert "would change tag" in html
    table = admin.get(url).context["table"]
    assert table["moves"] == {("safety_net", "urgent"): 1}
    assert (table["count"], table["changed"], table["poor_before"], table["poor_after"]) == (
        1,
        1,
        1,
        1,
    )


def test_unknown_versions_and_indicators_are_404(admin, draft, published):
    assert admin.get("/assessment/frameworks/999/").status_code == 404
    assert (
        admin.get(f"/assessment/frameworks/{draft.version}/indicators/999999/").status_code == 404
    )
    other = Indicator.objects.filter(dimension__framework=published).first()
    # an indicator of another version is not reachable through this one
    assert (
        admin.get(f"/assessment/frameworks/{draft.version}/indicators/{other.pk}/").status_code
        == 404
    )
