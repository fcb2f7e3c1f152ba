"""The apprentice page's word on the home municipality's partnerships.

When the home town resolves to a municipality without a known partnership, one sentence
says so and lists the partnerships of the neighbouring municipalities (within
:data:`mobility.reference.twinnings.NEIGHBOUR_KM`) as information, without a bonus; when
the name fits several municipalities ("Frankfurt"), it says which and asks for the full
name, the postcode or the code. Kept apart from the page so that the page's owner and
this note's owner do not edit the same lines.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.i18n import country_name, format_number, t
from mobility.reference.municipalities import municipality_register
from mobility.reference.twinnings import NEIGHBOUR_KM, neighbour_partnerships, partners_of

#: Neighbours' partnerships listed at most (the nearest first).
SHOWN = 8


def home_partnership_note(profile: pd.DataFrame, partnerships: pd.DataFrame, lang: str) -> None:
    """Show the sentence (and the neighbours' partnerships) for a one-row profile."""
    row = profile.iloc[0]
    if str(row.get("home_country", "DE") or "DE").upper() != "DE":
        return
    lat = pd.to_numeric(pd.Series([row.get("home_lat")]), errors="coerce").iloc[0]
    lon = pd.to_numeric(pd.Series([row.get("home_lon")]), errors="coerce").iloc[0]
    register = municipality_register()
    found = register.resolve(row.get("home_city"), None if pd.isna(lat) else lat,
                             None if pd.isna(lon) else lon)
    if found.how == "ambiguous":
        names = ", ".join(f"{register.name(a)} ({register.row(a)['district']})"
                          for a in found.candidates[:6])
        st.info(t("apprentice.home_ambiguous", lang, home=esc(str(row.get("home_city"))),
                  candidates=esc(names)))
        return
    if found.ags is None or not partners_of(found.ags, partnerships).empty:
        return
    home = register.name(found.ags)
    near = neighbour_partnerships(found.ags, partnerships)
    km = format_number(NEIGHBOUR_KM, lang, 0)
    if near.empty:
        st.info(t("apprentice.no_partnership_none_near", lang, home=esc(home), km=km))
        return
    lines = [t("apprentice.neighbour_partner", lang, partner=esc(str(r.partner_city)),
               country=country_name(str(r.partner_country), lang), home=esc(str(r.home_city)),
               km=format_number(r.home_km, lang, 0))
             + (f" ({t('confidence.unconfirmed', lang)})"
                if str(getattr(r, "confidence", "")) == "unconfirmed" else "")
             for r in near.head(SHOWN).itertuples(index=False)]
    st.info(t("apprentice.no_partnership", lang, home=esc(home), km=km) + "\n\n"
            + "\n".join(f"- {line}" for line in lines))
