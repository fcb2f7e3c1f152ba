"""The documentation and the example files describe the format the code reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility.io import KINDS, read_table, spec_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", KINDS)
def test_data_format_doc_lists_every_column_of_every_kind(kind):
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    section = text.split(f"### {kind}.csv", 1)[1].split("###", 1)[0]
    for column in spec_for(kind).columns:
        required = "yes" if column.required else "no"
        assert f"| `{column.name}` | {required} |" in section


@pytest.mark.parametrize("kind", KINDS)
def test_each_example_file_has_every_column_and_is_valid(kind):
    path = ROOT / "data" / "examples" / f"{kind}.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == spec_for(kind).names
    result = read_table(path, kind)
    assert result.ok, result.problems
    assert len(result.frame) >= 4


def test_example_ids_are_consistent_across_files():
    companies = read_table(ROOT / "data/examples/companies.csv", "companies").frame
    placements = read_table(ROOT / "data/examples/placements.csv", "placements",
                            known_company_ids=set(companies["company_id"]))
    assert placements.ok, placements.problems
