"""Municipalities keep their own partnerships: who may change what, the audit, conflicts,
validation like an import, and the export of exactly one municipality's rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobility.auth import Principal, Role
from mobility.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from mobility.reference.twinnings import load_partnerships
from mobility.storage import count_rows, create_schema, new_engine, upsert_table
from mobility.storage.partnerships import (
    CONFIDENCES,
    STATUSES,
    PartnershipKey,
    add_partnership,
    change_partnership,
    city_partnerships,
    city_partnerships_file,
    export_city_partnerships,
    get_partnership,
    partnership_history,
    shaped,
    working_partnerships,
)
from mobility.storage.schema import audit_log
from mobility.text import fold

DORTMUND = Principal("stadt-dortmund", Role.MUNICIPALITY, city="Dortmund")
KOELN = Principal("stadt-koeln", Role.MUNICIPALITY, city="Köln")
ADMIN = Principal("root-admin", Role.ADMINISTRATOR)
ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
APPRENTICE = Principal("anna", Role.APPRENTICE, apprentice_id="A1")
LEEDS = PartnershipKey("Dortmund", "DE", "Leeds", "GB")
KOELN_BARCELONA = PartnershipKey("Köln", "DE", "Barcelona", "ES")


@pytest.fixture
def engine():
    engine = new_engine()
    create_schema(engine)
    return engine


def _audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()


def _stored(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT * FROM partnerships"), conn)


# --- a municipality keeps its own ------------------------------------------------------


def test_a_municipality_adds_its_own_partnership_and_the_shipped_ones_stay(engine):
    shipped = len(load_partnerships())
    row = add_partnership(engine, DORTMUND, partner_city="Lyon", partner_country="FR",
                          since_year=2021, contact_office="Büro für Internationales",
                          source="https://www.dortmund.de/lyon")
    assert (row.key, row.status, row.since_year) == (
        PartnershipKey("Dortmund", "DE", "Lyon", "FR"), "active", 2021)
    stored = _stored(engine)
    assert len(stored) == shipped + 1  # the first edit stored the shipped twinnings too
    (lyon,) = [r for _, r in stored.iterrows()
               if (r["home_city"], r["partner_city"]) == ("Dortmund", "Lyon")]
    assert lyon["updated_by"] == "stadt-dortmund" and lyon["updated_at"].endswith("+00:00")
    assert lyon["contact_office"] == "Büro für Internationales"
    assert 51 < lyon["home_lat"] < 52 and 45 < lyon["partner_lat"] < 46  # from the gazetteer
    mine = city_partnerships(engine, DORTMUND)
    assert "Lyon" in set(mine["partner_city"]) and set(mine["home_city"]) == {"Dortmund"}


def test_a_municipality_changes_status_year_office_source_and_the_history_says_who(engine):
    row = get_partnership(engine, DORTMUND, LEEDS)
    changed = change_partnership(engine, DORTMUND, LEEDS, expected=row.token, status="ended",
                                 since_year=1970, contact_office="Auslandsgesellschaft",
                                 source="https://example.org/leeds", confidence="unconfirmed")
    assert (changed.status, changed.since_year, changed.confidence) == (
        "ended", 1970, "unconfirmed")
    assert changed.updated_by == "stadt-dortmund"
    history = partnership_history(engine, DORTMUND, LEEDS)
    got = {r.field: (r.before, r.after, r.who) for r in history.itertuples()}
    assert got["status"] == ("active", "ended", "stadt-dortmund")
    assert got["since_year"] == (row.since_year, 1970, "stadt-dortmund")
    assert got["contact_office"] == (None, "Auslandsgesellschaft", "stadt-dortmund")
    assert set(got) == {"status", "since_year", "contact_office", "source", "confidence"}
    # Second reader: the audit trail itself holds one entry naming this partnership.
    with engine.connect() as conn:
        entries = conn.execute(sa.select(audit_log.c.who, audit_log.c.detail).where(
            audit_log.c.entity == "partnership", audit_log.c.entity_id == LEEDS.entity_id)).all()
    assert [(w, sorted(d["changes"])) for w, d in entries] == [
        ("stadt-dortmund", sorted(got))]


def test_an_unchanged_save_writes_nothing(engine):
    row = get_partnership(engine, DORTMUND, LEEDS)
    change_partnership(engine, DORTMUND, LEEDS, expected=row.token, status=row.status)
    assert partnership_history(engine, DORTMUND, LEEDS).empty


# --- refused for another city, without saying whether it exists ------------------------


@pytest.mark.parametrize("home", ["Köln", "Koeln", "Dоrtmund", "Dortmund\u200b", "Dortmunder",
                                  "Ντόρτμουντ"], ids=["other", "other-folded",
                                                      "cyrillic-o", "zero-width", "longer",
                                                      "greek"])
def test_a_municipality_cannot_add_for_another_or_a_look_alike_city(engine, home):
    before = _audit_count(engine)
    with pytest.raises(PermissionDenied) as refused:
        add_partnership(engine, DORTMUND, home_city=home, partner_city="Lyon",
                        partner_country="FR")
    assert home not in str(refused.value)
    assert count_rows(engine, "partnerships") == 0 and _audit_count(engine) == before


def test_a_municipality_cannot_claim_another_country_or_another_citys_code(engine):
    with pytest.raises(PermissionDenied):
        add_partnership(engine, DORTMUND, home_country="AT", partner_city="Lyon",
                        partner_country="FR")
    with pytest.raises(PermissionDenied):  # Köln's AGS
        add_partnership(engine, DORTMUND, home_ags="05315000", partner_city="Lyon",
                        partner_country="FR")
    assert count_rows(engine, "partnerships") == 0


def test_refusing_another_citys_partnership_reads_the_same_whether_it_exists_or_not(engine):
    token = get_partnership(engine, KOELN, KOELN_BARCELONA).token
    made_up = PartnershipKey("Köln", "DE", "Atlantis", "GR")
    messages = []
    for key in (KOELN_BARCELONA, made_up):
        for call in (lambda k: change_partnership(engine, DORTMUND, k, expected=token,
                                                  status="ended"),
                     lambda k: get_partnership(engine, DORTMUND, k),
                     lambda k: partnership_history(engine, DORTMUND, k)):
            with pytest.raises(PermissionDenied) as refused:
                call(key)
            messages.append(str(refused.value))
    assert len(set(messages)) == 1 and "Barcelona" not in messages[0]
    assert count_rows(engine, "partnerships") == 0


def test_fold_alone_would_let_two_cyrillic_names_meet_the_place_key_does_not(engine):
    assert fold("Москва-1") == fold("Киев-1")  # both "1": why names need place_key
    kyiv = Principal("kyiv", Role.MUNICIPALITY, city="Киев-1")
    add_partnership(engine, ADMIN, home_city="Москва-1", home_lat=55.75, home_lon=37.62,
                    partner_city="Leeds", partner_country="GB")
    moscow_row = PartnershipKey("Москва-1", "DE", "Leeds", "GB")
    with pytest.raises(PermissionDenied):
        change_partnership(engine, kyiv, moscow_row, expected=None, status="ended")
    assert city_partnerships(engine, kyiv).empty


def test_two_municipalities_of_one_name_stay_apart_by_their_code(engine):
    add_partnership(engine, ADMIN, home_city="Neustadt", home_ags="09999001",
                    partner_city="Lyon", partner_country="FR")
    add_partnership(engine, ADMIN, home_city="Neustadt", home_ags="09999002",
                    partner_city="Leeds", partner_country="GB")
    by_code = city_partnerships(engine, ADMIN, "Neustadt", ags="09999001")
    assert by_code["partner_city"].tolist() == ["Lyon"]
    assert sorted(city_partnerships(engine, ADMIN, "Neustadt")["partner_city"]) == [
        "Leeds", "Lyon"]  # by name alone both are "Neustadt"
    # The rule itself, computed another way: code against code, else the name.
    from mobility.auth.policy import municipality_matches

    row = {"home_city": "Neustadt", "home_country": "DE", "home_ags": "09999002"}
    assert not municipality_matches("Neustadt", "09999001", row)
    assert municipality_matches("Neustadt", None, row)
    assert municipality_matches("Bad Neustadt", "09999002", row)  # the code decides
    assert not municipality_matches("Neustadt", None, {**row, "home_country": "AT"})


@pytest.mark.parametrize("who", [ADVISER, APPRENTICE, None], ids=["adviser", "apprentice",
                                                                  "nobody"])
def test_advisers_apprentices_and_nobody_keep_no_partnerships(engine, who):
    with pytest.raises(PermissionDenied):
        add_partnership(engine, who, home_city="Dortmund", partner_city="Lyon",
                        partner_country="FR")
    with pytest.raises(PermissionDenied):
        change_partnership(engine, who, LEEDS, expected=None, status="ended")
    with pytest.raises(PermissionDenied):
        export_city_partnerships(engine, who, "/nonexistent/x.csv", "Dortmund")
    assert count_rows(engine, "partnerships") == 0


def test_an_administrator_keeps_every_municipalitys_partnerships(engine):
    add_partnership(engine, ADMIN, home_city="Eddelak", home_lat=53.95, home_lon=9.14,
                    partner_city="Louviers",
                    partner_country="FR", partner_lat=49.22, partner_lon=1.17)
    change_partnership(engine, ADMIN, KOELN_BARCELONA, expected=None, status="dormant")
    assert get_partnership(engine, KOELN, KOELN_BARCELONA).status == "dormant"
    assert city_partnerships(engine, ADMIN, "Eddelak")["partner_city"].tolist() == [
        "Louviers"]
    history = partnership_history(engine, KOELN, city=None)
    assert history["who"].tolist() == ["root-admin"]
    with pytest.raises(ValidationError):  # an administrator must say which municipality
        add_partnership(engine, ADMIN, partner_city="Lyon", partner_country="FR")


# --- concurrency -----------------------------------------------------------------------


def test_two_editors_do_not_overwrite_each_other_silently(engine):
    seen = get_partnership(engine, DORTMUND, LEEDS).token
    change_partnership(engine, ADMIN, LEEDS, expected=seen, status="dormant")
    with pytest.raises(ConflictError, match=r"root-admin.*reload"):
        change_partnership(engine, DORTMUND, LEEDS, expected=seen, status="ended")
    assert get_partnership(engine, DORTMUND, LEEDS).status == "dormant"
    fresh = get_partnership(engine, DORTMUND, LEEDS).token
    assert change_partnership(engine, DORTMUND, LEEDS, expected=fresh,
                              status="ended").status == "ended"


def test_a_change_to_a_partnership_that_does_not_exist_is_not_found(engine):
    with pytest.raises(NotFoundError):
        change_partnership(engine, DORTMUND, PartnershipKey("Dortmund", "DE", "Atlantis", "GR"),
                           expected=None, status="ended")


# --- validation like an import ---------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "column"), [
    ("status", "closed", "status"),
    ("since_year", 1799, "since_year"),
    ("since_year", date.today().year + 1, "since_year"),
    ("contact_office", "Amt\x1b[31m", "contact_office"),
    ("source", "x" * 1001, "source"),
    ("confidence", "maybe", "confidence"),
])
def test_bad_values_are_refused_naming_the_column_and_nothing_is_written(engine, field, value,
                                                                         column):
    before = _audit_count(engine)
    with pytest.raises(ValidationError) as refused:
        change_partnership(engine, DORTMUND, LEEDS, expected=None, **{field: value})
    assert [p.column for p in refused.value.problems] == [column]
    with pytest.raises(ValidationError) as refused:
        add_partnership(engine, DORTMUND, partner_city="Lyon", partner_country="FR",
                        **{field: value})
    assert [p.column for p in refused.value.problems] == [column]
    assert count_rows(engine, "partnerships") == 0 and _audit_count(engine) == before


@pytest.mark.parametrize(("values", "column"), [
    ({"partner_city": "Lyon", "partner_country": "XX"}, "partner_country"),
    ({"partner_city": "", "partner_country": "FR"}, "partner_city"),
    ({"partner_city": "Nowhere-on-earth", "partner_country": "FR"}, "partner_city"),
    ({"partner_city": "leeds", "partner_country": "GB"}, "partner_city"),  # exists already
    ({"partner_city": "Lyon", "partner_country": "FR", "home_ags": "5913"}, "home_ags"),
])
def test_a_new_partnership_is_checked_like_an_imported_row(engine, values, column):
    who = ADMIN if "home_ags" in values else DORTMUND
    home = {"home_city": "Dortmund"} if who is ADMIN else {}
    with pytest.raises(ValidationError) as refused:
        add_partnership(engine, who, **home, **values)
    assert column in [p.column for p in refused.value.problems]
    assert count_rows(engine, "partnerships") == 0


def test_only_the_editable_fields_can_change(engine):
    with pytest.raises(ValidationError, match="home_city"):
        change_partnership(engine, DORTMUND, LEEDS, expected=None, home_city="Köln")


# --- the history is complete: replaying it gives the stored row -------------------------

_CHANGE = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(STATUSES)),
    st.tuples(st.just("since_year"), st.one_of(st.none(), st.integers(1800, 2026))),
    st.tuples(st.just("contact_office"), st.text(st.characters(codec="latin-1",
                                                               exclude_categories=["Cc"]),
                                                 max_size=12)),
    st.tuples(st.just("confidence"), st.sampled_from(CONFIDENCES)),
)


def _blank_is_none(value):
    return None if value is None or value == "" else value


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CHANGE, min_size=1, max_size=4))
def test_replaying_the_history_from_the_first_row_gives_the_stored_row(changes):
    engine = new_engine()
    create_schema(engine)
    shipped = load_partnerships()  # Dortmund's rows only: nothing else is stored per example
    upsert_table(engine, "partnerships", shaped(shipped[shipped["home_city"] == "Dortmund"]))
    first = get_partnership(engine, DORTMUND, LEEDS)
    for field, value in changes:
        token = get_partnership(engine, DORTMUND, LEEDS).token
        change_partnership(engine, DORTMUND, LEEDS, expected=token, **{field: value})
    replayed = {f: _blank_is_none(getattr(first, f))
                for f in ("status", "since_year", "contact_office", "confidence")}
    for entry in partnership_history(engine, DORTMUND, LEEDS).itertuples():
        assert entry.before == replayed[entry.field] != entry.after
        replayed[entry.field] = entry.after
    final = get_partnership(engine, DORTMUND, LEEDS)
    assert {f: _blank_is_none(getattr(final, f)) for f in replayed} == replayed


# --- export ----------------------------------------------------------------------------


def test_the_export_holds_exactly_this_municipalitys_rows_and_neutralises_formulas(
        engine, tmp_path):
    add_partnership(engine, DORTMUND, partner_city="Lyon", partner_country="FR",
                    source='=HYPERLINK("http://evil.example","click")')
    add_partnership(engine, KOELN, partner_city="Lyon", partner_country="FR")
    count = export_city_partnerships(engine, DORTMUND, tmp_path / "dortmund.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "dortmund.csv").read_text("utf-8"))))
    # Second reader: every stored row whose home folds to Dortmund, and no other.
    table = working_partnerships(engine)
    expected = table[(table["home_city"].map(fold) == "dortmund")
                     & (table["home_country"] == "DE")]
    assert count == len(rows) == len(expected) > 1
    assert sorted(r["partner_city"] for r in rows) == sorted(expected["partner_city"])
    assert {r["home_city"] for r in rows} == {"Dortmund"}
    lyon = next(r for r in rows if r["partner_city"] == "Lyon")
    assert lyon["source"] == '\'=HYPERLINK("http://evil.example","click")'
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())

    from openpyxl import load_workbook

    data = city_partnerships_file(engine, ADMIN, "xlsx", "Köln")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = list(sheet.values)
    header, body = cells[0], cells[1:]
    homes = {r[header.index("home_city")] for r in body}
    assert homes == {"Köln"} and len(body) == len(city_partnerships(engine, KOELN))


def test_a_municipality_exports_only_its_own(engine, tmp_path):
    with pytest.raises(PermissionDenied):
        export_city_partnerships(engine, DORTMUND, tmp_path / "x.csv", "Köln")
    assert not (tmp_path / "x.csv").exists()


# --- an ended partnership opens no doors -----------------------------------------------


def test_an_ended_partnership_opens_no_doors_on_the_cards_like_a_suspended_one():
    # (The matcher's side: tests/test_matching_twins.py, ended and suspended give no bonus.)
    from mobility.ui.views import twin_town_keys

    table = load_partnerships().head(3).assign(status=["ended", "suspended", "active"])
    assert twin_town_keys(table) == {(fold(table.loc[2, "partner_city"]),
                                      table.loc[2, "partner_country"])}


# --- the command line ------------------------------------------------------------------


def test_the_export_command_writes_one_municipalitys_partnerships(tmp_path, capsys):
    from mobility.auth.users import SYSTEM, add_user
    from mobility.cli import main
    from mobility.storage import get_engine

    engine = get_engine()
    create_schema(engine)
    add_user(engine, "stadt-koeln", "municipality", "a-long-password-1", actor=SYSTEM,
             rounds=4, city="Köln")
    target = tmp_path / "koeln.csv"
    assert main(["export", "--kind", "partnerships", "--as", "stadt-koeln",
                 "--out", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    expected = city_partnerships(engine, KOELN)
    assert {r["home_city"] for r in rows} == {"Köln"} and len(rows) == len(expected) > 0
    assert main(["export", "--kind", "partnerships", "--as", "stadt-koeln", "--city",
                 "Dortmund", "--out", str(tmp_path / "dortmund.csv")]) != 0
    assert not (tmp_path / "dortmund.csv").exists()
    assert main(["export", "--kind", "partnerships", "--city", "Dortmund",
                 "--out", str(tmp_path / "dortmund.xlsx")]) == 0
    assert "partnerships of Dortmund written" in capsys.readouterr().out
    # Without --city/--as the command keeps writing the whole stored table.
    assert main(["export", "--kind", "partnerships", "--out", str(tmp_path / "all.csv")]) == 0


# --- the municipality comparison, column-wise, equals the per-municipality loop -------


def _comparison_by_loop(partnerships, apprentices, placements):
    """The original definition, one municipality at a time (the second reader)."""
    rows = []
    for home, partners in partnerships.groupby("home_city"):
        keys = {(fold(c), str(k)) for c, k in zip(partners["partner_city"],
                                                  partners["partner_country"], strict=True)}
        inside = [(fold(c), str(k)) in keys for c, k in zip(placements["city"],
                                                             placements["country"], strict=True)]
        rows.append({"municipality": home, "partnerships": len(partners),
                     "active": int((partners["status"] == "active").sum()),
                     "apprentices": int((apprentices["home_city"].map(fold) == fold(home)).sum()),
                     "places_in_partners": int(placements.loc[inside, "slots"].sum())})
    return pd.DataFrame(rows)


_TOWNS = ["Dortmund", "Köln", "Koeln", "Leeds", "Amiens", "Lyon", "Unna"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TOWNS), st.sampled_from(_TOWNS),
                          st.sampled_from(["GB", "FR"]),
                          st.sampled_from(["active", "dormant", "ended"])),
                min_size=1, max_size=12),
       st.lists(st.sampled_from(_TOWNS), max_size=12),
       st.lists(st.tuples(st.sampled_from(_TOWNS), st.sampled_from(["GB", "FR"]),
                          st.integers(0, 3)), max_size=8))
def test_the_municipality_comparison_equals_the_loop_over_municipalities(pairs, homes, offers):
    from mobility.ui.views import municipality_comparison

    partnerships = pd.DataFrame(pairs, columns=["home_city", "partner_city", "partner_country",
                                                "status"]).drop_duplicates(
        ["home_city", "partner_city", "partner_country"])
    apprentices = pd.DataFrame({"home_city": pd.Series(homes, dtype="string")})
    placements = pd.DataFrame(offers, columns=["city", "country", "slots"])
    fast = municipality_comparison(partnerships, apprentices, placements)
    slow = _comparison_by_loop(partnerships, apprentices, placements)
    columns = ["municipality", "partnerships", "active", "places_in_partners"]
    assert fast[columns].to_dict("records") == slow[columns].to_dict("records")
    shown = fast["apprentices"].dropna()  # counts below 5 are suppressed
    assert (shown == slow.loc[shown.index, "apprentices"]).all()
    small = (slow["apprentices"] > 0) & (slow["apprentices"] < 5)
    assert fast.loc[small, "apprentices"].isna().all()  # (one more may hide a lone one)


# --- Municipality.mask: the vectorised filter equals the rule row by row ---------------

_NAMES = ["Dortmund", "dortmund", "DORTMUND", "Dоrtmund", "Dort\u200bmund", "Köln", "Koeln",
          "Αθήνα", "Frankfurt am Main", "", " Dortmund "]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(["DE", "de", "FR", ""]),
                               st.sampled_from(["", "05913000", "05315000", " 05913000"])),
                     max_size=25),
       city=st.sampled_from(_NAMES), ags=st.sampled_from([None, "05913000", "05315000"]))
def test_municipality_mask_equals_the_rule_applied_to_each_row(rows, city, ags):
    from mobility.auth.policy import municipality_matches
    from mobility.storage.partnerships import Municipality

    table = pd.DataFrame(rows, columns=["home_city", "home_country", "home_ags"])
    expected = [municipality_matches(city, ags, {"home_city": c, "home_country": k,
                                                 "home_ags": a})
                for c, k, a in rows]
    assert Municipality(city, ags=ags).mask(table).tolist() == expected
