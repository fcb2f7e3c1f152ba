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
from mobility.i18n import t
from mobility.paths import data_dir
from mobility.ui import cache, funding_panels, partnership_editor
from mobility.ui.common import (
    column_config,
    current_language,
    current_principal,
    number,
    show_error,
)


def _partnerships(lang: str) -> None:
    table = cache.partnerships()
    cities = sorted(table["home_city"].dropna().unique())
    chosen = st.selectbox(t("data.filter_city", lang), ["—", *cities], key="data_city")
    shown = table if chosen == "—" else table[table["home_city"] == chosen]
    st.caption(f"{number(len(shown), lang)} / {number(len(table), lang)}")
    shown = shown.reset_index(drop=True)
    config = column_config(shown, lang)
    config["status"] = st.column_config.SelectboxColumn(
        t("field.status", lang), options=["active", "dormant", "suspended", "ended"],
        required=True)
    for column in ("home_lat", "home_lon", "partner_lat", "partner_lon"):
        if column in shown:  # coordinates are edited as numbers, with their decimals
            config[column] = st.column_config.NumberColumn(t(f"field.{column}", lang),
                                                           format="%.4f")
    edited = st.data_editor(shown, key="data_partnerships", hide_index=True,
                            num_rows="dynamic", width="stretch", column_config=config)
    if st.button(t("common.save", lang), key="data_save_partnerships"):
        try:
            cache.save_partnerships(edited)
            st.success(t("data.saved", lang))
        except MobilityError as exc:
            show_error(exc)
    st.divider()
    partnership_editor.render_with_picker(lang)  # one municipality at a time, audited


def _programmes(lang: str) -> None:
    rules = cache.programme_rules_table()
    st.dataframe(rules, hide_index=True, width="stretch", column_config=column_config(rules, lang))


def _rates(lang: str) -> None:
    rates_table = cache.erasmus_rates_table()
    st.dataframe(rates_table, hide_index=True, width="stretch",
                 column_config=column_config(rates_table, lang))
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


def _sources(lang: str) -> None:
    st.markdown((data_dir() / "SOURCES.md").read_text(encoding="utf-8"))


def _demo_notice(lang: str) -> None:
    st.info(t("app.synthetic_banner", lang))
    st.metric(t("field.count", lang), number(cache.synthetic_row_count(), lang))


def render() -> None:
    lang = current_language()
    st.title(t("data.title", lang))
    tabs = st.tabs([t("data.partnerships", lang), t("data.programmes", lang),
                    t("data.rates", lang), t("data.sources", lang), t("data.demo_notice", lang)])
    for tab, section in zip(tabs, (_partnerships, _programmes, _rates, _sources, _demo_notice),
                            strict=True):
        with tab:
            section(lang)


if __name__ == "__main__":
    render()
