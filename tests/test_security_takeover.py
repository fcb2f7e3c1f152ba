"""Organisation boundaries on import (issue 12, items 1 and 6): an adviser cannot take
over another organisation's record by importing its id, and refusals do not tell
whether an id exists."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from mobility.auth import Principal, Role
from mobility.auth.guarded import (
    NOT_YOURS,
    import_table,
    save_own_placement,
    save_shortlist_entry,
    screen_import,
)
from mobility.auth.policy import same_name
from mobility.errors import PermissionDenied
from mobility.io import read_table
from mobility.storage import create_schema, dispose_engines, get_engine, upsert_table

HEADER = ("apprentice_id,name,email,sending_organisation,home_city,home_country,trade,"
          "training_year,available_from,available_to,desired_weeks\n")


def row(aid: str, name: str, org: str) -> str:
    return f"{aid},{name},x@example.org,{org},Dortmund,DE,Koch,2,2026-03-01,2026-05-31,4\n"


DORTMUND = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
KOELN = Principal("koeln", Role.ADVISER, organisation="IHK Köln")
ADMIN = Principal("boss", Role.ADMINISTRATOR)


@pytest.fixture
def engine():
    engine = get_engine()
    create_schema(engine)
    upsert_table(engine, "companies", read_table(
        b"company_id,name,city,country\nC1,Joinery,Leeds,GB\n", "companies").frame)
    upsert_table(engine, "placements", read_table(
        b"placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks\n"
        b"P1,C1,Koch,Leeds,GB,1,2026-03-01,2026-06-30,2,6\n", "placements").frame)
    data = HEADER + row("K1", "Kai Koeln", "IHK Köln") + row("D1", "Dora", "HWK Dortmund")
    upsert_table(engine, "apprentices", read_table(data.encode(), "apprentices").frame)
    yield engine
    dispose_engines()


def _stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "select apprentice_id, name, sending_organisation from apprentices order by 1"))]


def test_an_id_of_another_organisation_is_refused_at_the_check_step(engine):
    before = _stored(engine)
    upload = (HEADER + row("K1", "Taken Over", "HWK Dortmund")
              + row("NEW1", "Fresh", "HWK Dortmund")).encode()
    checked = screen_import(engine, DORTMUND, read_table(upload, "apprentices", name="u.csv"))
    assert not checked.ok and checked.frame.empty
    assert [(p.row, p.column, p.message) for p in checked.problems] == [
        (2, "apprentice_id", NOT_YOURS)]
    with pytest.raises(PermissionDenied):  # and the write step refuses it too
        import_table(engine, DORTMUND, "apprentices",
                     read_table(upload, "apprentices").frame)
    assert _stored(engine) == before


def test_the_refusal_is_the_same_for_a_taken_id_and_a_foreign_organisation(engine):
    taken = screen_import(engine, DORTMUND, read_table(
        (HEADER + row("K1", "A", "HWK Dortmund")).encode(), "apprentices", name="u.csv"))
    foreign = screen_import(engine, DORTMUND, read_table(
        (HEADER + row("Z9", "A", "IHK Köln")).encode(), "apprentices", name="u.csv"))
    assert [p.as_dict() for p in taken.problems] == [p.as_dict() for p in foreign.problems]
    assert "IHK" not in str(taken.problems[0]) and "Kai" not in str(taken.problems[0])


def test_own_ids_and_new_ids_still_import_and_admins_are_not_limited(engine):
    own = read_table((HEADER + row("D1", "Dora Neu", "hwk dortmund")
                      + row("D2", "Dirk", "HWK Dortmund")).encode(), "apprentices")
    assert screen_import(engine, DORTMUND, own).ok
    assert import_table(engine, DORTMUND, "apprentices", own.frame).inserted == 1
    moved = read_table((HEADER + row("K1", "Kai Koeln", "HWK Dortmund")).encode(),
                       "apprentices")
    assert screen_import(engine, ADMIN, moved).ok  # an administrator may move records


def test_a_reference_upload_by_an_adviser_is_a_problem_not_a_crash(engine):
    result = read_table(b"company_id,name,city,country\nC2,X,Leeds,GB\n", "companies",
                        name="c.csv")
    checked = screen_import(engine, DORTMUND, result)
    assert not checked.ok and len(checked.problems) == 1


def test_a_missing_id_and_a_foreign_id_are_refused_alike(engine):
    """NotFound vs PermissionDenied told an adviser which ids exist elsewhere."""
    messages = []
    for aid in ("K1", "NO-SUCH-ID"):
        with pytest.raises(PermissionDenied) as refused:
            save_shortlist_entry(engine, DORTMUND, aid, "P1", "suggested", expected_version=0)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]
    azubi = Principal("kai", Role.APPRENTICE, apprentice_id="K1")
    texts = []
    for aid in ("D1", "NO-SUCH-ID"):
        with pytest.raises(PermissionDenied) as refused:
            save_own_placement(engine, azubi, aid, "P1", interest=True)
        texts.append(str(refused.value))
    assert texts[0] == texts[1]


@pytest.mark.parametrize(("mine", "other"), [
    ("Επιμελητήριο Αθηνών 2", "Επιμελητήριο Πειραιώς 2"),
    ("Торговая палата Москва", "Торговая палата Казань"),
    ("商工会議所 東京", "商工会議所 大阪"),
])
def test_organisations_in_other_scripts_do_not_collapse(mine, other):
    names = pd.Series([mine, other, mine.upper()])
    assert same_name(names, mine).tolist() == [True, False, True]
    assert same_name(pd.Series(["HWK Köln", "hwk koeln", "HWK-KÖLN"]), "HWK Köln").all()
