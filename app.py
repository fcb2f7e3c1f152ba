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

pages = {
    t("nav.section.roles", lang): [
        st.Page(page_path("apprentice"), title=t("nav.apprentice", lang),
                url_path="apprentice", icon=":material/travel_explore:", default=True),
        st.Page(page_path("adviser"), title=t("nav.adviser", lang),
                url_path="adviser", icon=":material/groups:"),
        st.Page(page_path("municipality"), title=t("nav.municipality", lang),
                url_path="municipality", icon=":material/location_city:"),
    ],
    t("nav.section.settings", lang): [
        st.Page(page_path("data"), title=t("nav.data", lang), url_path="data",
                icon=":material/settings:"),
    ],
}
st.navigation(pages).run()
