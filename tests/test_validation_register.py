"""Home towns the gazetteer does not know: a postcode, an official code (AGS) or a small
town's name resolves through the municipality register, checked against a second
reading of data/municipalities_de.csv (the csv module, not the register's code)."""

from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest

from mobility.geo import gazetteer
from mobility.io import validate_frame
from mobility.paths import data_dir

BASE = {"name": "N", "home_country": "DE", "trade": "Tischler/in", "training_year": "2",
        "languages": "de:native;en:B1", "available_from": "2027-01-01",
        "available_to": "2027-06-01", "desired_weeks": "4"}


@pytest.fixture(scope="module")
def register_rows() -> list[dict[str, str]]:
    with open(data_dir() / "municipalities_de.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _validate(*homes: str):
    raw = pd.DataFrame([dict(BASE, apprentice_id=f"A{i}", home_city=home)
                        for i, home in enumerate(homes)])
    return validate_frame(raw, "apprentices", name="homes.csv")


def test_postcode_and_ags_take_the_register_coordinates(register_rows):
    # A small municipality the gazetteer does not hold, addressed three ways.
    unknown = [r for r in register_rows if gazetteer().get(r["name"], "DE") is None
               and sum(1 for o in register_rows if o["name"] == r["name"]) == 1
               and sum(1 for o in register_rows if o["postcode"] == r["postcode"]) == 1]
    row = unknown[0]
    frame, problems, notes = _validate(row["ags"], f"{row['postcode']} {row['name']}",
                                       row["name"])
    assert problems == []
    assert frame["home_lat"].round(5).tolist() == [round(float(row["lat"]), 5)] * 3
    assert frame["home_lon"].round(5).tolist() == [round(float(row["lon"]), 5)] * 3
    assert frame["home_city"].tolist() == [row["ags"], f"{row['postcode']} {row['name']}",
                                           row["name"]]  # what was typed is kept
    assert any("municipality register" in n for n in notes)


def test_a_shared_name_asks_which_one_and_lists_postcodes(register_rows):
    counts = Counter(r["name"] for r in register_rows)
    name = next(n for n, c in counts.items() if c >= 3 and gazetteer().get(n, "DE") is None)
    frame, problems, _ = _validate(name)
    assert frame["home_lat"].isna().all()
    [problem] = problems
    assert problem.column == "home_city" and problem.row == 2
    assert "several German municipalities" in problem.message
    postcodes = {r["postcode"] for r in register_rows if r["name"] == name}
    listed = {part.split()[0] for part in problem.value.split("(", 1)[1].split(", ")
              if part[:1].isdigit()}
    assert listed and listed <= postcodes


def test_a_place_nowhere_is_still_refused():
    _, problems, _ = _validate("Nirgendwoburg")
    assert [p.column for p in problems] == ["home_city"]
    assert "not in the offline gazetteer" in problems[0].message
