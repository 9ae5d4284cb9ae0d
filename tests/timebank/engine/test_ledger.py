"""The ledger rules, at their boundaries and under hypothesis-generated sequences."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.timebank.engine.ledger import (
    DEFAULT_CAP_MINUTES,
    Entry,
    LedgerRefusal,
    Posting,
    apply_postings,
    deposit_postings,
    entries_for,
    redemption_refusal,
    split_for_cap,
    star_level,
    transfer_postings,
    transfer_refusal,
    verify,
)

ISSUER, POOL = "issuer", "pool"
PEOPLE = ["a", "b", "c"]


def test_a_movement_must_balance_and_have_two_sides():
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({}, [Posting("a", 5), Posting("b", -4)])
    assert refused.value.rule == "unbalanced"
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({}, [Posting("a", 0)])
    assert refused.value.rule == "one_sided"


def test_no_balance_goes_negative_except_the_issuers():
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({"a": 10}, [Posting("a", -11), Posting("b", 11)])
    assert refused.value.rule == "insufficient_balance"
    after = apply_postings({}, [Posting(ISSUER, -60), Posting("a", 60)], may_go_negative=[ISSUER])
    assert after == {ISSUER: -60, "a": 60}


def test_the_cap_is_exactly_1500_hours():
    assert split_for_cap(DEFAULT_CAP_MINUTES - 60, 60) == (60, 0)
    assert split_for_cap(DEFAULT_CAP_MINUTES - 60, 61) == (60, 1)
    assert split_for_cap(DEFAULT_CAP_MINUTES, 1) == (0, 1)
    postings = deposit_postings(
        issuer=ISSUER,
        account="a",
        pool=POOL,
        balance=DEFAULT_CAP_MINUTES - 30,
        minutes=90,
        cap=DEFAULT_CAP_MINUTES,
    )
    assert postings == [Posting(ISSUER, -90), Posting("a", 30), Posting(POOL, 60)]


def test_star_levels_count_thresholds_reached_exactly():
    assert star_level(100 * 60 - 1) == 0
    assert star_level(100 * 60) == 1
    assert star_level(1500 * 60) == 5
    assert star_level(200 * 60, (50, 200)) == 2


@pytest.mark.parametrize(
    ("relation", "age", "rule"),
    [
        ("self", 59, "under_60"),
        ("self", 60, ""),
        ("spouse", 60, ""),
        ("parent", 59, "under_60"),
        ("parent", 60, ""),
        ("sibling", 70, "not_family"),
        ("other", 80, "not_family"),
    ],
)
def test_redemption_at_age_60_for_self_spouse_and_direct_relatives(relation, age, rule):
    assert redemption_refusal(relation=relation, beneficiary_age=age) == rule


def test_a_group_account_can_only_donate():
    assert transfer_refusal(source_kind="group", target_kind="pool", relation="") == ""
    assert (
        transfer_refusal(source_kind="group", target_kind="individual", relation="spouse")
        == "group_donates_only"
    )
    assert (
        transfer_refusal(source_kind="individual", target_kind="individual", relation="child") == ""
    )
    assert (
        transfer_refusal(source_kind="individual", target_kind="individual", relation="sibling")
        == "not_family"
    )


def test_a_transfer_beyond_the_balance_is_refused():
    with pytest.raises(LedgerRefusal) as refused:
        transfer_postings(
            source="a",
            target="b",
            pool=POOL,
            minutes=61,
            source_balance=60,
            target_balance=0,
            cap=DEFAULT_CAP_MINUTES,
        )
    assert refused.value.rule == "insufficient_balance"


def test_verify_finds_a_corrupted_entry_and_names_its_account():
    entries = entries_for("m1", [Posting(ISSUER, -60), Posting("a", 60)], {})
    assert verify(entries, may_go_negative=[ISSUER]).ok
    tampered = [entries[0], Entry("m1", "a", 90, 90)]
    result = verify(tampered, may_go_negative=[ISSUER])
    assert not result.ok
    assert result.problem == "movement_unbalanced"
    broken = [entries[0], Entry("m1", "a", 60, 70)]
    result = verify(broken, may_go_negative=[ISSUER])
    assert (result.account, result.problem) == ("a", "chain_broken")
    result = verify(entries, may_go_negative=[ISSUER], stored={"a": 61})
    assert (result.account, result.problem) == ("a", "stored_balance_differs")


operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.sampled_from(PEOPLE), st.integers(1, 600)),
        st.tuples(
            st.just("transfer"),
            st.tuples(st.sampled_from(PEOPLE), st.sampled_from([*PEOPLE, POOL])),
            st.integers(1, 600),
        ),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(0, 2000))
def test_any_sequence_conserves_the_bank_and_replays_to_the_balances(ops, cap):
    balances: dict[str, int] = {}
    entries: list[Entry] = []
    for number, (kind, who, minutes) in enumerate(ops):
        try:
            if kind == "deposit":
                postings = deposit_postings(
                    issuer=ISSUER,
                    account=who,
                    pool=POOL,
                    balance=balances.get(who, 0),
                    minutes=minutes,
                    cap=cap,
                )
            else:
                source, target = who
                postings = transfer_postings(
                    source=source,
                    target=target,
                    pool=POOL,
                    minutes=minutes,
                    source_balance=balances.get(source, 0),
                    target_balance=balances.get(target, 0),
                    cap=cap,
                )
        except LedgerRefusal as refused:
            assert refused.rule in {"insufficient_balance", "same_account"}
            continue
        new = apply_postings(balances, postings, may_go_negative=[ISSUER])
        entries += entries_for(str(number), postings, balances)
        balances = new
        assert sum(balances.values()) == 0
        assert all(v >= 0 for k, v in balances.items() if k != ISSUER)
        assert all(balances.get(p, 0) <= cap for p in PEOPLE)
    result = verify(entries, may_go_negative=[ISSUER], stored=balances)
    assert result.ok, result
    assert {k: v for k, v in result.balances.items() if v} == {
        k: v for k, v in balances.items() if v
    }


# ------------------------------------------------------------------ boundaries (issue 17)
# From docs/timebank.md and the ledger's docstrings; each pins a rule a mutant broke unnoticed.


def _transfer(minutes, *, source_balance=600, target="b", target_balance=0, cap=600):
    return transfer_postings(
        source="a",
        target=target,
        pool=POOL,
        minutes=minutes,
        source_balance=source_balance,
        target_balance=target_balance,
        cap=cap,
    )


def test_a_transfer_lands_in_the_target_account_up_to_its_cap():
    assert _transfer(60) == [Posting("a", -60), Posting("b", 60)]
    # b holds 570 of a 600-minute cap: 30 kept, 60 to the pool.
    assert _transfer(90, target_balance=570) == [
        Posting("a", -90),
        Posting("b", 30),
        Posting(POOL, 60),
    ]


def test_a_donation_goes_to_the_pool_whole_whatever_the_pool_holds():
    # The cap limits what a person stores; the pool is not a person (one posting, no split).
    assert _transfer(120, target=POOL, target_balance=570) == [
        Posting("a", -120),
        Posting(POOL, 120),
    ]


def test_a_transfer_of_the_whole_balance_is_allowed_and_one_minute_more_refused():
    assert _transfer(60, source_balance=60) == [Posting("a", -60), Posting("b", 60)]
    with pytest.raises(LedgerRefusal) as refused:
        _transfer(61, source_balance=60)
    assert refused.value.rule == "insufficient_balance"
    assert refused.value.extra == {"account": "a", "balance": 60, "minutes": 61}


@pytest.mark.parametrize("minutes", [0, -60])
def test_a_transfer_or_deposit_of_no_time_is_refused(minutes):
    with pytest.raises(LedgerRefusal) as refused:
        _transfer(minutes)
    assert refused.value.rule == "not_positive"
    with pytest.raises(LedgerRefusal) as refused:
        deposit_postings(issuer=ISSUER, account="a", pool=POOL, balance=0, minutes=minutes, cap=600)
    assert refused.value.rule == "not_positive"


def test_an_individual_transfers_only_to_an_individual_account_or_the_pool():
    for kind in ("group", "household", "redeemed"):
        assert (
            transfer_refusal(source_kind="individual", target_kind=kind, relation="spouse")
            == "bad_target"
        )
    assert transfer_refusal(source_kind="individual", target_kind="pool", relation="") == ""


def test_verify_reports_a_balance_below_zero_and_accepts_one_at_exactly_zero():
    deposit = entries_for("m1", [Posting(ISSUER, -60), Posting("a", 60)], {})
    spent = entries_for("m2", [Posting("a", -60), Posting("redeemed", 60)], {ISSUER: -60, "a": 60})
    assert spent[0].balance_after == 0
    assert verify(deposit + spent, may_go_negative=[ISSUER]).ok
    overdrawn = [*deposit, Entry("m2", "a", -90, -30), Entry("m2", "redeemed", 90, 90)]
    result = verify(overdrawn, may_go_negative=[ISSUER])
    assert (result.ok, result.account, result.problem) == (False, "a", "negative_balance")
    assert result.balances == {ISSUER: -60, "a": 60}  # replayed up to the offending entry


def test_verify_names_the_first_account_of_a_broken_chain_or_an_unbalanced_movement():
    entries = entries_for("m1", [Posting(ISSUER, -60), Posting("a", 60)], {})
    broken = [entries[0], Entry("m1", "a", 60, 70)]
    result = verify(broken, may_go_negative=[ISSUER])
    assert (result.ok, result.account, result.problem) == (False, "a", "chain_broken")
    assert result.balances == {ISSUER: -60}
    unbalanced = [entries[0], Entry("m1", "a", 90, 90)]
    result = verify(unbalanced, may_go_negative=[ISSUER])
    assert (result.ok, result.account, result.problem) == (False, ISSUER, "movement_unbalanced")
    assert result.balances == {ISSUER: -60, "a": 90}


def test_a_refusal_names_its_rule_and_what_was_short():
    # a holds 10 and would give 11; b holds nothing and would give 5 (its balance counts as 0).
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({"a": 10}, [Posting("a", -11), Posting("b", 11)])
    assert str(refused.value) == "insufficient_balance"
    assert refused.value.extra == {"account": "a", "balance": 10, "minutes": 11}
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({}, [Posting("b", -5), Posting("c", 5)])
    assert refused.value.extra == {"account": "b", "balance": 0, "minutes": 5}
    assert LedgerRefusal("under_60").extra == {}


def test_an_account_may_be_emptied_to_exactly_zero():
    assert apply_postings({"a": 10}, [Posting("a", -10), Posting("b", 10)]) == {"a": 0, "b": 10}


def test_a_movement_with_a_zero_posting_is_refused():
    with pytest.raises(LedgerRefusal) as refused:
        apply_postings({"a": 10}, [Posting("a", -10), Posting("b", 10), Posting("c", 0)])
    assert refused.value.rule == "zero_posting"


def test_the_cap_split_refuses_negative_figures_but_takes_zero_minutes():
    assert split_for_cap(0, 0, 600) == (0, 0)
    assert split_for_cap(600, 0, 600) == (0, 0)
    for balance, minutes, cap in [(-1, 5, 600), (0, -1, 600), (0, 5, -1)]:
        with pytest.raises(ValueError, match="^minutes, balance and cap are not negative$"):
            split_for_cap(balance, minutes, cap)


def test_verify_compares_stored_balances_an_account_without_entries_holding_zero():
    entries = entries_for("m7", [Posting(ISSUER, -60), Posting("a", 60)], {})
    assert entries == [Entry("m7", ISSUER, -60, -60), Entry("m7", "a", 60, 60)]
    assert verify(entries, may_go_negative=[ISSUER], stored={"a": 60, "b": 0}).ok
    result = verify(entries, may_go_negative=[ISSUER], stored={"a": 60, "b": 5})
    assert (result.ok, result.account, result.problem) == (False, "b", "stored_balance_differs")
    assert result.balances == {ISSUER: -60, "a": 60}
