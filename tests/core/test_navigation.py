"""The header menu: few links in a row, many links grouped into menus, none lost."""

from __future__ import annotations

from django.urls import reverse

from jiuzhu.core.navigation import GROUP_AFTER, nav_items, nav_menu


def _links(menu: list[dict]) -> list[str]:
    urls: list[str] = []
    for entry in menu:
        urls.extend(item["url"] for item in entry.get("children", [entry]))
    return urls


def test_a_district_manager_sees_groups_and_still_every_link(actors):
    manager = actors["qixia_manager"]
    flat = nav_items(manager)
    menu = nav_menu(manager)
    assert len(flat) > GROUP_AFTER  # the reason for grouping
    assert sorted(_links(menu)) == sorted(item["url"] for item in flat)
    assert len(menu) <= 8
    groups = {str(entry["label"]): entry for entry in menu if "children" in entry}
    cases = [item["url"] for item in groups["Cases"]["children"]]
    assert reverse("registry:household_list") in cases
    assert reverse("assessment:queue") in cases
    services = [item["url"] for item in groups["Services"]["children"]]
    assert reverse("dispatch:board") in services
    # A person's own work stays one click away, first.
    assert menu[0]["url"] == reverse("core:workspace")


def test_the_group_holding_the_current_page_is_marked(actors):
    manager = actors["qixia_manager"]
    menu = nav_menu(manager, reverse("registry:household_list") + "123/")
    marked = [entry for entry in menu if entry.get("current")]
    assert [str(entry["label"]) for entry in marked] == ["Cases"]
    current = [item for item in marked[0]["children"] if item["current"]]
    assert [item["url"] for item in current] == [reverse("registry:household_list")]


def test_a_role_with_few_links_sees_them_in_one_row(actors):
    staff = actors["provider_staff"]
    assert len(nav_items(staff)) <= GROUP_AFTER
    assert nav_menu(staff) == nav_items(staff)


def test_the_page_shows_the_groups_as_menus_in_chinese(client, actors):
    client.force_login(actors["qixia_manager"])
    page = client.get(
        reverse("registry:household_list"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<details data-nav-group><summary class="current">个案</summary>' in page
    assert 'href="/households/" aria-current="page"' in page
