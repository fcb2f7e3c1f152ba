"""The domain model: small frozen value objects, validated when they are built.

Whole caseloads travel as DataFrames (see :mod:`mobility.io`); these classes describe
one record, check it, and give the rest of the code names to talk about.

Examples
--------
>>> from datetime import date
>>> from mobility.models import CEFR, LanguageSkill, City, parse_languages
>>> CEFR.parse("b2") > CEFR.B1
True
>>> parse_languages("en:B2; fr:A2")
(LanguageSkill(language='en', level=<CEFR.B2: 4>), LanguageSkill(language='fr', level=<CEFR.A2: 2>))
>>> City("Dortmund", "DE", 51.51, 7.47).country
'DE'
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from mobility.errors import ValidationError

# ---------------------------------------------------------------------------
# Codes: countries (ISO 3166-1 alpha-2) and languages (ISO 639-1)
# ---------------------------------------------------------------------------


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code pycountry knows, plus ``XK`` (Kosovo, used by
    Erasmus+ and GeoNames though not yet in ISO 3166)."""
    import pycountry

    return frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})


@cache
def language_codes() -> frozenset[str]:
    """Every ISO 639-1 two-letter language code."""
    return frozenset(_iso639_1())


@cache
def _iso639_1() -> dict[str, str]:
    """ISO 639-1 code -> English name, for every language pycountry gives one. Loading
    pycountry's 7,900 languages cost every import and matching process ~0.1 s; the
    table is kept in the disk cache (:mod:`mobility.reference.cache`) under a key over
    pycountry's data file and this module's code."""
    import sys
    from pathlib import Path

    import pycountry

    from mobility.reference.cache import (
        code_fingerprint,
        file_fingerprint,
        fingerprint,
        load_or_build,
    )

    key = fingerprint(file_fingerprint(Path(pycountry.DATABASE_DIR) / "iso639-3.json"),
                      code_fingerprint([sys.modules[__name__], pycountry]))
    return load_or_build(
        "iso639-1", key, iso639_1_from_pycountry,
        valid=lambda table: isinstance(table, dict) and all(
            isinstance(name, str) for name in table.values()))


def iso639_1_from_pycountry() -> dict[str, str]:
    """:func:`_iso639_1` straight from pycountry (no cache)."""
    import pycountry

    return {lang.alpha_2: lang.name for lang in pycountry.languages
            if hasattr(lang, "alpha_2")}


@cache
def country_name(code: str) -> str:
    """English short name of a country code, or the code itself when unknown."""
    import pycountry

    if code == "XK":
        return "Kosovo"
    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or getattr(found, "name", code) if found else code


@cache
def language_name(code: str) -> str:
    """English name of an ISO 639-1 code (``"fr"`` -> ``"French"``)."""
    found = _iso639_1().get(code) if isinstance(code, str) else None
    if found is not None:
        return found
    import pycountry  # anything else ("FR", "fra"): as pycountry answers it

    found = pycountry.languages.get(alpha_2=code)
    return found.name if found else code


def check_country(code: object, *, what: str = "country") -> str:
    """Return ``code`` as an upper-case ISO 3166 alpha-2 code or raise ValidationError."""
    text = str(code).strip().upper() if code is not None else ""
    if text not in country_codes():
        raise ValidationError(f"{what} {code!r} is not an ISO 3166 two-letter country code")
    return text


def check_language(code: object) -> str:
    """Return ``code`` as a lower-case ISO 639-1 code or raise ValidationError."""
    text = str(code).strip().lower() if code is not None else ""
    if text not in language_codes():
        raise ValidationError(f"language {code!r} is not an ISO 639-1 two-letter code")
    return text


def check_latlon(lat: float, lon: float) -> tuple[float, float]:
    """Return ``(lat, lon)`` as floats, or raise when they cannot be on Earth."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"coordinates {lat!r}, {lon!r} are not numbers") from exc
    if not -90.0 <= lat_f <= 90.0:
        raise ValidationError(f"latitude {lat_f} is outside -90..90")
    if not -180.0 <= lon_f <= 180.0:
        raise ValidationError(f"longitude {lon_f} is outside -180..180")
    return lat_f, lon_f


# ---------------------------------------------------------------------------
# Language levels
# ---------------------------------------------------------------------------


class CEFR(enum.IntEnum):
    """Common European Framework levels, ordered, with ``NATIVE`` above C2."""

    A1 = 1
    A2 = 2
    B1 = 3
    B2 = 4
    C1 = 5
    C2 = 6
    NATIVE = 7

    @classmethod
    def parse(cls, text: object) -> CEFR:
        """Read a level as people write it: ``"B2"``, ``"b2"``, ``"native"``,
        ``"Muttersprache"``."""
        if isinstance(text, CEFR):
            return text
        key = str(text).strip().upper().replace(" ", "")
        if key in _NATIVE_WORDS:
            return cls.NATIVE
        try:
            return cls[key]
        except KeyError:
            raise ValidationError(
                f"language level {text!r} does not exist (use A1, A2, B1, B2, C1, C2 or native)"
            ) from None

    @property
    def label(self) -> str:
        return "native" if self is CEFR.NATIVE else self.name


_NATIVE_WORDS = {"NATIVE", "NATIV", "MUTTERSPRACHE", "MOTHERTONGUE", "L1", "MS"}


@dataclass(frozen=True, slots=True)
class LanguageSkill:
    """A language (ISO 639-1) at a CEFR level: what a person has or a host requires."""

    language: str
    level: CEFR

    def __post_init__(self) -> None:
        object.__setattr__(self, "language", check_language(self.language))
        object.__setattr__(self, "level", CEFR.parse(self.level))

    def __str__(self) -> str:
        return f"{self.language}:{self.level.label}"


_LANG_ITEM = re.compile(r"^\s*([A-Za-z]{2})\s*[:=\s]\s*([A-Za-z0-9 ]+?)\s*$")


def parse_languages(text: object) -> tuple[LanguageSkill, ...]:
    """Parse ``"en:B2; fr:A2"`` (``;`` or ``,`` between items) into skills.

    An empty cell gives an empty tuple. A language named twice keeps its highest level.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ()
    raw = str(text).strip()
    if not raw:
        return ()
    best: dict[str, LanguageSkill] = {}
    for item in re.split(r"[;,|]", raw):
        if not item.strip():
            continue
        match = _LANG_ITEM.match(item)
        if not match:
            raise ValidationError(
                f"language entry {item.strip()!r} should look like 'en:B2' (ISO 639-1 code, level)"
            )
        skill = LanguageSkill(match.group(1), CEFR.parse(match.group(2)))
        if skill.language not in best or best[skill.language].level < skill.level:
            best[skill.language] = skill
    return tuple(best.values())


def format_languages(skills: tuple[LanguageSkill, ...] | list[LanguageSkill]) -> str:
    """The inverse of :func:`parse_languages`: ``"en:B2;fr:A2"``."""
    return ";".join(str(s) for s in skills)


# ---------------------------------------------------------------------------
# Places and partnerships
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class City:
    """A city with its ISO 3166 country and WGS84 coordinates."""

    name: str
    country: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ValidationError("a city needs a name")
        object.__setattr__(self, "name", str(self.name).strip())
        object.__setattr__(self, "country", check_country(self.country))
        lat, lon = check_latlon(self.lat, self.lon)
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)

    def __str__(self) -> str:
        return f"{self.name}, {self.country}"


class PartnershipStatus(enum.StrEnum):
    """Whether a twinning is lived (``active``), kept on paper (``dormant``),
    suspended (for example the Russian partnerships since 2022) or ``ended`` (dissolved;
    kept on record, never a twin-town bonus)."""

    ACTIVE = "active"
    DORMANT = "dormant"
    SUSPENDED = "suspended"
    ENDED = "ended"

    @classmethod
    def parse(cls, text: object) -> PartnershipStatus:
        """Read ``"active"``, ``"dormant_since_2022"``, ``"ruhend"``, ``"ausgesetzt"``,
        ``"ended"``, ``"beendet"``."""
        key = str(text or "active").strip().lower()
        if key.startswith(("active", "aktiv")):
            return cls.ACTIVE
        if key.startswith(("dormant", "ruhend", "inactive")):
            return cls.DORMANT
        if key.startswith(("suspend", "ausgesetzt")):
            return cls.SUSPENDED
        if key.startswith(("ended", "beendet", "aufgel")):
            return cls.ENDED
        raise ValidationError(
            f"partnership status {text!r} is not one of active, dormant, suspended, ended"
        )


@dataclass(frozen=True, slots=True)
class Partnership:
    """A town twinning between a home municipality and a partner city."""

    home: City
    partner: City
    since_year: int | None = None
    status: PartnershipStatus = PartnershipStatus.ACTIVE
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", PartnershipStatus.parse(self.status))
        if self.since_year is not None:
            year = int(self.since_year)
            if not 1800 <= year <= date.today().year:
                raise ValidationError(f"partnership year {year} is not plausible")
            object.__setattr__(self, "since_year", year)


# ---------------------------------------------------------------------------
# Organisations, placements, apprentices
# ---------------------------------------------------------------------------


def _check_id(value: object, what: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValidationError(f"{what} needs an id")
    return text


def _check_window(start: date, end: date, what: str) -> None:
    if end < start:
        raise ValidationError(f"{what} ends ({end}) before it starts ({start})")


@dataclass(frozen=True, slots=True)
class HostCompany:
    """A company abroad that hosts apprentices."""

    company_id: str
    name: str
    city: City
    sector: str = ""
    contact_email: str = ""
    website: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "company_id", _check_id(self.company_id, "a host company"))
        if not str(self.name).strip():
            raise ValidationError(f"host company {self.company_id} needs a name")


@dataclass(frozen=True, slots=True)
class Placement:
    """Places offered by a host for one trade in one city over a date window.

    ``languages`` are the working languages the host accepts: any one of them at
    its level suffices. ``slots`` is the capacity (zero is allowed: a full placement).
    """

    placement_id: str
    company_id: str
    trade: str
    isco08: str
    city: City
    slots: int
    start: date
    end: date
    min_weeks: int
    max_weeks: int
    languages: tuple[LanguageSkill, ...] = ()
    accommodation: bool = False
    accepts_related_trades: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "placement_id", _check_id(self.placement_id, "a placement"))
        check_isco(self.isco08)
        if int(self.slots) < 0:
            raise ValidationError(f"placement {self.placement_id}: slots cannot be negative")
        _check_window(self.start, self.end, f"placement {self.placement_id}")
        if not 1 <= int(self.min_weeks) <= int(self.max_weeks) <= 104:
            raise ValidationError(
                f"placement {self.placement_id}: need 1 <= min_weeks <= max_weeks <= 104"
            )


@dataclass(frozen=True, slots=True)
class Apprentice:
    """An apprentice looking for a placement abroad, and what they bring."""

    apprentice_id: str
    name: str
    email: str
    date_of_birth: date | None
    sending_organisation: str
    home_city: City
    trade: str
    isco08: str
    training_year: int
    languages: tuple[LanguageSkill, ...]
    available_from: date
    available_to: date
    desired_weeks: int
    preferred_countries: tuple[str, ...] = ()
    max_distance_km: float | None = None
    fewer_opportunities: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "apprentice_id", _check_id(self.apprentice_id, "an apprentice"))
        check_isco(self.isco08)
        if not 1 <= int(self.training_year) <= 4:
            raise ValidationError(f"apprentice {self.apprentice_id}: training year must be 1-4")
        _check_window(self.available_from, self.available_to, f"apprentice {self.apprentice_id}")
        if not 1 <= int(self.desired_weeks) <= 104:
            raise ValidationError(f"apprentice {self.apprentice_id}: desired weeks must be 1-104")
        object.__setattr__(
            self,
            "preferred_countries",
            tuple(check_country(c, what="preferred country") for c in self.preferred_countries),
        )
        if self.max_distance_km is not None and float(self.max_distance_km) <= 0:
            raise ValidationError(f"apprentice {self.apprentice_id}: max distance must be > 0")

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (None when the birth date is unknown)."""
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


_ISCO = re.compile(r"^\d{4}$")


def check_isco(code: object) -> str:
    """Return a four-digit ISCO-08 unit group code or raise ValidationError."""
    text = str(code).strip()
    if not _ISCO.match(text):
        raise ValidationError(f"ISCO-08 code {code!r} must be four digits")
    return text


@dataclass(frozen=True, slots=True)
class Programme:
    """A funding programme, described as data (see ``data/programmes.csv``)."""

    key: str
    name: str
    funder: str
    countries: tuple[str, ...] = ()
    min_days: int | None = None
    max_days: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    twin_town_only: bool = False
    notes: str = ""
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
