"""Guarded changes and exports: each role tries what it may not, through the package and
the command line; allowed exports carry only the own caseload and are audited."""

from __future__ import annotations

import pandas as pd
import pytest

from mobility.auth import Principal, Role
from mobility.auth.audit import audit_trail
from mobility.auth.guarded import (
    check_import,
    export_personal_data,
    import_table,
    save_shortlist_entry,
)
from mobility.auth.users import SYSTEM, add_user
from mobility.cli import main
from mobility.errors import ConflictError, PermissionDenied, ValidationError
from mobility.io import read_table
from mobility.storage import create_schema, dispose_engines, get_engine, upsert_table
from mobility.storage.shortlist import get_shortlist

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
          "training_year,available_from,available_to,desired_weeks\n")
ROWS = ("A1,Anna Eins,anna@example.org,HWK Dortmund,Dortmund,DE,Tischlerin,2,2026-03-01,"
        "2026-05-31,4\n"
        "A2,=HYPERLINK(\"http://x\"),a2@example.org,HWK Dortmund,Dortmund,DE,Koch,2,2026-03-01,"
        "2026-05-31,4\n"
        "K1,Kai Köln,kai@example.org,IHK Köln,Köln,DE,Koch,2,2026-03-01,2026-05-31,4\n")
PLACEMENTS = (b"placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks\n"
              b"P1,C1,Tischler,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n")

ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
KOELN = Principal("koeln", Role.ADVISER, organisation="IHK Köln")
APPRENTICE = Principal("anna", Role.APPRENTICE, apprentice_id="A1")
CITY = Principal("stadt", Role.MUNICIPALITY, city="Dortmund")
ADMIN = Principal("boss", Role.ADMINISTRATOR)


def frame(kind: str, data: bytes) -> pd.DataFrame:
    result = read_table(data, kind)
    assert result.ok, result.problems
    return result.frame


@pytest.fixture
def engine():
    engine = get_engine()
    create_schema(engine)
    upsert_table(engine, "companies", frame("companies", b"company_id,name,city,country\n"
                                                         b"C1,Joinery,Leeds,GB\n"))
    upsert_table(engine, "placements", frame("placements", PLACEMENTS))
    upsert_table(engine, "apprentices", frame("apprentices", (HEADER + ROWS).encode()))
    yield engine
    dispose_engines()


def test_an_adviser_edits_the_shortlist_of_their_own_caseload_only(engine):
    entry = save_shortlist_entry(engine, ADVISER, "A1", "P1", "suggested", expected_version=0)
    assert entry.updated_by == "mueller"
    for who in (KOELN, APPRENTICE, CITY, ADMIN):
        with pytest.raises(PermissionDenied):
            save_shortlist_entry(engine, who, "A1", "P1", "declined", expected_version=1)
    assert get_shortlist(engine)["status"].tolist() == ["suggested"]


def test_a_stale_save_through_the_guard_names_who_changed_it(engine):
    save_shortlist_entry(engine, ADVISER, "A1", "P1", "suggested", expected_version=0)
    colleague = Principal("schmidt", Role.ADVISER, organisation="HWK Dortmund")
    save_shortlist_entry(engine, colleague, "A1", "P1", "contacted", expected_version=1)
    with pytest.raises(ConflictError, match=r"changed by schmidt at \d\d:\d\d, reload"):
        save_shortlist_entry(engine, ADVISER, "A1", "P1", "declined", expected_version=1)


def test_imports_are_limited_to_the_own_organisation_and_reference_data_to_admins(engine):
    mixed = frame("apprentices", (HEADER + ROWS).encode())
    with pytest.raises(PermissionDenied, match="1 row belongs to another"):
        import_table(engine, ADVISER, "apprentices", mixed)
    import_table(engine, ADVISER, "apprentices", mixed.iloc[:2])
    for who in (APPRENTICE, CITY):
        with pytest.raises(PermissionDenied):
            check_import(who, "apprentices", mixed.iloc[:1])
    for who in (ADVISER, APPRENTICE, CITY):
        with pytest.raises(PermissionDenied):
            check_import(who, "placements", frame("placements", PLACEMENTS))
    check_import(ADMIN, "placements", frame("placements", PLACEMENTS))


def test_an_export_holds_only_the_own_caseload_neutralised_and_is_audited(engine):
    from mobility.storage import read_table_from_db

    table = read_table_from_db(engine, "apprentices")
    payload = export_personal_data(engine, ADVISER, table, what="apprentices",
                                   kind="apprentices").decode()
    assert "A1" in payload and "Kai" not in payload and "K1," not in payload
    assert "'=HYPERLINK" in payload
    trail = audit_trail(engine, SYSTEM, entity="apprentices")
    export = trail[trail["action"] == "export"].iloc[0]
    assert export["who"] == "mueller" and export["detail"]["rows"] == 2
    assert "Anna" not in str(export["detail"])


def test_matches_are_exported_through_the_apprentices_they_belong_to(engine):
    from mobility.storage import read_table_from_db

    matches = pd.DataFrame({"apprentice_id": ["A1", "K1"], "placement_id": ["P1", "P1"]})
    payload = export_personal_data(engine, KOELN, matches, what="matches", fmt="csv",
                                   apprentices=read_table_from_db(engine, "apprentices"))
    assert payload.decode().splitlines() == ["apprentice_id,placement_id", "K1,P1"]


@pytest.mark.parametrize("who", [APPRENTICE, CITY, ADMIN], ids=lambda p: p.role.value)
def test_no_other_role_exports_personal_data(engine, who):
    from mobility.storage import read_table_from_db

    with pytest.raises(PermissionDenied):
        export_personal_data(engine, who, read_table_from_db(engine, "apprentices"),
                             what="apprentices")


def test_the_export_command_needs_an_adviser_and_writes_their_caseload_only(
        engine, tmp_path, capsys):
    out = tmp_path / "caseload.csv"
    assert main(["export", "--kind", "apprentices", "--out", str(out)]) == 2
    assert "--as" in capsys.readouterr().err and not out.exists()
    add_user(engine, "koeln", "adviser", "a long passphrase", organisation="IHK Köln",
             actor=SYSTEM, rounds=4)
    assert main(["export", "--kind", "apprentices", "--out", str(out), "--as", "koeln"]) == 0
    assert pd.read_csv(out)["apprentice_id"].tolist() == ["K1"]
    add_user(engine, "stadt", "municipality", "a long passphrase", city="Dortmund",
             actor=SYSTEM, rounds=4)
    other = tmp_path / "city.csv"
    assert main(["export", "--kind", "apprentices", "--out", str(other), "--as", "stadt"]) == 1
    assert not other.exists()


def test_an_unknown_export_format_is_refused(engine):
    with pytest.raises(ValidationError):
        export_personal_data(engine, ADVISER, pd.DataFrame({"sending_organisation": []}),
                             what="x", fmt="pdf")


def test_the_audit_trail_says_who_changed_which_status_or_note_and_when(engine):
    save_shortlist_entry(engine, ADVISER, "A1", "P1", "suggested", expected_version=0)
    colleague = Principal("schmidt", Role.ADVISER, organisation="HWK Dortmund")
    save_shortlist_entry(engine, colleague, "A1", "P1", "contacted", expected_version=1)
    save_shortlist_entry(engine, ADVISER, "A1", "P1", "contacted", note="called Anna",
                         expected_version=2)
    trail = audit_trail(engine, SYSTEM, entity="shortlist").iloc[::-1]
    assert trail["who"].tolist() == ["mueller", "schmidt", "mueller"]
    assert set(trail["entity_id"]) == {"A1/P1"}
    details = trail["detail"].tolist()
    assert [(d["previous_status"], d["status"], d["note_changed"]) for d in details] == [
        (None, "suggested", False), ("suggested", "contacted", False),
        ("contacted", "contacted", True)]
    assert "Anna" not in str(details)  # what changed, not the note's words
    assert trail["at"].is_monotonic_increasing
