"""Grant estimates: Erasmus+ unit costs part by part, and what other programmes state.

An Erasmus+ VET estimate has five parts, each computed from a versioned table and
naming it:

- **travel**: the one-way great-circle distance from home to the placement city picks
  the band; the band's amount pays the whole return trip. Green travel (train, bus,
  car-pooling) from 100 km gets the band's green amount and up to 6 funded travel days
  instead of 2.
- **individual support**: (days + funded travel days) x the daily rate of the
  destination's country group, in full up to day 14 and reduced from day 15. The daily
  rates are *unknown* until an administrator enters them (:mod:`mobility.funding.rates`):
  until then this part is ``missing`` and the total is a lower bound.
- **organisational support** per participant; **linguistic support** for long-term
  stays (90 days and more); **inclusion support** for participants with fewer
  opportunities.

Other programmes: the DFJW scholarship follows its stated scale, the Baden-Württemberg
stipend its indicative monthly amount; for the rest the sources give no amounts, so
their estimate is one ``missing`` part pointing at the source.

Examples
--------
>>> from mobility.funding.eligibility import FundingContext
>>> from mobility.funding.estimate import estimate_erasmus
>>> ctx = FundingContext.from_names("Dortmund,DE", "Lille,FR", days=21)
>>> est = estimate_erasmus(ctx, daily_rates=None)
>>> [(p.part, p.amount_eur) for p in est.parts][:3]
[('travel', 180.0), ('individual_support', None), ('organisational_support', 350.0)]
>>> est.total_known_eur, est.missing
(530.0, ('individual_support',))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.funding.eligibility import (
    FundingContext,
    StayArrays,
    _place_keys,
    accreditation_condition,
    eligibility,
    eligible_matrix,
    home_region,
    twin_town_flags,
)
from mobility.funding.match_texts import (
    ERASMUS_PARTS,
    accreditation_flags,
    depends_on_accreditation,
    erasmus_labels,
    parts_text,
)
from mobility.funding.match_texts import why_not as why_not_texts
from mobility.funding.rates import (
    DailyRateTable,
    current_group_table,
    current_travel_bands,
    current_unit_costs,
    default_rate_store,
)
from mobility.geo import haversine_km
from mobility.models import City
from mobility.progress import ProgressCallback, Stages
from mobility.reference.erasmus import (
    DEFAULT_TRAVEL_TABLE,
    GroupTable,
    TravelBands,
    UnitCost,
    erasmus_rules,
    group_table,
    programme_countries,
)
from mobility.reference.programmes import (
    ParticipantStatus,
    ProgrammeRule,
    amount_scales,
    get_rule,
    programme_rules,
    scale_amount,
)

#: ``daily_rates="stored"`` means: the newest table the administrator saved.
RatesArg = DailyRateTable | None | Literal["stored"]


@dataclass(frozen=True, slots=True)
class EstimatePart:
    """One part of an estimate.

    ``status`` is ``computed`` (amount from a sourced table), ``indicative`` (a rough
    amount a source states), ``missing`` (the figure is unknown: amount None) or
    ``not_applicable`` (this part does not apply to the stay: amount 0).
    """

    part: str
    amount_eur: float | None
    status: str
    detail: str
    table: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"part": self.part, "amount_eur": self.amount_eur, "status": self.status,
                "detail": self.detail, "table": self.table, "source": self.source}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A programme's estimate for one stay, part by part."""

    programme_key: str
    programme: str
    parts: tuple[EstimatePart, ...]
    #: Conditions the funding depends on, as codes translated by
    #: ``t(f"funding.condition.{code}")``: ``"accredited"`` for a non-associated third
    #: country (only accredited organisations, within their 20% international budget).
    conditions: tuple[str, ...] = ()

    @property
    def total_known_eur(self) -> float:
        """Sum of the parts whose amount is known (a lower bound when parts are missing)."""
        return float(sum(p.amount_eur for p in self.parts if p.amount_eur is not None))

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the parts whose amount is unknown."""
        return tuple(p.part for p in self.parts if p.status == "missing")

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, object]:
        return {"programme_key": self.programme_key, "programme": self.programme,
                "total_known_eur": self.total_known_eur, "complete": self.complete,
                "missing": list(self.missing), "conditions": list(self.conditions),
                "parts": [p.as_dict() for p in self.parts]}

    def to_frame(self) -> pd.DataFrame:
        """The parts as a table (``part, amount_eur, status, detail, table, source``)."""
        return pd.DataFrame([p.as_dict() for p in self.parts]).astype(
            {"part": "string", "amount_eur": "float64", "status": "string",
             "detail": "string", "table": "string", "source": "string"})


def _resolve_rates(daily_rates: RatesArg) -> DailyRateTable | None:
    if isinstance(daily_rates, str):
        if daily_rates != "stored":
            raise ValidationError(f"daily_rates must be a DailyRateTable, None or 'stored', "
                                  f"not {daily_rates!r}")
        return default_rate_store().load()
    return daily_rates


# ---------------------------------------------------------------------------
# The arithmetic, over arrays (one place for the scalar and the vectorised path)
# ---------------------------------------------------------------------------


def erasmus_amounts(distance_km: object, days: object, country: object, green: object,
                    fewer: object, *, bands: TravelBands, daily_rates: DailyRateTable | None,
                    unit_costs: Mapping[str, UnitCost],
                    groups: GroupTable | None = None) -> dict[str, np.ndarray]:
    """The Erasmus+ parts for many stays at once.

    ``groups`` is the country-group table (default: :data:`DEFAULT_GROUP_TABLE`).

    Returns arrays: ``band`` (index, -1 below 10 km), ``green_paid`` (green amount
    used), ``travel_days``, ``funded_days``, ``group`` (0 = none) and one amount per
    part of :data:`ERASMUS_PARTS` (individual support NaN where the rate is unknown).
    """
    rules = erasmus_rules()
    dist = np.asarray(distance_km, dtype=float)
    days_arr = np.asarray(days, dtype=float)
    green_arr = np.broadcast_to(np.asarray(green, dtype=bool), dist.shape)
    fewer_arr = np.broadcast_to(np.asarray(fewer, dtype=bool), dist.shape)
    band = bands.band_index(dist).reshape(dist.shape)
    has_band = band >= 0
    safe = np.clip(band, 0, None)
    green_counts = green_arr & (dist >= rules["green_from_km"].value)
    green_amount = bands.green_eur[safe]
    green_paid = green_counts & has_band & ~np.isnan(green_amount)
    travel = np.where(has_band, np.where(green_paid, green_amount, bands.standard_eur[safe]), 0.0)
    travel_days = np.where(green_counts, rules["green_travel_days"].value,
                           rules["standard_travel_days"].value)
    funded_days = days_arr + travel_days
    groups = groups or group_table()
    group = groups.group_array(np.asarray(country, dtype=object).ravel()).reshape(dist.shape)
    if daily_rates is None:
        individual = np.full(dist.shape, np.nan)
    else:  # group 0 (no group) looks up NaN: unknown, never zero
        full_days = rules["full_rate_days"].value
        individual = (daily_rates.full_rate(group) * np.minimum(funded_days, full_days)
                      + daily_rates.reduced_rate(group) * np.maximum(funded_days - full_days, 0))
    organisational = np.full(dist.shape, unit_costs["organisational support"].amount_eur)
    long_term = days_arr >= rules["long_term_from_days"].value
    linguistic = np.where(long_term, unit_costs["linguistic support"].amount_eur, 0.0)
    inclusion = np.where(fewer_arr,
                         unit_costs["inclusion support for organisations"].amount_eur, 0.0)
    return {"band": band, "green_paid": green_paid, "travel_days": travel_days,
            "funded_days": funded_days, "group": group, "travel": travel,
            "individual_support": individual, "organisational_support": organisational,
            "linguistic_support": linguistic, "inclusion_support": inclusion}


# ---------------------------------------------------------------------------
# One stay
# ---------------------------------------------------------------------------


def estimate_erasmus(context: FundingContext, *, daily_rates: RatesArg = "stored",
                     travel_table: str = DEFAULT_TRAVEL_TABLE,
                     call_year: int | None = None,
                     group_table: str | None = None) -> Estimate:
    """The Erasmus+ VET estimate for one stay, part by part, each naming its table.

    Parameters
    ----------
    context : FundingContext
        The stay (distance, days, destination, green travel, fewer opportunities).
    daily_rates : DailyRateTable, None or "stored"
        The administrator's daily rates; ``"stored"`` (default) loads the newest saved
        table, None computes without (individual support is then ``missing``).
    travel_table : {"travel_support", "travel_support_alt"}
        Which travel table to use. ``travel_support`` (default) is the one the sources
        tie to KA1 VET; which applies in the current call is not verified.
    call_year : int, optional
        Version of the travel table (default: its newest).
    group_table : str, optional
        The country-group table of individual support (default: the one an
        administrator selected, else :data:`DEFAULT_GROUP_TABLE`; the 2024 regrouping,
        unverified for VET, applies only when selected or asked for here).

    Returns
    -------
    Estimate
        Short-term or long-term (ErasmusPro) by the number of days. For a destination
        outside the programme countries (United Kingdom, Switzerland, USA, ...) the
        amounts hold on the condition ``"accredited"`` (:attr:`Estimate.conditions`):
        the same unit costs, only for accredited organisations, within their 20%
        international budget.
    """
    rates = _resolve_rates(daily_rates)
    bands = current_travel_bands(travel_table, call_year)
    costs = current_unit_costs(call_year)
    groups = current_group_table(group_table)
    rules = erasmus_rules()
    dest = context.destination
    got = erasmus_amounts([context.distance_km], [context.days], [dest.country],
                          [context.green_travel], [context.fewer_opportunities],
                          bands=bands, daily_rates=rates, unit_costs=costs, groups=groups)
    band, travel_days = int(got["band"][0]), int(got["travel_days"][0])
    funded = int(got["funded_days"][0])
    km = f"{context.distance_km:,.0f} km one-way (great circle)"
    band_rows = bands.source
    if band < 0:
        travel = EstimatePart("travel", 0.0, "not_applicable",
                              f"{km}: below the first distance band (10 km), no travel support",
                              bands.table_label, band_rows)
    else:
        label = bands.band_label(band)
        if got["green_paid"][0]:
            how = f"green travel amount, {travel_days} funded travel days"
        elif context.green_travel and context.distance_km < rules["green_from_km"].value:
            how = (f"green travel counts from {rules['green_from_km'].value:.0f} km: standard "
                   f"amount, {travel_days} travel days")
        elif context.green_travel:
            how = (f"the table has no green amount for {label}: standard amount, "
                   f"{travel_days} travel days")
        else:
            how = f"standard amount, {travel_days} funded travel days"
        travel = EstimatePart("travel", float(got["travel"][0]), "computed",
                              f"{km} -> band {label}; pays the return trip ({how})",
                              bands.table_label, band_rows)

    group = groups.group(dest.country)
    days_text = f"{context.days} days + {travel_days} travel days = {funded} funded days"
    full_days = int(rules["full_rate_days"].value)
    rate_label = rates.label if rates else "daily rates: none entered"
    if group is None:
        individual = EstimatePart(
            "individual_support", None, "missing",
            f"{dest.country} has no individual-support country group in {groups.name}: the "
            f"daily rate for this destination is unknown; {days_text}",
            f"{rate_label}; {groups.label}", groups.source)
    elif rates is None or np.isnan(got["individual_support"][0]):
        why = ("no daily rates entered yet" if rates is None
               else f"the daily rate table has no rate for group {group}")
        individual = EstimatePart(
            "individual_support", None, "missing",
            f"{why}: an administrator enters the national agency's daily rates for VET "
            f"learners (per country group) in the settings; {dest.country} is group {group}; "
            f"{days_text}", f"{rate_label}; {groups.label}",
            "no public source found for the VET learner daily rates")
    else:
        full = float(rates.full_rate([group])[0])
        reduced = float(rates.reduced_rate([group])[0])
        rule = rules["reduced_rate_fraction"]
        how = ("entered reduced rate" if group in rates.reduced_rates
               else f"{rule.value:.0%} of the daily rate from day {full_days + 1} "
                    f"({rule.source_row}, confidence {rule.confidence})")
        individual = EstimatePart(
            "individual_support", float(got["individual_support"][0]), "computed",
            f"{days_text}: {min(funded, full_days)} x {full:.2f} + "
            f"{max(funded - full_days, 0)} x {reduced:.2f} EUR (group {group}; {how})",
            f"{rates.label}; {groups.label}", rates.source)

    org = costs["organisational support"]
    organisational = EstimatePart("organisational_support", float(got["organisational_support"][0]),
                                  "computed", f"per participant ({org.applies_to})", org.label,
                                  org.source)
    ling = costs["linguistic support"]
    long_from = int(rules["long_term_from_days"].value)
    if context.days >= long_from:
        linguistic = EstimatePart("linguistic_support", float(got["linguistic_support"][0]),
                                  "computed", f"long-term stay ({long_from} days or more)",
                                  ling.label, ling.source)
    else:
        linguistic = EstimatePart("linguistic_support", 0.0, "not_applicable",
                                  f"short-term stays use the Online Language Support (OLS); "
                                  f"{ling.amount_eur:.0f} EUR only where OLS lacks the language",
                                  ling.label, ling.source)
    inc = costs["inclusion support for organisations"]
    if context.fewer_opportunities:
        inclusion = EstimatePart("inclusion_support", float(got["inclusion_support"][0]),
                                 "computed", "to the organisation, per participant with fewer "
                                 "opportunities; the participant's extra costs are reimbursed "
                                 "as real costs (not estimated)", inc.label, inc.source)
    else:
        inclusion = EstimatePart("inclusion_support", 0.0, "not_applicable",
                                 "only for participants with fewer opportunities", inc.label,
                                 inc.source)
    key = "erasmus_pro" if context.days >= long_from else "erasmus_short"
    outside = dest.country not in programme_countries() and dest.country != context.home.country
    return Estimate(key, get_rule(key).name,
                    (travel, individual, organisational, linguistic, inclusion),
                    conditions=("accredited",) if outside else ())


def estimate_programme(programme: str | ProgrammeRule, context: FundingContext, *,
                       daily_rates: RatesArg = "stored",
                       travel_table: str = DEFAULT_TRAVEL_TABLE,
                       call_year: int | None = None,
                       group_table: str | None = None) -> Estimate:
    """The estimate of any programme for one stay (see the module docstring)."""
    rule = get_rule(programme) if isinstance(programme, str) else programme
    if rule.is_erasmus:
        est = estimate_erasmus(context, daily_rates=daily_rates, travel_table=travel_table,
                               call_year=call_year, group_table=group_table)
        return Estimate(rule.key, rule.name, est.parts, est.conditions)
    source = f"{rule.source_row}: {rule.source}"
    if rule.amounts:
        steps = amount_scales()
        steps = steps[steps["scale"] == rule.amounts]
        amount = float(scale_amount(rule.amounts, context.days)[0])
        kind = str(steps["kind"].iat[0])
        status = "indicative" if kind.startswith("indicative") else "computed"
        if np.isnan(amount):
            first = int(steps["min_days"].min())
            main = EstimatePart(kind, None, "missing",
                                f"the stated scale starts at {first} days; no amount is "
                                f"stated for {context.days} days", "programme_amounts.csv",
                                source)
        else:
            step = steps[(steps["min_days"] <= context.days)
                         & ~(steps["max_days"] < context.days)].iloc[-1]
            main = EstimatePart(kind, amount, status,
                                f"{context.days} days: {step['note']} "
                                f"(confidence {step['confidence']})",
                                f"programme_amounts.csv ({rule.amounts})", str(step["source"]))
        parts = [main]
        if "travel subsidy" in rule.funding_form:
            parts.append(EstimatePart("travel_subsidy", None, "missing",
                                      "flat, distance-based travel subsidy: amounts not in "
                                      "the sources", "", source))
        return Estimate(rule.key, rule.name, tuple(parts))
    return Estimate(rule.key, rule.name, (EstimatePart(
        "grant", None, "missing", f"{rule.funding_form}: amounts not in the sources "
        f"({rule.note})" if rule.note else f"{rule.funding_form}: amounts not in the sources",
        "", source),))


def funding_report(context: FundingContext, *, daily_rates: RatesArg = "stored",
                   travel_table: str = DEFAULT_TRAVEL_TABLE,
                   call_year: int | None = None, group_table: str | None = None,
                   lang: str = "en") -> dict[str, object]:
    """Everything about one stay as plain data (what ``mobility funding --json`` prints):
    distance, band, twin town, every programme with eligibility (reasons, caveats and
    conditions as sentences in ``lang``), and the estimate of each eligible one, and of
    one that only depends on the organisation's accreditation (``depends_on_accreditation``:
    what it would pay if the organisation is accredited)."""
    rates = _resolve_rates(daily_rates)
    bands = current_travel_bands(travel_table, call_year)
    groups = current_group_table(group_table)
    band = int(bands.band_index([context.distance_km])[0])
    table = eligibility(context, lang=lang)
    programmes = []
    for row in table.itertuples(index=False):
        item: dict[str, object] = {
            "key": row.programme_key, "name": row.programme, "eligible": bool(row.eligible),
            "reason": row.reason, "caveats": row.caveats, "conditions": row.conditions,
            "depends_on_accreditation": bool(row.depends_on_accreditation),
            "source": row.source}
        if row.eligible or row.depends_on_accreditation:
            item["estimate"] = estimate_programme(
                str(row.programme_key), context, daily_rates=rates,
                travel_table=travel_table, call_year=call_year,
                group_table=groups.name).as_dict()
        programmes.append(item)
    return {
        "from": {"city": context.home.name, "country": context.home.country,
                 "lat": context.home.lat, "lon": context.home.lon, "region": context.region},
        "to": {"city": context.destination.name, "country": context.destination.country,
               "lat": context.destination.lat, "lon": context.destination.lon},
        "distance_km": round(context.distance_km, 1),
        "distance_band": bands.band_label(band),
        "travel_table": bands.table_label,
        "days": context.days, "green_travel": context.green_travel,
        "fewer_opportunities": context.fewer_opportunities,
        "status": str(context.status), "age": context.age, "twin_town": context.twin_town,
        "daily_rates": rates.label if rates else None,
        "group_table": groups.label,
        "accredited": context.accredited,
        "lang": lang,
        "eligible": [p["key"] for p in programmes if p["eligible"]],
        "programmes": programmes,
    }


# ---------------------------------------------------------------------------
# Many matches at once
# ---------------------------------------------------------------------------

#: Columns :func:`estimate_for_matches` adds, with what they mean.
MATCH_FUNDING_COLUMNS: dict[str, str] = {
    "distance_km": "one-way great-circle distance home -> placement city",
    "distance_band": "Erasmus+ travel band of that distance",
    "twin_town": "placement city is a twin town of the apprentice's home city",
    "funding_days": "days of the stay used for eligibility and estimates",
    "eligible_programmes": "';'-joined keys of the eligible programmes, by priority",
    "funding_programme": "the first eligible programme (priority order), <NA> if none",
    "erasmus_travel_eur": "Erasmus+ travel (NaN where Erasmus+ is not eligible)",
    "erasmus_individual_eur": "Erasmus+ individual support (NaN: not eligible or rates unknown)",
    "erasmus_organisational_eur": "Erasmus+ organisational support",
    "erasmus_linguistic_eur": "Erasmus+ linguistic support (long-term stays)",
    "erasmus_inclusion_eur": "Erasmus+ inclusion support (fewer opportunities)",
    "funding_estimate_eur": "known amount for funding_programme (lower bound if parts missing)",
    "funding_missing": "parts of that estimate that are unknown, ';'-joined",
    "funding_complete": "True when no part of the estimate is missing",
    "funding_tables": "the tables the estimate used (name, call year); Erasmus+ tables "
                      "wherever Erasmus+ fits, also next to another chosen programme",
    "erasmus_estimate_eur": "known Erasmus+ amount (sum of the Erasmus+ parts) where "
                            "Erasmus+ fits, on a condition, or would fit if the sending "
                            "organisation is accredited",
    "funding_conditions": "condition the Erasmus+ amounts hold on, as a code: 'accredited' "
                          "(only for accredited organisations, within their 20% "
                          "international budget) or 'depends_on_accreditation' (nobody "
                          "recorded whether the organisation is accredited)",
    "funding_why_not": "why each other programme does not fit (its first broken rule), "
                       "sentences in the requested language",
    "funding_parts": "the parts of the estimate shown (Erasmus+ where it fits or depends on "
                     "accreditation, else funding_programme) with amount, table and call year",
}


#: Which column of :data:`MATCH_FUNDING_COLUMNS` holds which Erasmus+ part.
_PART_COLUMNS = {"travel": "erasmus_travel_eur", "individual_support": "erasmus_individual_eur",
                 "organisational_support": "erasmus_organisational_eur",
                 "linguistic_support": "erasmus_linguistic_eur",
                 "inclusion_support": "erasmus_inclusion_eur"}


def _age_at(birth: pd.Series, day: pd.Series) -> np.ndarray:
    birth = pd.to_datetime(birth)
    day = pd.to_datetime(day)
    years = day.dt.year - birth.dt.year
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day))
    return (years - before.astype(float)).to_numpy(dtype=float, na_value=np.nan)


def _take(frame: pd.DataFrame, key: str, ids: pd.Series, what: str) -> pd.DataFrame:
    index = pd.Index(frame[key].astype(str))
    pos = index.get_indexer(ids.astype(str))
    if (pos < 0).any():
        unknown = sorted(set(ids.astype(str)[pos < 0]))[:5]
        raise ValidationError(f"matches name {what} that are not in the {what} table: "
                              f"{', '.join(unknown)}")
    return frame.iloc[pos].reset_index(drop=True)


def join_stays(matches: pd.DataFrame, apprentices: pd.DataFrame, placements: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, pd.Series]:
    """Line up each match with its apprentice and placement rows, and work out the stay.

    Returns ``(apprentice rows, placement rows, days, start)`` aligned with ``matches``
    (positional, index reset).

    ``days``: the matcher's ``stay_days`` (inclusive day count of the stay it chose,
    inside both the apprentice's availability and the placement's window), else the
    ``days`` column, else ``weeks`` x 7, else the apprentice's desired weeks clipped to
    the placement's min/max weeks, x 7. ``start``: the matcher's ``stay_start``, else
    the ``start`` column, else the later of the apprentice's ``available_from`` and the
    placement's ``start``. A row whose ``stay_days``/``stay_start`` is empty falls back
    to the next rule.
    """
    app = _take(apprentices, "apprentice_id", matches["apprentice_id"], "apprentices")
    plc = _take(placements, "placement_id", matches["placement_id"], "placements")
    if "days" in matches:
        days = matches["days"].to_numpy(dtype=float)
    elif "weeks" in matches:
        days = matches["weeks"].to_numpy(dtype=float) * 7
    else:
        weeks = np.clip(app["desired_weeks"].to_numpy(float), plc["min_weeks"].to_numpy(float),
                        plc["max_weeks"].to_numpy(float))
        days = weeks * 7
    if "stay_days" in matches:
        given = pd.to_numeric(matches["stay_days"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        days = np.where(np.isnan(given), days, given)
    if "start" in matches:
        start = pd.Series(pd.to_datetime(matches["start"]).to_numpy())
    else:
        start = pd.Series(np.maximum(pd.to_datetime(app["available_from"]).to_numpy(),
                                     pd.to_datetime(plc["start"]).to_numpy()))
    if "stay_start" in matches:
        chosen = pd.Series(pd.to_datetime(matches["stay_start"]).to_numpy())
        start = chosen.where(chosen.notna(), start)
    return app, plc, days, start


def context_for_match(apprentice_id: str, placement_id: str, apprentices: pd.DataFrame,
                      placements: pd.DataFrame, partnerships: pd.DataFrame | None = None, *,
                      days: int | None = None, green_travel: bool = False,
                      organisations: pd.DataFrame | Mapping[str, bool] | None = None,
                      stay: Mapping[str, object] | None = None) -> FundingContext:
    """The :class:`FundingContext` of one match, built exactly as
    :func:`estimate_for_matches` sees it, for the full :func:`eligibility` table
    (every reason) and the part-by-part estimate of a match a user picked.

    ``stay`` may carry the matcher's ``stay_start``/``stay_days`` of this match;
    ``organisations`` the accreditation records (see :func:`accreditation_flags`).
    """
    match = pd.DataFrame({"apprentice_id": [apprentice_id], "placement_id": [placement_id]})
    if days is not None:
        match["days"] = [days]
    for column in ("stay_start", "stay_days"):
        if stay is not None and column in stay:
            match[column] = [stay[column]]
    app, plc, stay_days, start = join_stays(match, apprentices, placements)
    row, place = app.iloc[0], plc.iloc[0]
    home = City(str(row["home_city"]), str(row["home_country"]), float(row["home_lat"]),
                float(row["home_lon"]))
    dest = City(str(place["city"]), str(place["country"]), float(place["lat"]),
                float(place["lon"]))
    age = _age_at(app["date_of_birth"], start)[0]
    twin = bool(twin_town_flags([home.name], [home.country], [dest.name], [dest.country],
                                partnerships)[0])
    status = str(row["status"]) if "status" in app else ParticipantStatus.APPRENTICE
    accredited = accreditation_flags(
        [row.get("sending_organisation")] if "sending_organisation" in app else [None],
        organisations)[0]
    return FundingContext(home, dest, int(stay_days[0]), status=status,
                          age=None if np.isnan(age) else int(age),
                          fewer_opportunities=bool(row["fewer_opportunities"]),
                          twin_town=twin, green_travel=green_travel,
                          region=_region_of(home.name, home.country) or None,
                          accredited=None if np.isnan(accredited) else bool(accredited))


def estimate_for_matches(matches: pd.DataFrame, apprentices: pd.DataFrame,
                         placements: pd.DataFrame, partnerships: pd.DataFrame | None = None,
                         *, green_travel: bool = False, daily_rates: RatesArg = "stored",
                         travel_table: str = DEFAULT_TRAVEL_TABLE, call_year: int | None = None,
                         rules: Sequence[ProgrammeRule] | None = None,
                         organisations: pd.DataFrame | Mapping[str, bool] | None = None,
                         group_table: str | None = None, lang: str = "en",
                         progress: ProgressCallback | None = None) -> pd.DataFrame:
    """Add eligible programmes and estimate columns to a matches table, vectorised.

    Parameters
    ----------
    matches : DataFrame
        At least ``apprentice_id`` and ``placement_id``. Optional columns used when
        present: ``stay_start``/``stay_days`` (the stay the matcher chose), else ``days``
        (or ``weeks``) for the stay's length and ``start`` for its first day (age is
        computed on it); ``green_travel`` per row.
    apprentices, placements : DataFrame
        Validated tables in the shared import format.
    partnerships : DataFrame, optional
        Twinnings in the shipped layout (default: ``data/twinnings.csv``).
    green_travel : bool
        Used for every row unless ``matches`` has a ``green_travel`` column.
    daily_rates, travel_table, call_year, group_table
        As in :func:`estimate_erasmus`.
    rules : sequence of ProgrammeRule, optional
        Default: the shipped rules.
    organisations : DataFrame or mapping, optional
        Which sending organisations hold an Erasmus accreditation
        (:func:`accreditation_flags`); unknown for the others.
    lang : {"en", "de"}
        Language of ``funding_why_not``.
    progress : callable, optional
        ``(fraction, message)`` callback.

    Returns
    -------
    DataFrame
        A copy of ``matches`` (same index) with the columns of
        :data:`MATCH_FUNDING_COLUMNS` added.

    Notes
    -----
    Without the stay columns the stay lasts the apprentice's desired weeks, clipped to
    the placement's min/max weeks, and starts on the later of the apprentice's
    ``available_from`` and the placement's ``start`` (:func:`join_stays`). Every
    apprentice is treated as in training (``status`` column in ``apprentices``
    overrides). ``funding_programme`` is the first eligible programme by priority among
    those without a condition, else the first conditional one: Erasmus+ in a
    non-associated third country draws on the accredited organisation's 20% budget, so
    a programme without that condition (AusbildungWeltweit) is named first, and the
    Erasmus+ amounts stay in the ``erasmus_*`` columns with ``funding_conditions``.
    """
    pool = list(programme_rules() if rules is None else rules)
    rates = _resolve_rates(daily_rates)
    bands = current_travel_bands(travel_table, call_year)
    costs = current_unit_costs(call_year)
    groups = current_group_table(group_table)
    with Stages(progress, ["join", "eligibility", "estimates"]) as stages:
        stages.next("join")
        app, plc, days, start = join_stays(matches, apprentices, placements)
        age = _age_at(app["date_of_birth"], start)
        distance = _distances(app, plc)
        twin = twin_town_flags(app["home_city"], app["home_country"], plc["city"],
                               plc["country"], partnerships)
        regions = _regions(app["home_city"], app["home_country"])
        status = (app["status"].to_numpy(dtype=str, na_value="") if "status" in app
                  else np.full(len(app), str(ParticipantStatus.APPRENTICE)))
        green = (matches["green_travel"].to_numpy(dtype=bool) if "green_travel" in matches
                 else np.full(len(app), bool(green_travel)))
        fewer = app["fewer_opportunities"].to_numpy(dtype=bool)
        accredited = accreditation_flags(
            app["sending_organisation"] if "sending_organisation" in app
            else np.full(len(app), None), organisations)
        stays = StayArrays(home_country=app["home_country"].to_numpy(dtype=str, na_value=""),
                           country=plc["country"].to_numpy(dtype=str, na_value=""),
                           days=days, status=status, age=age, twin_town=twin.astype(float),
                           group_size=np.ones(len(app), dtype=int), region=regions,
                           accredited=accredited)

        stages.next("eligibility")
        eligible, first_fail = eligible_matrix(stays, pool)
        conditional = np.column_stack(
            [accreditation_condition(rule, stays) for rule in pool]) if pool else eligible
        conditional = conditional & eligible
        keys = np.array([r.key for r in pool], dtype=object)
        weights = (1 << np.arange(len(pool), dtype=np.int64))
        masks = eligible.astype(np.int64) @ weights
        uniq, inverse = np.unique(masks, return_inverse=True)
        joined = np.array([";".join(keys[(m >> np.arange(len(pool))) & 1 == 1]) for m in uniq],
                          dtype=object)
        any_eligible = eligible.any(axis=1)
        plain = eligible & ~conditional
        first = np.where(plain.any(axis=1), plain.argmax(axis=1), eligible.argmax(axis=1))
        first = np.where(any_eligible, first, -1)
        programme = np.where(any_eligible, keys[np.clip(first, 0, None)], "").astype(str)
        why_not = why_not_texts(stays, eligible, first_fail, pool, lang)

        stages.next("estimates")
        got = erasmus_amounts(distance, days, stays.country, green, fewer, bands=bands,
                              daily_rates=rates, unit_costs=costs, groups=groups)
        erasmus_cols = [j for j, r in enumerate(pool) if r.is_erasmus]
        is_erasmus = eligible[:, erasmus_cols].any(axis=1) if erasmus_cols else np.zeros(
            len(app), dtype=bool)
        erasmus_conditional = (conditional[:, erasmus_cols].any(axis=1) if erasmus_cols
                               else np.zeros(len(app), dtype=bool))
        depends = depends_on_accreditation(stays, [pool[j] for j in erasmus_cols]) & ~is_erasmus
        out = matches.copy()
        out["distance_km"] = distance
        labels = np.array([*bands.labels, "below 10 km (no band)"], dtype=object)
        out["distance_band"] = pd.array(labels[got["band"]], dtype="string")
        out["twin_town"] = twin
        out["funding_days"] = days.astype(np.int64)
        out["eligible_programmes"] = pd.array(joined[inverse], dtype="string")
        out["funding_programme"] = pd.array(np.where(programme == "", None, programme),
                                            dtype="string")
        for part, column in _PART_COLUMNS.items():
            out[column] = np.where(is_erasmus, got[part], np.nan)
        erasmus_known = sum(np.nan_to_num(got[p]) for p in ERASMUS_PARTS)
        estimate = np.full(len(app), np.nan)
        missing = np.full(len(app), "", dtype=object)
        tables = np.full(len(app), "", dtype=object)
        chosen_erasmus = np.isin(programme, [pool[j].key for j in erasmus_cols])
        estimate[chosen_erasmus] = erasmus_known[chosen_erasmus]
        no_rate = chosen_erasmus & np.isnan(got["individual_support"])
        missing[no_rate] = ("individual_support (no daily rates entered)" if rates is None
                            else "individual_support (no rate for this country group)")
        erasmus_tables = (f"{bands.table_label}; {groups.label}; "
                          f"{costs['organisational support'].label}"
                          + (f"; {rates.label}" if rates else ""))
        tables[chosen_erasmus | is_erasmus] = erasmus_tables
        for rule in pool:
            rows = programme == rule.key
            if rule.is_erasmus or not rows.any():
                continue
            if rule.amounts:
                amount = scale_amount(rule.amounts, days[rows])
                estimate[rows] = amount
                gaps = np.where(np.isnan(amount), "scholarship (no stated amount)", "")
                if "travel subsidy" in rule.funding_form:
                    gaps = np.char.add(np.char.add(gaps.astype(str), np.where(
                        gaps != "", ";", "")), "travel_subsidy")
                missing[rows] = gaps
                tables[rows] = f"programme_amounts.csv ({rule.amounts})"
            else:
                missing[rows] = "grant (amounts not in the sources)"
        out["funding_estimate_eur"] = estimate
        out["funding_missing"] = pd.array(missing, dtype="string")
        out["funding_complete"] = any_eligible & (missing == "")
        out["funding_tables"] = pd.array(tables, dtype="string")
        shown = is_erasmus | depends
        out["erasmus_estimate_eur"] = np.where(shown, erasmus_known, np.nan)
        # Few distinct texts over many rows: categoricals (a code per row), not 100k copies.
        out["funding_conditions"] = pd.Categorical.from_codes(
            np.where(erasmus_conditional, 1, np.where(depends, 2, 0)),
            ["", "accredited", "depends_on_accreditation"])
        out["funding_why_not"] = why_not
        out["funding_parts"] = parts_text(got, shown, programme, missing, tables, estimate,
                                           erasmus_labels(bands, costs, groups, rates, lang), lang)
    return out


def _distances(apprentices: pd.DataFrame, placements: pd.DataFrame) -> np.ndarray:
    """Row-wise great-circle distance between aligned apprentice homes and placements."""
    return np.atleast_1d(haversine_km(apprentices["home_lat"].to_numpy(float),
                                      apprentices["home_lon"].to_numpy(float),
                                      placements["lat"].to_numpy(float),
                                      placements["lon"].to_numpy(float)))


def _regions(cities: pd.Series, countries: pd.Series) -> np.ndarray:
    """Home Land of each row, looked up once per distinct city."""
    codes, places = _place_keys(cities, countries)
    found = np.array([_region_of(*place.partition("\x1f")[::2]) for place in places] or [""],
                     dtype=object)
    return found[codes] if len(codes) else np.zeros(0, dtype=object)


def _region_of(name: str, country: str) -> str:
    if country != "DE" or not name:
        return ""
    return home_region(City(name, country, 0.0, 0.0)) or ""
