"""Framework parsing: weight allocation, and a clear message for every malformed file."""

import copy
import json
from fractions import Fraction

import pytest

from jiuzhu.assessment.engine import FrameworkError, framework_from_dict, load_framework

BASE = {
    "name": "base",
    "poverty_cutoff": 0.5,
    "dimensions": [
        {"name": "income", "indicators": [{"name": "income", "deprived_if": "< 13"}]},
        {
            "name": "health",
            "indicators": [
                {"name": "illness", "deprived_if": "true", "critical": True},
                {"name": "insured", "column": "has_insurance", "deprived_if": "== 0"},
            ],
        },
    ],
}


def base():
    return copy.deepcopy(BASE)


def weights_of(fw):
    return {i.name: i.weight for i in fw.indicators}


def test_no_weights_share_dimensions_equally_then_split_equally():
    fw = framework_from_dict(base())
    assert weights_of(fw) == {
        "income": Fraction(1, 2),
        "illness": Fraction(1, 4),
        "insured": Fraction(1, 4),
    }
    assert fw.k == Fraction(1, 2)
    assert [d.weight for d in fw.dimensions] == [Fraction(1, 2), Fraction(1, 2)]
    assert fw.indicators[2].column == "has_insurance"
    assert fw.indicators[0].column == "income"
    assert fw.critical_flags == (False, True, False)


def test_dimensions_without_weight_share_the_remainder():
    data = base()
    data["dimensions"].append(
        {"name": "housing", "indicators": [{"name": "h", "deprived_if": "true"}]}
    )
    data["dimensions"][0]["weight"] = "0.4"
    fw = framework_from_dict(data)
    # income takes 0.4; health and housing share 0.6 equally (0.3 each); health splits in two.
    assert weights_of(fw) == {
        "income": Fraction(2, 5),
        "illness": Fraction(3, 20),
        "insured": Fraction(3, 20),
        "h": Fraction(3, 10),
    }


def test_indicator_weights_are_exact_fractions_of_the_written_decimals():
    data = base()
    for ind, w in zip(
        [i for d in data["dimensions"] for i in d["indicators"]],
        [0.15, "1/3", 0.52],
        strict=True,
    ):
        ind["weight"] = w
    with pytest.raises(FrameworkError, match="sum to"):
        framework_from_dict(data)
    data["dimensions"][1]["indicators"][1]["weight"] = "31/60"
    fw = framework_from_dict(data)
    assert weights_of(fw) == {
        "income": Fraction(3, 20),
        "illness": Fraction(1, 3),
        "insured": Fraction(31, 60),
    }


def test_weights_within_tolerance_are_normalised_to_sum_exactly_one():
    data = base()
    for ind in [i for d in data["dimensions"] for i in d["indicators"]]:
        ind["weight"] = 0.333333
    fw = framework_from_dict(data)
    assert set(weights_of(fw).values()) == {Fraction(1, 3)}
    assert sum(fw.weights) == 1


def test_one_third_cutoff_and_round_trip():
    data = base()
    data["poverty_cutoff"] = "1/3"
    fw = framework_from_dict(data)
    assert fw.k == Fraction(1, 3)
    again = framework_from_dict(json.loads(json.dumps(fw.to_dict())))
    assert again == fw
    assert fw.with_cutoff("0.25").k == Fraction(1, 4)


def set_path(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


DELETE = object()
IND0 = ("dimensions", 0, "indicators", 0)
IND1 = ("dimensions", 1, "indicators", 0)

ERRORS = [
    ((("name",), DELETE), "framework: missing required key 'name'"),
    ((("name",), 3), "framework: 'name' must be a non-empty text"),
    ((("poverty_cutoff",), DELETE), "missing required key 'poverty_cutoff'"),
    ((("poverty_cutoff",), 0), "poverty_cutoff: the poverty cutoff must be in (0, 1]"),
    ((("poverty_cutoff",), 1.5), "must be in (0, 1]"),
    ((("poverty_cutoff",), "half"), "poverty_cutoff: expected a number or a fraction"),
    ((("poverty_cutoff",), "1/0"), "poverty_cutoff: expected a number or a fraction"),
    ((("dimensions",), []), "'dimensions' must be a non-empty list"),
    ((("dimensions",), {"a": 1}), "'dimensions' must be a non-empty list"),
    ((("poverty_cutof",), 0.5), "framework: unknown key 'poverty_cutof' (did you mean"),
    ((("dimensions", 0), "income"), "dimensions[0]: expected a mapping"),
    ((("dimensions", 0, "indicators"), []), "dimensions[0] ('income'): 'indicators' must be"),
    ((("dimensions", 0, "indicator"), []), "dimensions[0] ('income'): unknown key 'indicator'"),
    (
        (IND0 + ("wieght",), 1),
        "dimensions[0] ('income').indicators[0] ('income'): unknown key 'wieght'",
    ),
    (
        (IND0 + ("deprived_if",), DELETE),
        "indicators[0] ('income'): missing required key 'deprived_if'",
    ),
    (
        (IND0 + ("deprived_if",), "<< 3"),
        "indicators[0] ('income').deprived_if: deprived_if '<< 3' needs a number",
    ),
    ((IND0 + ("deprived_if",), "< abc"), "needs a number after the operator"),
    ((IND0 + ("deprived_if",), "< nan"), "needs a finite number"),
    ((IND0 + ("deprived_if",), "in []"), "needs a non-empty list"),
    ((IND0 + ("deprived_if",), "in [1, 'a']"), "only numbers or only quoted texts"),
    ((IND0 + ("deprived_if",), "between 1 and 2"), "cannot read deprived_if"),
    ((IND0 + ("deprived_if",), 13), "deprived_if must be a text rule"),
    ((IND0 + ("critical",), "yes"), "'critical' must be true or false"),
    ((IND0 + ("column",), ""), "'column' must be a non-empty text"),
    ((IND0 + ("weight",), 1), "indicator 'income' has a weight but indicator 'illness' has none"),
    ((IND0 + ("name",), "illness"), "duplicate indicator name 'illness'"),
    ((("dimensions", 1, "name"), "income"), "duplicate dimension name 'income'"),
    (
        (("dimensions", 0, "weight"), -0.5),
        "dimensions[0] ('income').weight: must be greater than 0",
    ),
    ((("dimensions", 0, "weight"), 0), "must be greater than 0"),
    ((("dimensions", 0, "weight"), True), "expected a number or a fraction"),
    ((("dimensions", 0, "weight"), 1), "leaving nothing for dimension(s) 'health'"),
]


@pytest.mark.parametrize(("change", "message"), ERRORS)
def test_framework_errors_name_the_place(change, message):
    data = base()
    set_path(data, *change)
    with pytest.raises(FrameworkError) as info:
        framework_from_dict(data)
    assert message in str(info.value)


def test_all_dimension_weights_must_sum_to_one():
    data = base()
    data["dimensions"][0]["weight"] = 0.5
    data["dimensions"][1]["weight"] = 0.4
    with pytest.raises(FrameworkError, match="dimension weights sum to 0.9, not 1"):
        framework_from_dict(data)


def test_negative_indicator_weight_and_inconsistent_dimension_weight():
    data = base()
    weights = [0.5, 0.75, -0.25]
    for ind, w in zip(
        [i for d in data["dimensions"] for i in d["indicators"]], weights, strict=True
    ):
        ind["weight"] = w
    with pytest.raises(
        FrameworkError, match=r"indicators\[1\] \('insured'\)\.weight: must be greater than 0"
    ):
        framework_from_dict(data)
    data["dimensions"][1]["indicators"][0]["weight"] = 0.25
    data["dimensions"][1]["indicators"][1]["weight"] = 0.25
    data["dimensions"][1]["weight"] = 0.6
    with pytest.raises(FrameworkError, match="dimension 'health': weight 0.6 differs"):
        framework_from_dict(data)
    data["dimensions"][1]["weight"] = 0.5
    assert framework_from_dict(data).dimensions[1].weight == Fraction(1, 2)


def test_top_level_must_be_a_mapping():
    with pytest.raises(FrameworkError, match="framework: expected a mapping"):
        framework_from_dict([1, 2])


def test_load_yaml_and_json_files(tmp_path):
    yml = tmp_path / "f.yaml"
    yml.write_text(
        "name: 示例\npoverty_cutoff: 1/3\ndimensions:\n  - name: 收入\n    indicators:\n"
        "      - name: income\n        weight: 1\n        deprived_if: < 13\n",
        encoding="utf-8",
    )
    fw = load_framework(yml)
    assert (fw.name, fw.k, fw.dimensions[0].name) == ("示例", Fraction(1, 3), "收入")
    js = tmp_path / "f.json"
    js.write_text(json.dumps(BASE), encoding="utf-8")
    assert load_framework(js).name == "base"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "name: [unclosed\n", "bad.yaml: invalid YAML"),
        ("bad.json", "{", "bad.json: invalid JSON"),
        ("list.yaml", "- 1\n- 2\n", "list.yaml: framework: expected a mapping"),
        (
            "rule.yaml",
            "name: x\npoverty_cutoff: 0.5\ndimensions:\n  - name: d\n    indicators:\n"
            "      - name: i\n        deprived_if: '<'\n",
            "rule.yaml: dimensions[0] ('d').indicators[0] ('i')",
        ),
    ],
)
def test_load_errors_are_prefixed_with_the_file(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FrameworkError, match="cannot read framework file"):
        load_framework(tmp_path / "nope.yaml")


def test_extra_keys_are_fine():
    data = base()
    data["owner"] = "city"
    data["dimensions"][0]["name_en"] = "Income"
    data["dimensions"][0]["indicators"][0].update(data_type="number", prefill="income_ratio")
    assert framework_from_dict(data).name == base()["name"]


def test_declared_dimension_weights_are_used_and_normalised_within_the_tolerance():
    """Every dimension weighted, no indicator weights: each dimension's weight split equally
    among its indicators; a sum off by at most 1e-6 (inclusive) is normalised to exactly 1."""
    data = base()
    data["dimensions"][0]["weight"] = "0.3"
    data["dimensions"][1]["weight"] = "0.7"
    assert weights_of(framework_from_dict(data)) == {
        "income": Fraction(3, 10),
        "illness": Fraction(7, 20),
        "insured": Fraction(7, 20),
    }
    data["dimensions"][0]["weight"] = "0.5"
    data["dimensions"][1]["weight"] = "0.500001"  # the sum is 1 + 1e-6: exactly the tolerance
    fw = framework_from_dict(data)
    assert weights_of(fw)["income"] == Fraction(500000, 1000001)
    assert sum(fw.weights) == 1
    data["dimensions"][1]["weight"] = "0.5000011"
    with pytest.raises(FrameworkError, match="dimension weights sum to 1.0000011, not 1"):
        framework_from_dict(data)


def test_a_dimension_weight_may_differ_from_its_indicators_sum_by_the_tolerance_only():
    data = base()
    for ind, w in zip(
        [i for d in data["dimensions"] for i in d["indicators"]],
        ["0.499999", "0.25", "0.250001"],
        strict=True,
    ):
        ind["weight"] = w
    data["dimensions"][1]["weight"] = "0.5"  # its indicators sum to 0.500001: 1e-6 off
    # Accepted; the indicators' weights are what count.
    assert framework_from_dict(data).dimensions[1].weight == Fraction(500001, 1000000)
    data["dimensions"][1]["weight"] = "0.4999999"
    with pytest.raises(FrameworkError, match="weight 0.4999999 differs"):
        framework_from_dict(data)


def test_weights_given_to_some_indicators_only_are_refused_saying_what_to_do():
    data = base()
    data["dimensions"][0]["indicators"][0]["weight"] = "0.5"
    with pytest.raises(FrameworkError) as caught:
        framework_from_dict(data)
    assert str(caught.value).endswith(
        "indicator 'income' has a weight but indicator 'illness' has none: give every "
        "indicator a weight, or none and let dimensions share equally"
    )


def test_dimensions_left_with_nothing_are_named():
    data = base()
    data["dimensions"].append(
        {"name": "housing", "indicators": [{"name": "h", "deprived_if": "true"}]}
    )
    data["dimensions"][0]["weight"] = "1"
    with pytest.raises(FrameworkError) as caught:
        framework_from_dict(data)
    assert str(caught.value).endswith(
        "dimension weights given sum to 1, leaving nothing for dimension(s) 'health', 'housing'"
    )


def test_a_decimal_weight_or_cutoff_is_read_exactly():
    from decimal import Decimal

    from jiuzhu.assessment.engine.errors import DataError
    from jiuzhu.assessment.engine.weights import parse_cutoff, parse_fraction

    assert parse_fraction(Decimal("0.15"), "w") == Fraction(3, 20)
    assert parse_cutoff(Decimal("0.4"), "k") == Fraction(2, 5)
    with pytest.raises(DataError, match=r'^k: expected a number or a fraction like "1/3"'):
        parse_cutoff("x", "k", DataError)


def test_the_integer_scale_holds_up_to_its_largest_denominator():
    from jiuzhu.assessment.engine.weights import MAX_DENOMINATOR, WeightScale

    exact = WeightScale.from_weights(
        [Fraction(1, MAX_DENOMINATOR), 1 - Fraction(1, MAX_DENOMINATOR)]
    )
    assert exact.denominator == MAX_DENOMINATOR
    assert exact.integer_weights.tolist() == [1, MAX_DENOMINATOR - 1]
    past = WeightScale.from_weights(
        [Fraction(1, MAX_DENOMINATOR + 1), Fraction(MAX_DENOMINATOR, MAX_DENOMINATOR + 1)]
    )
    assert past.denominator is None and past.integer_weights.size == 0


FULL = {
    "name": "nanjing",
    "label": "南京市六维评估",
    "description": "城市版",
    "version": 3,
    "poverty_cutoff": "1/3",
    "dimensions": [
        {
            "name": "money",
            "label": "经济",
            "description": "收入与支出",
            "weight": "0.6",
            "indicators": [
                {
                    "name": "income",
                    "column": "income_yuan",
                    "label": "人均收入",
                    "description": "低于 13 元/日",
                    "deprived_if": "< 13",
                },
                {"name": "debt", "deprived_if": "true"},
            ],
        },
        {
            "name": "health",
            "indicators": [{"name": "ill", "deprived_if": "true", "critical": True}],
        },
    ],
}


def test_every_label_description_and_the_version_are_kept_and_written_back():
    fw = framework_from_dict(copy.deepcopy(FULL))
    assert (fw.name, fw.label, fw.description, fw.version) == (
        "nanjing",
        "南京市六维评估",
        "城市版",
        "3",
    )
    money, health = fw.dimensions
    assert (money.label, money.description, health.label, health.description) == (
        "经济",
        "收入与支出",
        None,
        None,
    )
    income, debt, ill = fw.indicators
    assert (income.column, income.label, income.description, income.dimension) == (
        "income_yuan",
        "人均收入",
        "低于 13 元/日",
        "money",
    )
    assert (debt.column, debt.label, debt.description, ill.dimension) == (
        "debt",
        None,
        None,
        "health",
    )
    assert [d.weight for d in fw.dimensions] == [Fraction(3, 5), Fraction(2, 5)]
    # Written back by hand: what the framework page and a re-import read.
    assert fw.to_dict() == {
        "name": "nanjing",
        "label": "南京市六维评估",
        "description": "城市版",
        "version": "3",
        "poverty_cutoff": "1/3",
        "dimensions": [
            {
                "name": "money",
                "label": "经济",
                "description": "收入与支出",
                "indicators": [
                    {
                        "name": "income",
                        "column": "income_yuan",
                        "weight": "3/10",
                        "label": "人均收入",
                        "description": "低于 13 元/日",
                        "deprived_if": "< 13",
                        "critical": False,
                    },
                    {
                        "name": "debt",
                        "column": "debt",
                        "weight": "3/10",
                        "deprived_if": "true",
                        "critical": False,
                    },
                ],
            },
            {
                "name": "health",
                "indicators": [
                    {
                        "name": "ill",
                        "column": "ill",
                        "weight": "2/5",
                        "deprived_if": "true",
                        "critical": True,
                    }
                ],
            },
        ],
    }
    assert framework_from_dict(fw.to_dict()) == fw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": True}, "framework: 'version' must be a text or an integer, got True"),
        ({"version": [1]}, "framework: 'version' must be a text or an integer, got [1]"),
        ({"poverty_cutoff": None}, "framework: missing required key 'poverty_cutoff'"),
        ({"dimensions": []}, "framework: 'dimensions' must be a non-empty list"),
        ({"label": " "}, "framework: 'label' must be a non-empty text, got ' '"),
        ({"description": 5}, "framework: 'description' must be a non-empty text, got 5"),
    ],
)
def test_top_level_mistakes_are_refused_with_the_exact_message(change, message):
    data = copy.deepcopy(FULL)
    data.update(change)
    if change.get("poverty_cutoff", 0) is None:
        del data["poverty_cutoff"]
    with pytest.raises(FrameworkError) as caught:
        framework_from_dict(data)
    assert str(caught.value) == message


INCOME = "dimensions[0] ('money').indicators[0] ('income'): "


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((0, "name"), None, "dimensions[0]: missing required key 'name'"),
        ((0, "label"), 7, "dimensions[0] ('money'): 'label' must be a non-empty text, got 7"),
        (
            (0, "description"),
            "",
            "dimensions[0] ('money'): 'description' must be a non-empty text, got ''",
        ),
        (
            (0, 0, "name"),
            None,
            "dimensions[0] ('money').indicators[0]: missing required key 'name'",
        ),
        (
            (0, 0, "column"),
            1,
            INCOME + "'column' must be a non-empty text, got 1",
        ),
        (
            (0, 0, "label"),
            [],
            INCOME + "'label' must be a non-empty text, got []",
        ),
        (
            (0, 0, "description"),
            " ",
            INCOME + "'description' must be a non-empty text, got ' '",
        ),
    ],
)
def test_mistakes_inside_are_refused_naming_where(path, value, message):
    data = copy.deepcopy(FULL)
    spec = data["dimensions"][path[0]]
    if len(path) == 3:
        spec = spec["indicators"][path[1]]
    spec[path[-1]] = value
    with pytest.raises(FrameworkError) as caught:
        framework_from_dict(data)
    assert str(caught.value) == message


def test_a_weight_that_is_not_a_number_is_named_by_its_place():
    data = copy.deepcopy(FULL)
    del data["dimensions"][0]["weight"]
    for number, ind in enumerate(i for d in data["dimensions"] for i in d["indicators"]):
        ind["weight"] = ["x", "0.3", "0.4"][number]
    with pytest.raises(FrameworkError) as caught:
        framework_from_dict(data)
    assert str(caught.value) == (
        "dimensions[0] ('money').indicators[0] ('income').weight: "
        "expected a number or a fraction like \"1/3\", got 'x'"
    )


def test_a_changed_cutoff_is_checked_and_named():
    fw = framework_from_dict(copy.deepcopy(FULL))
    assert fw.with_cutoff("1/2").k == Fraction(1, 2)
    with pytest.raises(FrameworkError) as caught:
        fw.with_cutoff("2")
    assert str(caught.value) == "poverty cutoff: the poverty cutoff must be in (0, 1], got '2'"


def test_a_framework_file_may_start_with_a_byte_order_mark_and_bad_yaml_is_one_line(tmp_path):
    import yaml

    path = tmp_path / "fw.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump(FULL, allow_unicode=True).encode("utf-8"))
    assert load_framework(path).label == "南京市六维评估"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\npoverty_cutoff: 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(bad)
    assert str(caught.value).startswith(f"{bad}: invalid YAML: ")
    assert "\n" not in str(caught.value) and "  " not in str(caught.value)
