"""The household pages: list (search, filters, sort, paging), detail, scoping, export, and the
household-level actions. Every endpoint is tried by in-scope and out-of-scope actors."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from factories import years_ago
from factories_registry import add_member, make_household
from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult
from jiuzhu.registry.models import Household, HouseholdAssignment, HouseholdStatus

pytestmark = pytest.mark.django_db

LIST = "/households/"
EXPORT = "/households/export.xlsx"


@pytest.fixture
def homes(areas, actors):
    """Two households in 尧化门 (yaohua_a), one in 尧林仙居 (yaohua_b), one in 马群, one in
    Jianye's 沙洲."""
    worker = actors["city_admin"]
    made = {}
    for key, community, tier, name, income in [
        ("a1", "yaohua_a", "dibao", "王大山", "800"),
        ("a2", "yaohua_a", "tekun", "李小梅", "300"),
        ("b1", "yaohua_b", "near_dibao", "赵四", "2500"),
        ("m1", "maqun_a", "dibao", "钱多多", "1000"),
        ("s1", "shazhou_a", "dibao", "孙悟", "900"),
    ]:
        household = make_household(
            actor=worker, community=areas[community], tier=tier, income=income
        )
        add_member(actor=worker, household=household, name=name, age=70 if key == "a1" else 40)
        made[key] = household
    return made


def _ids(response) -> set[int]:
    return {h.pk for h in response.context["page_obj"].object_list}


def test_the_list_shows_what_the_actor_may_see(client, actors, homes):
    cases = {
        "city_admin": {"a1", "a2", "b1", "m1", "s1"},
        "qixia_manager": {"a1", "a2", "b1", "m1"},
        "jianye_manager": {"s1"},
        "yaohua_caseworker": {"a1", "a2", "b1"},
        "yaohua_a_worker": {"a1", "a2"},
        "qixia_hotline": {"a1", "a2", "b1", "m1"},
        "assessor": set(),  # granted the households assigned to them: none here
    }
    for name, keys in cases.items():
        client.force_login(actors[name])
        response = client.get(LIST)
        assert response.status_code == 200, name
        assert _ids(response) == {homes[k].pk for k in keys}, name
    # Roles never granted households are refused the list outright.
    for name in ("provider_staff", "security_admin", "audit_admin"):
        client.force_login(actors[name])
        assert client.get(LIST).status_code == 403, name


def test_search_finds_names_phones_and_the_last_four_of_an_id(client, caseworker, homes):
    client.force_login(caseworker)
    assert _ids(client.get(LIST, {"q": "李小梅"})) == {homes["a2"].pk}
    member = homes["b1"].members.get()
    assert _ids(client.get(LIST, {"q": member.id_last4})) >= {homes["b1"].pk}
    assert _ids(client.get(LIST, {"q": "钱多多"})) == set()  # out of scope stays out


def test_filters_narrow_the_list_and_stay_in_the_query_string(client, caseworker, homes, areas):
    client.force_login(caseworker)
    response = client.get(LIST, {"community": areas["yaohua_b"].pk})
    assert _ids(response) == {homes["b1"].pk}
    assert _ids(client.get(LIST, {"tier": "tekun"})) == {homes["a2"].pk}
    assert _ids(client.get(LIST, {"group": "elderly"})) == {homes["a1"].pk}
    response = client.get(LIST, {"tier": "dibao", "sort": "income"})
    page = response.content.decode()
    assert "tier=dibao" in page  # sort links and the export link keep the filters
    assert f"{EXPORT}?tier=dibao" in page


def test_sorting_by_income_both_ways(client, caseworker, homes):
    client.force_login(caseworker)
    ascending = [h.pk for h in client.get(LIST, {"sort": "income"}).context["page_obj"]]
    descending = [h.pk for h in client.get(LIST, {"sort": "-income"}).context["page_obj"]]
    assert ascending == [homes["a2"].pk, homes["a1"].pk, homes["b1"].pk]
    assert descending == list(reversed(ascending))


def test_htmx_requests_get_only_the_results_fragment(client, caseworker, homes):
    client.force_login(caseworker)
    response = client.get(LIST, {"q": "王"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="household-results"')
    assert "<html" not in body
    assert 'hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"district": "xyz"},
        {"street": "1e9"},
        {"community": "99999999999999999999"},
        {"sort": "password"},
        {"tier": "<script>"},
        {"group": "nobody"},
        {"status": "gone"},
        {"urgency": "x"},
        {"q": "x" * 500},
        {"q": "%_\\'\""},
    ],
)
def test_bad_query_strings_never_break_the_list(client, actors, homes, query):
    client.force_login(actors["qixia_manager"])
    response = client.get(LIST, query)
    assert response.status_code == 200
    export = client.get(EXPORT, query)
    assert export.status_code == 200


def test_an_area_outside_the_actor_is_ignored_not_applied(client, caseworker, homes, areas):
    client.force_login(caseworker)
    response = client.get(LIST, {"community": areas["shazhou_a"].pk})
    assert _ids(response) == {homes[k].pk for k in ("a1", "a2", "b1")}


def test_the_list_costs_the_same_few_queries_whatever_the_data(client, caseworker, areas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(caseworker)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST, params).status_code == 200
        return len(context)

    make_household(actor=caseworker, community=areas["yaohua_a"])
    queries()  # the first request after sign-in also settles the second-factor check
    few = queries()
    for _ in range(30):
        household = make_household(actor=caseworker, community=areas["yaohua_b"])
        add_member(actor=caseworker, household=household, birth=years_ago(50))
    assert queries() == few <= 10
    assert queries(page=2) == few
    # a search reads the ids of its matches first (one query, whatever their number)
    assert queries(q="张", sort="-income", page=2) == few + 1


def test_a_broad_search_shows_its_rows_areas_in_constant_queries(
    client, caseworker, areas, monkeypatch
):
    """Past ``FEW_MATCHES`` the list reads the areas of the page's rows apart (not joined to
    every match): the page still names them, in a number of queries that does not grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiuzhu.registry.selectors import households as households_selector

    monkeypatch.setattr(households_selector, "FEW_MATCHES", 0)
    client.force_login(caseworker)

    def household(community, name):
        made = make_household(actor=caseworker, community=community)
        add_member(actor=caseworker, household=made, name=name, relation="head", age=60)

    household(areas["yaohua_b"], "张广")
    client.get(LIST)  # the first request after sign-in also settles the second-factor check

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST, {"q": "张"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        html = response.content.decode()
        return html[html.index("<tbody") : html.index("</tbody>")], len(context)

    html, few = page()
    assert "尧林仙居社区" in html and "尧化门社区" not in html
    for i in range(5):
        household(areas["yaohua_a"], f"张{i}")
    html, more = page()
    assert more == few and "尧化门社区" in html


# ---- detail ----


def test_the_detail_page_shows_facts_members_and_the_chain(client, caseworker, homes):
    household = homes["a1"]
    add_member(
        actor=caseworker,
        household=household,
        name="王小米",
        age=8,
        relation="grandchild",
        employment="student",
        schooling="enrolled",
    )
    client.force_login(caseworker)
    response = client.get(f"/households/{household.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "王大山" in page and "王小米" in page
    member = household.members.get(name="王大山")
    assert "*" * 14 + member.id_last4 in page
    assert "Elderly" in page and "Minors" in page  # group labels, translated
    assert "Household registered" in page  # the chain and the history
    assert f"/members/{member.pk}/reveal/" in page
    view = AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(household.pk))
    assert view.count() == 1


@pytest.mark.parametrize(
    "name,visible",
    [
        ("city_admin", True),
        ("qixia_manager", True),
        ("yaohua_caseworker", True),
        ("yaohua_a_worker", True),
        ("qixia_hotline", True),
        ("jianye_manager", False),
        ("maqun_caseworker", False),
        ("yaohua_b_worker", False),
        ("assessor", False),
        ("provider_staff", False),
        ("volunteer", False),
        ("department", False),
        ("security_admin", False),
        ("audit_admin", False),
    ],
)
def test_the_detail_page_is_404_outside_the_actor_scope(client, actors, homes, name, visible):
    client.force_login(actors[name])
    response = client.get(f"/households/{homes['a1'].pk}/")
    assert response.status_code == (200 if visible else 404)


def test_an_assigned_assessor_sees_the_household(client, actors, homes):
    client.force_login(actors["yaohua_caseworker"])
    response = client.post(
        f"/households/{homes['a1'].pk}/assign/", {"assignee": actors["assessor"].pk}
    )
    assert response.status_code == 302
    assert HouseholdAssignment.objects.filter(
        household=homes["a1"], assignee=actors["assessor"]
    ).exists()
    client.force_login(actors["assessor"])
    assert client.get(f"/households/{homes['a1'].pk}/").status_code == 200
    assert _ids(client.get(LIST)) == {homes["a1"].pk}


def test_only_assigners_can_assign(client, actors, homes):
    client.force_login(actors["yaohua_a_worker"])
    response = client.post(
        f"/households/{homes['a1'].pk}/assign/", {"assignee": actors["assessor"].pk}
    )
    assert response.status_code == 403
    assert not HouseholdAssignment.objects.exists()


def test_a_non_assessor_cannot_be_chosen(client, actors, homes):
    client.force_login(actors["yaohua_caseworker"])
    response = client.post(
        f"/households/{homes['a1'].pk}/assign/", {"assignee": actors["volunteer"].pk}
    )
    assert response.status_code == 200
    assert b"has-error" in response.content


@pytest.mark.parametrize("path", ["/households/abc/", "/households/-1/", "/members/x/edit/"])
def test_non_numeric_ids_are_404(client, caseworker, path):
    client.force_login(caseworker)
    assert client.get(path).status_code == 404


def test_a_huge_id_is_404_not_500(client, caseworker):
    client.force_login(caseworker)
    assert client.get("/households/99999999999999999999999/").status_code == 404


def test_the_404_page_uses_the_layout_and_the_language(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/households/424242/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'class="site-header"' in page


# ---- create and edit ----


def test_registering_a_household_redirects_to_adding_members(client, caseworker, areas):
    client.force_login(caseworker)
    response = client.post(
        "/households/new/",
        {
            "community": areas["yaohua_b"].pk,
            "address": "尧林路8号",
            "phone": "",
            "tier": "dibao",
            "monthly_income": "900",
            "medical_spending_12m": "0",
            "education_spending_12m": "0",
        },
    )
    household = Household.objects.get(address="尧林路8号")
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/members/new/"
    assert household.street == areas["yaohua"]


def test_a_community_outside_the_actor_is_not_offered_and_not_accepted(client, caseworker, areas):
    client.force_login(caseworker)
    page = client.get("/households/new/").content.decode()
    assert "尧林仙居社区" in page and "沙洲社区" not in page
    response = client.post(
        "/households/new/",
        {
            "community": areas["shazhou_a"].pk,
            "address": "x",
            "tier": "dibao",
            "monthly_income": "1",
            "medical_spending_12m": "0",
            "education_spending_12m": "0",
        },
    )
    assert response.status_code == 200
    assert b"has-error" in response.content
    assert not Household.objects.exists()


def test_a_validation_error_keeps_what_was_typed(client, caseworker, areas):
    client.force_login(caseworker)
    response = client.post(
        "/households/new/",
        {
            "community": areas["yaohua_a"].pk,
            "address": "保留的地址",
            "tier": "dibao",
            "monthly_income": "-5",
            "medical_spending_12m": "0",
            "education_spending_12m": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="保留的地址"' in page
    assert 'value="-5"' in page


def test_editing_a_household_records_the_change(client, caseworker, homes):
    household = homes["a1"]
    client.force_login(caseworker)
    form = client.get(f"/households/{household.pk}/edit/")
    assert form.status_code == 200
    response = client.post(
        f"/households/{household.pk}/edit/",
        {
            "community": household.community_id,
            "address": household.address,
            "phone": "",
            "tier": "dibao",
            "monthly_income": "400",
            "medical_spending_12m": "0",
            "education_spending_12m": "0",
            "reason": "失业",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.monthly_income == Decimal("400")
    assert household.changes.filter(kind="income", reason="失业").exists()


@pytest.mark.parametrize(
    "name, on_the_household",
    # The hotline sees Qixia's households (403: may not edit); the assessor is not assigned
    # this one and the security administrator sees none (404: the lookup comes first).
    [("qixia_hotline", 403), ("assessor", 404), ("security_admin", 404)],
)
def test_roles_that_do_not_edit_are_refused_every_form(
    client, actors, homes, name, on_the_household
):
    household = homes["a1"]
    client.force_login(actors[name])
    assert client.get("/households/new/").status_code == 403
    for path in (
        f"/households/{household.pk}/edit/",
        f"/households/{household.pk}/members/new/",
        f"/households/{household.pk}/exit/",
    ):
        assert client.get(path).status_code == on_the_household, path


def test_an_out_of_scope_editor_gets_404_on_the_forms(client, actors, homes):
    client.force_login(actors["maqun_caseworker"])
    assert client.get(f"/households/{homes['a1'].pk}/edit/").status_code == 404
    response = client.post(f"/households/{homes['a1'].pk}/exit/", {"reason": "x"})
    assert response.status_code == 404
    homes["a1"].refresh_from_db()
    assert homes["a1"].status == HouseholdStatus.ACTIVE


def test_exit_and_reactivate(client, caseworker, homes):
    household = homes["a1"]
    client.force_login(caseworker)
    response = client.post(f"/households/{household.pk}/exit/", {"reason": ""})
    assert response.status_code == 200 and b"has-error" in response.content
    response = client.post(f"/households/{household.pk}/exit/", {"reason": "收入已超过标准"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == HouseholdStatus.EXITED
    response = client.post(f"/households/{household.pk}/reactivate/", {"reason": "再次困难"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ACTIVE


# ---- export ----


def test_the_export_is_a_workbook_with_masked_ids_and_one_audit_entry(client, caseworker, homes):
    client.force_login(caseworker)
    response = client.get(EXPORT, {"tier": "dibao"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    households, members = workbook.worksheets
    rows = list(households.iter_rows(values_only=True))
    assert rows[0][0] == "No."
    assert [r[0] for r in rows[1:]] == [homes["a1"].pk]  # dibao, in scope
    member_rows = list(members.iter_rows(values_only=True))[1:]
    member = homes["a1"].members.get()
    assert member_rows[0][2] == "*" * 14 + member.id_last4
    assert all(str(r[2]).startswith("*" * 14) for r in member_rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.result == AuditResult.SUCCESS
    assert entry.detail["rows"] == 1
    assert entry.detail["members"] == 1
    assert entry.detail["filters"]["tier"] == "dibao"


def test_the_export_follows_the_scope(client, actors, homes):
    client.force_login(actors["jianye_manager"])
    response = client.get(EXPORT)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    ids = [r[0] for r in list(workbook.worksheets[0].iter_rows(values_only=True))[1:]]
    assert ids == [homes["s1"].pk]


@pytest.mark.parametrize("name", ["qixia_hotline", "assessor", "audit_admin", "volunteer"])
def test_roles_that_may_not_export_get_403_and_a_denied_entry(client, actors, homes, name):
    client.force_login(actors[name])
    response = client.get(EXPORT)
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.result == AuditResult.DENIED


def test_the_export_link_is_shown_only_to_exporters(client, actors, homes):
    client.force_login(actors["qixia_hotline"])
    assert EXPORT.encode() not in client.get(LIST).content
    client.force_login(actors["qixia_manager"])
    assert EXPORT.encode() in client.get(LIST).content


def test_text_that_looks_like_a_formula_is_exported_as_text(client, caseworker, areas):
    household = make_household(
        actor=caseworker, community=areas["yaohua_a"], address='=HYPERLINK("http://x","y")'
    )
    add_member(actor=caseworker, household=household, birth=years_ago(30))
    client.force_login(caseworker)
    response = client.get(EXPORT)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook.worksheets[0]["E2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


# ---- dashboard ----


def test_the_overview_counts_only_what_the_actor_sees(client, actors, homes):
    client.force_login(actors["yaohua_caseworker"])
    response = client.get("/dashboard/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 3
    assert counts["status_active"] == 3
    assert counts["tier_dibao"] == 1
    assert counts["group_elderly"] == 1


def test_an_export_beyond_the_row_limit_asks_to_narrow_the_filters(
    client, areas, caseworker, settings
):
    from factories_registry import make_household

    settings.EXPORT_MAX_ROWS = 1
    make_household(actor=caseworker, community=areas["yaohua_a"])
    make_household(actor=caseworker, community=areas["yaohua_b"])
    client.force_login(caseworker)
    response = client.get("/households/export.xlsx?tier=dibao", follow=True)
    assert response.redirect_chain[-1][0].startswith("/households/?tier=dibao")
    assert "narrow the filters" in response.content.decode() or "缩小" in response.content.decode()
