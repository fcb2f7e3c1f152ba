"""The hard rules of a pair, checked one by one, for a manual override.

The matcher never proposes a pair that breaks a hard rule (docs/matching.md, "When is a
pair acceptable?"). An adviser may still put an apprentice on a placement by hand; then
the board must say *which* rules the pair breaks. :func:`rule_breaks` answers from the
two rows alone, with plain Python (not the matcher's vectorised kernel), so the tests can
hold each against the other.

Examples
--------
>>> apprentice = {"trade": "Pflegefachmann/-frau", "isco08": "2221",
...     "languages": "de:native;en:A2", "available_from": "2027-03-01",
...     "available_to": "2027-03-20", "home_lat": 51.51, "home_lon": 7.47,
...     "max_distance_km": 500}
>>> placement = {"trade": "Maurer/in", "isco08": "7112", "languages": "fr:B1",
...     "start": "2027-03-01", "end": "2027-06-30", "min_weeks": 4, "lat": 43.70,
...     "lon": 7.27, "slots": 1, "accepts_related_trades": False}
>>> [b.rule for b in rule_breaks(apprentice, placement, taken=1)]
['trade', 'language', 'dates', 'distance', 'capacity']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from mobility.geo import haversine_km
from mobility.models import parse_languages

#: The hard rules, in the order they are reported.
RULES = ("trade", "language", "dates", "distance", "capacity")


@dataclass(frozen=True, slots=True)
class RuleBreak:
    """One broken rule and the figures that show it (for the sentence that says so)."""

    rule: str
    values: dict = field(default_factory=dict)


def _get(row: Mapping, name: str) -> object:
    try:
        value = row[name]
    except (KeyError, IndexError):
        return None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _isco(row: Mapping) -> str:
    code = _get(row, "isco08")
    if code:
        return str(code).strip()
    from mobility.reference.trades import trade_catalog

    found = trade_catalog().get(_get(row, "trade"))
    return found.isco08 if found else ""


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "ja", "wahr"}
    return bool(value) if value is not None else False


def _further_trades(placement: Mapping) -> set[str]:
    """ISCO-08 codes of the further trades a host names (names or 4-digit codes)."""
    from mobility.reference.trades import trade_catalog

    codes = set()
    for item in str(_get(placement, "further_trades") or "").split(";"):
        item = item.strip()
        if len(item) == 4 and item.isdigit():
            codes.add(item)
        elif item:
            found = trade_catalog().get(item)
            if found is not None:
                codes.add(found.isco08)
    return codes


def trade_break(apprentice: Mapping, placement: Mapping) -> RuleBreak | None:
    """Same ISCO-08 unit group (4 digits) or minor group (3 digits, related trade); the
    same sub-major group (2 digits) at a host that accepts related trades; or a trade
    the host names among its ``further_trades``: otherwise the trade rule is broken."""
    mine, theirs = _isco(apprentice), _isco(placement)
    if mine and theirs:
        if mine[:3] == theirs[:3]:
            return None
        if _flag(_get(placement, "accepts_related_trades")) and mine[:2] == theirs[:2]:
            return None
        if mine in _further_trades(placement):
            return None
    return RuleBreak("trade", {"trade": str(_get(apprentice, "trade") or ""),
                               "required": str(_get(placement, "trade") or "")})


def language_break(apprentice: Mapping, placement: Mapping) -> RuleBreak | None:
    """Any one of the host's languages at its level, or one level below, suffices; a
    host that lists none requires none."""
    required = parse_languages(_get(placement, "languages"))
    if not required:
        return None
    spoken = {s.language: int(s.level) for s in parse_languages(_get(apprentice, "languages"))}
    for need in required:
        if spoken.get(need.language, -100) >= int(need.level) - 1:
            return None
    return RuleBreak("language", {"required": ", ".join(
        f"{s.language}:{s.level}" for s in required)})


def dates_break(apprentice: Mapping, placement: Mapping) -> RuleBreak | None:
    """The windows must overlap by at least the host's ``min_weeks`` (7 days a week,
    counting both first and last day)."""
    starts = [pd.Timestamp(_get(apprentice, "available_from")), pd.Timestamp(_get(placement,
                                                                                   "start"))]
    ends = [pd.Timestamp(_get(apprentice, "available_to")), pd.Timestamp(_get(placement, "end"))]
    overlap = (min(ends) - max(starts)).days + 1
    needed = 7 * int(_get(placement, "min_weeks") or 1)
    if overlap >= needed:
        return None
    return RuleBreak("dates", {"days": max(overlap, 0), "needed": needed})


def distance_break(apprentice: Mapping, placement: Mapping) -> RuleBreak | None:
    """Within the apprentice's ``max_distance_km`` when one is set."""
    limit = _get(apprentice, "max_distance_km")
    if limit is None:
        return None
    points = [_get(apprentice, "home_lat"), _get(apprentice, "home_lon"),
              _get(placement, "lat"), _get(placement, "lon")]
    if any(p is None for p in points):
        return None
    km = float(haversine_km(*[float(p) for p in points]))
    if km <= float(limit) + 1e-6:
        return None
    return RuleBreak("distance", {"km": round(km), "limit": round(float(limit))})


def capacity_break(placement: Mapping, taken: int) -> RuleBreak | None:
    """The placement needs a free slot besides the ``taken`` ones (other apprentices
    already planned or confirmed there)."""
    slots = int(_get(placement, "slots") or 0)
    if taken < slots:
        return None
    return RuleBreak("capacity", {"slots": slots, "taken": int(taken)})


def rule_breaks(apprentice: Mapping, placement: Mapping, *, taken: int = 0) -> list[RuleBreak]:
    """Every hard rule the pair (``apprentice`` row, ``placement`` row) breaks, in the
    order of :data:`RULES`; empty when the matcher could have proposed it.

    ``taken`` is how many of the placement's slots others already hold.
    """
    found = [trade_break(apprentice, placement), language_break(apprentice, placement),
             dates_break(apprentice, placement), distance_break(apprentice, placement),
             capacity_break(placement, taken)]
    return [b for b in found if b is not None]
