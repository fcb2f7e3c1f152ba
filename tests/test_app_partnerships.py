"""The "Keep partnerships" section through AppTest: a municipality adds one and changes
another, the history names the user, a stale save is refused; an administrator keeps any
municipality's partnerships from the data page; other roles see no editor."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from i18n_walk import problems as walk_problems
from mobility.auth import Principal, Role
from mobility.storage import get_engine
from mobility.storage.partnerships import (
    PartnershipKey,
    change_partnership,
    city_partnerships,
    get_partnership,
)
from mobility.ui.pages import page_path
from mobility.ui.partnership_editor import form_key

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared

LEEDS = PartnershipKey("Dortmund", "DE", "Leeds", "GB")
BARCELONA = PartnershipKey("Köln", "DE", "Barcelona", "ES")
ADMIN = Principal("test-admin", Role.ADMINISTRATOR)


def _signed_in(role: str) -> AppTest:
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=30), role).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _choose(at: AppTest, key: str, partner: str) -> None:
    box = at.selectbox(key=key)
    index = next(i for i, label in enumerate(box.options) if label.startswith(partner))
    box.set_value(index).run()


def _history(at: AppTest):
    return next(d.value for d in at.dataframe if "Benutzer" in d.value.columns)


def test_a_municipality_adds_and_changes_partnerships_the_history_shows_the_user():
    at = _signed_in("municipality")  # test-city, Dortmund: lands on its own page
    assert "Partnerschaften pflegen" in [s.value for s in at.subheader]
    at.text_input(key="keep_add_city").input("Lyon")
    at.selectbox(key="keep_add_country").set_value("FR")
    at.number_input(key="keep_add_year").set_value(2021)
    at.text_input(key="keep_add_office").input("Büro für Internationales")
    at.button(key="keep_add_save").click()
    _ok(at.run())
    assert any("Lyon" in s.value for s in at.success)
    stored = city_partnerships(get_engine(), ADMIN, "Dortmund").set_index("partner_city")
    assert stored.loc["Lyon", "updated_by"] == "test-city"
    assert stored.loc["Lyon", "contact_office"] == "Büro für Internationales"

    _choose(at, "keep_choose", "Leeds")
    slot = form_key("keep", LEEDS)
    at.selectbox(key=f"{slot}_status").set_value("dormant")
    at.button(key=f"{slot}_save").click()
    _ok(at.run())
    assert get_partnership(get_engine(), ADMIN, LEEDS).status == "dormant"
    history = _history(at)
    newest = history.iloc[0]
    assert (newest["Benutzer"], newest["Partnerstadt"], newest["Angabe"]) == (
        "test-city", "Leeds", "Status")
    assert (newest["vorher"], newest["nachher"]) == ("aktiv", "ruhend")
    assert newest["Datum"].count(".") == 2  # German date, e.g. 29.11.2026
    assert "test-city" in set(history["Benutzer"]) and "Lyon" in set(history["Partnerstadt"])
    assert {b.label for b in at.get("download_button")} == {
        "Partnerschaften als CSV", "Partnerschaften als Excel (XLSX)"}
    assert not walk_problems(at, "de")  # all German: no raw keys, None, ISO dates, English

    # A colleague saves meanwhile: our form is based on what we saw, so it is refused.
    seen = get_partnership(get_engine(), ADMIN, LEEDS).token
    change_partnership(get_engine(), ADMIN, LEEDS, expected=seen, status="suspended")
    at.selectbox(key=f"{slot}_status").set_value("ended")
    at.button(key=f"{slot}_save").click()
    _ok(at.run())
    shown = [e.value.replace("\\", "") for e in at.error]  # markdown-escaped
    assert any("von test-admin geändert" in m and "nicht gespeichert" in m for m in shown)
    assert get_partnership(get_engine(), ADMIN, LEEDS).status == "suspended"

    # Checked like an import: a control character is refused, naming the column.
    at.text_input(key="keep_add_city").input("Lille")
    at.selectbox(key="keep_add_country").set_value("FR")
    at.text_input(key="keep_add_office").input("Amt\x1b[2J")
    at.button(key="keep_add_save").click()
    _ok(at.run())
    problems = next(d.value for d in at.dataframe if "column" in d.value.columns)
    assert problems["column"].tolist() == ["contact_office"]
    assert "Lille" not in set(city_partnerships(get_engine(), ADMIN, "Dortmund")["partner_city"])


def test_an_administrator_keeps_any_municipalitys_partnerships_on_the_data_page():
    at = _signed_in("administrator")
    _ok(at.switch_page(str(page_path("data"))).run())
    at.selectbox(key="data_keep_city").set_value("Köln").run()
    _ok(at)
    _choose(at, "data_keep_choose", "Barcelona")
    slot = form_key("data_keep", BARCELONA)
    at.selectbox(key=f"{slot}_status").set_value("ended")
    at.text_input(key=f"{slot}_source").input("https://www.stadt-koeln.de/partner")
    at.button(key=f"{slot}_save").click()
    _ok(at.run())
    stored = get_partnership(get_engine(), ADMIN, BARCELONA)
    assert (stored.status, stored.updated_by) == ("ended", "test-admin")
    history = _history(at)
    assert set(history["Benutzer"]) == {"test-admin"}
    assert set(history["Angabe"]) == {"Status", "Quelle"}


def test_an_adviser_sees_the_reach_but_no_editor():
    at = _signed_in("adviser")
    _ok(at.switch_page(str(page_path("municipality"))).run())
    assert "Partnerschaften pflegen" not in [s.value for s in at.subheader]
    assert not [b for b in at.button if (b.key or "").startswith("keep")]
