"""Apprentice: "Find a placement".

A short profile form, validated by the same code as an imported file
(:func:`mobility.io.validate_frame`), then :meth:`mobility.matching.Matcher.recommend`
for the top placements, shown as cards (score, explanation, twin-town badge, distance,
programmes and estimate) and on a map. Filters act on the results at once; saving a
placement or marking interest goes to the apprentice's shortlist in the database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import MobilityError
from mobility.i18n import country_name, format_date, format_number, language_name, t
from mobility.io import validate_frame
from mobility.maps import placements_map
from mobility.models import CEFR, City, parse_languages
from mobility.ui import cache, funding_panels
from mobility.ui.common import column_config, current_language, current_principal, show_error
from mobility.ui.explain import explanation, funding_missing_text
from mobility.ui.home_partnerships import home_partnership_note
from mobility.ui.views import collapse_offers

LANGUAGE_CHOICES = ("en", "fr", "es", "it", "nl", "pl", "cs", "sv", "da", "pt", "de", "tr")
LEVELS = [level.label for level in CEFR]
TOP_K = 20
#: How a date field reads in each language (Streamlit's date_input formats).
DATE_INPUT_FORMAT = {"de": "DD.MM.YYYY", "en": "DD/MM/YYYY"}


def _level_label(level: str, lang: str) -> str:
    return t(f"explain.level.{level}", lang) if level in ("native", "none") else level


def _defaults(apprentice: pd.Series | None) -> dict:
    """Form defaults: the stored profile when there is one, else a plausible start."""
    today = date.today()
    if apprentice is None:
        return {"trade": "Tischler/in", "home_city": "Dortmund", "training_year": 2,
                "languages": [("en", "B1")], "from": today + timedelta(days=60),
                "to": today + timedelta(days=240), "weeks": 4, "countries": [],
                "max_km": 0.0, "fewer": False}
    skills = parse_languages(apprentice["languages"])
    return {
        "trade": str(apprentice["trade"]), "home_city": str(apprentice["home_city"]),
        "training_year": int(apprentice["training_year"]),
        "languages": [(s.language, s.level.label) for s in skills if s.language != "de"][:3],
        "from": pd.Timestamp(apprentice["available_from"]).date(),
        "to": pd.Timestamp(apprentice["available_to"]).date(),
        "weeks": int(apprentice["desired_weeks"]),
        "countries": [c for c in str(apprentice["preferred_countries"] or "").split(";") if c],
        "max_km": (0.0 if pd.isna(apprentice["max_distance_km"])
                   else float(apprentice["max_distance_km"])),
        "fewer": bool(apprentice["fewer_opportunities"]),
    }


def _profile_form(lang: str, apprentice_id: str | None, apprentice: pd.Series | None):
    """The profile form; returns the validated one-row apprentices frame on submit."""
    d = _defaults(apprentice)
    trades = cache.trade_options()
    # Keys carry the person: picking someone else refills the form with their profile.
    suffix = apprentice_id or "new"
    with st.form("profile"):
        st.subheader(t("apprentice.profile", lang))
        left, right = st.columns(2)
        trade = left.selectbox(t("field.trade", lang), trades, key=f"trade_{suffix}",
                               index=trades.index(d["trade"]) if d["trade"] in trades else 0,
                               help=t("apprentice.trade_help", lang))
        home = right.text_input(t("field.home_city", lang), d["home_city"],
                                key=f"home_city_{suffix}",
                                help=t("apprentice.city_help", lang))
        year = left.selectbox(t("field.training_year", lang), [1, 2, 3, 4],
                              index=d["training_year"] - 1, key=f"training_year_{suffix}")
        fewer = right.checkbox(t("field.fewer_opportunities", lang), d["fewer"],
                               key=f"fewer_{suffix}")
        st.markdown(f"**{t('field.languages', lang)}**")
        languages = []
        for n in range(3):
            known = d["languages"][n] if n < len(d["languages"]) else ("", "B1")
            c1, c2 = st.columns(2)
            code = c1.selectbox(t("apprentice.language_n", lang, n=n + 1), ["", *LANGUAGE_CHOICES],
                                index=["", *LANGUAGE_CHOICES].index(known[0])
                                if known[0] in LANGUAGE_CHOICES else 0, key=f"lang_{n}_{suffix}",
                                format_func=lambda c: language_name(c, lang) if c else "—")
            level = c2.selectbox(t("field.level", lang), LEVELS, index=LEVELS.index(known[1]),
                                 key=f"level_{n}_{suffix}",
                                 format_func=lambda v: _level_label(v, lang))
            if code:
                languages.append(f"{code}:{level}")
        c1, c2, c3 = st.columns(3)
        fmt = DATE_INPUT_FORMAT.get(lang, DATE_INPUT_FORMAT["de"])
        start = c1.date_input(t("field.available_from", lang), d["from"], key=f"from_{suffix}",
                              format=fmt)
        end = c2.date_input(t("field.available_to", lang), d["to"], key=f"to_{suffix}",
                            format=fmt)
        weeks = c3.number_input(t("field.desired_weeks", lang), 1, 52, d["weeks"],
                                key=f"weeks_{suffix}")
        c1, c2 = st.columns(2)
        options = cache.country_options(lang)
        countries = c1.multiselect(t("field.preferred_countries", lang), options,
                                   default=[c for c in d["countries"] if c in options],
                                   format_func=lambda c: country_name(c, lang),
                                   key=f"countries_{suffix}",
                                   placeholder=t("apprentice.any_country", lang))
        max_km = c2.number_input(t("field.max_distance", lang), 0.0, 20000.0, d["max_km"],
                                 step=100.0, key=f"max_km_{suffix}",
                                 help=t("apprentice.no_limit", lang))
        submitted = st.form_submit_button(t("apprentice.submit", lang), type="primary")
    if not submitted:
        return None
    raw = pd.DataFrame([{
        "apprentice_id": apprentice_id or "profile", "name": "profile",
        "home_city": home, "home_country": "DE", "trade": trade, "training_year": str(year),
        "languages": ";".join(["de:native", *languages]),
        "available_from": start.isoformat(), "available_to": end.isoformat(),
        "desired_weeks": str(weeks), "preferred_countries": ";".join(countries),
        "max_distance_km": f"{max_km:g}" if max_km > 0 else "",
        "fewer_opportunities": "true" if fewer else "false",
    }])
    frame, problems, _notes = validate_frame(raw, "apprentices", name=t("apprentice.profile", lang))
    if problems:
        show_error(MobilityError(t("common.error", lang), problems=problems))
        if any(p.column in ("home_city", "home_lat") for p in problems):
            places = cache.city_suggestions(home[:3])
            if places:
                st.info(t("apprentice.city_suggestions", lang, cities=", ".join(places)))
        return None
    return frame


def _languages_text(codes: object, lang: str) -> str:
    skills = parse_languages(str(codes)) if isinstance(codes, str) and codes else []
    if not skills:
        return t("card.no_language", lang)
    names = [f"{language_name(s.language, lang)} {_level_label(s.level.label, lang)}"
             for s in skills]
    return t("card.languages", lang, languages=f" {t('card.or', lang)} ".join(names))


def _facts(row: pd.Series, lang: str, companies: pd.DataFrame) -> list[str]:
    """The lines of a card under its title: window, duration, stay, task, languages,
    accommodation, contact and the host's profile (data shown as text, never markup)."""
    lines = []
    if pd.notna(row.get("start")) and pd.notna(row.get("end")):
        lines.append(t("card.window", lang, start=format_date(row["start"], lang),
                       end=format_date(row["end"], lang)))
    if pd.notna(row.get("min_weeks")) and pd.notna(row.get("max_weeks")):
        lines.append(t("card.duration", lang, min=int(row["min_weeks"]),
                       max=int(row["max_weeks"])))
    if pd.notna(row.get("stay_start")) and pd.notna(row.get("stay_end")):
        days = row.get("stay_days")
        lines.append(t("card.stay", lang, start=format_date(row["stay_start"], lang),
                       end=format_date(row["stay_end"], lang),
                       days=int(days) if pd.notna(days) else "?"))
    lines.append(t("card.task", lang, trade=esc(str(row["trade"]))))
    lines.append(_languages_text(row.get("languages"), lang))
    accommodation = row.get("accommodation")
    lines.append(t("card.accommodation_unknown" if pd.isna(accommodation) else
                   "card.accommodation_yes" if bool(accommodation) else "card.accommodation_no",
                   lang))
    company = (companies.loc[row["company_id"]] if row.get("company_id") in companies.index
               else None)
    if company is not None:
        contact = [str(company[c]) for c in ("contact_email", "website")
                   if c in company and isinstance(company[c], str) and company[c]]
        lines.append(f"{t('card.contact', lang)}: {esc(' · '.join(contact))}" if contact
                     else t("card.no_contact", lang))
        sector = company.get("sector")
        lines.append(t("card.profile", lang, name=esc(str(company["name"])),
                       city=esc(str(company["city"])),
                       country=country_name(company["country"], lang),
                       sector=esc(str(sector)) if isinstance(sector, str) and sector
                       else t("common.unknown", lang)))
    return lines


def _card(row: pd.Series, lang: str, home: str, apprentice_id: str | None,
          profile: pd.DataFrame, companies: pd.DataFrame) -> None:
    with st.container(border=True):
        top = st.columns([3, 1])
        # Company, city and trade come from uploaded files: shown literally, never as markup.
        top[0].markdown(f"**{esc(row['company'])}** · {esc(row['city'])} "
                        f"({esc(country_name(row['country'], lang))})")
        places = int(row["slots"])
        top[0].caption(f"{esc(row['trade'])} · " + (
            t("card.one_place", lang) if places == 1 else t("card.places", lang, n=places)))
        score = row.get("score")
        top[1].metric(t("field.score", lang), f"{format_number(score * 100, lang)} %"
                      if pd.notna(score) else t("common.unknown", lang))
        badges = []
        if row.get("twin_town"):
            badges.append(f":green-badge[{t('apprentice.twin_badge', lang, city=esc(home))}]")
        if pd.notna(row.get("distance_km")):
            badges.append(f":blue-badge[{t('common.km', lang, km=row['distance_km'])}]")
        if int(row.get("offers", 1)) > 1:
            badges.append(f":gray-badge[{t('card.same_offer', lang, n=int(row['offers']))}]")
        if badges:
            st.markdown(" ".join(badges))
        st.markdown("  \n".join(_facts(row, lang, companies)))
        st.caption(f"{t('field.explanation', lang)}: {esc(explanation(row, lang))}")
        programmes = row.get("programmes") or t("apprentice.no_programme", lang)
        estimate = row.get("funding_estimate_eur")
        money = (t("common.eur", lang, eur=estimate) if pd.notna(estimate)
                 else t("common.unknown", lang))
        st.caption(f"{t('field.programmes', lang)}: {esc(programmes)} · "
                   f"{t('field.estimate', lang)}: {money}")
        if row.get("funding_missing"):
            st.caption(t("apprentice.estimate_missing", lang,
                         what=esc(funding_missing_text(row["funding_missing"], lang))))
        funding_panels.funding_details(row, lang)  # condition, parts with tables, why not
        if apprentice_id:
            b1, b2 = st.columns(2)
            pid = row["placement_id"]
            if b1.button(t("apprentice.save", lang), key=f"save_{pid}"):
                _save(apprentice_id, pid, interest=False)
            if b2.button(t("apprentice.interest", lang), key=f"interest_{pid}"):
                _save(apprentice_id, pid, interest=True)


def _save(apprentice_id: str, placement_id: str, *, interest: bool) -> None:
    try:
        cache.save_placement(apprentice_id, placement_id, interest=interest,
                             by=getattr(current_principal(), "username", "apprentice"))
    except MobilityError as exc:
        show_error(exc)


def _saved_list(lang: str, apprentice_id: str) -> None:
    st.subheader(t("apprentice.my_list", lang))
    saved = cache.shortlist(apprentice_id)
    if saved.empty:
        st.caption(t("apprentice.list_empty", lang))
        return
    saved = saved.assign(status=[t(f"pipeline.{s}", lang) for s in saved["status"]])
    if "country" in saved:
        saved["country"] = [country_name(c, lang) for c in saved["country"]]
    saved = saved.drop(columns=[c for c in ("apprentice_id", "version") if c in saved])
    st.dataframe(saved, hide_index=True, width="stretch",
                 column_config=column_config(saved, lang))


def render() -> None:
    lang = current_language()
    st.title(t("apprentice.title", lang))
    st.caption(t("apprentice.intro", lang))
    principal = current_principal()
    own_id = getattr(principal, "apprentice_id", None)
    if own_id:  # a signed-in apprentice sees their own profile only
        apprentice_id = own_id
    else:
        people = cache.apprentice_choices()
        choice = st.selectbox(t("apprentice.who", lang), ["", *people], key="who",
                              format_func=lambda k: people.get(
                                  k, t("apprentice.new_profile", lang)))
        apprentice_id = choice or None
    stored = cache.apprentice_row(apprentice_id) if apprentice_id else None

    submitted = _profile_form(lang, apprentice_id, stored)
    if submitted is not None:  # remembered, so filters and saves rerun without resubmitting
        st.session_state["apprentice_profile"] = (apprentice_id, submitted)
    remembered = st.session_state.get("apprentice_profile")
    profile = remembered[1] if remembered and remembered[0] == apprentice_id else None
    if profile is None:
        if apprentice_id:
            _saved_list(lang, apprentice_id)
        return
    try:
        results = cache.recommend(profile, TOP_K)
    except MobilityError as exc:
        show_error(exc)
        return

    home_partnership_note(profile, cache.partnerships(), lang)  # helper "data"
    st.subheader(t("apprentice.filters", lang))
    f1, f2, f3 = st.columns(3)
    only_twin = f1.toggle(t("apprentice.only_twin", lang), key="only_twin")
    only_funded = f2.toggle(t("apprentice.only_funded", lang), key="only_funded")
    min_score = f3.slider(t("apprentice.min_score", lang), 0.0, 1.0, 0.0, 0.05, key="min_score")
    shown = results[results["score"] >= min_score]
    if only_twin:
        shown = shown[shown["twin_town"]]
    if only_funded:
        shown = shown[shown["programmes"].fillna("") != ""]

    home_name = str(profile.loc[0, "home_city"])
    shown = collapse_offers(shown)
    if shown.empty:
        st.info(t("apprentice.no_results", lang))
    else:
        st.subheader(t("apprentice.results", lang, n=len(shown)))
    left, right = st.columns([1, 1])
    with left:
        companies = cache.company_profiles()
        for _, row in shown.iterrows():
            _card(row, lang, home_name, apprentice_id, profile, companies)
    with right:
        home = City(home_name, "DE", float(profile.loc[0, "home_lat"]),
                    float(profile.loc[0, "home_lon"]))
        points = shown.rename(columns={"slots": "slots_left"})
        st.plotly_chart(placements_map(home, points, cache.partners_for(
            home_name, lat=home.lat, lon=home.lon), lang=lang), key="apprentice_map")
        st.caption(t("map.legend_help", lang))
    if apprentice_id:
        _saved_list(lang, apprentice_id)


if __name__ == "__main__":
    render()
