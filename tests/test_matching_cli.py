"""The ``mobility match`` command on a tiny demo folder."""

from __future__ import annotations

import pandas as pd
import pytest

from mobility.cli import main
from mobility.demo import write_demo

ISSUE_COLUMNS = ["apprentice_id", "placement_id", "score", "apprentice_score", "host_score",
                 "rank", "explanation"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, n_apprentices=60, n_placements=40, seed=7)
    return folder


@pytest.mark.parametrize("method", ["stable", "optimal"])
def test_allocation_writes_one_row_per_apprentice_and_every_pair(demo_dir, tmp_path, capsys,
                                                                 method):
    out, pairs = tmp_path / "matches.csv", tmp_path / "pairs.csv"
    code = main(["match", "--data", str(demo_dir), "--method", method, "--out", str(out),
                 "--scores-out", str(pairs), "--quiet"])
    assert code == 0
    matches = pd.read_csv(out)
    assert set(ISSUE_COLUMNS) <= set(matches.columns)
    assert len(matches) == 60 and matches["apprentice_id"].is_unique
    placed = matches.dropna(subset=["placement_id"])
    slots = pd.read_csv(demo_dir / "placements.csv").set_index("placement_id")["slots"]
    load = placed["placement_id"].value_counts()
    assert (load <= slots.loc[load.index]).all()
    considered = pd.read_csv(pairs)
    assert list(considered.columns) == ["apprentice_id", "placement_id", "score",
                                        "apprentice_score", "host_score"]
    assert set(zip(placed.apprentice_id, placed.placement_id, strict=True)) <= set(
        zip(considered.apprentice_id, considered.placement_id, strict=True))
    printed = capsys.readouterr().out
    assert f"method: {method}" in printed and f"matched: {len(placed)}" in printed


def test_ranked_writes_top_k_per_apprentice_in_rank_order(demo_dir, tmp_path):
    out = tmp_path / "ranked.csv"
    assert main(["match", "--data", str(demo_dir), "--method", "ranked", "--top-k", "3",
                 "--out", str(out), "--quiet"]) == 0
    ranked = pd.read_csv(out)
    assert set(ISSUE_COLUMNS) <= set(ranked.columns)
    assert ranked.groupby("apprentice_id")["rank"].max().max() <= 3
    for _, group in ranked.groupby("apprentice_id"):
        assert group["score"].is_monotonic_decreasing
        assert group["rank"].tolist() == list(range(1, len(group) + 1))


def test_missing_data_folder_is_a_clean_error_without_output(tmp_path, capsys):
    out = tmp_path / "matches.csv"
    assert main(["match", "--data", str(tmp_path / "nowhere"), "--out", str(out)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_a_bad_row_in_the_input_names_file_row_and_column(demo_dir, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("apprentices.csv", "companies.csv", "placements.csv"):
        (broken / name).write_bytes((demo_dir / name).read_bytes())
    placements = pd.read_csv(broken / "placements.csv", dtype=str, keep_default_na=False)
    placements.loc[1, "slots"] = "many"
    placements.to_csv(broken / "placements.csv", index=False)
    assert main(["match", "--data", str(broken), "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert "placements.csv, row 3, column 'slots'" in err


@pytest.mark.parametrize("method", ["stable", "optimal", "ranked"])
def test_verify_reports_a_clean_certificate(demo_dir, tmp_path, capsys, method):
    out = tmp_path / "matches.csv"
    assert main(["match", "--data", str(demo_dir), "--method", method, "--out", str(out),
                 "--verify", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "exact: True" in printed
    if method == "ranked":
        assert "verify apprentices_with_a_wrong_top_k: 0" in printed
        return
    assert "verify acceptable_pairs_agree: True" in printed
    assert "verify free_slot_beside_unplaced: 0" in printed
    assert "proposals:" in printed and "pricing_rounds:" in printed
    if method == "stable":
        assert "verify blocking_pairs: 0" in printed
        assert "verify textbook_identical: True" in printed
    else:
        assert "verify optimality_gap: 0.0" in printed
        assert "certificate: LP dual bound" in printed


def test_approximate_runs_say_so_in_the_summary_and_every_row(demo_dir, tmp_path, capsys):
    out = tmp_path / "matches.csv"
    assert main(["match", "--data", str(demo_dir), "--out", str(out), "--approximate",
                 "--max-candidates", "3", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "exact: False" in printed and "Approximate:" in printed
    assert pd.read_csv(out)["note"].str.startswith("Approximate").all()


def test_max_candidates_without_approximate_is_refused(demo_dir, tmp_path, capsys):
    out = tmp_path / "matches.csv"
    assert main(["match", "--data", str(demo_dir), "--out", str(out), "--max-candidates",
                 "3", "--quiet"]) == 2  # a usage error
    assert "--approximate" in capsys.readouterr().err and not out.exists()
