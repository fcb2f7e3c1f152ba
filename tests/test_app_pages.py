"""Every page of the dashboard through Streamlit's AppTest: it renders without an
exception, and a real interaction changes what is shown (or what is stored)."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from mobility.storage import get_engine
from mobility.storage.shortlist import get_shortlist, get_shortlist_events, set_shortlist_status
from mobility.ui.pages import page_path

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


@pytest.fixture
def app():
    load_demo_into()
    at = AppTest.from_file(str(APP), default_timeout=30)
    return sign_in(at, "adviser").run()  # the app is behind sign-in (tests/auth_support.py)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(str(page_path(page))).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


# --- frame ---------------------------------------------------------------------------


def test_app_starts_in_german_on_the_roles_own_page_with_the_synthetic_banner(app):
    assert not app.exception
    assert app.title[0].value == "Vermittlung"  # an adviser lands on the match board
    assert any("Demodaten" in w.value for w in app.warning)


def test_switching_the_language_to_english_translates_the_page(app):
    app.selectbox(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Match board"


def test_an_empty_database_shows_no_synthetic_banner():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert not any("Demodaten" in w.value for w in at.warning)


# --- apprentice ----------------------------------------------------------------------


def _find_for(at: AppTest, who: str = "A1") -> AppTest:
    _open(at, "apprentice")
    at.selectbox(key="who").set_value(who).run()
    _button(at, "Plätze suchen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_apprentice_form_submit_shows_cards_and_a_map(app):
    assert "Leeds Joinery Ltd" not in _texts(app)
    _find_for(app)
    text = _texts(app)
    assert "2 passende Plätze" in text  # the two carpentry placements
    assert "Leeds Joinery Ltd" in text and "Partnerstadt von Dortmund" in text
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    names = {trace.get("name") for trace in spec["data"]}
    assert {"Dortmund", "Platz in einer Partnerstadt", "Partnerstädte"} <= names


def test_apprentice_score_filter_updates_the_results_at_once(app):
    _find_for(app)
    app.slider(key="min_score").set_value(1.0).run()
    assert "keine passenden plätze" in " ".join(i.value for i in app.info).lower()


def test_an_apprentice_lands_on_their_own_profile(tmp_path):
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=30), "apprentice").run()
    assert not at.exception
    assert at.title[0].value == "Praktikum im Ausland finden"
    assert "who" not in [s.key for s in at.selectbox]  # no picker: only their own profile
    _button(at, "Plätze suchen").click().run()
    assert "Leeds Joinery Ltd" in _texts(at)


def test_apprentice_with_an_unknown_city_gets_a_clear_message(app):
    _open(app, "apprentice")
    app.text_input(key="home_city_new").set_value("Dortmnud")
    _button(app, "Plätze suchen").click().run()
    assert not app.exception
    assert app.error, "a bad city must be reported"
    assert any("Dortmund" in i.value for i in app.info)  # the gazetteer suggests a spelling


def test_apprentice_saving_a_placement_persists_it(app):
    _find_for(app)
    app.button(key="save_P1").click().run()
    stored = get_shortlist(get_engine(), apprentice_id="A1")
    assert stored["placement_id"].tolist() == ["P1"]
    assert stored["status"].tolist() == ["suggested"]
    app.button(key="interest_P1").click().run()
    # Interest is an event of its own (issue 11); the adviser's note stays untouched.
    events = get_shortlist_events(get_engine(), apprentice_id="A1")
    assert events["kind"].tolist() == ["interest"]
    assert get_shortlist(get_engine(), apprentice_id="A1")["note"].tolist() == [""]


# --- adviser -------------------------------------------------------------------------


def test_adviser_search_narrows_the_caseload(app):
    _open(app, "adviser")
    assert len(app.dataframe[0].value) == 7  # HWK Dortmund's own caseload (signed in)
    app.text_input(key="caseload_search").set_value("Azubi 7").run()
    assert len(app.dataframe[0].value) == 1


def test_adviser_import_reports_bad_rows_and_writes_nothing(app, tmp_path, monkeypatch):
    _open(app, "adviser")
    # AppTest cannot drive st.file_uploader; the page's check is the same call.
    from mobility.ui import cache

    class Upload:
        name = "bad.csv"

        def __init__(self, data: bytes) -> None:
            self._data = data

        def getvalue(self) -> bytes:
            return self._data

        def read(self) -> bytes:
            return self._data

    # An adviser may write apprentices only (issue 11: the check step knows the user);
    # outside the app run, the signed-in adviser is given to the cache directly.
    from mobility.auth import Principal, Role

    monkeypatch.setattr(cache, "_principal", lambda: Principal(
        "test-adviser", Role.ADVISER, organisation="HWK Dortmund"))
    bad = Upload(b"apprentice_id,name,sending_organisation,home_city,home_country,trade,"
                 b"training_year,available_from,available_to,desired_weeks\n"
                 b"A9,,HWK Dortmund,Dortmund,UK,Tischler/in,2,2026-04-01,2026-08-31,4\n")
    result = cache.check_upload(bad, "apprentices")
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(2, "name"), (2, "home_country")]
    refused = cache.check_upload(Upload(b"company_id,name,city,country\nC9,,Leeds,UK\n"),
                                 "companies")
    assert [(p.row, p.column) for p in refused.problems] == [(None, None)]


def test_adviser_allocation_shows_a_summary(app):
    _open(app, "adviser")
    app.button(key="run_allocation").click().run()
    assert not app.exception, [e.value for e in app.exception]
    metrics = {m.label: m.value for m in app.metric}
    # Own caseload only (HWK Dortmund): six carpenters for 3 places, one cook placed.
    assert metrics["Vermittelt"] == "4"
    assert metrics["Ohne Platz"] == "3"


def test_adviser_status_change_persists_and_a_stale_save_is_refused(app):
    engine = get_engine()
    set_shortlist_status(engine, "A1", "P1", "suggested", user="test", expected_version=0)
    _open(app, "adviser")
    app.selectbox(key="shortlist_apprentice").set_value("A1").run()
    app.selectbox(key="status_A1|P1").set_value("confirmed").run()
    app.button(key="save_A1|P1").click().run()
    assert not app.exception
    assert get_shortlist(engine, apprentice_id="A1")["status"].tolist() == ["confirmed"]
    # A colleague saves meanwhile; our form still holds version 2.
    set_shortlist_status(engine, "A1", "P1", "completed", user="kollegin", expected_version=2)
    app.selectbox(key="status_A1|P1").set_value("declined").run()
    app.button(key="save_A1|P1").click().run()
    assert any("kollegin" in e.value and "neu laden" in e.value for e in app.error)
    assert get_shortlist(engine, apprentice_id="A1")["status"].tolist() == ["completed"]


def test_adviser_manual_override_puts_the_placement_on_the_shortlist(app):
    _open(app, "adviser")
    app.selectbox(key="shortlist_apprentice").set_value("A7").run()
    app.selectbox(key="override_placement").set_value("P2").run()
    app.text_input(key="override_reason").input("Betrieb fragt nach ihr").run()
    app.button(key="override_go").click().run()
    stored = get_shortlist(get_engine(), apprentice_id="A7")
    assert stored["placement_id"].tolist() == ["P2"]
    events = get_shortlist_events(get_engine(), apprentice_id="A7")
    assert events[["kind", "text"]].values.tolist() == [["override", "Betrieb fragt nach ihr"]]


# --- municipality --------------------------------------------------------------------


def test_municipality_shows_aggregates_with_small_counts_suppressed(app):
    _open(app, "municipality")
    text = _texts(app)
    assert "Azubi 1" not in text and "A1" not in text  # no names, no ids
    gaps = next(d.value for d in app.dataframe if "Koch/Köchin" in d.value.to_string())
    # One Dortmund cook, and no Dortmund twin town offers cooking: a gap of "fewer than 5".
    assert gaps.iloc[0].tolist() == ["Koch/Köchin", "weniger als 5"]


def test_a_municipality_sees_only_its_own_city_and_no_other_citys_people(tmp_path):
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=30), "municipality").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Reichweite der Partnerschaften"
    assert "municipality" not in [s.key for s in at.selectbox]  # Dortmund, fixed
    # The comparison table (the partnership editor follows it on a municipality's page).
    comparison = next(d.value for d in at.dataframe if "municipality" in d.value.columns)
    assert "apprentices" not in comparison.columns
    assert "Köln" in comparison["municipality"].tolist()


def test_municipality_picking_another_city_changes_the_map(app):
    _open(app, "municipality")
    before = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["name"]
    app.selectbox(key="municipality").set_value("Köln").run()
    assert not app.exception
    after = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["name"]
    assert (before, after) == ("Dortmund", "Köln")


# --- data and settings ---------------------------------------------------------------


def test_data_page_filters_partnerships_by_municipality():
    load_demo_into()
    app = sign_in(AppTest.from_file(str(APP), default_timeout=30), "administrator").run()
    _open(app, "data")
    app.selectbox(key="data_city").set_value("Bochum").run()
    from mobility.reference.twinnings import load_partnerships

    shipped = load_partnerships()  # nothing stored: the page shows the shipped twinnings
    bochum = int((shipped["home_city"] == "Bochum").sum())
    assert bochum >= 5 and any(c.value.startswith(f"{bochum} / ") for c in app.caption)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_partnerships_editor_shows_country_names_and_stores_codes(lang):
    import pandas as pd

    from mobility.reference.twinnings import load_partnerships
    from mobility.ui.pages.data import as_codes, as_words, coded_columns

    shipped = load_partnerships().head(300).reset_index(drop=True)
    coded = coded_columns(shipped, lang)
    shown = as_words(shipped, coded)
    germany = {"de": "Deutschland", "en": "Germany"}[lang]
    assert set(shown["home_country"]) == {germany}
    assert not shown["partner_country"].str.fullmatch(r"[A-Z]{2}").any()  # names, no codes
    # An edit by name is stored as its code; everything else comes back as it was.
    shown.loc[0, "partner_country"] = {"de": "Frankreich", "en": "France"}[lang]
    stored = as_codes(shown, coded)
    assert stored.loc[0, "partner_country"] == "FR"
    pd.testing.assert_frame_equal(stored.iloc[1:], shipped.iloc[1:])


def test_data_page_saves_daily_rates_with_their_source(app):
    app = sign_in(AppTest.from_file(str(APP), default_timeout=30), "administrator").run()
    _open(app, "data")
    app.number_input(key="rate_group_1").set_value(60.0)
    app.text_input(key="rate_source").set_value("NA BIBB call 2026, p. 3")
    next(b for b in app.button if b.label == "Speichern" and "FormSubmitter" in b.id).click()
    app.run()
    assert not app.exception
    from mobility.funding.rates import default_rate_store

    stored = default_rate_store().load()
    assert stored is not None and stored.rates == {1: 60.0}


# --- how tables and explanations read ------------------------------------------------


def _config(frame) -> dict:
    """The column configuration an AppTest dataframe was sent with."""
    return json.loads(frame.proto.columns or "{}")


def test_caseload_table_shows_dates_without_times_and_no_coordinates(app):
    _open(app, "adviser")
    table = app.dataframe[0]
    assert "home_lat" not in table.value.columns and "home_lon" not in table.value.columns
    config = _config(table)
    assert config["available_from"]["label"] == "Verfügbar ab"
    assert config["available_from"]["type_config"]["format"] == "DD.MM.YYYY"
    assert config["date_of_birth"]["label"] == "Geburtsdatum"
    labels = [c.get("label", name) for name, c in config.items() if name != "_index"]
    assert not [label for label in labels if "_" in label], labels  # no raw column names


def test_explanations_read_in_german_and_stay_english_in_english(app):
    _find_for(app)
    text = _texts(app)
    assert "gleicher Beruf" in text and "verlangt" in text
    assert "same trade" not in text and "required" not in text
    app.selectbox(key="lang").set_value("en").run()
    _button(app, "Find placements").click().run()
    assert "same trade" in _texts(app)


def test_allocation_table_explains_in_german(app):
    _open(app, "adviser")
    app.button(key="run_allocation").click().run()
    table = next(d for d in app.dataframe if "explanation" in d.value.columns)
    placed = table.value[table.value["placement_id"].fillna("") != ""]
    assert placed["explanation"].str.contains("Beruf").all()
    assert not table.value["explanation"].fillna("").str.contains("nan").any()
    assert set(table.value["status"]) <= {"vermittelt", "kein passender Platz",
                                          "Platz an Passendere vergeben"}


# --- funding rules that hold (accreditation, country groups) -----------------------------


def _save_form(at: AppTest, key_prefix: str) -> None:
    next(b for b in at.button if "FormSubmitter" in b.id and key_prefix in b.id).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_leeds_card_says_erasmus_depends_on_accreditation_then_shows_the_condition(app):
    _find_for(app)  # adviser of HWK Dortmund, apprentice A1, Leeds is a twin town
    text = _texts(app)
    assert "hängt von der Akkreditierung ab" in text
    details = " ".join(m.value for m in app.markdown).replace("\\", "")
    assert "Reisekostentabelle Berufsbildung, Aufruf 2024" in details  # table and call year
    assert "Ländergruppen der Aufrufe 2021–2023 (Aufruf 2021" in details
    assert "- DFJW internship scholarship fördert nur Frankreich" in details  # in German
    # the adviser records the own organisation as accredited (caseload tab)
    _open(app, "adviser")
    app.checkbox(key="org_acc_HWK Dortmund").check()
    app.text_input(key="org_oid_HWK Dortmund").set_value("E10012345")
    _save_form(app, "org_form_HWK Dortmund")
    from mobility.storage.organisations import get_organisation

    record = get_organisation(get_engine(), "HWK Dortmund")
    assert record.erasmus_accredited and record.oid == "E10012345"
    assert record.updated_by == "test-adviser"
    st.cache_data.clear()
    _find_for(app)
    text = _texts(app)
    assert ("nur für akkreditierte Einrichtungen, im Rahmen ihres 20-%-Budgets für "
            "internationale Mobilität") in text
    assert "Erasmus+: 625 € bekannt" in text


def test_administrator_selects_the_2024_group_table_and_it_is_audited():
    load_demo_into()
    app = sign_in(AppTest.from_file(str(APP), default_timeout=30), "administrator").run()
    _open(app, "data")
    assert "für Berufsbildung nicht geprüft" in " ".join(str(r.options) for r in app.radio)
    app.radio(key="group_table_pick").set_value("country_groups_2024").run()
    _button(app, "Diese Tabelle verwenden").click().run()
    assert not app.exception
    import sqlalchemy as sa

    from mobility.funding.rates import current_group_table
    from mobility.storage.schema import audit_log

    assert current_group_table().name == "country_groups_2024"
    with get_engine().connect() as conn:
        who = conn.execute(sa.select(audit_log.c.who).where(
            audit_log.c.action == "select country-group table")).scalars().all()
    assert who == ["test-admin"]


def test_the_funding_export_lists_parts_with_tables_and_why_not(app):
    _open(app, "adviser")
    app.button(key="run_allocation").click().run()
    assert not app.exception, [e.value for e in app.exception]
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Förderung je Zuordnung (CSV)" in labels and "Förderung je Zuordnung (XLSX)" in labels
    import pandas as pd

    from mobility.ui.funding_panels import FUNDING_EXPORT_COLUMNS, funding_table

    matches = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P1"]})  # Leeds
    table = funding_table(matches, "en")
    assert list(table.columns) == list(FUNDING_EXPORT_COLUMNS)
    row = table.iloc[0]
    assert row["funding_conditions"].startswith("depends on accreditation")
    assert "VET travel table, call 2024" in row["funding_parts"]
    assert "Erasmus+ short-term in a third country not associated to Erasmus+ (United Kingdom)" \
        in row["funding_why_not"]


def test_caseload_table_names_countries_and_languages(app):
    _open(app, "adviser")
    table = app.dataframe[0].value
    assert set(table["home_country"]) == {"Deutschland"}
    assert table["languages"].str.contains("Deutsch (Muttersprache)", regex=False).all()
    app.selectbox(key="lang").set_value("en").run()
    table = app.dataframe[0].value
    assert set(table["home_country"]) == {"Germany"}
    assert not table["preferred_countries"].fillna("").str.fullmatch(r"[A-Z]{2}(;[A-Z]{2})*").any()
