"""The pages' tabs stay on the tab the person acted in (mobility.ui.common.sticky_tabs):
after a button, an ``st.rerun``, a switch of language, and a reload (the address keeps
the tab).

AppTest has no "click a tab": a click in the browser sets the tabs' widget value, which
is what ``at.session_state[key] = label`` does here. What the browser shows after a run
is the tab the server sends (``tab_container.default_tab_index``); plain ``st.tabs``
always sent the first one, so each of these tests failed on the old pages.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from mobility.storage import get_engine
from mobility.storage.runs import list_match_runs
from mobility.ui.pages import page_path

pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(role: str, page: str, *, address: dict[str, str] | None = None) -> AppTest:
    """A fresh session (a reload) of ``page``, signed in as ``role``; ``address``: the
    query parameters of the page address."""
    at = sign_in(AppTest.from_file(str(APP), default_timeout=30), role)
    for name, value in (address or {}).items():
        at.query_params[name] = value
    at.switch_page(str(page_path(page)))
    return _ok(at.run())


def _tab_bar(at: AppTest):
    bars = [node for node in at._tree if getattr(node, "type", None) == "tab_container"]
    assert len(bars) == 1, f"{len(bars)} tab bars"
    return bars[0]


def _open_tab(at: AppTest):
    """The tab the browser shows after this run: the one the server marks as selected."""
    bar = _tab_bar(at)
    return list(bar.children.values())[bar.proto.tab_container.default_tab_index]


def _choose(at: AppTest, key: str, label: str) -> AppTest:
    """What a click on the tab ``label`` does in the browser."""
    at.session_state[key] = label
    return _ok(at.run())


@pytest.fixture
def board():
    load_demo_into()
    return _page("adviser", "adviser")


def test_the_allocation_tab_stays_open_with_its_result_after_the_run(board):
    assert _open_tab(board).label == "Fallliste"
    _choose(board, "adviser_tab", "Verteilung berechnen")
    _ok(board.button(key="run_allocation").click().run())
    tab = _open_tab(board)
    assert tab.label == "Verteilung berechnen"
    assert {m.label: m.value for m in tab.metric}["Vermittelt"] == "4"  # the result, there
    # Adopting the run ends with st.rerun(): still the same tab.
    _ok(board.button(key="adopt_run").click().run())
    assert _open_tab(board).label == "Verteilung berechnen"
    assert any("Arbeitsplan" in s.value for s in _open_tab(board).success)


def test_the_runs_tab_stays_open_after_opening_and_comparing_runs(board):
    _ok(board.button(key="run_allocation").click().run())
    board.radio(key="method").set_value("optimal").run()
    _ok(board.button(key="run_allocation").click().run())
    _choose(board, "adviser_tab", "Verteilungsläufe")
    first, second = list_match_runs(get_engine())["run_id"]
    _ok(board.selectbox(key="compare_left").set_value(second).run())
    _ok(board.selectbox(key="compare_right").set_value(first).run())
    tab = _open_tab(board)
    assert tab.label == "Verteilungsläufe"
    assert any("Kennzahl" in d.value.columns for d in tab.dataframe)  # the comparison
    _ok(board.button(key="runs_open").click().run())  # ends with st.rerun()
    assert _open_tab(board).label == "Verteilungsläufe"


def test_a_switch_of_language_keeps_the_open_tab(board):
    _choose(board, "adviser_tab", "Verteilung berechnen")
    _ok(board.selectbox(key="lang").set_value("en").run())
    assert board.title[0].value == "Match board"
    assert _open_tab(board).label == "Batch allocation"
    _ok(board.selectbox(key="lang").set_value("de").run())
    assert _open_tab(board).label == "Verteilung berechnen"


def test_a_reload_opens_the_tab_named_in_the_address_and_ignores_an_unknown_one():
    load_demo_into()
    assert _open_tab(_page("adviser", "adviser", address={
        "adviser_tab": "Verteilungsläufe"})).label == "Verteilungsläufe"
    assert _open_tab(_page("adviser", "adviser", address={
        "adviser_tab": "<script>"})).label == "Fallliste"


def test_the_data_page_stays_on_the_rates_tab_after_saving_rates():
    load_demo_into()
    at = _page("administrator", "data")
    _choose(at, "data_tab", "Erasmus+-Sätze")
    at.number_input(key="rate_group_1").set_value(60.0)
    at.text_input(key="rate_source").set_value("NA BIBB call 2026, p. 3")
    next(b for b in at.button if b.label == "Speichern" and "FormSubmitter" in b.id).click()
    _ok(at.run())
    tab = _open_tab(at)
    assert tab.label == "Erasmus+-Sätze"
    assert any(n.key == "rate_source" for n in tab.text_input)  # the form is in that tab
