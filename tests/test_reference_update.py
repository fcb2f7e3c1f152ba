"""``mobility reference update``: a newer reference file is validated like an import,
its changes are reported, and it is written only with --yes, atomically."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from mobility.cli import main
from mobility.paths import data_dir


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of the shipped data folder."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    monkeypatch.setenv("MOBILITY_DATA_DIR", str(folder))
    return folder


def _newer_trades(tmp_path):
    table = pd.read_csv(data_dir() / "trades.csv", dtype=str, keep_default_na=False)
    table.loc[table["de_name"] == "Tischler/in", "en_label"] = "cabinetmaker"
    table = table[table["de_name"] != "Glaser/in"]
    extra = table.iloc[[0]].assign(de_name="Testberuf/in", isco08="7411")
    path = tmp_path / "newer_trades.csv"
    pd.concat([table, extra]).to_csv(path, index=False)
    return path


def test_update_reports_additions_changes_and_removals_and_writes_only_with_yes(
        data_copy, tmp_path, capsys):
    newer = _newer_trades(tmp_path)
    before = (data_copy / "trades.csv").read_bytes()
    assert main(["reference", "update", "--trades", str(newer)]) == 0
    out = capsys.readouterr().out
    assert "trades.csv: 1 added, 1 changed, 1 removed" in out
    assert "added: Testberuf/in" in out and "changed: Tischler/in (en_label)" in out
    assert "removed: Glaser/in" in out and "nothing written" in out
    assert (data_copy / "trades.csv").read_bytes() == before
    assert main(["reference", "update", "--trades", str(newer), "--yes", "--lang", "de"]) == 0
    assert "1 hinzugefügt, 1 geändert, 1 entfernt" in capsys.readouterr().out
    assert (data_copy / "trades.csv").read_bytes() == newer.read_bytes()
    assert not [p for p in data_copy.iterdir() if p.name.startswith(".")]  # no temp left


def test_a_file_with_errors_names_row_and_column_and_nothing_is_written(
        data_copy, tmp_path, capsys):
    table = pd.read_csv(data_dir() / "municipalities_de.csv", dtype=str, keep_default_na=False)
    table.loc[4, "ags"] = "123"
    table.loc[7, "lat"] = "12.5"
    path = tmp_path / "municipalities_de.csv"
    table.to_csv(path, index=False)
    before = (data_copy / "municipalities_de.csv").read_bytes()
    assert main(["reference", "update", "--municipalities", str(path), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "row 6, column 'ags'" in err and "row 9, column 'lat'" in err
    assert (data_copy / "municipalities_de.csv").read_bytes() == before


def test_an_unchanged_file_writes_nothing(data_copy, capsys):
    assert main(["reference", "update", "--trades", str(data_copy / "trades.csv")]) == 0
    assert "No changes; nothing written." in capsys.readouterr().out
