"""Smaller leaks (issue 12, item 6): labels, aggregates and export neutralisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobility.auth import Principal, Role
from mobility.auth.aggregates import MIN_COUNT, city_aggregates
from mobility.auth.escaping import escape_label
from mobility.errors import ValidationError
from mobility.io.validation import unquote_formulas
from mobility.io.writing import neutralise

CITY = Principal("stadt", Role.MUNICIPALITY, city="Dortmund")


def test_a_placement_id_with_markdown_shows_literally_in_a_button_label():
    label = escape_label("![x](http://tracker.example/p.png) **P1** [go](http://x)")
    assert "![" not in label and "](" not in label and "**" not in label.replace("\\*", "")
    assert label.replace("\\", "") == "![x](http://tracker.example/p.png) **P1** [go](http://x)"


@given(st.text(max_size=40))
def test_label_escaping_keeps_the_text(text):
    assert escape_label(text).replace("\\", "") == text.replace("\\", "")


def _people(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "apprentice_id": [f"A{i}" for i in range(n)],
        "sending_organisation": "HWK Dortmund",
        "home_city": "Dortmund",
        "trade": rng.choice(["Koch", "Tischler", "Maler"], n),
        "training_year": rng.choice([1, 2, 3], n),
        "available_from": pd.date_range("2026-01-01", periods=n, freq="D"),
        "home_lat": rng.uniform(51, 52, n),
    })


@pytest.mark.parametrize("by", [["nonexistent"], ["trade", "available_from"], ["home_lat"],
                                ["trade", "training_year", "sending_organisation"], []])
def test_aggregates_refuse_fine_or_unknown_groupings_with_a_clear_error(by):
    with pytest.raises(ValidationError, match="choose 1 to 2 of"):
        city_aggregates(CITY, _people(60), by=by)


def test_allowed_aggregates_show_no_count_below_the_threshold():
    out = city_aggregates(CITY, _people(60), by=["trade", "training_year"])
    shown = out["count"].dropna()
    assert (shown >= MIN_COUNT).all() and int(out["count"].fillna(0).sum()) <= 60
    assert set(out.columns) == {"trade", "training_year", "count", "suppressed"}


@pytest.mark.parametrize("text", ["\uff1dHYPERLINK(\"http://x\")", "\u200b=1+1",
                                  "\ufeff@SUM(A1)", "\u2060\uff0b1", " =1", "\u2212 2",
                                  "'\uff1dx"])
def test_fullwidth_and_hidden_formula_prefixes_are_neutralised_and_come_back(text):
    out = neutralise(pd.Series([text], dtype="string"))
    assert out.iloc[0] == "'" + text
    assert unquote_formulas(out).iloc[0] == text


@pytest.mark.parametrize("text", ["Müller", "'Tischler", "O'Brien", "Schmitz-Müller"])
def test_ordinary_text_and_its_own_apostrophe_are_left_alone(text):
    s = pd.Series([text], dtype="string")
    assert neutralise(s).iloc[0] == text and unquote_formulas(s).iloc[0] == text
