"""The apprentice page: a home municipality without a known partnership gets one
sentence and its neighbours' partnerships (information, no bonus); an ambiguous home
town is named, not guessed."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from mobility.reference.twinnings import NEIGHBOUR_KM, neighbour_partnerships, partners_of
from mobility.ui.pages import page_path

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


@pytest.fixture
def page():
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=30), "adviser").run()
    at.switch_page(str(page_path("apprentice"))).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _search(at: AppTest, home: str) -> AppTest:
    at.text_input(key="home_city_new").set_value(home)
    next(b for b in at.button if b.label == "Plätze suchen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _infos(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


def test_hattingen_has_no_partnership_and_sees_its_neighbours(page):
    assert partners_of("Hattingen").empty
    near = neighbour_partnerships("05954016")
    assert not near.empty and (near["home_km"] <= NEIGHBOUR_KM).all()
    _search(page, "Hattingen")
    text = _infos(page)
    assert "Für Hattingen ist keine Städtepartnerschaft bekannt" in text
    assert f"im Umkreis von {NEIGHBOUR_KM:.0f} km" in text and "ohne Bonus" in text
    first = near.iloc[0]
    assert f"{first.partner_city}" in text and f"Partnerstadt von {first.home_city}" in text
    unconfirmed = near.head(8)[near.head(8)["confidence"] == "unconfirmed"]
    for row in unconfirmed.itertuples(index=False):  # shown as unconfirmed, in words
        assert f"{row.partner_city} " in text and "(unbestätigt)" in text


def test_a_home_with_partnerships_gets_no_such_sentence_and_answers_fast(page):
    _search(page, "Unna")  # first load (caches, gazetteer, register)
    assert "keine Städtepartnerschaft" not in _infos(page)
    start = time.perf_counter()
    _search(page, "Lünen")
    assert time.perf_counter() - start < 5  # generous under a loaded test machine
    assert "keine Städtepartnerschaft" not in _infos(page)


def test_an_ambiguous_home_town_is_named_not_guessed(page):
    _search(page, "Halle")
    text = _infos(page)
    assert "passt zu mehreren Gemeinden" in text and "Saale" in text and "Holzminden" in text
