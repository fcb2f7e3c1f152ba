"""One family of errors for the whole package.

Every error the package raises on purpose is a :class:`MobilityError`. Each subclass
also inherits the builtin it resembles, so callers that only know Python's own
exceptions still catch them (a :class:`ValidationError` is a ``ValueError``).

Errors carry structured :class:`Problem` records, so the UI and the command line can
list every problem at once, naming file, row and column.

Examples
--------
>>> from mobility.errors import Problem, ValidationError
>>> err = ValidationError("1 problem", problems=[Problem("bad level", file="a.csv", row=3,
...                                                      column="languages")])
>>> isinstance(err, ValueError)
True
>>> print(err.problems[0])
a.csv, row 3, column 'languages': bad level
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know.

    ``row`` counts like a spreadsheet user does: the header is row 1, the first
    data row is row 2.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class MobilityError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown: Sequence[Problem] = self.problems[:20]
        lines = [self.message, *(f"  - {p}" for p in shown)]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


class ValidationError(MobilityError, ValueError):
    """Input that breaks a rule: a wrong type, an impossible value, a missing column."""


class NotFoundError(MobilityError, LookupError):
    """A name that matches nothing we know: a trade, a city, a record id."""


class GeocodingUnavailable(MobilityError, ConnectionError):
    """The optional online geocoder could not be reached (offline, rate-limited, down)."""


class PermissionDenied(MobilityError, PermissionError):
    """The signed-in user's role does not allow this action."""


class ConflictError(MobilityError, RuntimeError):
    """Someone else changed the record since it was read: reload and try again."""


class ConfigurationError(MobilityError, RuntimeError):
    """The product is set up wrongly: a missing table, a bad database URL."""
