"""The paperwork on the adviser page (AppTest): a confirmed shortlist entry offers the
Learning Agreement, the click records version 1 and offers the file; an unconfirmed
entry offers nothing."""

from __future__ import annotations

import pytest

from mobility.documents.tracking import document_history
from mobility.storage import get_engine
from mobility.storage.shortlist import set_shortlist_status
from test_app_pages import _open, app  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def test_a_confirmed_entry_writes_and_records_the_learning_agreement(app):  # noqa: F811
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P1", "confirmed", user="test")
    set_shortlist_status(engine, "A1", "P2", "suggested", user="test")
    _open(app, "adviser")
    app.selectbox(key="shortlist_apprentice").set_value("A1").run()
    assert not [b for b in app.button if b.key == "doc_learning-agreement_A1_P2"]
    app.button(key="doc_learning-agreement_A1_P1").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert document_history(engine, "A1", "P1")["version"].tolist() == [1]
    captions = [c.value.replace("\\", "") for c in app.caption]  # shown Markdown-escaped
    assert "Version 1: erste Fassung." in captions
    assert any(c.startswith("Lernvereinbarung · Version 1 · test-adviser") for c in captions)
    assert [d for d in app.get("download_button") if "Lernvereinbarung" in d.proto.label]


def test_the_beneficiary_module_file_names_each_missing_oid_on_the_page(app):  # noqa: F811
    _open(app, "adviser")
    app.button(key="run_allocation").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [c for c in app.caption if "Förderkennzeichen" in c.value]  # asks for the number
    app.text_input(key="bm_grant_agreement").input("2024-1-DE02-KA121-VET-000123456").run()
    assert not app.exception, [e.value for e in app.exception]
    errors = [e.value.replace("\\", "") for e in app.error]
    assert any("wurde nicht geschrieben" in e for e in errors), errors
    problems = app.dataframe[-1].value  # one row per problem: file, row, column, value, message
    assert problems.columns.tolist() == ["Datei", "Zeile", "Spalte", "Wert", "Problem"]
    assert "Receiving Organisation OID" in set(problems["Spalte"])
    assert {"Sending Organisation OID", "Data type"} <= set(problems["Spalte"])
    assert not [d for d in app.get("download_button") if d.proto.label.startswith("Datei")]
