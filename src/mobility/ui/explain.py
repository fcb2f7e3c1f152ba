"""Match explanations and funding notes in the dashboard's language.

The matcher writes one English line per match (``explanation``) and, next to it, the
structured parts that line is made of: the score components ``trade``, ``language``,
``twin_town``, ``preference``, ``distance`` (0-1), ``distance_km`` and ``in_twin_town``.
English users read the package's line as it is; for German the line is rebuilt here
from those components through :func:`mobility.i18n.t`. Three details exist only in the
English line (the ISCO codes, the CEFR levels and the home town's name): they are read
from it when present and left out when not, never guessed.

Examples
--------
>>> import pandas as pd
>>> row = pd.Series({"trade": 1.0, "language": 0.85, "twin_town": 1.0, "preference": 0.5,
...     "distance_km": 1234.0, "in_twin_town": True, "city": "Leeds",
...     "explanation": "same trade (7522) · English B2, B1 required · "
...                    "Leeds is Dortmund's twin town · 1,234 km"})
>>> explanation(row, "de")
'gleicher Beruf (7522) · Englisch B2, verlangt B1 · Leeds ist Partnerstadt von Dortmund · 1.234 km'
>>> explanation(row, "en") == row["explanation"]
True
>>> funding_missing_text("individual_support (no daily rates entered);travel_subsidy", "de")
'individuelle Unterstützung (keine Tagessätze eingetragen); Reisekostenzuschuss'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mobility.i18n import t

if TYPE_CHECKING:
    import pandas as pd

_LEVEL = r"(?:A1|A2|B1|B2|C1|C2|native|none)"
_LANGUAGE = re.compile(rf"(?P<name>[A-Za-z ()-]+?) (?P<have>{_LEVEL}), (?P<need>{_LEVEL}) required")
_ISCO = re.compile(r"trade \((?P<code>\d{4})(?:, yours (?P<own>\d{4}))?")
_HOME = re.compile(r" is (?P<home>.+?)'s twin town")
_BOROUGH = re.compile(r", in (?P<home>.+?)'s partner borough (?P<via>.+?)(?: \(|$| ·)")

def language_in(english_name: str, lang: str) -> str:
    """A language the matcher names in English, named in ``lang`` by CLDR (Babel):
    ``"French"`` -> ``"Französisch"``; unknown names stay as given."""
    import pycountry

    from mobility.i18n import language_name

    name = english_name.strip()
    found = pycountry.languages.get(name=name)
    code = getattr(found, "alpha_2", None) if found else None
    return language_name(code, lang) if code else name


#: Parts of a funding estimate that can be missing (``funding_missing``), by their key.
_MISSING_PARTS = ("individual_support", "individual_support_learners", "scholarship",
                  "travel_subsidy", "grant", "travel", "organisational_support",
                  "linguistic_support", "inclusion_support")
_MISSING_REASONS = ("no daily rates entered", "no rate for this country group",
                    "no stated amount", "amounts not in the sources", "amounts unknown")


def _settings():
    from mobility.matching.scores import MatchSettings

    return MatchSettings()


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _km(km: float, lang: str) -> str:
    return t("common.km", lang, km=km)


def _level(label: str, lang: str) -> str:
    return t(f"explain.level.{label}", lang) if label in ("native", "none") else label


def explanation(row, lang: str) -> str:
    """One match's explanation in ``lang`` (``row``: a matches row, see the module)."""
    english = str(row.get("explanation") or "")
    if lang == "en":
        return english
    s = _settings()
    parts: list[str] = []
    trade = _number(row.get("trade_component", row.get("trade")))
    isco = _ISCO.search(english)
    if trade is not None:
        if trade >= 1.0 - 1e-9:
            text = t("explain.same_trade", lang)
            codes = f" ({isco['code']})" if isco else ""
        else:
            related = trade >= s.trade_related - 1e-9
            text = t("explain.related_trade" if related else "explain.other_trade", lang)
            codes = (f" ({isco['code']}, {t('explain.yours', lang)} {isco['own']})"
                     if isco and isco["own"] else "")
        parts.append(text + codes)
    language = _number(row.get("language"))
    if language is not None:
        found = _LANGUAGE.search(english)
        if "no language required" in english or (found is None and language >= 1.0):
            parts.append(t("explain.no_language", lang))
        elif found:
            name = language_in(found["name"], lang)
            text = t("explain.language", lang, language=name, have=_level(found["have"], lang),
                     need=_level(found["need"], lang))
            if language < s.language_at_level - 1e-9:
                text += " " + t("explain.one_below", lang)
            parts.append(text)
        else:
            parts.append(t("explain.language_one_below" if language < s.language_at_level
                           - 1e-9 else "explain.language_ok", lang))
    in_twin = row.get("in_twin_town")
    twin = _number(row.get("twin_town"))
    if bool(in_twin) if in_twin is not None else bool(twin):
        home = _HOME.search(english)
        borough = _BOROUGH.search(english)
        city = str(row.get("city") or "")
        text = (t("explain.twin_borough", lang, city=city, home=borough["home"],
                  via=borough["via"]) if borough
                else t("explain.twin_town_of", lang, city=city, home=home["home"]) if home
                else t("explain.twin_town", lang, city=city))
        unconfirmed = "(unconfirmed twinning)" in english
        dormant = "(dormant twinning)" in english or (not unconfirmed and (
            twin is not None and not isinstance(row.get("twin_town"), bool) and 0 < twin < 1))
        parts.append(text + (" " + t("explain.unconfirmed", lang) if unconfirmed
                             else " " + t("explain.dormant", lang) if dormant else ""))
    preference = _number(row.get("preference"))
    if preference is not None and preference >= 1.0 - 1e-9:
        parts.append(t("explain.preferred_country", lang))
    km = _number(row.get("distance_km"))
    if km is not None:
        parts.append(_km(km, lang))
    return " · ".join(parts) if parts else english


def explanations(matches: pd.DataFrame, lang: str) -> list[str]:
    """:func:`explanation` for every row of ``matches`` (rows without a placement keep
    their text, which is empty)."""
    import pandas as pd

    out = []
    for _, row in matches.iterrows():
        placed = row.get("placement_id")
        if placed is None or pd.isna(placed) or str(placed) == "":
            text = row.get("explanation")
            out.append("" if text is None or pd.isna(text) else str(text))
        else:
            out.append(explanation(row, lang))
    return out


def funding_missing_text(missing: str, lang: str) -> str:
    """``funding_missing`` (``';'``-joined ``part (reason)``) in ``lang``: each part and
    reason from the translation tables (in English too: the stored keys such as
    ``individual_support`` are never shown)."""
    texts = []
    for item in (p.strip() for p in str(missing).split(";") if p.strip()):
        part, _, reason = item.partition(" (")
        reason = reason.rstrip(")")
        name = t(f"funding.part.{part}", lang) if part in _MISSING_PARTS else part
        if reason:
            name += " (" + (t(f"funding.reason.{reason}", lang) if reason in _MISSING_REASONS
                            else reason) + ")"
        texts.append(name)
    return "; ".join(texts)
