"""Learning Agreement and Europass Mobility drafts: content in both languages, read back
with independent readers (python-docx, pypdf), refusals, audit and version tracking."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from mobility.auth.roles import Principal, Role
from mobility.documents.render import pdf_font
from mobility.documents.service import generate_document
from mobility.documents.tracking import describe, document_history
from mobility.errors import ConfigurationError, PermissionDenied, ValidationError
from mobility.storage.schema import audit_log, generated_documents
from paper_support import OIDS, seeded_engine

ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Test")
OTHER = Principal("schulz", Role.ADVISER, organisation="IHK Anders")
TODAY = date(2026, 11, 29)

EXPECTED = {
    "de": ["Lea PersonA2", "HWK Test", OIDS["HWK Test"], "-Atelier Bois", OIDS["C2"],
           "01.04.2027", "21.07.2027", "Tischler/in", "Lille, Frankreich",
           "Lernvereinbarung", "Zu vereinbarende Lernergebnisse", "Französisch A2"],
    "en": ["Lea PersonA2", "HWK Test", OIDS["HWK Test"], "-Atelier Bois", OIDS["C2"],
           "1 Apr 2027", "21 Jul 2027", "cabinet maker (Tischler/in)", "Lille, France",
           "Learning Agreement", "Learning outcomes to be agreed", "French A2"],
}


def _docx_text(path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


@pytest.fixture()
def engine(tmp_path):
    engine = seeded_engine(tmp_path)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_learning_agreement_docx_names_participant_organisations_dates_and_trade(
        engine, tmp_path, lang):
    done = generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                             tmp_path / f"la-{lang}.docx", lang=lang, today=TODAY)
    text = _docx_text(done.path)
    for expected in EXPECTED[lang]:
        assert expected in text, expected
    other = "en" if lang == "de" else "de"
    assert EXPECTED[other][-2] not in text  # the other language's headings are absent


@pytest.mark.parametrize("lang", ["de", "en"])
def test_learning_agreement_pdf_reads_back_with_a_text_extractor(engine, tmp_path, lang):
    try:
        pdf_font()
    except ConfigurationError:
        pytest.skip("no Unicode TTF font installed")
    done = generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                             tmp_path / "la.pdf", lang=lang, today=TODAY)
    assert done.path.read_bytes()[:5] == b"%PDF-"
    text = " ".join(_pdf_text(done.path).split())
    for expected in EXPECTED[lang]:
        assert expected in text, expected


def test_europass_draft_leaves_the_skills_to_the_host(engine, tmp_path):
    done = generate_document(engine, ADVISER, "europass", "A3", "P3", tmp_path / "ep.docx",
                             lang="en", today=TODAY)
    text = _docx_text(done.path)
    for expected in ["Europass Mobility", "Holder", "HWK Test", "Tischlerei Graz",
                     OIDS["C3"], "Objective", "Graz", "Skills acquired (to be filled in by "
                     "the host organisation)", "Job-related skills", "28 days (4.0 weeks)"]:
        assert expected in text, expected


def test_an_adviser_of_another_organisation_is_refused_and_nothing_is_left(engine, tmp_path):
    target = tmp_path / "la.docx"
    with pytest.raises(PermissionDenied):
        generate_document(engine, OTHER, "learning-agreement", "A2", "P2", target)
    assert not target.exists()
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(generated_documents)
                            ).scalar() == 0


def test_documents_wait_for_a_confirmed_match(tmp_path):
    engine = seeded_engine(tmp_path, status="contacted")
    with pytest.raises(ValidationError, match="confirmed"):
        generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                          tmp_path / "la.docx")
    assert not (tmp_path / "la.docx").exists()


def test_each_document_is_versioned_audited_and_says_what_changed(engine, tmp_path):
    first = generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                              tmp_path / "la.docx", lang="en", today=TODAY)
    assert describe(first.tracked, "en") == ["Version 1: first version."]
    same = generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                             tmp_path / "la.docx", lang="en", today=TODAY)
    assert same.tracked.content_hash == first.tracked.content_hash
    assert describe(same.tracked, "en") == ["Version 2: unchanged since version 1."]
    with engine.begin() as conn:  # the host moves the start by a week
        conn.exec_driver_sql("UPDATE placements SET start = '2027-04-08' "
                             "WHERE placement_id = 'P2'")
    changed = generate_document(engine, ADVISER, "learning-agreement", "A2", "P2",
                                tmp_path / "la.docx", lang="de", today=TODAY)
    assert changed.tracked.content_hash != first.tracked.content_hash
    lines = describe(changed.tracked, "de")
    assert lines[0] == "Version 3: geändert gegenüber Version 2:"
    assert "Beginn: „01.04.2027“ → „08.04.2027“" in lines
    assert "Sprache des Dokuments: „en“ → „de“" in lines
    assert {c.field for c in changed.tracked.changes} == {"lang", "start", "end"}
    history = document_history(engine, "A2", "P2")
    assert history["version"].tolist() == [3, 2, 1]
    assert set(history["created_by"]) == {"mueller"}
    with engine.connect() as conn:
        audited = pd.read_sql(sa.select(audit_log).where(
            audit_log.c.entity == "document learning-agreement"), conn)
    assert len(audited) == 3 and set(audited["entity_id"]) == {"A2/P2"}


def test_versions_are_counted_per_kind(engine, tmp_path):
    generate_document(engine, ADVISER, "learning-agreement", "A3", "P3", tmp_path / "a.docx")
    europass = generate_document(engine, ADVISER, "europass", "A3", "P3", tmp_path / "b.docx")
    assert europass.tracked.version == 1


def test_erasure_removes_the_document_records(engine, tmp_path):
    from mobility.auth.erasure import erase_apprentice

    generate_document(engine, ADVISER, "europass", "A3", "P3", tmp_path / "ep.docx")
    erase_apprentice(engine, "A3", actor=ADVISER)
    assert document_history(engine, "A3", "P3").empty


def test_the_command_writes_the_document_for_the_named_adviser(tmp_path, monkeypatch, capsys):
    from mobility.auth.users import SYSTEM, add_user
    from mobility.cli import main
    from mobility.storage import dispose_engines

    engine = seeded_engine(tmp_path)
    add_user(engine, "mueller", "adviser", "test-password-123", actor=SYSTEM, rounds=4,
             organisation="HWK Test")
    add_user(engine, "schulz", "adviser", "test-password-123", actor=SYSTEM, rounds=4,
             organisation="IHK Anders")
    engine.dispose()
    monkeypatch.setenv("MOBILITY_DATABASE_URL", f"sqlite:///{tmp_path / 'paper.db'}")
    dispose_engines()
    try:
        out = tmp_path / "la.docx"
        args = ["documents", "learning-agreement", "--apprentice", "A2", "--placement", "P2",
                "--out", str(out), "--lang", "en"]
        assert main([*args, "--as", "mueller"]) == 0
        assert "Version 1: first version." in capsys.readouterr().out
        assert "Lea PersonA2" in _docx_text(out)
        out.unlink()
        assert main([*args, "--as", "schulz"]) == 1
        assert "may only export personal data" in capsys.readouterr().err
        assert not out.exists()
        dictionary = tmp_path / "dict.csv"
        dictionary.write_text("call_year,action_type,dictionary,key,value,verified,source\n"
                              "2024,KA121-VET,data_type,mobility,TEST,no,test\n",
                              encoding="utf-8")
        bm = ["documents", "beneficiary-module", "--grant-agreement",
              "2024-1-DE02-KA121-VET-000123456", "--out", str(tmp_path / "bm.csv")]
        assert main([*bm, "--as", "mueller"]) == 2  # the Data type value is not known
        assert "column 'Data type'" in capsys.readouterr().err
        assert main([*bm, "--dictionary", str(dictionary), "--as", "mueller"]) == 0
        assert "2 mobility activities written" in capsys.readouterr().out
    finally:
        dispose_engines()


def test_learning_outcomes_of_a_trade_are_prefilled_else_lines_are_left(engine):
    from dataclasses import replace

    from mobility.documents.content import EMPTY_OUTCOMES, learning_agreement
    from mobility.documents.facts import match_facts
    from mobility.documents.service import _frames, sending_oids

    frames = _frames(engine, ["A2"], ["P2"])
    facts = match_facts("A2", "P2", frames["apprentices"], frames["placements"],
                        frames["companies"], sending_oids=sending_oids(engine))
    empty = learning_agreement(facts, "en", prepared_by="mueller", today=TODAY).blocks[4]
    assert len(empty.lines) == EMPTY_OUTCOMES and not empty.rows
    known = replace(facts, learning_outcomes=("Builds a drawer", "Reads a plan"))
    block = learning_agreement(known, "de", prepared_by="mueller", today=TODAY).blocks[4]
    assert block.rows == (("Lernergebnis 1", "Builds a drawer"), ("Lernergebnis 2", "Reads a plan"))


def test_the_beneficiary_file_holds_only_the_advisers_own_confirmed_matches(engine, tmp_path):
    from mobility.documents.service import export_beneficiary_file

    dictionary = tmp_path / "dict.csv"
    dictionary.write_text("call_year,action_type,dictionary,key,value,verified,source\n"
                          "2024,KA121-VET,data_type,mobility,TEST,no,test\n", encoding="utf-8")
    number = "2024-1-DE02-KA121-VET-000123456"
    done = export_beneficiary_file(engine, ADVISER, tmp_path / "bm.csv",
                                   grant_agreement=number, dictionary_file=dictionary)
    assert done.activities["participant_id"].tolist() == ["A2", "A3"]  # A1: not Erasmus+
    with pytest.raises(ValidationError, match="no confirmed shortlist entries"):
        export_beneficiary_file(engine, OTHER, tmp_path / "other.csv", grant_agreement=number,
                                dictionary_file=dictionary)
    city = Principal("stadt", Role.MUNICIPALITY, city="Köln")
    with pytest.raises(PermissionDenied):
        export_beneficiary_file(engine, city, tmp_path / "city.csv", grant_agreement=number,
                                dictionary_file=dictionary)
    assert not (tmp_path / "other.csv").exists() and not (tmp_path / "city.csv").exists()
    with engine.connect() as conn:
        audited = conn.execute(sa.select(audit_log.c.who).where(
            audit_log.c.entity == "beneficiary_module")).scalars().all()
    assert audited == ["mueller"]
