"""The adviser's match board through AppTest: runs kept and adopted, names first,
shortlist history keyed by entry, conflicts in German with a reload, overrides that name
broken rules and need a reason, imports checked for scope before any write button."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, apprentices_csv, load_demo_into
from auth_support import sign_in
from mobility.storage import get_engine
from mobility.storage.runs import adopted_run_id, list_match_runs
from mobility.storage.shortlist import (
    get_shortlist,
    get_shortlist_events,
    mark_interest,
    set_shortlist_status,
)
from mobility.ui.pages import page_path

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def _board() -> AppTest:
    """A fresh session (a reload) of the adviser's match board, signed in."""
    at = sign_in(AppTest.from_file(str(APP), default_timeout=120), "adviser").run()
    at.switch_page(str(page_path("adviser"))).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def board():
    load_demo_into()
    return _board()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


#: AppTest does not report a dataframe's key: each table is known by a column of its own.
MARKS = {"allocation_table": "explanation", "runs_table": "Verfahren",
         "compare_figures": "Kennzahl", "import_problems": "Zeile",
         "import_preview": "available_from"}


def _frame(at: AppTest, key: str):
    return next(d for d in at.dataframe if MARKS[key] in d.value.columns)


def _table(at: AppTest, key: str) -> pd.DataFrame:
    return _frame(at, key).value


# --- runs ----------------------------------------------------------------------------


def test_a_run_is_kept_adopted_and_found_again_after_a_reload_with_names(board):
    _ok(board.button(key="run_allocation").click().run())
    table = _table(board, "allocation_table")
    assert table.columns[:4].tolist() == ["name", "company", "city", "country"]
    placed = table[table["placement_id"].fillna("") != ""]
    assert set(placed["company"]) <= {"Leeds Joinery Ltd", "Atelier Bois Amiens",
                                      "Cuina Barcelona SL"}
    assert "Azubi 7" in set(table["name"])
    assert set(placed["country"]) <= {"Vereinigtes Königreich", "Frankreich", "Spanien"}
    runs = list_match_runs(get_engine())
    assert runs["organisation"].tolist() == ["HWK Dortmund"]
    _ok(board.button(key="adopt_run").click().run())
    assert adopted_run_id(get_engine(), "HWK Dortmund") == runs.loc[0, "run_id"]

    again = _board()  # a reload: a new session, nothing in session state
    assert "Noch keine Verteilung" not in " ".join(c.value for c in again.caption)
    pd.testing.assert_frame_equal(_table(again, "allocation_table"), table)
    assert any("Arbeitsplan" in s.value for s in again.success)
    assert {m.label: m.value for m in again.metric}["Vermittelt"] == "4"


def test_runs_are_listed_reopened_and_compared(board):
    _ok(board.button(key="run_allocation").click().run())
    board.radio(key="method").set_value("optimal").run()
    _ok(board.button(key="run_allocation").click().run())
    runs = list_match_runs(get_engine())
    assert runs["method"].tolist() == ["optimal", "stable"]
    listed = _table(board, "runs_table")
    assert listed["Verfahren"].tolist() == ["optimal", "stabil"]
    assert "Förderschätzung gesamt" in listed.columns
    figures = _table(board, "compare_figures")
    assert figures["Kennzahl"].tolist() == ["Vermittelt", "Ohne Platz", "Anteil Partnerstädte",
                                            "Förderschätzung gesamt", "Summe der Passung"]
    stable_id = runs.loc[1, "run_id"]
    board.selectbox(key="runs_pick").set_value(stable_id).run()
    _ok(board.button(key="runs_open").click().run())
    assert board.session_state["open_run"] == stable_id
    assert "stabil" in " ".join(c.value for c in board.caption)


# --- shortlist -----------------------------------------------------------------------


def _two_entries() -> None:
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P2", "suggested", user="mueller", expected_version=0)
    time.sleep(0.01)
    set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller", expected_version=0)


def _note_inputs(at: AppTest) -> list:
    return [w for w in at.text_input if str(w.key).startswith("note_")]


def _save_buttons(at: AppTest) -> list:
    return [b for b in at.button if str(b.key).startswith("save_")]


def test_a_note_typed_into_the_second_row_is_saved_to_that_entry_after_resorting(board):
    _two_entries()
    board.selectbox(key="shortlist_apprentice").set_value("A1").run()
    # Newest change first: P1 (Leeds), then P2 (Amiens). Type into the second row.
    assert [w.key for w in _note_inputs(board)] == ["note_A1|P1", "note_A1|P2"]
    _note_inputs(board)[1].input("Amiens antwortet bis Freitag").run()
    # Re-sort by company: Atelier Bois Amiens (P2) now comes first.
    board.selectbox(key="shortlist_sort").set_value("company").run()
    assert [w.key for w in _note_inputs(board)] == ["note_A1|P2", "note_A1|P1"]
    assert _note_inputs(board)[0].value == "Amiens antwortet bis Freitag"
    _ok(_save_buttons(board)[0].click().run())
    events = get_shortlist_events(get_engine(), apprentice_id="A1")
    assert events[["placement_id", "text"]].values.tolist() == [
        ["P2", "Amiens antwortet bis Freitag"]]


def test_notes_are_a_history_and_interest_is_shown_apart(board):
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller", expected_version=0)
    board.selectbox(key="shortlist_apprentice").set_value("A1").run()
    for text in ("erste Notiz", "zweite Notiz"):
        board.text_input(key="note_A1|P1").input(text).run()
        _ok(board.button(key="save_A1|P1").click().run())
        assert board.text_input(key="note_A1|P1").value == ""  # ready for the next one
    mark_interest(engine, "A1", "P1", user="test-azubi")
    board.run()
    captions = [c.value for c in board.caption]
    notes = [c for c in captions if c.startswith("Notiz von")]
    assert len(notes) == 2 and "erste Notiz" in notes[0] and "zweite Notiz" in notes[1]
    assert any(c.startswith("Interesse bekundet von test-azubi") for c in captions)
    assert get_shortlist(engine, apprentice_id="A1")["note"].tolist() == ["zweite Notiz"]


def test_a_conflict_is_told_in_german_with_a_reload_button(board):
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller", expected_version=0)
    board.selectbox(key="shortlist_apprentice").set_value("A1").run()
    set_shortlist_status(engine, "A1", "P1", "contacted", user="kollegin", expected_version=1)
    board.selectbox(key="status_A1|P1").set_value("declined").run()
    board.text_input(key="note_A1|P1").input("abgesagt").run()
    _ok(board.button(key="save_A1|P1").click().run())
    message = " ".join(e.value for e in board.error)
    assert "kollegin" in message and "neu laden" in message and "reload" not in message
    assert get_shortlist(engine, apprentice_id="A1")["status"].tolist() == ["contacted"]
    _ok(board.button(key="reload_A1|P1").click().run())
    assert not board.error
    assert board.selectbox(key="status_A1|P1").value == "contacted"  # the colleague's
    assert board.text_input(key="note_A1|P1").value == "abgesagt"  # what was typed stays
    _ok(board.button(key="save_A1|P1").click().run())
    assert get_shortlist_events(engine, apprentice_id="A1")["text"].tolist() == ["abgesagt"]


def test_the_conflict_reads_in_english_on_the_english_page(board):
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P1", "suggested", user="mueller", expected_version=0)
    board.selectbox(key="lang").set_value("en").run()
    board.selectbox(key="shortlist_apprentice").set_value("A1").run()
    set_shortlist_status(engine, "A1", "P1", "contacted", user="kollegin", expected_version=1)
    _ok(board.button(key="save_A1|P1").click().run())
    assert any("changed by kollegin" in e.value for e in board.error)
    assert any(b.key == "reload_A1|P1" and b.label == "Reload" for b in board.button)


# --- overrides -----------------------------------------------------------------------


def test_an_override_names_the_broken_rules_needs_a_reason_and_reaches_the_plan(board):
    _ok(board.button(key="run_allocation").click().run())
    _ok(board.button(key="adopt_run").click().run())
    # A7 is a cook; P2 is a carpenter's place in Amiens: the trade rule is broken.
    board.selectbox(key="shortlist_apprentice").set_value("A7").run()
    board.selectbox(key="override_placement").set_value("P2").run()
    warning = " ".join(w.value for w in board.warning).replace("\\", "")  # markdown escapes
    assert "Beruf: Koch/Köchin passt nicht zu Tischler/in" in warning
    assert "Plätze: alle 1 Plätze sind schon vergeben" in warning  # the plan holds P2
    _ok(board.button(key="override_go").click().run())
    assert any("begründen" in e.value for e in board.error)
    stored = get_shortlist(get_engine(), apprentice_id="A7")  # the plan's pair (Barcelona)
    assert stored["placement_id"].tolist() == ["P3"]  # and nothing without a reason
    board.text_input(key="override_reason").input("Betrieb bildet auch Köche aus").run()
    _ok(board.button(key="override_go").click().run())
    assert get_shortlist_events(get_engine(), apprentice_id="A7")["detail"].tolist()[0][
        "breaks"][0] == "trade"

    again = _board()  # the allocation as it now stands, after a reload
    table = _table(again, "allocation_table")
    row = table[table["apprentice_id"] == "A7"].iloc[0]
    assert (row["placement_id"], row["status"], row["company"]) == (
        "P2", "von Hand", "Atelier Bois Amiens")
    assert "Betrieb bildet auch Köche aus" in row["explanation"] and "Beruf" in row["explanation"]
    exported = pd.read_csv(io.BytesIO(again.session_state["export_files"]["files"]["csv"]))
    line = exported[exported["apprentice_id"] == "A7"].iloc[0]
    assert (line["placement_id"], line["company"], line["name"]) == (
        "P2", "Atelier Bois Amiens", "Azubi 7")
    assert exported.columns[:4].tolist() == ["name", "company", "city", "country"]


# --- import --------------------------------------------------------------------------


def test_an_adviser_is_offered_only_the_apprentices_import(board):
    kinds = board.selectbox(key="import_kind")
    assert kinds.options == ["Azubis"]


def test_foreign_rows_are_reported_at_the_check_step_before_any_write_button(board):
    from mobility.auth import Principal, Role
    from mobility.auth.guarded import screen_import
    from mobility.io import read_table

    # AppTest cannot drive st.file_uploader: the page keeps what cache.check_upload gives,
    # which is this (the file read, then the package's scope screen).
    result = read_table(apprentices_csv().encode(), "apprentices", name="caseload.csv")
    adviser = Principal("test-adviser", Role.ADVISER, organisation="HWK Dortmund")
    board.session_state["import_result"] = screen_import(get_engine(), adviser, result)
    _ok(board.run())
    problems = _table(board, "import_problems")
    assert problems.columns.tolist() == ["Zeile", "Spalte", "Wert", "Problem"]
    assert problems["Zeile"].tolist() == [9, 10]
    assert problems["Problem"].str.contains("anderen Organisation").all()
    assert not [b for b in board.button if b.key == "import_write"]
    assert {d.key for d in board.download_button} >= {"import_problems_csv",
                                                      "import_problems_xlsx"}


def test_a_clean_file_previews_with_german_headers_and_dates(board):
    import json

    from mobility.io import read_table

    own = "\n".join(line for line in apprentices_csv().splitlines()
                    if "IHK Köln" not in line)
    result = read_table(own.encode(), "apprentices", name="caseload.csv")
    board.session_state["import_result"] = result
    _ok(board.run())
    preview = _frame(board, "import_preview")
    config = json.loads(preview.proto.columns)
    assert config["available_from"]["label"] == "Verfügbar ab"
    assert config["available_from"]["type_config"]["format"] == "DD.MM.YYYY"
    assert any(b.key == "import_write" for b in board.button)
