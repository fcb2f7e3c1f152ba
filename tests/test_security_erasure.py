"""Erasure: after `mobility apprentice erase`, nothing of the person is left anywhere."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from db_support import BACKENDS, fresh_database
from mobility.auth import Principal, Role
from mobility.auth.audit import audit_trail
from mobility.auth.erasure import erase_apprentice, find_personal_data
from mobility.auth.users import SYSTEM, add_user
from mobility.cli import main
from mobility.errors import NotFoundError, PermissionDenied
from mobility.io import read_table
from mobility.storage import create_schema, dispose_engines, get_engine, upsert_table
from mobility.storage.schema import match_rows, match_runs
from mobility.storage.shortlist import get_shortlist, set_shortlist_status

NAME, EMAIL = "Leandra Quappendorf", "leandra.quappendorf@example.org"
HEADER_ROW = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
              "training_year,available_from,available_to,desired_weeks\n")
APPRENTICES = (
    HEADER_ROW
    + f"AZ-0417,{NAME},{EMAIL},HWK Dortmund,Dortmund,DE,Tischlerin,2,2026-03-01,2026-05-31,4\n"
    + "AZ-0418,Ben Other,ben@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,"
    + "2026-05-31,4\n"
    + "AZ-0419,Cem Third,cem@example.org,IHK Köln,Köln,DE,Koch,2,2026-03-01,2026-05-31,4\n"
).encode()
COMPANIES = b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n"
PLACEMENTS = (b"placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks\n"
              b"P1,C1,Tischler,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n"
              b"P2,C1,Koch,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n")
ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
STRANGER = Principal("koeln-adviser", Role.ADVISER, organisation="IHK Köln")


@pytest.fixture
def engine():
    engine = get_engine()
    create_schema(engine)
    for kind, data in [("companies", COMPANIES), ("placements", PLACEMENTS),
                       ("apprentices", APPRENTICES)]:
        result = read_table(data, kind, name=f"{kind}.csv")
        assert result.ok, result.problems
        upsert_table(engine, kind, result.frame, user="mueller", source=f"{kind}.csv")
    set_shortlist_status(engine, "AZ-0417", "P1", "suggested", user="mueller",
                         expected_version=0)
    set_shortlist_status(engine, "AZ-0417", "P1", "contacted", user="schmidt",
                         note=f"{NAME} called back, write to {EMAIL}", expected_version=1)
    set_shortlist_status(engine, "AZ-0418", "P2", "suggested", user="mueller",
                         expected_version=0)
    with engine.begin() as conn:
        conn.execute(match_runs.insert().values(run_id="r1", method="stable",
                                                created_at=sa.func.now(), created_by="mueller",
                                                settings={}, rows=2))
        conn.execute(match_rows.insert(), [
            {"run_id": "r1", "row": 0, "apprentice_id": "AZ-0417", "placement_id": "P1",
             "score": 0.9, "rank": 1, "detail": {"apprentice_id": "AZ-0417"}},
            {"run_id": "r1", "row": 1, "apprentice_id": "AZ-0418", "placement_id": "P2",
             "score": 0.8, "rank": 1, "detail": {}},
        ])
    add_user(engine, "leandra", "apprentice", "a long passphrase", apprentice_id="AZ-0417",
             display_name=NAME, actor=SYSTEM, rounds=4)
    yield engine
    dispose_engines()


def _raw_bytes(engine) -> bytes:
    path = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_erasure_leaves_nothing_of_the_person_in_any_table_or_in_the_file(engine):
    assert find_personal_data(engine, ["AZ-0417"], [NAME, EMAIL])  # the fixture holds it
    report = erase_apprentice(engine, "AZ-0417", actor=ADVISER)

    assert find_personal_data(engine, ["AZ-0417"], [NAME, EMAIL, "Quappendorf"]) == []
    raw = _raw_bytes(engine)
    for needle in ("AZ-0417", "Quappendorf", "leandra.quappendorf"):
        assert needle.encode() not in raw, needle
    # The note lives in the shortlist's history (shortlist_events) since issue 11.
    assert report.rows_deleted == {"apprentices": 1, "shortlist": 1, "match_rows": 1,
                                   "users": 1, "shortlist_events": 1}


def test_erasure_keeps_the_audit_trail_under_a_pseudonym(engine):
    report = erase_apprentice(engine, "AZ-0417", actor=ADVISER)
    trail = audit_trail(engine, SYSTEM, entity="shortlist")
    ids = set(trail["entity_id"])
    assert f"{report.pseudonym}/P1" in ids and "AZ-0418/P2" in ids
    assert set(trail["who"]) == {"mueller", "schmidt"}  # who did what survives
    erased = audit_trail(engine, SYSTEM, entity="apprentice")
    assert erased["entity_id"].tolist() == [report.pseudonym]
    assert erased["who"].tolist() == ["mueller"]


def test_erasure_leaves_other_apprentices_alone(engine):
    erase_apprentice(engine, "AZ-0417", actor=ADVISER)
    with engine.connect() as conn:
        left = conn.execute(sa.text("select apprentice_id from apprentices order by 1")).all()
    assert [r[0] for r in left] == ["AZ-0418", "AZ-0419"]


def test_another_organisations_adviser_may_not_erase_and_nothing_changes(engine):
    with pytest.raises(PermissionDenied) as refused:
        erase_apprentice(engine, "AZ-0417", actor=STRANGER)
    assert "AZ-0417" not in str(refused.value) and NAME not in str(refused.value)
    for role in (Role.APPRENTICE, Role.MUNICIPALITY):
        who = Principal("x1", role, apprentice_id="AZ-0417", city="Dortmund")
        with pytest.raises(PermissionDenied):
            erase_apprentice(engine, "AZ-0417", actor=who)
    assert find_personal_data(engine, [], [NAME])


def test_erasing_an_unknown_id_says_so_without_repeating_it(engine):
    admin = Principal("boss", Role.ADMINISTRATOR)
    with pytest.raises(NotFoundError) as missing:
        erase_apprentice(engine, "AZ-9999", actor=admin)
    assert "AZ-9999" not in str(missing.value)


def test_an_adviser_cannot_tell_a_missing_id_from_another_organisations(engine):
    # Issue 12 item 6: NotFound for a missing id vs PermissionDenied for a foreign one
    # told an adviser which ids exist elsewhere.
    with pytest.raises(PermissionDenied) as missing:
        erase_apprentice(engine, "AZ-9999", actor=STRANGER)
    with pytest.raises(PermissionDenied) as foreign:
        erase_apprentice(engine, "AZ-0417", actor=STRANGER)
    assert str(missing.value) == str(foreign.value)


def test_the_command_erases_after_confirmation_and_prints_only_the_pseudonym(
        engine, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("wrong\n"))
    assert main(["apprentice", "erase", "AZ-0417"]) == 2
    assert find_personal_data(engine, [], [NAME])
    monkeypatch.setattr(sys, "stdin", io.StringIO("AZ-0417\n"))
    assert main(["apprentice", "erase", "AZ-0417"]) == 0
    out = capsys.readouterr().out
    assert "erased-" in out and NAME not in out
    assert find_personal_data(engine, ["AZ-0417"], [NAME, EMAIL]) == []


def test_erasure_matches_whole_names_only_and_spares_similar_ones(engine):
    # Found by benchmarks/bench_security.py: erasing "Person 7" refused because
    # "Person 70" (someone else) contains it.
    similar = (HEADER_ROW + "AZ-7,Person 7,p7@example.org,HWK Dortmund,Dortmund,DE,Koch,2,"
               "2026-03-01,2026-05-31,4\nAZ-70,Person 70,ap7@example.org,HWK Dortmund,"
               "Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4\n")
    upsert_table(engine, "apprentices", read_table(similar.encode(), "apprentices").frame)
    set_shortlist_status(engine, "AZ-70", "P2", "suggested", user="mueller",
                         note="Person 70 asked about Person 7's dates", expected_version=0)
    erase_apprentice(engine, "AZ-7", actor=ADVISER)
    assert find_personal_data(engine, ["AZ-7"], ["Person 7", "p7@example.org"]) == []
    with engine.connect() as conn:
        kept = conn.execute(sa.text("select name, email from apprentices "
                                    "where apprentice_id = 'AZ-70'")).one()
    assert tuple(kept) == ("Person 70", "ap7@example.org")
    note = get_shortlist(engine, apprentice_id="AZ-70")["note"].iloc[0]
    assert note == "Person 70 asked about [erased]'s dates"  # a colleague's note stays


# ---------------------------------------------------------------------------
# Issue 12 items 2 and 3: erase the person's own records, nobody else's
# ---------------------------------------------------------------------------

ERIKA = "Erika Mustermann"
FAMILY = "familie.mustermann@example.org"


def _add(engine, kind: str, data: str) -> None:
    result = read_table(data.encode(), kind, name=f"{kind}.csv")
    assert result.ok, result.problems
    upsert_table(engine, kind, result.frame, user="mueller")


def _row(aid: str, name: str, email: str, org: str) -> str:
    return (f"{aid},{name},{email},{org},Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4\n")


def _cells(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_erasure_leaves_a_sibling_a_namesake_and_a_company_name_intact(engine):
    _add(engine, "apprentices", HEADER_ROW + _row("E1", ERIKA, FAMILY, "HWK Dortmund")
         + _row("E2", "Max Mustermann", FAMILY, "HWK Dortmund")
         + _row("E3", ERIKA, "erika.koeln@example.org", "IHK Köln"))
    _add(engine, "companies", f"company_id,name,city,country\nC7,Schreinerei {ERIKA},Leeds,GB\n")
    set_shortlist_status(engine, "E2", "P2", "suggested", user="mueller",
                         note=f"sister of {ERIKA}; family mail {FAMILY}", expected_version=0)
    report = erase_apprentice(engine, "E1", actor=ADVISER)
    assert report.rows_deleted == {"apprentices": 1}
    assert _cells(engine, "select apprentice_id, name, email from apprentices "
                          "where apprentice_id in ('E2', 'E3') order by 1") == [
        ("E2", "Max Mustermann", FAMILY), ("E3", ERIKA, "erika.koeln@example.org")]
    assert _cells(engine, "select name from companies where company_id = 'C7'") == [
        (f"Schreinerei {ERIKA}",)]
    # Only the free-text note loses the mentions, as documented.
    note = get_shortlist(engine, apprentice_id="E2")["note"].iloc[0]
    assert note == "sister of [erased]; family mail [erased]"
    assert _cells(engine, "select count(*) from apprentices where apprentice_id = 'E1'") == [(0,)]


def test_erasing_an_id_that_a_placement_or_company_also_has_touches_only_the_apprentice(
        engine):
    _add(engine, "companies", "company_id,name,city,country\n9,Nine Ltd,Leeds,GB\n"
                              "8,Eight Ltd,Leeds,GB\n")
    _add(engine, "placements", "placement_id,company_id,trade,city,country,slots,start,end,"
                               "min_weeks,max_weeks\n8,9,Koch,Leeds,GB,1,2026-03-01,"
                               "2026-06-30,2,6\n")
    _add(engine, "apprentices", HEADER_ROW + _row("8", "Acht Person", "acht@example.org",
                                                  "HWK Dortmund")
         + _row("9", "Neun Person", "neun@example.org", "HWK Dortmund"))
    set_shortlist_status(engine, "8", "8", "suggested", user="mueller", expected_version=0)
    set_shortlist_status(engine, "AZ-0418", "8", "suggested", user="mueller",
                         expected_version=0)
    erase_apprentice(engine, "8", actor=ADVISER)
    erase_apprentice(engine, "9", actor=ADVISER)  # was an IntegrityError traceback
    assert _cells(engine, "select placement_id, company_id from placements "
                          "where placement_id = '8'") == [("8", "9")]
    assert _cells(engine, "select company_id from companies where company_id in ('8', '9') "
                          "order by 1") == [("8",), ("9",)]
    trail = audit_trail(engine, SYSTEM, entity="shortlist")
    assert "AZ-0418/8" in set(trail["entity_id"])  # the other person's entry keeps "/8"
    assert not any(e.startswith("8/") for e in trail["entity_id"])


def test_ids_with_slashes_leave_the_audit_trail_and_a_shorter_id_does_not_steal_them(engine):
    _add(engine, "apprentices", HEADER_ROW
         + _row("HWK/2026/001", "Slash Person", "slash@example.org", "HWK Dortmund")
         + _row("HWK", "Short Id", "short@example.org", "HWK Dortmund"))
    set_shortlist_status(engine, "HWK/2026/001", "P1", "suggested", user="mueller",
                         expected_version=0)
    set_shortlist_status(engine, "HWK", "P2", "suggested", user="mueller", expected_version=0)
    short = erase_apprentice(engine, "HWK", actor=ADVISER)
    ids = set(audit_trail(engine, SYSTEM, entity="shortlist")["entity_id"])
    assert "HWK/2026/001/P1" in ids and f"{short.pseudonym}/P2" in ids
    long = erase_apprentice(engine, "HWK/2026/001", actor=ADVISER)
    ids = set(audit_trail(engine, SYSTEM, entity="shortlist")["entity_id"])
    assert f"{long.pseudonym}/P1" in ids
    assert not any("HWK" in i for i in ids)


def _db_and_wal(engine) -> bytes:
    path = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def test_erasure_with_a_reader_open_says_the_file_is_not_clean_yet_then_scrubs(engine):
    import sqlite3

    from mobility.auth.erasure import scrub_database_file

    with engine.connect() as conn:  # the name sits in the main file, not only the log
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Quappendorf" in _db_and_wal(engine)
    reader = sqlite3.connect(engine.url.database)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM apprentices").fetchone()  # holds a snapshot
    try:
        report = erase_apprentice(engine, "AZ-0417", actor=ADVISER, scrub_wait=0.3)
        assert report.file_scrubbed is False  # honest: the bytes are still there ...
        assert b"Quappendorf" in _db_and_wal(engine)
        # ... though no query of the current data finds them.
        assert find_personal_data(engine, ["AZ-0417"], [NAME, EMAIL]) == []
        assert scrub_database_file(engine, wait=0.2) is False
    finally:
        reader.rollback()
        reader.close()
    assert scrub_database_file(engine) is True
    raw = _db_and_wal(engine)
    for needle in (b"Quappendorf", b"leandra.quappendorf", b"AZ-0417"):
        assert needle not in raw, needle


def test_erasure_without_readers_reports_a_clean_file(engine):
    report = erase_apprentice(engine, "AZ-0417", actor=ADVISER)
    assert report.file_scrubbed is True
    assert b"Quappendorf" not in _db_and_wal(engine)


@pytest.mark.parametrize("backend", BACKENDS)
def test_erasure_by_references_works_the_same_on_both_databases(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        engine = get_engine(url)
        create_schema(engine)
        _add(engine, "companies", f"company_id,name,city,country\n8,Schreinerei {ERIKA},"
                                  "Leeds,GB\n")
        _add(engine, "placements", "placement_id,company_id,trade,city,country,slots,start,"
                                   "end,min_weeks,max_weeks\n8,8,Koch,Leeds,GB,1,2026-03-01,"
                                   "2026-06-30,2,6\n")
        _add(engine, "apprentices", HEADER_ROW + _row("8", ERIKA, FAMILY, "HWK Dortmund")
             + _row("HWK/8", "Max Mustermann", FAMILY, "HWK Dortmund"))
        set_shortlist_status(engine, "8", "8", "suggested", user="mueller", expected_version=0)
        set_shortlist_status(engine, "HWK/8", "8", "suggested", user="mueller",
                             note=f"brother of {ERIKA}", expected_version=0)
        report = erase_apprentice(engine, "8", actor=ADVISER)
        assert report.rows_deleted == {"apprentices": 1, "shortlist": 1}
        assert _cells(engine, "select apprentice_id, email from apprentices") == [
            ("HWK/8", FAMILY)]
        assert _cells(engine, "select name from companies") == [(f"Schreinerei {ERIKA}",)]
        ids = set(audit_trail(engine, SYSTEM, entity="shortlist")["entity_id"])
        assert ids == {f"{report.pseudonym}/8", "HWK/8/8"}
        assert get_shortlist(engine, apprentice_id="HWK/8")["note"].iloc[0] == (
            "brother of [erased]")
        assert report.file_scrubbed is (True if backend == "sqlite" else None)
