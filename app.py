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

st.set_page_config(page_title="Mobilität für Azubis", page_icon=":material/public:",
                   layout="wide")

lang = language_switch()  # sidebar, German first

# --- Login ------------------------------------------------------------------------------
# Sign-in is wired here by mobility.auth (streamlit-authenticator): it puts the signed-in
# mobility.auth.Principal into st.session_state["principal"] or calls st.stop(). Pages
# read it through mobility.ui.common.current_principal(); nothing else reads the session.
# ----------------------------------------------------------------------------------------
principal = require_login()  # nothing below runs until someone has signed in

synthetic_banner(lang)

# Each role lands on its own page; the others stay reachable (the package decides what
# each role may see or do there, not the menu).
HOME_PAGE = {"adviser": "adviser", "municipality": "municipality", "administrator": "data"}
home = HOME_PAGE.get(str(getattr(principal, "role", "")), "apprentice")


def page(name: str, title_key: str, icon: str) -> st.Page:
    return st.Page(page_path(name), title=t(title_key, lang), url_path=name, icon=icon,
                   default=name == home)


pages = {
    t("nav.section.roles", lang): [
        page("apprentice", "nav.apprentice", ":material/travel_explore:"),
        page("adviser", "nav.adviser", ":material/groups:"),
        page("municipality", "nav.municipality", ":material/location_city:"),
    ],
    t("nav.section.settings", lang): [page("data", "nav.data", ":material/settings:")],
}
st.navigation(pages).run()
