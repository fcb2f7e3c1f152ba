"""Issue 11 (the dashboard in German and English, cards, budget plan, accounts, sign-out,
"Excel (German)") through AppTest and the package functions behind it."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import PASSWORD, sign_in
from mobility.ui.pages import page_path

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def _app(role: str) -> AppTest:
    load_demo_into()
    return sign_in(AppTest.from_file(str(APP), default_timeout=60), role).run()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.subheader] + [x.value for x in at.title]
    parts += [x.value for x in at.info] + [x.value for x in at.error]
    parts += [x.value for x in at.success] + [x.value for x in at.warning]
    return "\n".join(str(p) for p in parts)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


# --- sign-out ----------------------------------------------------------------------


def test_signing_out_leaves_no_menu_and_no_page_of_the_previous_user():
    at = _app("administrator")
    assert at.title[0].value == "Daten und Einstellungen"
    _button(at, "Abmelden").click().run()
    assert not at.exception
    assert "principal" not in at.session_state
    assert not at.title, "no page of the administrator is drawn after signing out"
    assert "abgemeldet" in _texts(at)
    assert not any("Angemeldet als" in c.value for c in at.sidebar.caption)
    at.run()  # the next run shows the sign-in form, still no page
    assert not at.title and any(b.label == "Anmelden" for b in at.button)


# --- placement cards ----------------------------------------------------------------


def test_cards_inform_and_collapse_identical_offers():
    from mobility.io import raise_for_problems, read_table
    from mobility.storage import get_engine, upsert_table

    load_demo_into()
    twin = ("placement_id,company_id,trade,city,country,slots,start,end,min_weeks,max_weeks,"
            "languages,accommodation,accepts_related_trades,synthetic\n"
            "P9,C1,Tischler/in,Leeds,GB,1,2026-03-01,2026-12-31,2,12,en:B1,true,false,true\n")
    frame = raise_for_problems(read_table(twin.encode(), "placements", name="p.csv"))
    upsert_table(get_engine(), "placements", frame, user="test", source="p.csv")
    at = sign_in(AppTest.from_file(str(APP), default_timeout=60), "apprentice").run()
    _button(at, "Plätze suchen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "2 passende Plätze" in text  # P1 and P9 are one card: same host, trade, dates
    assert "2 gleiche Angebote dieses Betriebs zusammengefasst" in text
    assert "3 Plätze" in text  # 2 + 1 places
    assert "Zeitraum: 01.03.2026 – 31.12.2026" in text
    assert "Dauer: 2–12 Wochen" in text
    assert "Unterkunft: wird gestellt oder vermittelt" in text
    assert "Arbeitssprache: Englisch B1" in text
    assert "Leeds (Vereinigtes Königreich)" in text  # CLDR, not "United Kingdom"
    assert "Branche: carpentry" in text  # the host's profile


def test_the_estimate_is_shown_part_by_part_with_table_and_call_year():
    at = _app("apprentice")
    _button(at, "Plätze suchen").click().run()
    details = [e for e in at.expander if e.label == "Förderung im Einzelnen"]
    assert details, "an Erasmus+ card breaks its estimate down"
    text = "\n".join(m.value for m in details[0].markdown).replace("\\", "")
    assert "Reise" in text
    # the table by a reader's name, with its call year (not "travel_support (call 2024)")
    assert re.search(r"Reise .*\[[^\]]*, Aufruf 20\d\d", text)
    assert "travel_support" not in text


# --- budget plan --------------------------------------------------------------------


def test_the_budget_plan_reads_as_sentences_with_names():
    at = _app("adviser")
    at.switch_page(str(page_path("adviser"))).run()
    at.number_input(key="budget").set_value(0.0).run()
    _button(at, "Verteilung starten").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "So passt es ins Budget:" in text
    assert "spart das" in text and "Azubi " in text  # a person's name, in German
    assert "A1 ->" not in text and "saves_eur" not in text


# --- accounts -----------------------------------------------------------------------


def _accounts_tab(at: AppTest):
    return next(tab for tab in at.tabs if tab.label == "Konten")


def test_an_administrator_adds_disables_re_roles_and_resets_an_account():
    from mobility.auth.audit import audit_trail
    from mobility.auth.users import SYSTEM, authenticate, get_principal
    from mobility.storage import get_engine

    at = _app("administrator")
    tab = _accounts_tab(at)
    tab.text_input(key="acc_new_name").input("mueller")
    tab.selectbox(key="acc_new_role").set_value("adviser")
    tab.text_input(key="acc_new_org").input("HWK Dortmund")
    tab.text_input(key="acc_new_pw").input("short")
    tab.text_input(key="acc_new_pw2").input("short")
    next(b for b in tab.button if b.label == "Anlegen").click().run()
    assert "Das Passwort erfüllt die Regeln nicht" in _texts(at)  # the CLI's rule, in German
    tab = _accounts_tab(at)
    tab.text_input(key="acc_new_name").input("mueller")
    tab.selectbox(key="acc_new_role").set_value("adviser")
    tab.text_input(key="acc_new_org").input("HWK Dortmund")
    tab.text_input(key="acc_new_pw").input("lange-genug-2026")
    tab.text_input(key="acc_new_pw2").input("lange-genug-2026")
    next(b for b in tab.button if b.label == "Anlegen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    engine = get_engine()
    assert authenticate(engine, "mueller", "lange-genug-2026") is not None

    at.selectbox(key="acc_pick").set_value("mueller").run()
    at.button(key="acc_toggle_mueller").click().run()
    assert authenticate(engine, "mueller", "lange-genug-2026") is None  # disabled
    at.button(key="acc_toggle_mueller").click().run()
    assert authenticate(engine, "mueller", "lange-genug-2026") is not None  # enabled again

    at.selectbox(key="acc_role_mueller").set_value("municipality")
    at.text_input(key="acc_mueller_org").input("")
    at.text_input(key="acc_mueller_city").input("Dortmund")
    next(b for b in at.button if b.label == "Rolle speichern").click().run()
    assert str(get_principal(engine, "mueller").role) == "municipality"

    at.text_input(key="acc_pw_mueller").input("noch-ein-passwort")
    at.text_input(key="acc_pw2_mueller").input("noch-ein-passwort")
    next(b for b in at.button if b.label == "Passwort zurücksetzen").click().run()
    assert authenticate(engine, "mueller", "noch-ein-passwort") is not None
    assert authenticate(engine, "mueller", "lange-genug-2026") is None

    trail = audit_trail(engine, SYSTEM, entity="user")
    assert trail["action"].tolist() == ["reset_password", "change_role", "enable", "disable",
                                        "add"]
    assert set(trail["who"]) == {"test-admin"} and set(trail["entity_id"]) == {"mueller"}
    shown = [d.value for d in at.dataframe if "Wer" in d.value.columns]
    assert shown and "Rolle geändert" in set(shown[0]["Was"])


def test_a_disabled_account_cannot_come_back_with_its_cookie():
    from mobility.auth.accounts import set_disabled
    from mobility.auth.users import SYSTEM
    from mobility.storage import get_engine

    at = _app("adviser")
    assert at.title[0].value == "Vermittlung"
    set_disabled(get_engine(), "test-adviser", True, actor=SYSTEM)
    at.run()
    assert not at.title and "principal" not in at.session_state
    assert PASSWORD  # the account keeps its row: enabling it restores the same password


def test_an_administrator_cannot_disable_their_own_account():
    at = _app("administrator")
    at.selectbox(key="acc_pick").set_value("test-admin").run()
    at.button(key="acc_toggle_test-admin").click().run()
    assert "Das eigene Konto kann man nicht sperren" in _texts(at)


# --- Excel (German) ---------------------------------------------------------------


def test_excel_german_is_semicolons_utf8_bom_german_headers_and_dates():
    from mobility.io.writing import table_bytes

    frame = pd.DataFrame({"apprentice_id": ["A1", "A2"], "city": ["Köln", "=cmd"],
                          "start": pd.to_datetime(["2027-01-05", None]),
                          "score": [0.875, 1.0], "accommodation": [True, False],
                          "slots": pd.array([2, None], dtype="Int64")})
    data = table_bytes(frame, "excel_de")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Azubi-Nr.;Stadt;Beginn;Eignung;Unterkunft;Plätze"
    assert lines[1] == "A1;Köln;05.01.2027;0,875;ja;2"
    assert lines[2] == "A2;'=cmd;;1;nein;"  # formulas inert, missing values empty
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"Stadt": str})
    assert back["Eignung"].tolist() == [0.875, 1.0]  # numbers survive as numbers


def test_the_match_board_offers_excel_german_beside_csv_and_xlsx():
    at = _app("adviser")
    at.switch_page(str(page_path("adviser"))).run()
    _button(at, "Verteilung starten").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert "Zuordnungen für Excel (deutsch)" in labels
    assert "Zuordnungen als XLSX" in labels


# --- speed: what must not empty the caches -----------------------------------------


def test_an_audited_export_does_not_change_the_data_fingerprint():
    """Regression: the match board audits its export files on every run; that emptied
    every page's caches (tables, matcher key, comparison) for every session."""
    from mobility.auth.audit import record
    from mobility.auth.users import SYSTEM
    from mobility.ui import cache

    load_demo_into()
    before = cache.fingerprint()
    with cache.engine().begin() as conn:
        record(conn, SYSTEM, "export", "matches", None, detail={"rows": 1})
    assert cache.fingerprint() == before
    with cache.engine().begin() as conn:  # a change of data still shows
        record(conn, SYSTEM, "erase", "apprentice", "A1")
    assert cache.fingerprint() != before
