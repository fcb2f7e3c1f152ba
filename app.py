"""The dashboard's router: page set-up, language, (login), navigation. Nothing else.

Run with ``streamlit run app.py`` (or ``make run``). Pages live in the installed package
(``src/mobility/ui/pages/``): Streamlit puts only this folder on ``sys.path``, so they
are addressed by absolute path, never imported relative to this file.
"""

import streamlit as st

from mobility.i18n import t
from mobility.ui.auth import require_login
from mobility.ui.common import language_switch, synthetic_banner
from mobility.ui.pages import page_path
from mobility.ui.warmup import warm_up

st.set_page_config(page_title="Mobilität für Azubis", page_icon=":material/public:",
                   layout="wide")

lang = language_switch()  # sidebar, German first

# --- Login ------------------------------------------------------------------------------
# Sign-in is wired here by mobility.auth (streamlit-authenticator): it puts the signed-in
# mobility.auth.Principal into st.session_state["principal"] or calls st.stop(). Pages
# read it through mobility.ui.common.current_principal(); nothing else reads the session.
# ----------------------------------------------------------------------------------------
PAGES = {  # name: (section key, title key, icon), in menu order
    "apprentice": ("nav.section.roles", "nav.apprentice", ":material/travel_explore:"),
    "adviser": ("nav.section.roles", "nav.adviser", ":material/groups:"),
    "municipality": ("nav.section.roles", "nav.municipality", ":material/location_city:"),
    "data": ("nav.section.settings", "nav.data", ":material/settings:"),
}


def _page(name: str) -> st.Page:
    _section, title_key, icon = PAGES[name]
    return st.Page(page_path(name), title=t(title_key, lang), url_path=name, icon=icon)


def _nothing() -> None:
    """The address ``/`` before sign-in: the form above is all there is."""


def _keep_address() -> None:
    # Signed out: every page address stays known (a reload on /municipality shows the
    # sign-in form, then that page, never "page not found"), and no menu is drawn.
    st.navigation([st.Page(_nothing, title=t("auth.form", lang), url_path="signin",
                           default=True), *(_page(name) for name in PAGES)],
                  position="hidden")


warm_up()  # loads the gazetteer and fits the matcher while the sign-in form is shown
principal = require_login(_keep_address)  # nothing below runs until someone signed in

synthetic_banner(lang)

# Each role lands on its own page and the menu lists only the pages its role may use
# (mobility.auth.pages_for reads the policy). Hiding is convenience: every page still
# asks the package (mobility.auth.authorize) before it shows or changes anything.
from mobility.auth import pages_for  # noqa: E402  (after sign-in: it loads the policy)

HOME_PAGE = {"adviser": "adviser", "municipality": "municipality", "administrator": "data"}
allowed = pages_for(principal)
home = HOME_PAGE.get(str(getattr(principal, "role", "")), "apprentice")
if home not in allowed:
    home = allowed[0] if allowed else home

pages: dict[str, list[st.Page]] = {}
home_page = None
for name, (section, _title, _icon) in PAGES.items():
    if name in allowed:
        pages.setdefault(t(section, lang), []).append(page := _page(name))
        home_page = page if name == home else home_page
if home_page is None:  # a role with no page at all (never by the shipped policy)
    st.stop()


def _go_home() -> None:
    """``/`` leads to the role's own page under its own address, so that a reload
    there opens the same page again."""
    st.switch_page(home_page)


# The landing entry is hidden: the menu lists only the role's pages.
pages[t(PAGES[home][0], lang)].insert(0, st.Page(_go_home, title=t(PAGES[home][1], lang),
                                                 url_path="start", default=True,
                                                 visibility="hidden"))
st.navigation(pages).run()
