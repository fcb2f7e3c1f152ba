"""Issue 11 on the pages: the package's problems reach the reader in the page's language
(the apprentice's profile, the adviser's import check), through AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from mobility.messages import translate_message
from mobility.ui.pages import page_path

GAZETTEER_EN = "is not in the offline gazetteer for this country"
GAZETTEER_DE = "steht nicht im Offline-Ortsverzeichnis für dieses Land"

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def _page(role: str, page: str) -> AppTest:
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=60), role).run()
    at.switch_page(str(page_path(page))).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _problems(at: AppTest, header: str):
    return next(d.value for d in at.dataframe if header in d.value.columns)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_unknown_home_town_is_refused_in_the_pages_language(lang):
    at = _page("adviser", "apprentice")
    if lang == "en":
        at.selectbox(key="lang").set_value("en").run()
    at.text_input(key="home_city_new").set_value("Nirgendwoburg")
    submit = "Plätze suchen" if lang == "de" else "Find placements"
    next(b for b in at.button if b.label == submit).click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = _problems(at, "Problem")
    if lang == "de":
        assert table.columns.tolist() == ["Datei", "Zeile", "Spalte", "Wert", "Problem"]
        (said,) = table["Problem"]
        assert said.startswith("'Nirgendwoburg' " + GAZETTEER_DE), said
        assert GAZETTEER_EN not in said
        assert table["Spalte"].tolist() == ["Wohnort"]
    else:
        assert table.columns.tolist() == ["File", "Row", "Column", "Value", "Problem"]
        (said,) = table["Problem"]
        assert said.startswith("'Nirgendwoburg' " + GAZETTEER_EN), said


def test_an_adviser_checking_a_bad_file_reads_every_problem_in_german():
    from app_support import apprentices_csv
    from mobility.io import read_table

    lines = apprentices_csv().splitlines()
    header = lines[0].split(",")
    assert "home_lat" not in header  # a home town without coordinates is looked up
    bad = []
    for number, (column, value) in enumerate([("training_year", "9"), ("email", "lea at x"),
                                              ("available_from", "31.02.2027"),
                                              ("home_city", "Nirgendwoburg")]):
        cells = lines[1].split(",")
        cells[0] = f"{cells[0]}-{number}"
        cells[header.index(column)] = value
        bad.append(",".join(cells))
    result = read_table("\n".join([lines[0], *bad]).encode(), "apprentices", name="bad.csv")
    assert len(result.problems) == 4
    at = _page("adviser", "adviser")
    at.session_state["import_result"] = result
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = _problems(at, "Zeile")
    assert table.columns.tolist() == ["Zeile", "Spalte", "Wert", "Problem"]
    assert table["Zeile"].tolist() == sorted(table["Zeile"].tolist())
    english = {p.message for p in result.problems}
    shown = set(table["Problem"])
    assert len(shown) == 4 and not shown & english
    assert shown == {translate_message(m, "de") for m in english}
    assert any("muss zwischen 1 und 4 liegen" in s for s in shown)
    assert any(GAZETTEER_DE in s for s in shown)
