"""Shaping package results for the pages: plain pandas, no Streamlit, tested directly.

The matcher returns ids, scores and explanations; a card or a table also needs the
company's name, the city, the distance and whether the city is a twin town. These
functions join those in, once, so pages stay thin.

Examples
--------
>>> import pandas as pd
>>> matches = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P1"], "score": [0.8]})
>>> placements = pd.DataFrame({"placement_id": ["P1"], "company_id": ["C1"],
...     "trade": ["Koch/Köchin"], "city": ["Leeds"], "country": ["GB"],
...     "lat": [53.8], "lon": [-1.55], "slots": [2]})
>>> companies = pd.DataFrame({"company_id": ["C1"], "name": ["Leeds Kitchen Ltd"]})
>>> partners = pd.DataFrame({"partner_city": ["Leeds"], "partner_country": ["GB"]})
>>> out = placement_cards(matches, placements, companies, home=(51.51, 7.47),
...                       twin_towns=partners)
>>> out.loc[0, "company"], out.loc[0, "city"], bool(out.loc[0, "twin_town"])
('Leeds Kitchen Ltd', 'Leeds', True)
>>> round(out.loc[0, "distance_km"])
659
"""

from __future__ import annotations

import pandas as pd

from mobility.geo import haversine_km
from mobility.text import fold

PLACEMENT_COLUMNS = ("placement_id", "company_id", "trade", "city", "country", "lat", "lon",
                     "slots", "start", "end", "min_weeks", "max_weeks", "languages",
                     "accommodation")


def twin_town_keys(twin_towns: pd.DataFrame | None) -> set[tuple[str, str]]:
    """``(folded city, country)`` of every active or dormant twin town (suspended
    and ended partnerships open no doors)."""
    if twin_towns is None or twin_towns.empty:
        return set()
    rows = twin_towns
    if "status" in rows:
        rows = rows[~rows["status"].astype(str).isin(["suspended", "ended"])]
    return {(fold(c), str(k)) for c, k in zip(rows["partner_city"], rows["partner_country"],
                                              strict=True)}


def placement_cards(
    matches: pd.DataFrame,
    placements: pd.DataFrame,
    companies: pd.DataFrame,
    *,
    home: tuple[float, float] | None,
    twin_towns: pd.DataFrame | None,
) -> pd.DataFrame:
    """The matches with what a card shows: company name, trade, city, country,
    coordinates, places (``slots``), ``distance_km`` from ``home`` (lat, lon) and
    ``twin_town`` (the city is a twin town of the home municipality).

    Columns the matcher already provides (``distance_km``, ``twin_town``) are kept.
    """
    # The matcher's trade *component* (a number) must not hide the placement's trade name.
    if "trade" in matches and pd.api.types.is_numeric_dtype(matches["trade"]):
        matches = matches.rename(columns={"trade": "trade_component"})
    cols = [c for c in PLACEMENT_COLUMNS if c in placements and c not in
            set(matches.columns) - {"placement_id"}]
    out = matches.merge(placements[cols], on="placement_id", how="left")
    names = companies[["company_id", "name"]].rename(columns={"name": "company"})
    out = out.merge(names, on="company_id", how="left")
    out["company"] = out["company"].fillna(out["company_id"])
    if "distance_km" not in out and home is not None:
        out["distance_km"] = haversine_km(home[0], home[1], out["lat"].to_numpy(float),
                                          out["lon"].to_numpy(float)) if len(out) else []
    keys = twin_town_keys(twin_towns)
    if "twin_town" not in out:
        out["twin_town"] = [(fold(c), str(k)) in keys for c, k in
                            zip(out["city"], out["country"], strict=True)]
    else:
        out["twin_town"] = out["twin_town"].astype(bool)
    return out.reset_index(drop=True)


def search_caseload(apprentices: pd.DataFrame, *, query: str = "",
                    trades: list[str] | None = None) -> pd.DataFrame:
    """The caseload rows whose id, name, trade, home city or organisation contain
    ``query`` (case- and umlaut-insensitive), limited to ``trades`` when given.

    >>> frame = pd.DataFrame({"apprentice_id": ["A1", "A2"], "name": ["Jörg", "Ana"],
    ...                       "trade": ["Koch/Köchin", "Maler/in"],
    ...                       "home_city": ["Köln", "Bonn"], "sending_organisation": ["", ""]})
    >>> search_caseload(frame, query="koeln")["apprentice_id"].tolist()
    ['A1']
    >>> search_caseload(frame, trades=["Maler/in"])["apprentice_id"].tolist()
    ['A2']
    """
    rows = apprentices
    if trades:
        rows = rows[rows["trade"].isin(trades)]
    needle = fold(query) if query and query.strip() else ""
    if needle:
        columns = [c for c in ("apprentice_id", "name", "trade", "home_city",
                               "sending_organisation") if c in rows]
        text = rows[columns].astype("string").fillna("").agg(" ".join, axis=1).map(fold)
        rows = rows[text.str.contains(needle, regex=False)]
    return rows


def allocation_summary(matches: pd.DataFrame) -> dict[str, object]:
    """What the adviser reads first after an allocation (the money is
    :func:`mobility.funding.budget.budget_check`'s job).

    Returns a dict with ``matched``, ``unmatched`` (counts), ``reasons`` (a table of
    unmatched apprentices per reason) and ``twin_share`` (share of matches in a twin
    town of the apprentice's home municipality; 0 when nobody is matched).

    >>> m = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"],
    ...                   "placement_id": ["P1", "P2", None],
    ...                   "twin_town": [True, False, None],
    ...                   "status": ["matched", "matched", "no acceptable placement"]})
    >>> s = allocation_summary(m)
    >>> s["matched"], s["unmatched"], s["twin_share"]
    (2, 1, 0.5)
    >>> s["reasons"].to_dict("records")
    [{'status': 'no acceptable placement', 'count': 1}]
    """
    placed = matches["placement_id"].notna()
    matched = int(placed.sum())
    reasons = (matches.loc[~placed, "status"].astype(str).value_counts()
               .rename_axis("status").reset_index(name="count"))
    twin = matches.loc[placed, "twin_town"].fillna(False).astype(bool)
    return {"matched": matched, "unmatched": int((~placed).sum()), "reasons": reasons,
            "twin_share": float(twin.mean()) if matched else 0.0}


# ---------------------------------------------------------------------------
# Municipality: aggregates only, small counts suppressed
# ---------------------------------------------------------------------------


def _in_cities(frame: pd.DataFrame, city_col: str, country_col: str,
               partners: pd.DataFrame) -> pd.Series:
    keys = {(fold(c), str(k)) for c, k in zip(partners["partner_city"],
                                              partners["partner_country"], strict=True)}
    return pd.Series([(fold(c), str(k)) in keys for c, k in
                      zip(frame[city_col], frame[country_col], strict=True)],
                     index=frame.index, dtype=bool)


def _home_rows(apprentices: pd.DataFrame, city: str) -> pd.DataFrame:
    return apprentices[apprentices["home_city"].astype("string").fillna("").map(fold) == fold(city)]


def partner_reach(partners: pd.DataFrame, *, city: str, apprentices: pd.DataFrame,
                  placements: pd.DataFrame, companies: pd.DataFrame,
                  shortlist: pd.DataFrame) -> pd.DataFrame:
    """Per partner city of ``city``: host companies, open places (free slots), and how
    many of ``city``'s apprentices are placed (confirmed, completed or planned) or shortlisted
    there, counts of people suppressed below 5 by
    :func:`mobility.auth.aggregates.suppress_small_counts`. No names, no ids.

    Returns columns ``partner_city, partner_country, status, host_companies,
    open_places, placed, shortlisted`` plus ``suppressed_placed`` and
    ``suppressed_shortlisted`` flags (``placed``/``shortlisted`` are ``<NA>`` when
    suppressed).
    """
    from mobility.auth.aggregates import suppress_small_counts

    out = partners[["partner_city", "partner_country", "status"]].copy().reset_index(drop=True)
    key = [(fold(c), str(k)) for c, k in zip(out["partner_city"], out["partner_country"],
                                             strict=True)]

    def per_city(frame: pd.DataFrame, city_col: str, country_col: str, values: pd.Series):
        sums: dict[tuple[str, str], float] = {}
        for c, k, v in zip(frame[city_col], frame[country_col], values, strict=True):
            sums[(fold(c), str(k))] = sums.get((fold(c), str(k)), 0) + v
        return [int(sums.get(k, 0)) for k in key]

    out["host_companies"] = per_city(companies, "city", "country",
                                     pd.Series(1, index=companies.index))
    out["open_places"] = per_city(placements, "city", "country", placements["slots"])
    own = set(_home_rows(apprentices, city)["apprentice_id"].astype(str))
    entries = shortlist.loc[shortlist["apprentice_id"].astype(str).isin(own),
                            ["apprentice_id", "placement_id", "status"]]
    entries = entries.merge(placements[["placement_id", "city", "country"]], on="placement_id",
                            how="inner")
    # Placed: confirmed or completed, or planned in an organisation's working plan
    # (adopted allocation, manual override): see auth.aggregates.placement_status_rows.
    placed_mask = entries["status"].isin(["confirmed", "completed", "planned"])
    for column, rows in (("placed", entries[placed_mask]),
                         ("shortlisted",
                          entries[entries["status"].isin(["suggested", "contacted"])])):
        # Count people, not entries: one apprentice shortlisted twice in a city is one.
        people = rows.drop_duplicates(["apprentice_id", "city", "country"])
        out[column] = per_city(people, "city", "country", pd.Series(1, index=people.index))
        suppressed = suppress_small_counts(out, column)
        out[column] = suppressed[column]
        out[f"suppressed_{column}"] = suppressed["suppressed"]
    return out


def places_by_trade(partners: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    """Open places (free slots) in the partner cities per city and trade."""
    rows = placements[_in_cities(placements, "city", "country", partners)]
    return (rows.groupby(["city", "trade"], as_index=False)["slots"].sum()
            .rename(columns={"slots": "open_places"})
            .sort_values(["city", "open_places"], ascending=[True, False]))


def top_trades(by_trade: pd.DataFrame, n: int, other: str) -> pd.DataFrame:
    """:func:`places_by_trade` for a chart: the ``n`` trades with most open places over
    all cities keep their own colour, the rest are summed per city as ``other`` (a
    stacked bar of eighty trades is unreadable, and slow to draw).

    >>> frame = pd.DataFrame({"city": ["Leeds", "Leeds", "Lille"],
    ...                       "trade": ["Koch", "Maurer", "Friseur"],
    ...                       "open_places": [5, 1, 2]})
    >>> top_trades(frame, 1, "others").values.tolist()
    [['Leeds', 'Koch', 5], ['Leeds', 'others', 1], ['Lille', 'others', 2]]
    """
    totals = by_trade.groupby("trade")["open_places"].sum()
    keep = set(totals.sort_values(ascending=False, kind="stable").index[:n])
    shaped = by_trade.assign(trade=by_trade["trade"].where(by_trade["trade"].isin(keep), other))
    out = shaped.groupby(["city", "trade"], as_index=False, sort=False)["open_places"].sum()
    rank = {trade: i for i, trade in enumerate([*totals.loc[list(keep)]
                                                .sort_values(ascending=False, kind="stable")
                                                .index, other])}
    return (out.assign(_rank=out["trade"].map(rank)).sort_values(["city", "_rank"])
            .drop(columns="_rank").reset_index(drop=True))


def trade_gaps(partners: pd.DataFrame, *, city: str, apprentices: pd.DataFrame,
               placements: pd.DataFrame) -> pd.DataFrame:
    """Trades ``city``'s apprentices train in that no partner city offers, with how
    many apprentices train in each (suppressed below 5)."""
    from mobility.auth.aggregates import suppress_small_counts

    offered = set(placements.loc[_in_cities(placements, "city", "country", partners), "trade"])
    local = _home_rows(apprentices, city)
    counts = local.groupby("trade").size().rename("count").reset_index()
    gaps = counts[~counts["trade"].isin(offered)].reset_index(drop=True)
    return suppress_small_counts(gaps, "count")


def _folded(values: pd.Series) -> pd.Series:
    """:func:`mobility.text.fold` of each value, computed once per distinct value."""
    text = values.astype("string").fillna("")
    return text.map({value: fold(value) for value in pd.unique(text)})


def municipality_comparison(partnerships: pd.DataFrame, apprentices: pd.DataFrame,
                            placements: pd.DataFrame) -> pd.DataFrame:
    """Per home municipality: partnerships (active ones separately), apprentices
    (suppressed below 5) and open places in its partner cities (each partner city
    counted once).

    Vectorised: every name is folded once, not once per municipality (with all of
    Germany's 5,000 partnerships the loop it replaces took minutes).

    >>> partners = pd.DataFrame({"home_city": ["Köln", "Köln", "Bonn"],
    ...     "partner_city": ["Lille", "Lille", "Oxford"], "partner_country": ["FR"] * 2 + ["GB"],
    ...     "status": ["active", "dormant", "active"]})
    >>> people = pd.DataFrame({"home_city": ["KÖLN"] * 6})
    >>> offers = pd.DataFrame({"city": ["Lille", "Oxford"], "country": ["FR", "GB"],
    ...                        "slots": [3, 2]})
    >>> municipality_comparison(partners, people, offers)[
    ...     ["municipality", "partnerships", "active", "apprentices", "places_in_partners"]
    ... ].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'municipality': 'Bonn', 'partnerships': 1, 'active': 1, 'apprentices': 0,
      'places_in_partners': 2},
     {'municipality': 'Köln', 'partnerships': 2, 'active': 1, 'apprentices': 6,
      'places_in_partners': 3}]
    """
    from mobility.auth.aggregates import suppress_small_counts

    columns = ["municipality", "partnerships", "active", "apprentices", "places_in_partners"]
    if partnerships.empty:
        return suppress_small_counts(pd.DataFrame(columns=columns), "apprentices")
    rows = pd.DataFrame({
        "home": partnerships["home_city"].astype("string"),
        "key": _folded(partnerships["partner_city"]) + "\x1f"
        + partnerships["partner_country"].astype("string").fillna(""),
        "active": (partnerships["status"].astype("string") == "active").fillna(False)})
    rows = rows[rows["home"].notna()]
    place_keys = (_folded(placements["city"]) + "\x1f"
                  + placements["country"].astype("string").fillna(""))
    slots = placements["slots"].astype(float).groupby(place_keys.to_numpy()).sum()
    distinct = rows.drop_duplicates(["home", "key"])
    places = distinct["key"].map(slots).fillna(0).groupby(distinct["home"]).sum()
    grouped = rows.groupby("home", sort=True)
    table = pd.DataFrame({"partnerships": grouped.size(),
                          "active": grouped["active"].sum().astype(int)})
    table.index.name = "municipality"
    table = table.reset_index()
    people = _folded(apprentices["home_city"]).value_counts() if len(apprentices) else {}
    table["apprentices"] = [int(people.get(fold(str(h)), 0)) for h in table["municipality"]]
    table["places_in_partners"] = [int(places.get(h, 0)) for h in table["municipality"]]
    table["municipality"] = table["municipality"].astype(str)
    return suppress_small_counts(table[columns], "apprentices")


def partnerships_by_year(partners: pd.DataFrame) -> pd.DataFrame:
    """Cumulative number of partnerships by founding year (years unknown left out)."""
    years = partners["since_year"].dropna().astype(int)
    counts = years.value_counts().sort_index()
    return pd.DataFrame({"year": counts.index, "partnerships": counts.cumsum().to_numpy()})


# ---------------------------------------------------------------------------
# Placement cards: near-duplicates collapsed, estimate parts readable
# ---------------------------------------------------------------------------

#: What makes two offers the same for a reader: same host, trade, city and window.
SAME_OFFER = ("company", "trade", "city", "country", "start", "end")


def collapse_offers(cards: pd.DataFrame) -> pd.DataFrame:
    """One row per offer a reader can tell apart: rows with the same company, trade,
    city and dates become one (the best-scored, in the incoming order), with
    ``offers`` (how many were combined), ``slots`` summed and ``placement_ids``
    (all of them, ';'-joined).

    >>> cards = pd.DataFrame({"placement_id": ["P1", "P2", "P3"],
    ...     "company": ["Leeds Joinery", "Leeds Joinery", "Atelier"],
    ...     "trade": ["Tischler/in"] * 3, "city": ["Leeds", "Leeds", "Amiens"],
    ...     "country": ["GB", "GB", "FR"], "start": ["2027-03-01"] * 3,
    ...     "end": ["2027-09-30"] * 3, "slots": [1, 2, 1], "score": [0.9, 0.8, 0.7]})
    >>> out = collapse_offers(cards)
    >>> out[["placement_id", "offers", "slots", "placement_ids"]].to_dict("records")
    [{'placement_id': 'P1', 'offers': 2, 'slots': 3, 'placement_ids': 'P1;P2'}, \
{'placement_id': 'P3', 'offers': 1, 'slots': 1, 'placement_ids': 'P3'}]
    """
    if cards.empty:
        return cards.assign(offers=pd.Series(dtype=int), placement_ids=pd.Series(dtype=str))
    keys = [c for c in SAME_OFFER if c in cards]
    group = cards[keys].astype("string").fillna("").agg("\x1f".join, axis=1)
    first = ~group.duplicated()
    out = cards[first].copy()
    out["offers"] = group[first].map(group.value_counts()).astype(int).to_numpy()
    if "slots" in cards:
        out["slots"] = group[first].map(cards.groupby(group)["slots"].sum()).astype(int)
    ids = cards.groupby(group)["placement_id"].agg(lambda v: ";".join(map(str, v)))
    out["placement_ids"] = group[first].map(ids).to_numpy()
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Budget plan in sentences
# ---------------------------------------------------------------------------


def budget_sentences(suggestions: pd.DataFrame, lang: str, *, apprentices: pd.DataFrame,
                     placements: pd.DataFrame, companies: pd.DataFrame) -> list[str]:
    """The steps of :func:`mobility.funding.budget.budget_check` as sentences in
    ``lang``, naming people and hosts (never ids where a name is known) and the
    programme by its short name.

    >>> from mobility.funding.budget import SUGGESTION_COLUMNS
    >>> steps = pd.DataFrame([{"step": 1, "action": "move", "apprentice_id": "A1",
    ...     "placement_id": "P1", "from_programme": "erasmus_short",
    ...     "to_programme": "dfjw_internship", "saves_eur": 750.0,
    ...     "total_after_eur": 100.0, "basis": "", "reason": ""}])
    >>> people = pd.DataFrame({"apprentice_id": ["A1"], "name": ["Ana Schulz"]})
    >>> places = pd.DataFrame({"placement_id": ["P1"], "company_id": ["C1"],
    ...                        "city": ["Amiens"]})
    >>> hosts = pd.DataFrame({"company_id": ["C1"], "name": ["Atelier Bois"]})
    >>> budget_sentences(steps, "en", apprentices=people, placements=places,
    ...                  companies=hosts)
    ['1. Moving Ana Schulz (Atelier Bois, Amiens) to DFJW internship scholarship saves €750.']
    >>> print(budget_sentences(steps, "de", apprentices=people, placements=places,
    ...                        companies=hosts)[0])  # doctest: +NORMALIZE_WHITESPACE
    1. Wenn Ana Schulz (Atelier Bois, Amiens) über DFJW internship scholarship
    gefördert wird, spart das 750 €.
    """
    from mobility.i18n import t
    from mobility.reference.programmes import get_rule

    names = _person_names(apprentices)
    hosts = dict(zip(companies["company_id"], companies["name"], strict=True)) \
        if "name" in companies else {}
    where = {row.placement_id: (hosts.get(row.company_id, row.company_id), row.city)
             for row in placements[["placement_id", "company_id", "city"]]
             .itertuples(index=False)}
    lines = []
    for step in suggestions.itertuples(index=False):
        person = names.get(step.apprentice_id, step.apprentice_id)
        host, city = where.get(step.placement_id, (step.placement_id, ""))
        place = f"{host}, {city}" if city else str(host)
        eur = t("common.eur", lang, eur=float(step.saves_eur))
        if step.action == "move":
            try:
                programme = get_rule(str(step.to_programme)).short_name
            except (KeyError, LookupError, ValueError):
                programme = str(step.to_programme)
            text = t("budget.move", lang, name=person, place=place, programme=programme,
                     eur=eur)
        else:
            basis = getattr(step, "basis", "") or "cost"
            text = t(f"budget.drop_{basis}", lang, name=person, place=place, eur=eur)
        lines.append(f"{int(step.step)}. {text}")
    return lines


def _person_names(apprentices: pd.DataFrame) -> dict[str, str]:
    """``apprentice_id -> name`` from ``name`` or ``first_name``/``last_name``."""
    if "name" in apprentices:
        full = apprentices["name"].astype("string")
    elif {"first_name", "last_name"} <= set(apprentices.columns):
        full = (apprentices["first_name"].astype("string").fillna("") + " "
                + apprentices["last_name"].astype("string").fillna("")).str.strip()
    else:
        return {}
    return {str(k): str(v) for k, v in zip(apprentices["apprentice_id"], full, strict=True)
            if isinstance(v, str) and v}


#: Columns holding one ISO 3166 country code, and ";"-separated lists of them.
COUNTRY_COLUMNS = ("home_country", "country", "partner_country")
COUNTRY_LIST_COLUMNS = ("preferred_countries",)


def readable_codes(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` for reading: country codes as country names (CLDR, in ``lang``) and
    ``languages`` ("de:native;en:B1") as names with levels; the data keep their codes
    (exports and saves use the frame as read, not this one).

    >>> frame = pd.DataFrame({"home_country": ["DE"], "preferred_countries": ["GB;IE"],
    ...                       "languages": ["de:native;en:B1"]})
    >>> readable_codes(frame, "de").iloc[0].tolist()
    ['Deutschland', 'Vereinigtes Königreich, Irland', 'Deutsch (Muttersprache), Englisch B1']
    """
    from mobility.i18n import country_name, language_name, t
    from mobility.models import parse_languages

    def countries(text: object) -> str:
        codes = [c for c in str(text).split(";") if c.strip()] if isinstance(text, str) else []
        return ", ".join(country_name(c.strip(), lang) for c in codes)

    def languages(text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            return ""
        return ", ".join(
            f"{language_name(s.language, lang)} "
            + (f"({t('explain.level.native', lang)})" if s.level.label == "native"
               else s.level.label)
            for s in parse_languages(text))

    out = frame.copy()
    for column in out.columns:
        if column in COUNTRY_COLUMNS or column in COUNTRY_LIST_COLUMNS:
            name = countries
        elif column == "languages":
            name = languages
        else:
            continue
        # Each distinct value once: a caseload repeats a few dozen of them.
        names = {value: name(value) for value in out[column].dropna().unique()}
        out[column] = out[column].map(names).astype("string")
    return out
