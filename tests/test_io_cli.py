"""The import, export and init-db commands, run as ``mobility`` runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility.cli import main
from mobility.io import read_table
from mobility.storage import count_rows, get_engine, read_table_from_db

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
DATA = Path(__file__).parent / "data"
ORDER = ["partnerships", "companies", "placements", "apprentices"]


def test_every_readme_example_file_imports_through_the_command(capsys):
    for kind in ORDER:
        assert main(["import", str(EXAMPLES / f"{kind}.csv"), "--kind", kind]) == 0
        out = capsys.readouterr().out
        rows = len(read_table(EXAMPLES / f"{kind}.csv", kind).frame)
        assert f"{rows:,} {kind} rows imported: {rows} inserted, 0 updated" in out
        assert count_rows(get_engine(), kind) == rows
    stored = read_table_from_db(get_engine(), "apprentices")
    assert stored["synthetic"].all()  # the examples say they are synthetic


def test_importing_the_examples_again_updates_them(capsys):
    for kind in ORDER:
        main(["import", str(EXAMPLES / f"{kind}.csv"), "--kind", kind])
    capsys.readouterr()
    assert main(["import", str(EXAMPLES / "companies.csv"), "--kind", "companies"]) == 0
    assert "0 inserted, 5 updated" in capsys.readouterr().out


def test_placements_naming_companies_not_in_the_database_are_reported_per_row(capsys):
    code = main(["import", str(EXAMPLES / "placements.csv"), "--kind", "placements"])
    assert code == 2
    err = capsys.readouterr().err
    assert "placements.csv, row 2, column 'company_id': company 'EX-C01' is unknown" in err
    assert count_rows(get_engine(), "placements") == 0


def test_a_bad_file_lists_every_problem_and_can_write_them_as_a_table(tmp_path, capsys):
    report = tmp_path / "problems.csv"
    code = main(["import", str(DATA / "placements_many_problems.csv"), "--kind", "placements",
                 "--report", str(report)])
    assert code == 2
    err = capsys.readouterr().err
    for row in range(2, 10):
        assert f"placements_many_problems.csv, row {row}, column" in err
    assert report.read_text(encoding="utf-8").startswith("file,row,column,value,message")


def test_a_dry_run_validates_without_storing(capsys):
    code = main(["import", str(EXAMPLES / "companies.csv"), "--kind", "companies", "--dry-run"])
    assert code == 0 and "dry run" in capsys.readouterr().out
    assert count_rows(get_engine(), "companies") == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_what_import_reads(tmp_path, suffix, capsys):
    main(["import", str(EXAMPLES / "companies.csv"), "--kind", "companies"])
    target = tmp_path / f"companies{suffix}"
    assert main(["export", "--kind", "companies", "--out", str(target)]) == 0
    assert "5 companies rows written" in capsys.readouterr().out
    assert read_table(target, "companies").frame.equals(
        read_table_from_db(get_engine(), "companies"))


def test_export_to_an_unknown_format_is_a_clean_error(tmp_path, capsys):
    assert main(["export", "--kind", "companies", "--out", str(tmp_path / "x.json")]) == 2
    assert "use a .csv or .xlsx" in capsys.readouterr().err


def test_a_set_of_files_named_by_kind_imports_in_one_go_companies_before_placements(capsys):
    files = [str(EXAMPLES / f"{kind}.csv") for kind in reversed(ORDER)]  # any order
    assert main(["import", *files]) == 0
    out = capsys.readouterr().out
    for kind in ORDER:
        assert f"{kind}.csv: " in out and count_rows(get_engine(), kind) > 0


def test_a_set_with_one_bad_file_writes_none_of_them(tmp_path, capsys):
    bad = tmp_path / "placements.csv"
    bad.write_text((DATA / "placements_many_problems.csv").read_text(encoding="utf-8"),
                   encoding="utf-8")
    assert main(["import", str(EXAMPLES / "companies.csv"), str(bad)]) == 2
    assert "nothing was imported" in capsys.readouterr().err
    assert count_rows(get_engine(), "companies") == 0


def test_a_file_whose_name_does_not_say_its_kind_needs_kind(tmp_path, capsys):
    odd = tmp_path / "liste.csv"
    odd.write_bytes((EXAMPLES / "companies.csv").read_bytes())
    assert main(["import", str(odd)]) == 2
    assert "give --kind" in capsys.readouterr().err
    assert main(["import", str(odd), "--kind", "companies"]) == 0
