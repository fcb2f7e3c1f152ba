"""Funding programmes and their rules, as data.

``data/programmes.csv`` describes twelve programmes German apprentices use for stays
abroad, in prose with sources. ``data/programme_rules.csv`` turns each into rules a
computer can check: destination countries, minimum and maximum days, who may take part,
age limits, home region, twin-town-only and group-only flags, and the funding form.
Every rule row points back at the ``programmes.csv`` row it came from (``source_row``)
and carries that row's URLs, so any answer the product gives can be traced.

``data/programme_amounts.csv`` holds the few amounts a source states (the DFJW
scholarship scale, the Baden-Württemberg stipend); everything else is unknown and is
reported as missing, never guessed.

Destinations are either ISO country codes (``FR;BE``) or one of the named sets
:data:`DESTINATION_SETS`: ``erasmus_programme_countries`` (EU 27 and associated third
countries), ``non_erasmus`` (every other country), ``worldwide`` and
``non_associated_if_accredited`` (every country outside Erasmus+, but only for an
organisation holding an Erasmus accreditation: :data:`ACCREDITED_THIRD_COUNTRIES`).

Examples
--------
>>> from mobility.reference.programmes import programme_rules, get_rule, scale_amount
>>> rule = get_rule("erasmus_pro")
>>> rule.min_days, rule.max_days
(90, 365)
>>> get_rule("dfjw_twin_town").twin_town_only
True
>>> get_rule("protandem").min_group_size
8
>>> float(scale_amount("dfjw_scale", 42)[0])
450.0
>>> len(programme_rules()) >= 12
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from mobility.errors import NotFoundError, Problem, ValidationError
from mobility.models import Programme, check_country
from mobility.paths import data_dir

#: Named destination sets a rule may use instead of country codes.
DESTINATION_SETS = ("erasmus_programme_countries", "non_erasmus", "worldwide",
                    "non_associated_if_accredited")

#: Third countries not associated to Erasmus+ (the United Kingdom, Switzerland, the USA,
#: ...): open to a rule with this set only when the sending organisation holds an Erasmus
#: accreditation (within 20% of its grant, same unit costs).
ACCREDITED_THIRD_COUNTRIES = "non_associated_if_accredited"


class ParticipantStatus(enum.StrEnum):
    """Where a participant stands in their training, as the programmes distinguish it.

    ``recent_graduate`` means finished at most 12 months before the stay starts (the
    Erasmus+ rule); ``graduate`` means finished longer ago.
    """

    APPRENTICE = "apprentice"
    RECENT_GRADUATE = "recent_graduate"
    GRADUATE = "graduate"

    @classmethod
    def parse(cls, text: object) -> ParticipantStatus:
        """Read ``"apprentice"``, ``"Azubi"``, ``"recent graduate"``, ``"graduate"``."""
        if isinstance(text, ParticipantStatus):
            return text
        key = str(text).strip().lower().replace("-", "_").replace(" ", "_")
        aliases = {"azubi": "apprentice", "auszubildende": "apprentice", "learner": "apprentice",
                   "absolvent": "graduate", "recent": "recent_graduate"}
        try:
            return cls(aliases.get(key, key))
        except ValueError:
            raise ValidationError(
                f"participant status {text!r} is not one of apprentice, recent_graduate, graduate"
            ) from None


#: Columns of ``programme_rules.csv`` with the dtypes they are read as.
PROGRAMME_RULE_COLUMNS: dict[str, str] = {
    "key": "string",
    "programme": "string",
    "short_name": "string",
    "funder": "string",
    "destinations": "string",
    "min_days": "Int64",
    "max_days": "Int64",
    "duration_text": "string",
    "participants": "string",
    "min_age": "Int64",
    "max_age": "Int64",
    "home_region": "string",
    "twin_town_only": "bool",
    "min_group_size": "int64",
    "individual_placements": "string",
    "current": "bool",
    "funding_form": "string",
    "amounts": "string",
    "priority": "int64",
    "source_row": "string",
    "source": "string",
    "note": "string",
}

_TRUE = {"true", "yes", "ja", "1", "x"}
_FALSE = {"false", "no", "nein", "0", ""}


@dataclass(frozen=True, slots=True)
class ProgrammeRule:
    """The checkable rules of one funding programme (one row of ``programme_rules.csv``).

    ``None`` in a limit means the source states none. ``individual_placements`` is
    ``"yes"``, ``"no"`` (group exchanges only) or ``"unconfirmed"``.
    """

    key: str
    name: str
    short_name: str
    funder: str
    destinations: tuple[str, ...]
    min_days: int | None
    max_days: int | None
    duration_text: str
    participants: frozenset[ParticipantStatus]
    min_age: int | None
    max_age: int | None
    home_region: str | None
    twin_town_only: bool
    min_group_size: int
    individual_placements: str
    current: bool
    funding_form: str
    amounts: str
    priority: int
    source_row: str
    source: str
    note: str

    @property
    def is_erasmus(self) -> bool:
        """True for the Erasmus+ activities whose grant :mod:`mobility.funding` computes."""
        return self.amounts == "erasmus_unit_costs"

    def to_programme(self) -> Programme:
        """The rule as the shared :class:`mobility.models.Programme` value object
        (fields it has no slot for travel in ``extra``)."""
        return Programme(
            key=self.key, name=self.name, funder=self.funder, countries=self.destinations,
            min_days=self.min_days, max_days=self.max_days, min_age=self.min_age,
            max_age=self.max_age, twin_town_only=self.twin_town_only, notes=self.note,
            source=f"{self.source_row}: {self.source}",
            extra={"participants": ";".join(sorted(self.participants)),
                   "home_region": self.home_region or "",
                   "min_group_size": str(self.min_group_size),
                   "individual_placements": self.individual_placements,
                   "current": str(self.current).lower(), "funding_form": self.funding_form},
        )


def _bool_column(frame: pd.DataFrame, column: str, file: str, problems: list[Problem]) -> None:
    values = frame[column].astype(str).str.strip().str.lower()
    for i, value in enumerate(values):
        if value not in _TRUE | _FALSE:
            problems.append(Problem("expected true or false", file=file, row=i + 2,
                                    column=column, value=value))
    frame[column] = values.isin(_TRUE)


def read_programme_rules(path: str | Path) -> pd.DataFrame:
    """Read and validate a programme rules file, shaped to :data:`PROGRAMME_RULE_COLUMNS`.

    Raises
    ------
    ValidationError
        Listing every bad cell (file, row, column): a missing column, a limit that is
        not a whole number, an unknown destination or participant status.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in PROGRAMME_RULE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError(f"{path.name} lacks columns {', '.join(missing)}",
                              problems=[Problem("missing column", file=path.name, column=c)
                                        for c in missing])
    problems: list[Problem] = []
    for column in ("min_days", "max_days", "min_age", "max_age", "min_group_size", "priority"):
        numbers = pd.to_numeric(frame[column].replace("", None), errors="coerce")
        for i in np.flatnonzero(numbers.isna() & (frame[column] != "")):
            problems.append(Problem("expected a whole number", file=path.name, row=int(i) + 2,
                                    column=column, value=frame[column].iat[i]))
        frame[column] = numbers
    for column in ("twin_town_only", "current"):
        _bool_column(frame, column, path.name, problems)
    for i, cell in enumerate(frame["destinations"]):
        for item in _split(cell):
            if item in DESTINATION_SETS:
                continue
            try:
                check_country(item, what="destination")
            except ValidationError as exc:
                problems.append(Problem(exc.message, file=path.name, row=i + 2,
                                        column="destinations", value=item))
    for i, cell in enumerate(frame["participants"]):
        for item in _split(cell):
            try:
                ParticipantStatus.parse(item)
            except ValidationError as exc:
                problems.append(Problem(exc.message, file=path.name, row=i + 2,
                                        column="participants", value=item))
    if frame["key"].duplicated().any():
        for i in np.flatnonzero(frame["key"].duplicated()):
            problems.append(Problem("duplicate key", file=path.name, row=int(i) + 2, column="key",
                                    value=frame["key"].iat[i]))
    if problems:
        raise ValidationError(f"{path.name}: {len(problems)} problem(s) in the programme rules",
                              problems=problems)
    frame["min_group_size"] = frame["min_group_size"].fillna(1)
    frame["priority"] = frame["priority"].fillna(99)
    return frame.astype(PROGRAMME_RULE_COLUMNS)[list(PROGRAMME_RULE_COLUMNS)]


def _split(cell: object) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(cell or "").split(";") if p.strip())


def _optional_int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)


def rules_from_frame(frame: pd.DataFrame) -> tuple[ProgrammeRule, ...]:
    """Turn a validated rules table into :class:`ProgrammeRule` objects, by priority."""
    rules = [
        ProgrammeRule(
            key=str(r.key), name=str(r.programme), short_name=str(r.short_name),
            funder=str(r.funder),
            destinations=_split(r.destinations), min_days=_optional_int(r.min_days),
            max_days=_optional_int(r.max_days), duration_text=str(r.duration_text),
            participants=frozenset(ParticipantStatus.parse(p) for p in _split(r.participants)),
            min_age=_optional_int(r.min_age), max_age=_optional_int(r.max_age),
            home_region=str(r.home_region) or None, twin_town_only=bool(r.twin_town_only),
            min_group_size=int(r.min_group_size),
            individual_placements=str(r.individual_placements).strip().lower() or "yes",
            current=bool(r.current), funding_form=str(r.funding_form), amounts=str(r.amounts),
            priority=int(r.priority), source_row=str(r.source_row), source=str(r.source),
            note=str(r.note),
        )
        for r in frame.itertuples(index=False)
    ]
    return tuple(sorted(rules, key=lambda rule: (rule.priority, rule.key)))


@cache
def programme_rules() -> tuple[ProgrammeRule, ...]:
    """The shipped programme rules (``data/programme_rules.csv``), by priority."""
    return rules_from_frame(read_programme_rules(data_dir() / "programme_rules.csv"))


def get_rule(key: str, rules: Iterable[ProgrammeRule] | None = None) -> ProgrammeRule:
    """The rule with ``key``; raises :class:`NotFoundError` listing the known keys."""
    pool = tuple(programme_rules() if rules is None else rules)
    for rule in pool:
        if rule.key == key:
            return rule
    raise NotFoundError(f"no funding programme {key!r}; known: {', '.join(r.key for r in pool)}")


@cache
def load_programmes() -> pd.DataFrame:
    """``data/programmes.csv`` as read, text columns as ``string``: the prose and the
    sources the rules were derived from."""
    return pd.read_csv(data_dir() / "programmes.csv", dtype="string", keep_default_na=False)


#: Columns of ``programme_amounts.csv``.
AMOUNT_COLUMNS: dict[str, str] = {
    "scale": "string", "min_days": "int64", "max_days": "float64", "amount_eur": "float64",
    "per": "string", "kind": "string", "confidence": "string", "source": "string",
    "note": "string",
}


@cache
def amount_scales() -> pd.DataFrame:
    """The amounts sources state for non-Erasmus programmes (``programme_amounts.csv``).

    ``per`` is ``stay`` (one amount for the stay) or ``month``; a blank ``max_days``
    (NaN) means open-ended.
    """
    frame = pd.read_csv(data_dir() / "programme_amounts.csv", keep_default_na=False,
                        na_values={"max_days": [""]})
    return frame.astype(AMOUNT_COLUMNS)[list(AMOUNT_COLUMNS)]


def scale_amount(scale: str, days: object) -> np.ndarray:
    """The amount a scale gives for stays of ``days`` (array or scalar); NaN where the
    scale has no step (for example DFJW below 4 weeks: the source states no amount).

    Amounts ``per month`` are multiplied by ``days / (365 / 12)``.
    """
    table = amount_scales()
    steps = table[table["scale"] == scale].sort_values("min_days")
    if steps.empty:
        raise NotFoundError(f"no amount scale {scale!r} in programme_amounts.csv")
    days_arr = np.atleast_1d(np.asarray(days, dtype=float))
    idx = np.searchsorted(steps["min_days"].to_numpy(float), days_arr, side="right") - 1
    safe = np.clip(idx, 0, len(steps) - 1)
    upper = steps["max_days"].to_numpy(float)[safe]
    inside = (idx >= 0) & (np.isnan(upper) | (days_arr <= upper))
    amount = np.where(inside, steps["amount_eur"].to_numpy(float)[safe], np.nan)
    per_month = steps["per"].to_numpy(str)[safe] == "month"
    return np.where(per_month, amount * days_arr / (365 / 12), amount)
