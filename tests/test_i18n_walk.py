"""Every page, in German and in English, as each role that may open it: no text of the
other language, no raw key, no "None"/"nan" (:mod:`i18n_walk` collects what is shown).

The pages are opened as they first appear and after each role's main action (the
apprentice's search, the adviser's allocation), so that the cards, tables and charts
those produce are read too.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP, load_demo_into
from auth_support import sign_in
from i18n_walk import problems, visible_strings
from mobility.i18n import t
from mobility.ui.pages import page_path

#: role -> the pages it may open (mobility.auth.pages_for on the shipped policy).
ROLE_PAGES = {
    "apprentice": ("apprentice",),
    "municipality": ("municipality",),
    "adviser": ("adviser", "apprentice", "municipality"),
    "administrator": ("data", "apprentice", "adviser", "municipality"),
}
CASES = [(role, page, lang) for role, pages in ROLE_PAGES.items() for page in pages
         for lang in ("de", "en")]


pytestmark = pytest.mark.usefixtures("fresh_caches")  # conftest: st caches cleared


def _main_action(at: AppTest, page: str, lang: str) -> None:
    """The page's main button, if it has one (search, run the allocation); an adviser
    or administrator picks apprentice A1 first."""
    label = {"apprentice": t("apprentice.submit", lang),
             "adviser": t("adviser.run", lang)}.get(page)
    if page == "apprentice" and any(s.key == "who" for s in at.selectbox):
        at.selectbox(key="who").set_value("A1").run()
    buttons = [b for b in at.button if b.label == label]
    if buttons:
        buttons[0].click().run()


@pytest.mark.parametrize(("role", "page", "lang"), CASES)
def test_every_string_on_the_page_is_in_the_pages_language(role, page, lang):
    load_demo_into()
    at = sign_in(AppTest.from_file(str(APP), default_timeout=60), role)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(str(page_path(page))).run()
    assert not at.exception, [e.value for e in at.exception]
    found = problems(at, lang)
    _main_action(at, page, lang)
    assert not at.exception, [e.value for e in at.exception]
    found += problems(at, lang)
    assert len(visible_strings(at)) > 10  # the walk reads the page, not an empty tree
    assert not found, "\n".join(sorted(set(found)))


def test_the_walk_catches_what_it_must():
    """The checker itself fails on each kind of slip (a check that cannot fail proves
    nothing)."""
    script = """
import streamlit as st
st.markdown("Die Schätzung übersteigt das Budget um 5 €.")
st.caption("part missing: individual_support")
st.metric("Eignung", "None")
st.selectbox("Status", ["active", "aktiv"])
st.markdown("nav.apprentice")
"""
    at = AppTest.from_string(script).run()
    found = "\n".join(problems(at, "de"))
    assert "raw key 'nav.apprentice'" in found
    assert "missing value in 'None'" in found
    assert "other language 'active'" in found
    assert "individual_support" in found or "part missing" in found
    english = "\n".join(problems(at, "en"))
    assert "Die Schätzung übersteigt das Budget um" in english
