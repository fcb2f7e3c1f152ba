"""What makes a pair (apprentice, placement) acceptable, and how good it is.

A pair is **acceptable** when every hard rule holds:

* **trade**: same ISCO-08 unit group (4 digits: a full match) or same minor group
  (first 3 digits: a *related* trade, lower score); the same sub-major group (first 2
  digits) only when the placement says it takes related trades
  (``accepts_related_trades``); any other trade only when the placement names it in
  ``further_trades``. Nothing else: a hairdresser (5141) is never offered IT (3512);
* **language**: the placement names working languages with a minimum CEFR level and any
  one suffices; the apprentice's best margin decides. One level below is accepted with a
  penalty, further below (or not speaking the language at all) is not. A placement that
  names no language requires none;
* **time**: the availability windows overlap by at least the placement's ``min_weeks``;
* **distance**: within the apprentice's ``max_distance_km`` when they set one.

Every acceptable pair gets components between 0 and 1 and three scores:

``apprentice_score``
    how much the apprentice should want the place: trade, twin town, preferred country,
    distance (weighted mean, weights in :class:`MatchSettings`);
``host_score``
    how well the apprentice fits the host: trade closeness, language margin, training year;
``score``
    ``apprentice_weight * apprentice_score + (1 - apprentice_weight) * host_score``.

Scores are rounded to :data:`SCORE_DECIMALS` decimals: the numbers we show are the
numbers the allocations optimise, exactly (see :mod:`mobility.matching.optimal`).

Examples
--------
>>> import numpy as np
>>> s = MatchSettings()
>>> trade_component(np.array([0, 1, 2]), s).tolist()
[1.0, 0.6, 0.25]
>>> language_component(np.array([-1, 0, 2]), s).tolist()
[0.3, 0.7, 1.0]
>>> round(float(distance_component(np.array([540.0]), s)[0]), 2)
0.58
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from mobility.errors import ValidationError

#: Scores are rounded to this many decimals before anything is ranked or optimised.
SCORE_DECIMALS = 6
SCORE_SCALE = 10**SCORE_DECIMALS

#: Trade tiers, by how far apart the ISCO-08 codes are: same unit group (4 digits),
#: same minor group (3 digits), same sub-major group (2 digits) at a host that takes
#: related trades, a further trade the host names; TIER_NONE is not acceptable.
TIER_SAME, TIER_RELATED, TIER_OTHER, TIER_NAMED = 0, 1, 2, 3
TIER_NONE = -1
TIER_LABELS = ("same trade", "related trade", "trade of the same family",
               "further trade the host names")

#: Twin-town status codes used in the pair arrays (0: no twinning between the two cities).
TWIN_NONE, TWIN_DORMANT, TWIN_ACTIVE = 0, 1, 2
#: A partnership only an old source names (the 2016 Wikidata crawl): "unconfirmed".
TWIN_UNCONFIRMED = 3

#: Language margin given to a placement that names no working language.
NO_LANGUAGE_REQUIRED = 99

#: Names of the component columns, in the order they are reported.
COMPONENTS = ("trade", "language", "twin_town", "preference", "distance", "training_year")


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Weights and parameters of the scores; every field has a sensible default.

    Parameters
    ----------
    apprentice_weight : float
        Share of ``apprentice_score`` in the combined ``score`` (the rest is host_score).
    w_trade, w_twin_town, w_preference, w_distance : float
        Weights of the apprentice-side components (normalised to sum 1).
    host_w_trade, host_w_language, host_w_training_year : float
        Weights of the host-side components (normalised to sum 1).
    trade_related, trade_other, trade_named : float
        Trade component for a related trade (same ISCO minor group), for a trade of the
        same sub-major group at a placement that takes related trades, and for a further
        trade the placement names (same trade: 1).
    language_one_below : float
        Language component when the apprentice is one CEFR level below the requirement.
    language_at_level, language_per_level_above : float
        Language component at exactly the required level, and what each level above adds
        (capped at 1).
    dormant_twin_factor : float
        Share of the twin-town bonus a *dormant* twinning gives (suspended ones give none):
        the partnership exists on paper but exchanges are paused, so it still helps to
        open doors, less than a lived one.
    unconfirmed_twin_factor : float
        Share of the twin-town bonus an *unconfirmed* partnership gives (one only an old
        crawl of Wikidata names: it may be outdated or a mere friendship); lower than a
        confirmed one.
    no_preference : float
        Preference component when the apprentice named no preferred country (a preferred
        country gives 1, any other 0).
    distance_scale_km : float
        The distance component is ``exp(-km / distance_scale_km)``.
    twin_radius_km : float
        Kept so that saved settings still load; twin towns are recognised by identity
        (:mod:`mobility.matching.twins`), never by distance.
    max_candidates : int or None
        Only for approximate runs (``approximate=True`` / ``--approximate``): keep at most
        this many acceptable placements per apprentice (best ``apprentice_score``
        first); ``None`` keeps all. Exact runs (the default) never cap.
    host_candidates : int
        Only for approximate runs: whatever the per-apprentice cap drops, each placement
        keeps its best this-many apprentices by ``host_score``.

    Examples
    --------
    >>> MatchSettings(w_twin_town=0.5).w_twin_town
    0.5
    >>> MatchSettings(trade_related=1.5)
    Traceback (most recent call last):
    ...
    mobility.errors.ValidationError: setting trade_related must be between 0 and 1, got 1.5
    """

    apprentice_weight: float = 0.5
    w_trade: float = 0.30
    w_twin_town: float = 0.30
    w_preference: float = 0.15
    w_distance: float = 0.25
    host_w_trade: float = 0.50
    host_w_language: float = 0.35
    host_w_training_year: float = 0.15
    trade_related: float = 0.6
    trade_other: float = 0.25
    trade_named: float = 0.25
    language_one_below: float = 0.3
    language_at_level: float = 0.7
    language_per_level_above: float = 0.15
    dormant_twin_factor: float = 0.5
    unconfirmed_twin_factor: float = 0.4
    no_preference: float = 0.5
    distance_scale_km: float = 1000.0
    twin_radius_km: float = 5.0
    max_candidates: int | None = 50
    host_candidates: int = 10

    _UNIT = (
        "apprentice_weight", "trade_related", "trade_other", "trade_named", "language_one_below",
        "language_at_level", "language_per_level_above", "dormant_twin_factor", "no_preference",
        "unconfirmed_twin_factor",
    )
    _WEIGHTS = (
        "w_trade", "w_twin_town", "w_preference", "w_distance",
        "host_w_trade", "host_w_language", "host_w_training_year",
    )

    def __post_init__(self) -> None:
        for name in self._UNIT:
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValidationError(f"setting {name} must be between 0 and 1, got {value}")
        for name in self._WEIGHTS:
            if float(getattr(self, name)) < 0:
                raise ValidationError(f"setting {name} must not be negative")
        if self.w_trade + self.w_twin_town + self.w_preference + self.w_distance <= 0:
            raise ValidationError("the apprentice-side weights must not all be zero")
        if self.host_w_trade + self.host_w_language + self.host_w_training_year <= 0:
            raise ValidationError("the host-side weights must not all be zero")
        if self.distance_scale_km <= 0 or self.twin_radius_km < 0:
            raise ValidationError("distance_scale_km must be > 0 and twin_radius_km >= 0")
        if self.max_candidates is not None and int(self.max_candidates) < 1:
            raise ValidationError("max_candidates must be at least 1 (or None for all)")
        if int(self.host_candidates) < 0:
            raise ValidationError("host_candidates must not be negative")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The settings' names (what ``Matcher(**settings)`` accepts)."""
        return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


# ---------------------------------------------------------------------------
# Components: vectorised, one value per pair, each between 0 and 1
# ---------------------------------------------------------------------------


def trade_component(tier: np.ndarray, s: MatchSettings) -> np.ndarray:
    """1 for the same ISCO unit group, ``trade_related`` for the same minor group,
    ``trade_other`` for the same sub-major group (only acceptable when the host takes
    related trades), ``trade_named`` for a further trade the host names."""
    return np.array([1.0, s.trade_related, s.trade_other, s.trade_named])[
        np.asarray(tier, dtype=np.intp)]


def language_component(margin: np.ndarray, s: MatchSettings) -> np.ndarray:
    """From the best CEFR margin (apprentice level minus required level): one level below
    gives ``language_one_below``, at level ``language_at_level``, each level above adds
    ``language_per_level_above`` up to 1. No requirement counts as fully met."""
    margin = np.asarray(margin, dtype=np.float64)
    above = s.language_at_level + s.language_per_level_above * np.maximum(margin, 0.0)
    value = np.where(margin < 0, s.language_one_below, np.minimum(above, 1.0))
    return np.where(margin >= NO_LANGUAGE_REQUIRED, 1.0, value)


def twin_component(status: np.ndarray, s: MatchSettings) -> np.ndarray:
    """1 for an active twinning, ``dormant_twin_factor`` for a dormant one,
    ``unconfirmed_twin_factor`` for an unconfirmed one, else 0."""
    values = np.array([0.0, s.dormant_twin_factor, 1.0, s.unconfirmed_twin_factor])
    return values[np.asarray(status, dtype=np.intp)]


def preference_component(preferred: np.ndarray, has_preferences: np.ndarray,
                         s: MatchSettings) -> np.ndarray:
    """1 in a preferred country, 0 elsewhere; ``no_preference`` when none was named."""
    return np.where(has_preferences, np.asarray(preferred, dtype=np.float64), s.no_preference)


def distance_component(km: np.ndarray, s: MatchSettings) -> np.ndarray:
    """``exp(-km / distance_scale_km)``: 1 next door, 0.37 at one scale length."""
    return np.exp(-np.asarray(km, dtype=np.float64) / s.distance_scale_km)


def training_year_component(year: np.ndarray) -> np.ndarray:
    """Hosts get more from apprentices further on: year 1 gives 1/3, year 3 and 4 give 1."""
    return np.minimum(np.asarray(year, dtype=np.float64), 3.0) / 3.0


def quantise(values: np.ndarray) -> np.ndarray:
    """Round to :data:`SCORE_DECIMALS` decimals (what is shown is what is optimised)."""
    return np.round(np.asarray(values, dtype=np.float64), SCORE_DECIMALS)


def combine(components: dict[str, np.ndarray], s: MatchSettings) -> dict[str, np.ndarray]:
    """The three scores from the components (see the module docstring)."""
    app_w = np.array([s.w_trade, s.w_twin_town, s.w_preference, s.w_distance])
    app_w = app_w / app_w.sum()
    host_w = np.array([s.host_w_trade, s.host_w_language, s.host_w_training_year])
    host_w = host_w / host_w.sum()
    apprentice = quantise(
        app_w[0] * components["trade"] + app_w[1] * components["twin_town"]
        + app_w[2] * components["preference"] + app_w[3] * components["distance"]
    )
    host = quantise(
        host_w[0] * components["trade"] + host_w[1] * components["language"]
        + host_w[2] * components["training_year"]
    )
    score = quantise(s.apprentice_weight * apprentice + (1 - s.apprentice_weight) * host)
    return {"score": score, "apprentice_score": apprentice, "host_score": host}
