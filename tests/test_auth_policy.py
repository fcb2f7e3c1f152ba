"""Each role tries each action, inside and outside its scope, through the package API."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobility.auth import (
    Action,
    Principal,
    Role,
    authorize,
    city_aggregates,
    suppress_small_counts,
    visible_apprentices,
    visible_matches,
)
from mobility.errors import PermissionDenied, ValidationError

APPRENTICE = Principal("anna", Role.APPRENTICE, apprentice_id="A1")
ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
MUNICIPALITY = Principal("stadt-dortmund", Role.MUNICIPALITY, city="Dortmund")
ADMIN = Principal("root-admin", Role.ADMINISTRATOR)
EVERYONE = [APPRENTICE, ADVISER, MUNICIPALITY, ADMIN]

# Written out by hand (not derived from POLICY) so that a change to the policy table
# has to be made twice, on purpose.
ALLOWED = {
    Action.VIEW_APPRENTICE: {"apprentice", "adviser", "administrator"},
    Action.EDIT_APPRENTICE: {"adviser"},
    Action.VIEW_MATCHES: {"apprentice", "adviser", "administrator"},
    Action.EDIT_SHORTLIST: {"adviser"},
    Action.SAVE_OWN_PLACEMENT: {"apprentice", "adviser"},
    Action.EXPORT_PERSONAL_DATA: {"adviser"},
    Action.ERASE_APPRENTICE: {"adviser", "administrator"},
    Action.IMPORT_DATA: {"adviser", "administrator"},
    Action.RUN_ALLOCATION: {"adviser", "administrator"},
    Action.VIEW_AGGREGATES: {"municipality", "adviser", "administrator"},
    Action.VIEW_PLACEMENTS: {"apprentice", "adviser", "municipality", "administrator"},
    Action.EDIT_REFERENCE_DATA: {"administrator"},
    Action.MANAGE_USERS: {"administrator"},
    Action.VIEW_AUDIT_LOG: {"administrator"},
    Action.EDIT_PARTNERSHIPS: {"municipality", "administrator"},
    Action.EXPORT_PARTNERSHIPS: {"municipality", "administrator"},
}

OWN = {"apprentice_id": "A1", "sending_organisation": "HWK Dortmund", "home_city": "Dortmund"}
FOREIGN = {"apprentice_id": "B7", "sending_organisation": "IHK Köln", "home_city": "Köln"}


def caseload() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "apprentice_id": pd.array(["A1", "A2", "B7"], dtype="string"),
            "name": pd.array(["Anna", "Ben", "Cem"], dtype="string"),
            "sending_organisation": pd.array(["HWK Dortmund", "hwk dortmund", "IHK Köln"],
                                             dtype="string"),
            "home_city": pd.array(["Dortmund", "Dortmund", "Köln"], dtype="string"),
            "trade": pd.array(["Koch/Köchin"] * 3, dtype="string"),
        }
    )


def test_the_hand_written_matrix_covers_every_action():
    assert set(ALLOWED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("principal", EVERYONE, ids=lambda p: p.role.value)
def test_each_role_is_refused_every_action_outside_its_grant(principal, action):
    if principal.role.value in ALLOWED[action]:
        authorize(principal, action)
    else:
        with pytest.raises(PermissionDenied):
            authorize(principal, action)
        with pytest.raises(PermissionDenied):
            authorize(principal, action, OWN)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("principal", [APPRENTICE, ADVISER], ids=lambda p: p.role.value)
def test_apprentices_and_advisers_are_refused_records_of_others(principal, action):
    if principal.role.value not in ALLOWED[action] or action is Action.VIEW_PLACEMENTS:
        return
    authorize(principal, action, OWN)
    with pytest.raises(PermissionDenied):
        authorize(principal, action, FOREIGN)


def test_nobody_signed_in_may_do_anything():
    for action in Action:
        with pytest.raises(PermissionDenied, match="sign in"):
            authorize(None, action)


def test_a_refusal_names_neither_the_person_nor_their_id():
    with pytest.raises(PermissionDenied) as caught:
        authorize(ADVISER, Action.EDIT_APPRENTICE, {**FOREIGN, "name": "Cem Yilmaz"})
    text = str(caught.value)
    assert "B7" not in text and "Cem" not in text and "Köln" not in text


def test_an_adviser_sees_only_their_organisation_whatever_its_spelling():
    seen = visible_apprentices(ADVISER, caseload())
    assert seen["apprentice_id"].tolist() == ["A1", "A2"]


def test_an_apprentice_sees_only_their_own_row():
    assert visible_apprentices(APPRENTICE, caseload())["apprentice_id"].tolist() == ["A1"]


def test_an_administrator_sees_everyone_and_a_municipality_no_one():
    assert len(visible_apprentices(ADMIN, caseload())) == 3
    with pytest.raises(PermissionDenied):
        visible_apprentices(MUNICIPALITY, caseload())


def test_matches_are_narrowed_to_the_visible_apprentices():
    matches = pd.DataFrame({"apprentice_id": ["A1", "A2", "B7", "B7"], "score": [1, 2, 3, 4]})
    assert visible_matches(APPRENTICE, matches, caseload())["score"].tolist() == [1]
    assert visible_matches(ADVISER, matches, caseload())["score"].tolist() == [1, 2]
    with pytest.raises(PermissionDenied):
        visible_matches(MUNICIPALITY, matches, caseload())


def test_an_account_without_its_scope_cannot_exist():
    with pytest.raises(ValidationError):
        Principal("x1", Role.ADVISER)
    with pytest.raises(ValidationError):
        Principal("x1", Role.MUNICIPALITY, organisation="HWK")
    with pytest.raises(ValidationError):
        Principal("<script>", Role.ADMINISTRATOR)


def big_city(n_cooks: int, n_joiners: int) -> pd.DataFrame:
    rows = [("Koch", "Dortmund")] * n_cooks + [("Tischler", "Dortmund")] * n_joiners
    rows += [("Maler", "Köln")] * 9
    return pd.DataFrame(
        {
            "apprentice_id": [f"X{i}" for i in range(len(rows))],
            "sending_organisation": ["HWK Dortmund"] * len(rows),
            "trade": [t for t, _ in rows],
            "home_city": [c for _, c in rows],
        }
    )


def test_a_municipality_sees_its_own_city_with_small_counts_suppressed():
    out = city_aggregates(MUNICIPALITY, big_city(7, 2))
    by_trade = dict(zip(out["trade"], out["count"], strict=True))
    # Tischler (2) is small; Koch (7) is the only other cell and would reveal it.
    assert pd.isna(by_trade["Tischler"]) and pd.isna(by_trade["Koch"])
    assert "Maler" not in by_trade


def test_a_municipality_may_not_count_another_city():
    with pytest.raises(PermissionDenied):
        city_aggregates(MUNICIPALITY, big_city(7, 7), city="Köln")


def test_aggregates_refuse_identifying_columns():
    with pytest.raises(ValidationError):
        city_aggregates(MUNICIPALITY, big_city(7, 7), by=["apprentice_id"])


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12))
def test_no_shown_count_is_small_and_no_single_small_count_can_be_recovered(counts):
    table = pd.DataFrame({"cell": range(len(counts)), "count": counts})
    out = suppress_small_counts(table)
    shown = out["count"].dropna()
    assert ((shown == 0) | (shown >= 5)).all()
    # One hidden cell alone could be recovered from a total: it never stands alone
    # unless it is the only non-zero cell (then the total is small and hidden too).
    hidden = int(out["suppressed"].sum())
    assert hidden != 1 or sum(1 for c in counts if c > 0) == 1


@given(st.lists(st.sampled_from(["HWK Dortmund", "hwk dortmund", "HWK-Dortmund", "IHK Köln",
                                 "IHK Koeln", "", None]), max_size=30),
       st.sampled_from(["HWK Dortmund", "IHK Köln", ""]))
def test_the_vectorised_name_match_agrees_with_folding_each_cell(cells, name):
    from mobility.auth.policy import same_name
    from mobility.text import fold

    column = pd.Series(cells, dtype="string")
    expected = [c is not None and fold(name) != "" and fold(c) == fold(name) for c in cells]
    assert same_name(column, name).tolist() == expected
