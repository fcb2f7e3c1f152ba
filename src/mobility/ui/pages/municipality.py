"""Municipality: "Partnership reach". Aggregates only.

Pick a municipality (a signed-in municipality sees its own city only): the map of the
city and its twin towns with the partnerships' status; per partner city the host
companies, open places by trade, and how many of the city's apprentices are placed or
shortlisted there; the gap table; trends and a comparison with other municipalities.
No apprentice's name or details appear, and counts of people below 5 read "fewer than
5" (:func:`mobility.auth.aggregates.suppress_small_counts`, via :mod:`mobility.ui.views`).
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from mobility.errors import MobilityError
from mobility.i18n import country_name, t
from mobility.maps import reach_map
from mobility.models import City
from mobility.ui import cache, partnership_editor
from mobility.ui.common import (
    column_config,
    current_language,
    current_principal,
    show_counts,
    show_error,
)
from mobility.ui.views import partnerships_by_year, top_trades

#: How many municipalities the comparison chart shows besides the city itself.
CHART_MUNICIPALITIES = 15
#: Trades with their own colour in the open-places chart (the rest: "other trades").
CHART_TRADES = 8


def _pick_city(lang: str, cities: list[str]) -> str | None:
    principal = current_principal()
    if principal is not None:
        from mobility.auth import Action, authorize

        scope = authorize(principal, Action.VIEW_AGGREGATES)
        if principal.city and scope.name == "CITY":
            return principal.city
    default = cities.index("Dortmund") if "Dortmund" in cities else 0
    return st.selectbox(t("municipality.pick", lang), cities, index=default, key="municipality")


def render() -> None:
    lang = current_language()
    st.title(t("municipality.title", lang))
    st.caption(t("municipality.intro", lang))
    partnerships = cache.partnerships()
    try:
        city = _pick_city(lang, sorted(partnerships["home_city"].dropna().unique()))
    except MobilityError as exc:
        show_error(exc)
        return
    _reach(lang, city, partnerships)
    # Municipalities keep their own partnerships; administrators any (others see nothing).
    partnership_editor.render(lang, city)


def _reach(lang: str, city: str, partnerships) -> None:
    partners = cache.partners_for(city)
    if partners.empty:
        st.info(t("common.none_found", lang))
        return
    try:
        tables = cache.reach_tables(city, partners)
    except MobilityError as exc:
        show_error(exc)
        return
    reach = tables["reach"]
    home = City(city, str(partners.loc[0, "home_country"]), float(partners.loc[0, "home_lat"]),
                float(partners.loc[0, "home_lon"]))
    st.plotly_chart(reach_map(home, partners, places=reach, lang=lang), key="reach_map")
    st.caption(t("map.reach_help", lang))

    st.subheader(t("municipality.partners", lang))
    shown = show_counts(reach, lang, ["placed", "shortlisted"])
    shown["status"] = [t(f"status.{s}", lang) for s in shown["status"]]
    shown["partner_country"] = [country_name(c, lang) for c in shown["partner_country"]]
    shown = shown.rename(columns={
        "partner_city": t("field.partner_city", lang), "partner_country": t("field.country", lang),
        "status": t("field.status", lang), "host_companies": t("municipality.hosts", lang),
        "open_places": t("field.open_places", lang), "placed": t("municipality.placed", lang),
        "shortlisted": t("municipality.shortlisted", lang)})
    st.dataframe(shown, hide_index=True, width="stretch", key="reach_table")

    st.subheader(t("municipality.places_by_trade", lang))
    by_trade = tables["places"]
    if by_trade.empty:
        st.caption(t("common.none_found", lang))
    else:
        st.caption(t("municipality.chart_trades", lang, n=CHART_TRADES))
        by_trade = top_trades(by_trade, CHART_TRADES, t("municipality.other_trades", lang))
        st.plotly_chart(px.bar(by_trade, x="city", y="open_places", color="trade",
                               labels={"city": t("field.city", lang),
                                       "open_places": t("field.open_places", lang),
                                       "trade": t("field.trade", lang)}),
                        key="places_chart")

    st.subheader(t("municipality.gaps", lang))
    st.caption(t("municipality.gaps_help", lang, city=city))
    gaps = tables["gaps"]
    if gaps.empty:
        st.caption(t("municipality.no_gaps", lang))
    else:
        st.dataframe(show_counts(gaps, lang, ["count"]).rename(columns={
            "trade": t("field.trade", lang), "count": t("municipality.apprentices", lang)}),
            hide_index=True, key="gaps_table")

    st.subheader(t("municipality.trends", lang))
    trend = partnerships_by_year(partners)
    st.plotly_chart(px.line(trend, x="year", y="partnerships", markers=True,
                            title=t("municipality.trend_chart", lang),
                            labels={"year": t("field.year", lang),
                                    "partnerships": t("municipality.partnerships", lang)}),
                    key="trend_chart")

    st.subheader(t("municipality.comparison", lang))
    comparison = tables["comparison"]
    series = {"partnerships": t("municipality.partnerships", lang),
              "places_in_partners": t("municipality.places_in_partners", lang)}
    # The chart compares the city with the municipalities that have most partnerships
    # (all of Germany's 1,800 would be unreadable bars); the table below lists all.
    top = comparison.nlargest(CHART_MUNICIPALITIES, "partnerships")
    if city not in set(top["municipality"]):
        top = pd.concat([top, comparison[comparison["municipality"] == city]])
    st.caption(t("municipality.chart_top", lang, n=CHART_MUNICIPALITIES))
    st.plotly_chart(px.bar(top.rename(columns=series), x="municipality",
                           y=list(series.values()), barmode="group",
                           labels={"municipality": t("field.municipality", lang),
                                   "value": t("field.count", lang), "variable": ""}),
                    key="comparison_chart")
    counted = ["apprentices"] if "apprentices" in comparison else []
    shown = show_counts(comparison, lang, counted)
    st.dataframe(shown, hide_index=True, key="comparison_table",
                 column_config=column_config(shown, lang))


if __name__ == "__main__":
    render()
