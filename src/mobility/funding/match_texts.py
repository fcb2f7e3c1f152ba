"""Per-row funding texts and flags for many matches: which sending organisations are
accredited, why the other programmes do not fit, and the parts of an estimate with the
table and call year they come from.

Used by :func:`mobility.funding.estimate.estimate_for_matches`. A 100,000-row table has
few distinct texts, so each text is built once per distinct combination (of failed
rules, destination country, amounts) and the columns are categoricals (a code per row).

Examples
--------
>>> import pandas as pd
>>> accreditation_flags(["HWK Dortmund", "IHK Köln", None],
...                     {"hwk dortmund": True, "IHK Köln": False}).tolist()
[1.0, 0.0, nan]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from mobility.funding.eligibility import CHECKS, StayArrays, eligible_matrix, reason_text
from mobility.funding.rates import DailyRateTable
from mobility.i18n import t
from mobility.reference.erasmus import GroupTable, TravelBands, UnitCost
from mobility.reference.programmes import ProgrammeRule
from mobility.text import fold

#: The parts of an Erasmus+ estimate, in the order they are shown.
ERASMUS_PARTS = ("travel", "individual_support", "organisational_support",
                 "linguistic_support", "inclusion_support")


def accreditation_flags(names: Sequence[object],
                        organisations: pd.DataFrame | Mapping[str, bool] | None) -> np.ndarray:
    """Whether each sending organisation holds an Erasmus accreditation: 1.0, 0.0, or NaN
    when nobody recorded it (no record, or no name).

    Parameters
    ----------
    names : sequence
        ``apprentices.sending_organisation`` values (names compared after folding case
        and umlauts, as the access policy does).
    organisations : DataFrame or mapping, optional
        :func:`mobility.storage.organisations.list_organisations` (``name``,
        ``erasmus_accredited``) or ``{name: accredited}``; None = nothing recorded.
    """
    values = np.asarray(names, dtype=object)
    out = np.full(len(values), np.nan)
    if organisations is None or len(organisations) == 0:
        return out
    if isinstance(organisations, pd.DataFrame):
        known = dict(zip(organisations["name"].astype(str),
                         organisations["erasmus_accredited"].astype(bool), strict=True))
    else:
        known = {str(k): bool(v) for k, v in organisations.items()}
    folded = {fold(k): v for k, v in known.items()}
    codes, uniques = pd.factorize(pd.Series(values).astype("string").fillna(""))
    found = np.array([float(folded[fold(u)]) if u and fold(u) in folded else np.nan
                      for u in uniques] or [np.nan])
    return found[codes] if len(codes) else out


def why_not(stays: StayArrays, eligible: np.ndarray, first_fail: np.ndarray,
             pool: Sequence[ProgrammeRule], lang: str) -> pd.Categorical:
    """Per row: ``"programme: reason"`` for every programme that does not fit (its first
    broken rule), ``"; "``-joined, in ``lang``. Worked out once per distinct combination
    of failures and destination country, not once per row."""
    n = len(stays)
    if n == 0:
        return pd.Categorical([])
    country_codes, _countries = pd.factorize(pd.Series(stays.country))
    # One integer per row: the first failed check of every rule (mixed radix) and the
    # destination country; 13 ** 12 rules x a few hundred countries fits in int64.
    radix = len(CHECKS) + 1
    key = country_codes.astype(np.int64)
    for j in range(first_fail.shape[1]):
        key = key * radix + (first_fail[:, j].astype(np.int64) + 1)
    _distinct, first_row, inverse = np.unique(key, return_index=True, return_inverse=True)
    texts = []
    for row in first_row:
        one = _one_stay(stays, int(row))
        combo = first_fail[int(row)]
        reasons = [(rule, reason_text(rule, int(combo[j]), one, lang))
                   for j, rule in enumerate(pool) if combo[j] >= 0]
        texts.append("; ".join(why if why.startswith(rule.short_name)
                               else f"{rule.short_name}: {why}" for rule, why in reasons))
    return _categorical(np.asarray(inverse).ravel(), texts)


def _categorical(codes: np.ndarray, texts: Sequence[str]) -> pd.Categorical:
    """Row ``i`` holds ``texts[codes[i]]`` (texts may repeat), as a categorical."""
    text_codes, categories = pd.factorize(pd.Series(list(texts), dtype=object))
    return pd.Categorical.from_codes(text_codes[codes], pd.Index(categories, dtype=object))


def _one_stay(stays: StayArrays, row: int) -> StayArrays:
    """Row ``row`` of ``stays`` as a one-row :class:`StayArrays` (for its sentences)."""
    return StayArrays(home_country=stays.home_country[row:row + 1],
                      country=stays.country[row:row + 1], days=stays.days[row:row + 1],
                      status=stays.status[row:row + 1], age=stays.age[row:row + 1],
                      twin_town=stays.twin_town[row:row + 1],
                      group_size=stays.group_size[row:row + 1],
                      region=stays.region[row:row + 1],
                      accredited=stays.accredited[row:row + 1])


def depends_on_accreditation(stays: StayArrays, rules: Sequence[ProgrammeRule]) -> np.ndarray:
    """Rows one of ``rules`` would fit if the organisation, whose accreditation nobody
    recorded, were accredited."""
    if not rules:
        return np.zeros(len(stays), dtype=bool)
    hopeful = replace(stays, accredited=np.where(np.isnan(stays.accredited), 1.0,
                                                 stays.accredited))
    would, _ = eligible_matrix(hopeful, rules)
    return would.any(axis=1) & np.isnan(stays.accredited)


def table_name(kind: str, lang: str, **values: object) -> str:
    """A table an estimate used, named for people in ``lang`` with its call year
    (``kind``: ``travel_support``, ``travel_support_alt``, ``unit_cost``, ``groups``,
    ``daily_rates``, ``no_rates``, ``amounts``). Years are passed as text."""
    key = f"funding.used.{kind}"
    return t(key, lang, **values) if key in _TABLE_KEYS else str(values.get("name", kind))


def group_table_name(groups: GroupTable, lang: str) -> str:
    """``"Ländergruppen ab Aufruf 2024 (für Hochschulbildung bestätigt, ...)"``."""
    status = t("groups.verified" if groups.verified_for_vet else "groups.unverified", lang)
    key = f"funding.used.groups.{groups.name}"
    name = t(key, lang) if key in _TABLE_KEYS else groups.name
    return t("funding.used.groups", lang, name=name, year=str(groups.call_year),
             status=status)


def rates_name(rates: DailyRateTable | None, lang: str) -> str:
    """The administrator's daily-rate table (call year, version, who, when, source)."""
    if rates is None:
        return t("funding.used.no_rates", lang)
    return t("funding.used.daily_rates", lang, year=str(rates.call_year),
             version=str(rates.version), who=rates.entered_by or "–",
             when=rates.entered_at[:10] or "–", source=rates.source)


def erasmus_labels(bands: TravelBands, costs: Mapping[str, UnitCost], groups: GroupTable,
                   rates: DailyRateTable | None, lang: str = "en") -> dict[str, str]:
    """The table (name and call year) each Erasmus+ part is computed from, in ``lang``."""

    def cost(item: str, part: str) -> str:
        return table_name("unit_cost", lang, item=t(f"funding.part.{part}", lang),
                          year=str(costs[item].call_year or "–"))

    return {"travel": table_name(bands.name, lang, year=str(bands.call_year or "–"),
                                 name=bands.table_label),
            "individual_support": f"{rates_name(rates, lang)}; {group_table_name(groups, lang)}",
            "organisational_support": cost("organisational support", "organisational_support"),
            "linguistic_support": cost("linguistic support", "linguistic_support"),
            "inclusion_support": cost("inclusion support for organisations",
                                      "inclusion_support")}


def parts_text(got: dict[str, np.ndarray], erasmus: np.ndarray, programme: np.ndarray,
                missing: np.ndarray, tables: np.ndarray, estimate: np.ndarray,
                labels: Mapping[str, str], lang: str) -> pd.Categorical:
    """Per row, the parts of the estimate as one line in ``lang``: ``part amount
    [table (call year)]``, ``"; "``-joined. Built once per distinct combination."""
    n = len(programme)
    if n == 0:
        return pd.Categorical([])
    key = pd.DataFrame({"erasmus": erasmus, "programme": programme, "missing": missing,
                        "tables": tables, "estimate": estimate,
                        **{part: got[part] for part in ERASMUS_PARTS}})
    codes = key.groupby(list(key.columns), dropna=False, sort=False).ngroup().to_numpy()
    firsts = pd.Series(np.arange(n)).groupby(codes).first()

    def money(value: float) -> str:
        return t("common.unknown", lang) if np.isnan(value) else t("common.eur", lang,
                                                                   eur=value)

    texts = {}
    for code, row in firsts.items():
        if erasmus[row]:
            items = [f"{t(f'funding.part.{part}', lang)} {money(float(got[part][row]))} "
                     f"[{labels[part]}]" for part in ERASMUS_PARTS]
        elif programme[row]:
            what = str(missing[row]).split(" (")[0] or "grant"
            items = [f"{t(f'funding.part.{what}', lang) if what in _PART_KEYS else what} "
                     f"{money(float(estimate[row]))}"
                     + (f" [{table_name('amounts', lang)}]" if tables[row] else "")]
        else:
            items = []
        texts[code] = "; ".join(items)
    order = sorted(texts)
    return _categorical(np.searchsorted(order, codes), [texts[c] for c in order])


#: Parts with a name in the translation tables (``funding.part.<name>``).
_PART_KEYS = frozenset({"individual_support", "scholarship", "travel_subsidy", "grant",
                        "travel", "organisational_support", "linguistic_support",
                        "inclusion_support"})

#: Tables with a name in the translation tables (``funding.used.<kind>``).
_TABLE_KEYS = frozenset({
    "funding.used.travel_support", "funding.used.travel_support_alt",
    "funding.used.unit_cost", "funding.used.groups", "funding.used.daily_rates",
    "funding.used.no_rates", "funding.used.amounts",
    "funding.used.groups.country_groups_2021", "funding.used.groups.country_groups_2024"})
