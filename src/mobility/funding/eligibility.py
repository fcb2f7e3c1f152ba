"""Which programmes can fund a stay, and why the others cannot.

Every programme's rules are data (:mod:`mobility.reference.programmes`); this module
checks them against a stay: destination country, duration, participant status and age,
home region, twin town, group size. The checks are written once, over numpy arrays, so
the same code answers one question from the command line and 100,000 matches for the
dashboard.

A rule the stay breaks makes the programme ineligible, with the reason
("ErasmusPro needs at least 90 days"). A rule that cannot be checked because a fact is
unknown (age, twin town, home region) leaves the programme eligible with a *caveat*
saying what to check.

Examples
--------
>>> from mobility.funding.eligibility import FundingContext, eligibility
>>> ctx = FundingContext.from_names("Dortmund,DE", "Leeds,GB", days=21)
>>> ctx.twin_town, round(ctx.distance_km)
(True, 658)
>>> table = eligibility(ctx)
>>> table.loc[table.eligible, "programme_key"].tolist()
['ausbildung_weltweit', 'nrw_exchange']
>>> for why in table.set_index("programme_key").loc["erasmus_pro", "reason"].split("; "):
...     print(why)  # doctest: +NORMALIZE_WHITESPACE
ErasmusPro in a third country not associated to Erasmus+ (United Kingdom) depends on
accreditation: only for accredited organisations, within their 20% international budget
(whether the sending organisation is accredited is not recorded)
ErasmusPro needs at least 90 days

An organisation holding an Erasmus accreditation may use Erasmus+ there, on a condition:

>>> ctx = FundingContext.from_names("Dortmund,DE", "Leeds,GB", days=21, accredited=True)
>>> table = eligibility(ctx, lang="de").set_index("programme_key")
>>> print(table.loc["erasmus_short", "conditions"])
nur für akkreditierte Einrichtungen, im Rahmen ihres 20-%-Budgets für internationale Mobilität
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.geo import gazetteer, haversine_km
from mobility.i18n import country_name as i18n_country_name
from mobility.i18n import t
from mobility.models import City
from mobility.reference.erasmus import programme_countries
from mobility.reference.programmes import (
    ACCREDITED_THIRD_COUNTRIES,
    ParticipantStatus,
    ProgrammeRule,
    programme_rules,
)
from mobility.reference.twinnings import load_partnerships
from mobility.text import fold

#: GeoNames first-level codes of the German Länder -> ISO 3166-2 (for home-region rules).
_DE_ADMIN1_TO_ISO = {
    "01": "DE-BW", "02": "DE-BY", "03": "DE-HB", "04": "DE-HH", "05": "DE-HE", "06": "DE-NI",
    "07": "DE-NW", "08": "DE-RP", "09": "DE-SL", "10": "DE-SH", "11": "DE-BB", "12": "DE-MV",
    "13": "DE-SN", "14": "DE-ST", "15": "DE-TH", "16": "DE-BE",
}
#: Home regions with a name in the translation tables (``funding.region.<code>``).
_REGION_KEYS = {"funding.region.DE-NW", "funding.region.DE-BW"}


def home_region(city: City) -> str | None:
    """ISO 3166-2 code of the German Land a city lies in (``"DE-NW"``), from the
    gazetteer; None outside Germany or when the city is not in the gazetteer."""
    if city.country != "DE":
        return None
    entry = gazetteer().get_entry(city.name, city.country)
    return _DE_ADMIN1_TO_ISO.get(entry.admin1) if entry else None


def parse_place(text: str) -> City:
    """``"Dortmund,DE"`` or ``"Leeds, GB"`` (or a bare name) -> a gazetteer city."""
    name, _, country = str(text).rpartition(",")
    if not name:
        name, country = country, ""
    return gazetteer().lookup(name.strip(), country.strip().upper() or None)


def _place_keys(cities: Sequence[str], countries: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Factorise (city, country) pairs: codes per row and the distinct ``"city\x1fCC"``."""
    # Positional, whatever index the inputs carry: pandas would align Series by label.
    names = pd.Series(pd.array(np.asarray(cities, dtype=object), dtype="string")).fillna("")
    codes_ = pd.Series(pd.array(np.asarray(countries, dtype=object), dtype="string")).fillna("")
    codes, uniques = pd.factorize(names + "\x1f" + codes_.str.upper())
    return codes, np.asarray(uniques, dtype=object)


def twin_town_flags(home_city: Sequence[str], home_country: Sequence[str],
                    dest_city: Sequence[str], dest_country: Sequence[str],
                    partnerships: pd.DataFrame | None = None) -> np.ndarray:
    """For each pair, whether the destination is a twin town of the home municipality
    (names compared after folding umlauts and case; suspended partnerships count too,
    since the programme rules name the twinning, not its state).

    Vectorised: names are folded once per distinct place, not once per row.
    """
    table = load_partnerships() if partnerships is None else partnerships
    twinned = frozenset(
        zip(table["home_city"].astype(str).map(fold), table["home_country"].astype(str).str.upper(),
            table["partner_city"].astype(str).map(fold),
            table["partner_country"].astype(str).str.upper(), strict=True))
    home_codes, home_places = _place_keys(home_city, home_country)
    dest_codes, dest_places = _place_keys(dest_city, dest_country)
    if len(home_codes) == 0:
        return np.zeros(0, dtype=bool)
    pair = home_codes.astype(np.int64) * max(len(dest_places), 1) + dest_codes
    distinct, inverse = np.unique(pair, return_inverse=True)

    def folded(place: str) -> tuple[str, str]:
        name, _, country = place.partition("\x1f")
        return fold(name), country

    homes = [folded(p) for p in home_places]
    dests = [folded(p) for p in dest_places]
    found = np.array([(*homes[k // max(len(dest_places), 1)], *dests[k % max(len(dest_places), 1)])
                      in twinned for k in distinct], dtype=bool)
    return found[inverse]


@dataclass(frozen=True, slots=True)
class FundingContext:
    """One stay as the programmes see it.

    Parameters
    ----------
    home, destination : City
        Where the participant lives (place of origin) and where the placement is.
    days : int
        Length of the stay abroad in days (travel days not counted).
    status : ParticipantStatus
        Apprentice in training (default), recent graduate (finished within 12 months)
        or graduate.
    age : int, optional
        Age at the start of the stay; None when unknown (age rules become caveats).
    fewer_opportunities : bool
        The participant counts as having fewer opportunities (Erasmus+ inclusion).
    twin_town : bool, optional
        The destination is a twin town of the home municipality; None = unknown.
    green_travel : bool
        Travel mainly by train, bus or car-pooling (Erasmus+ green travel).
    group_size : int
        How many participants travel together (1 for an individual placement).
    region : str, optional
        ISO 3166-2 code of the home Land (``"DE-NW"``); None = unknown.
    accredited : bool, optional
        The sending organisation holds an Erasmus accreditation in VET (then Erasmus+
        can fund stays in non-associated third countries within 20% of its grant);
        None = not recorded.
    """

    home: City
    destination: City
    days: int
    status: ParticipantStatus = ParticipantStatus.APPRENTICE
    age: int | None = None
    fewer_opportunities: bool = False
    twin_town: bool | None = None
    green_travel: bool = False
    group_size: int = 1
    region: str | None = None
    accredited: bool | None = None
    distance_km: float = field(init=False)

    def __post_init__(self) -> None:
        if int(self.days) < 1:
            raise ValidationError(f"a stay lasts at least 1 day, not {self.days}")
        if self.age is not None and not 10 <= int(self.age) <= 99:
            raise ValidationError(f"age {self.age} is not plausible for a participant")
        if int(self.group_size) < 1:
            raise ValidationError("group size must be at least 1")
        object.__setattr__(self, "days", int(self.days))
        object.__setattr__(self, "status", ParticipantStatus.parse(self.status))
        object.__setattr__(self, "distance_km", float(haversine_km(
            self.home.lat, self.home.lon, self.destination.lat, self.destination.lon)))

    @classmethod
    def from_names(cls, home: str, destination: str, days: int, *,
                   twin_town: bool | None = None, partnerships: pd.DataFrame | None = None,
                   **kwargs: object) -> FundingContext:
        """Build a context from ``"City,CC"`` names: cities from the gazetteer, the home
        region from GeoNames, the twin-town flag from the twinnings table unless given."""
        home_city, dest_city = parse_place(home), parse_place(destination)
        if twin_town is None:
            twin_town = bool(twin_town_flags([home_city.name], [home_city.country],
                                             [dest_city.name], [dest_city.country],
                                             partnerships)[0])
        kwargs.setdefault("region", home_region(home_city))
        return cls(home_city, dest_city, days, twin_town=twin_town, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# The checks, over arrays
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StayArrays:
    """Many stays as parallel arrays: what the checks read.

    ``age`` is float with NaN for unknown; ``twin_town`` and ``accredited`` (the sending
    organisation holds an Erasmus accreditation) are float 1/0 with NaN for unknown;
    ``region`` holds ``""`` for unknown. ``accredited`` defaults to all unknown.
    """

    home_country: np.ndarray
    country: np.ndarray
    days: np.ndarray
    status: np.ndarray
    age: np.ndarray
    twin_town: np.ndarray
    group_size: np.ndarray
    region: np.ndarray
    accredited: np.ndarray | None = None
    in_erasmus: np.ndarray = field(init=False)  # destination is an Erasmus+ country

    def __post_init__(self) -> None:
        # Fixed-width text arrays: comparisons run in C, not element by element in Python.
        for name in ("home_country", "country", "status", "region"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=str))
        for name in ("days", "age", "twin_town"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=float))
        object.__setattr__(self, "group_size", np.asarray(self.group_size, dtype=int))
        object.__setattr__(self, "accredited",
                           np.full(len(self.days), np.nan) if self.accredited is None
                           else np.asarray(self.accredited, dtype=float))
        object.__setattr__(self, "in_erasmus", _member(self.country, programme_countries()))

    def __len__(self) -> int:
        return len(self.days)

    @classmethod
    def from_context(cls, ctx: FundingContext) -> StayArrays:
        return cls(
            home_country=np.array([ctx.home.country], dtype=object),
            country=np.array([ctx.destination.country], dtype=object),
            days=np.array([ctx.days], dtype=float),
            status=np.array([str(ctx.status)], dtype=object),
            age=np.array([np.nan if ctx.age is None else ctx.age], dtype=float),
            twin_town=np.array([np.nan if ctx.twin_town is None else float(ctx.twin_town)]),
            group_size=np.array([ctx.group_size], dtype=int),
            region=np.array([ctx.region or ""], dtype=object),
            accredited=np.array([np.nan if ctx.accredited is None else float(ctx.accredited)]),
        )


#: A check: (rule, stays, lang) -> (fails, unknown, reason, caveat). ``fails`` and
#: ``unknown`` are boolean arrays; the texts (sentences in ``lang``, from
#: :func:`mobility.i18n.t`) are the same for every row so that a 100k-row check stays a
#: handful of numpy operations.
Check = Callable[..., tuple[np.ndarray, np.ndarray, str, str]]


def _none(n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool)


def _member(values: np.ndarray, allowed: Iterable[str]) -> np.ndarray:
    """``values`` in ``allowed``, for short lists of codes: one C-level comparison per
    allowed value beats ``np.isin``'s sort on 100k rows."""
    out = np.zeros(len(values), dtype=bool)
    for item in allowed:
        out |= values == item
    return out


def _check_current(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    fails = np.full(len(s), not rule.current)
    why = t("funding.why.not_running", lang, programme=rule.short_name)
    return fails, _none(len(s)), why, ""


def _check_individual(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    n = len(s)
    if rule.individual_placements == "unconfirmed":
        return (np.ones(n, dtype=bool), _none(n),
                t("funding.why.individual_unconfirmed", lang, programme=rule.short_name), "")
    if rule.individual_placements == "no":
        return (s.group_size < rule.min_group_size, _none(n),
                t("funding.why.group_only", lang, programme=rule.short_name,
                  n=rule.min_group_size), "")
    return _none(n), _none(n), "", ""


def _check_abroad(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    fails = s.country == s.home_country
    return fails, _none(len(s)), t("funding.why.not_abroad", lang), ""


def _check_destination(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    dests = set(rule.destinations)
    erasmus = s.in_erasmus
    ok = np.zeros(len(s), dtype=bool)
    described = []
    if "worldwide" in dests:
        ok |= True
    if "erasmus_programme_countries" in dests:
        ok |= erasmus
        described.append(t("funding.dest.erasmus", lang))
    if "non_erasmus" in dests:
        ok |= ~erasmus
        described.append(t("funding.dest.non_erasmus", lang))
    if ACCREDITED_THIRD_COUNTRIES in dests:
        ok |= ~erasmus  # open only to accredited organisations: _check_accreditation
    codes = sorted(d for d in dests if len(d) == 2)
    if codes:
        ok |= _member(s.country, codes)
        described.append(", ".join(i18n_country_name(c, lang) for c in codes))
    what = t("funding.join.and", lang).join(described)
    return ~ok, _none(len(s)), t("funding.why.destination", lang, programme=rule.short_name,
                                 what=what), ""


def _where(s: StayArrays, lang: str) -> str:
    """The destination country's name when every stay goes to one country (texts are
    the same for every row), else "several countries"."""
    if len(s) == 1 or (len(s) and (s.country == s.country[0]).all()):
        return i18n_country_name(str(s.country[0]), lang)
    return t("funding.dest.several", lang)


def _accreditation_applies(rule: ProgrammeRule, s: StayArrays) -> np.ndarray:
    """Stays that are open to ``rule`` only through an accredited organisation."""
    if ACCREDITED_THIRD_COUNTRIES not in rule.destinations:
        return _none(len(s))
    return ~s.in_erasmus & (s.country != s.home_country)


def _check_accreditation(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    """A third country not associated to Erasmus+: only through an accredited sending
    organisation. Known not accredited: the programme does not fit, and says why."""
    applies = _accreditation_applies(rule, s)
    return (applies & (s.accredited == 0), _none(len(s)),
            t("funding.why.not_accredited", lang, programme=rule.short_name,
              country=_where(s, lang)), "")


def _check_accreditation_unknown(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    """As :func:`_check_accreditation` when nobody recorded whether the organisation is
    accredited: the programme is not counted as fitting, and the reason says it depends
    on the accreditation (most organisations hold none)."""
    applies = _accreditation_applies(rule, s)
    return (applies & np.isnan(s.accredited), _none(len(s)),
            t("funding.why.accreditation_unknown", lang, programme=rule.short_name,
              country=_where(s, lang), condition=t("funding.condition.accredited", lang)), "")


def accreditation_condition(rule: ProgrammeRule, stays: StayArrays) -> np.ndarray:
    """Stays that ``rule`` funds only on the accreditation condition (the organisation is
    accredited and the destination a non-associated third country): estimates show the
    condition in words next to the amounts."""
    return _accreditation_applies(rule, stays) & (stays.accredited == 1)


def _check_min_days(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    if rule.min_days is None:
        return _none(len(s)), _none(len(s)), "", ""
    return (s.days < rule.min_days, _none(len(s)),
            t("funding.why.min_days", lang, programme=rule.short_name, n=rule.min_days), "")


def _check_max_days(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    if rule.max_days is None:
        return _none(len(s)), _none(len(s)), "", ""
    return (s.days > rule.max_days, _none(len(s)),
            t("funding.why.max_days", lang, programme=rule.short_name, n=rule.max_days), "")


def _check_status(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    allowed = sorted(str(p) for p in rule.participants)
    words = t("funding.join.or", lang).join(t(f"funding.who.{a}", lang) for a in allowed)
    return (~_member(s.status, allowed), _none(len(s)),
            t("funding.why.status", lang, programme=rule.short_name, who=words), "")


def _check_age(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    if rule.min_age is None and rule.max_age is None:
        return _none(len(s)), _none(len(s)), "", ""
    low = -np.inf if rule.min_age is None else rule.min_age
    high = np.inf if rule.max_age is None else rule.max_age
    unknown = np.isnan(s.age)
    fails = ~unknown & ((s.age < low) | (s.age > high))
    if rule.min_age is not None and rule.max_age is not None:
        limit = t("funding.age.between", lang, low=rule.min_age, high=rule.max_age)
    elif rule.min_age is not None:
        limit = t("funding.age.at_least", lang, n=rule.min_age)
    else:
        limit = t("funding.age.at_most", lang, n=rule.max_age)
    why = t("funding.why.age", lang, programme=rule.short_name, limit=limit)
    return fails, unknown, why, t("funding.caveat.age", lang, why=why)


def _check_region(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    if not rule.home_region:
        return _none(len(s)), _none(len(s)), "", ""
    key = f"funding.region.{rule.home_region}"
    name = t(key, lang) if key in _REGION_KEYS else rule.home_region
    unknown = s.region == ""
    return (~unknown & (s.region != rule.home_region), unknown,
            t("funding.why.region", lang, programme=rule.short_name, region=name,
              code=rule.home_region),
            t("funding.caveat.region", lang, programme=rule.short_name, region=name))


def _check_twin_town(rule: ProgrammeRule, s: StayArrays, lang: str = "en"):
    if not rule.twin_town_only:
        return _none(len(s)), _none(len(s)), "", ""
    unknown = np.isnan(s.twin_town)
    return (~unknown & (s.twin_town == 0), unknown,
            t("funding.why.twin_town", lang, programme=rule.short_name),
            t("funding.caveat.twin_town", lang, programme=rule.short_name))


#: The checks in the order their reasons are given.
CHECKS: tuple[Check, ...] = (_check_current, _check_individual, _check_abroad,
                             _check_destination, _check_accreditation,
                             _check_accreditation_unknown, _check_min_days, _check_max_days,
                             _check_status, _check_age, _check_region, _check_twin_town)

#: The check that fails only because nobody recorded the organisation's accreditation.
ACCREDITATION_UNKNOWN_CHECK = CHECKS.index(_check_accreditation_unknown)


def eligible_matrix(stays: StayArrays, rules: Sequence[ProgrammeRule] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For every stay (rows) and rule (columns): eligible (bool) and the number of the
    first check that failed (-1 when eligible). Vectorised: one pass per rule and check."""
    pool = list(programme_rules() if rules is None else rules)
    eligible = np.ones((len(stays), len(pool)), dtype=bool)
    first_fail = np.full((len(stays), len(pool)), -1, dtype=np.int16)
    for j, rule in enumerate(pool):
        for k, check in enumerate(CHECKS):
            fails, _unknown, _reason, _caveat = check(rule, stays)
            newly = fails & eligible[:, j]
            first_fail[newly, j] = k
            eligible[:, j] &= ~fails
    return eligible, first_fail


def eligibility(context: FundingContext, rules: Sequence[ProgrammeRule] | None = None,
                *, lang: str = "en") -> pd.DataFrame:
    """Every programme for one stay: eligible or not, why not, and what to check.

    Parameters
    ----------
    context : FundingContext
        The stay.
    rules : sequence of ProgrammeRule, optional
        The rules to check (default: the shipped ``data/programme_rules.csv``).
    lang : {"en", "de"}
        Language of the reasons, caveats and conditions (sentences from
        :func:`mobility.i18n.t`).

    Returns
    -------
    DataFrame
        One row per programme, by priority: ``programme_key``, ``programme``,
        ``eligible`` (bool), ``reason`` (every rule the stay breaks, ``"; "``-joined,
        empty when eligible), ``caveats`` (rules that could not be checked because a
        fact is unknown), ``conditions`` (what must hold for the funding, e.g. the
        accreditation rule for a non-associated third country), ``depends_on_accreditation``
        (True when the only obstacle is that nobody recorded whether the sending
        organisation is accredited), ``funding_form``, ``source`` (the programmes.csv row
        and URLs).
    """
    pool = list(programme_rules() if rules is None else rules)
    stays = StayArrays.from_context(context)
    rows = []
    for rule in pool:
        reasons, caveats, failed = [], [], []
        for number, check in enumerate(CHECKS):
            fails, unknown, reason, caveat = check(rule, stays, lang)
            if fails[0]:
                reasons.append(reason)
                failed.append(number)
            elif unknown[0]:
                caveats.append(caveat)
        conditions = (t("funding.condition.accredited", lang)
                      if accreditation_condition(rule, stays)[0] else "")
        rows.append({"programme_key": rule.key, "programme": rule.name,
                     "eligible": not reasons, "reason": "; ".join(reasons),
                     "caveats": "" if reasons else "; ".join(caveats),
                     "conditions": conditions,
                     "depends_on_accreditation": failed == [ACCREDITATION_UNKNOWN_CHECK],
                     "funding_form": rule.funding_form,
                     "source": f"{rule.source_row}: {rule.source}"})
    frame = pd.DataFrame(rows)
    flags = ("eligible", "depends_on_accreditation")
    text = [c for c in frame.columns if c not in flags]
    frame[text] = frame[text].astype("string")
    return frame.astype(dict.fromkeys(flags, bool))


def reason_text(rule: ProgrammeRule, check_number: int, stays: StayArrays,
                lang: str = "en") -> str:
    """The reason of check ``check_number`` (from :func:`eligible_matrix`) for ``rule``."""
    return CHECKS[check_number](rule, stays, lang)[2] if check_number >= 0 else ""
