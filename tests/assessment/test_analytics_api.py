"""GET /api/v1/analytics/mpi: the shape of ``jiuzhu mpi --format json``, scoping, refusals and
bad query strings (never a 500)."""

import csv
import json

import pytest

from analytics_cast import DEPRIVED, build_world
from factories import UserFactory
from jiuzhu.assessment.frameworks import framework_as_dict
from jiuzhu.assessment.mpi_cli import run as mpi_run
from jiuzhu.core.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/mpi"
ENGINE_KEYS = {
    "framework",
    "k",
    "k_exact",
    "n",
    "poor",
    "excluded",
    "missing",
    "H",
    "A",
    "M0",
    "vulnerable",
    "severe",
    "critical",
    "weighted",
    "exact",
    "denominator",
    "indicators",
    "dimensions",
    "distribution",
}


@pytest.fixture
def world(actors, areas):
    return build_world(actors, areas)


@pytest.fixture
def get(client):
    def call(user, **params):
        if user is not None:
            client.force_login(user)
        return client.get(URL, params, headers={"Accept-Language": "en"})

    return call


def test_the_answer_has_the_cli_shape_plus_counts(world, actors, get, tmp_path, capsys):
    response = get(actors["qixia_manager"], by="street")
    assert response.status_code == 200, response.content
    body = response.json()
    assert ENGINE_KEYS | {"groups", "counts", "labels", "by"} <= set(body)
    assert body["counts"]["measured"] == 4
    assert body["framework_version"] == 2

    # The same four households through `jiuzhu mpi --format json`.
    framework_file = tmp_path / "framework.json"
    framework_file.write_text(json.dumps(framework_as_dict(world["v2"]), ensure_ascii=False))
    data_file = tmp_path / "households.csv"
    streets = {"A": "尧化街道", "B": "尧化街道", "C": "马群街道", "D": "马群街道"}
    with data_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["income", "food", "illness", "isolation", "street"])
        for key, street in streets.items():
            writer.writerow(
                [int(code in DEPRIVED[key]) for code in ("income", "food", "illness", "isolation")]
                + [street]
            )
    args = [str(data_file), "--framework", str(framework_file), "--by", "street"]
    assert mpi_run([*args, "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    for key in ENGINE_KEYS:
        assert body[key] == cli[key], key
    assert body["by"] == cli["by"] == "street"
    assert set(body["groups"]) == set(cli["groups"])
    for label, group in cli["groups"].items():
        assert {k: v for k, v in body["groups"][label].items() if k != "key"} == group


def test_the_api_is_scoped_like_the_page(world, actors, get, areas):
    yaohua = get(actors["yaohua_caseworker"]).json()
    assert (yaohua["n"], yaohua["M0"]) == (2, 0.625)
    jianye = get(actors["jianye_manager"]).json()
    assert (jianye["n"], jianye["M0"]) == (1, 1.0)
    city = get(actors["city_admin"], district=areas["qixia"].pk, street=areas["maqun"].pk).json()
    assert (city["n"], city["M0"]) == (2, 0.25)
    assert city["filters"] == {"district": areas["qixia"].pk, "street": areas["maqun"].pk}


def test_a_framework_version_can_be_chosen(world, actors, get):
    body = get(actors["qixia_manager"], framework=1, by="tier").json()
    assert (body["framework_version"], body["n"]) == (1, 1)
    assert body["counts"]["other_versions"] == {"v2": 4}
    assert list(body["groups"]) == ["Dibao recipient (低保)"]


@pytest.mark.parametrize(
    "role",
    ["assessor", "provider_staff", "volunteer", "department", "security_admin", "audit_admin"],
)
def test_roles_without_analytics_get_403(world, actors, get, role):
    response = get(actors[role])
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    entry = AuditEntry.objects.get(object_type="assessment.analytics")
    assert (entry.result, entry.actor_role) == ("denied", role)


def test_beneficiaries_get_403(world, get):
    assert get(UserFactory(role=Role.BENEFICIARY)).status_code == 403


def test_anonymous_callers_get_401(world, get):
    assert get(None).status_code == 401


@pytest.mark.parametrize(
    ("name", "n", "h", "m0"),
    [
        # A 3/4, B 1/2, C 1/4 (not poor), D 1/2, E 1: censored scores sum to 2.75 over five.
        ("city_admin", 5, 4 / 5, 2.75 / 5),
        # Qixia: A, B, C, D — 3/4 + 1/2 + 1/2 over four.
        ("qixia_manager", 4, 3 / 4, 1.75 / 4),
        # Yaohua street: A and B (F is under v1 only, X has exited).
        ("yaohua_caseworker", 2, 1.0, 1.25 / 2),
        # 尧化门 community: A only.
        ("yaohua_a_worker", 1, 1.0, 0.75),
    ],
)
def test_managers_of_every_level_get_their_areas_figures(world, actors, get, name, n, h, m0):
    response = get(actors[name])
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["n"] == n
    assert body["H"] == pytest.approx(h)
    assert body["M0"] == pytest.approx(m0)


@pytest.mark.parametrize(
    "params",
    [
        {"by": "income"},
        {"by": "district'--"},
        {"framework": "abc"},
        {"framework": "99"},
        {"framework": "-1"},
        {"district": "abc"},
        {"district": "99999"},
        {"district": "1e9"},
        {"street": "1.5"},
        {"source": "guess"},
        {"district": "jianye"},
        {"street": "shazhou"},
        {"district": "qixia", "street": "shazhou"},
    ],
)
def test_bad_query_strings_are_422_never_500(world, actors, areas, get, params):
    params = {
        key: str(areas[value].pk) if value in areas else value for key, value in params.items()
    }
    manager = actors["city_admin"] if "street" in params and "district" in params else None
    response = get(manager or actors["qixia_manager"], **params)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


def test_no_framework_is_404(actors, get):
    response = get(actors["qixia_manager"])
    assert response.status_code == 404
