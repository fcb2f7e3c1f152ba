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

# Each role lands on its own page and the menu lists only the pages its role may use
# (mobility.auth.pages_for reads the policy). Hiding is convenience: every page still
# asks the package (mobility.auth.authorize) before it shows or changes anything.
from mobility.auth import pages_for  # noqa: E402  (after sign-in: it loads the policy)

HOME_PAGE = {"adviser": "adviser", "municipality": "municipality", "administrator": "data"}
allowed = pages_for(principal)
home = HOME_PAGE.get(str(getattr(principal, "role", "")), "apprentice")
if home not in allowed:
    home = allowed[0] if allowed else home

PAGES = {  # name: (section key, title key, icon), in menu order
    "apprentice": ("nav.section.roles", "nav.apprentice", ":material/travel_explore:"),
    "adviser": ("nav.section.roles", "nav.adviser", ":material/groups:"),
    "municipality": ("nav.section.roles", "nav.municipality", ":material/location_city:"),
    "data": ("nav.section.settings", "nav.data", ":material/settings:"),
}

pages: dict[str, list[st.Page]] = {}
for name, (section, title_key, icon) in PAGES.items():
    if name in allowed:
        pages.setdefault(t(section, lang), []).append(
            st.Page(page_path(name), title=t(title_key, lang), url_path=name, icon=icon,
                    default=name == home))
if not pages:  # a role with no page at all (never by the shipped policy)
    st.stop()
st.navigation(pages).run()
