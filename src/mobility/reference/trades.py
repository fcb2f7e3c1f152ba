"""The trades taxonomy: German Ausbildungsberufe with ISCO-08 codes and synonyms.

A lookup accepts any name people use for a trade, in German or English, tolerant of
case, of umlauts written as ae/oe/ue, and of gender forms (``Tischler/in``,
``Tischlerin``, ``Tischler``, ``Tischler*in``). Gender forms are generated from the
official name, so ``data/trades.csv`` lists only real synonyms.

Examples
--------
>>> from mobility.reference.trades import trade_catalog
>>> cat = trade_catalog()
>>> cat.lookup("KFZ-Mechatroniker").isco08
'7231'
>>> cat.lookup("Tischlerin").name
'Tischler/in'
>>> cat.lookup("car mechatronics technician") == cat.lookup("Kraftfahrzeugmechatronikerin")
True
>>> cat.get("Raumfahrer") is None
True
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mobility.errors import NotFoundError
from mobility.paths import data_dir
from mobility.text import fold_keys


@dataclass(frozen=True, slots=True)
class Trade:
    """One Ausbildungsberuf. ``name`` (the official German name) is its key."""

    name: str
    en_label: str
    isco08: str
    isco08_title: str
    synonyms_de: tuple[str, ...]
    synonyms_en: tuple[str, ...]

    @property
    def minor_group(self) -> str:
        """The ISCO-08 minor group (first three digits): trades sharing it are related."""
        return self.isco08[:3]

    def names(self) -> tuple[str, ...]:
        """Every name this trade is known by, official name first."""
        return (self.name, *gender_forms(self.name), self.en_label,
                *[f for s in self.synonyms_de for f in (s, *gender_forms(s))], *self.synonyms_en)


_MANN_FRAU = re.compile(r"^(.*?)mann/-frau(.*)$")
_SLASH_DASH = re.compile(r"^(.+)/-(.+)$")


def _token_forms(token: str) -> tuple[str, str]:
    """(masculine, feminine) of one word written with a gender slash."""
    if "/" not in token:
        return token, token
    m = _MANN_FRAU.match(token)
    if m:
        return f"{m.group(1)}mann{m.group(2)}", f"{m.group(1)}frau{m.group(2)}"
    m = _SLASH_DASH.match(token)  # Steuerfachgehilfe/-gehilfin
    if m:
        masc, tail = m.group(1), m.group(2)
        pos = masc.lower().rfind(tail[:3].lower())
        return masc, (masc[:pos] + tail) if pos > 0 else tail
    head, _, tail = token.partition("/")
    trail = ""
    while tail and not tail[-1].isalnum():  # "Leger/in," keeps its comma outside
        trail, tail = tail[-1] + trail, tail[:-1]
    if tail == "in":  # Technologe/in -> Technologin
        return head + trail, (head[:-1] if head.endswith("e") else head) + "in" + trail
    if tail == "r":  # Medizinische/r -> Medizinischer / Medizinische
        return head + "r" + trail, head + trail
    return head + trail, tail + trail  # Koch/Köchin, Zimmerer/Zimmerin


def gender_forms(name: str) -> tuple[str, ...]:
    """The masculine and feminine spelled-out forms of a name with gender slashes.

    >>> gender_forms("Kaufmann/-frau für Büromanagement")
    ('Kaufmann für Büromanagement', 'Kauffrau für Büromanagement')
    >>> gender_forms("Medizinische/r Fachangestellte/r")
    ('Medizinischer Fachangestellter', 'Medizinische Fachangestellte')
    >>> gender_forms("Maurer")
    ()
    """
    if "/" not in name:
        return ()
    pairs = [_token_forms(t) for t in name.split(" ")]
    masc = " ".join(p[0] for p in pairs)
    fem = " ".join(p[1] for p in pairs)
    return tuple(dict.fromkeys([masc, fem]))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in (cell or "").split(";") if s.strip())


class TradeCatalog:
    """All known trades with an index over every name they go by.

    Build it with :func:`trade_catalog` (cached) or from a CSV path.
    """

    def __init__(self, trades: list[Trade]) -> None:
        self.trades: tuple[Trade, ...] = tuple(trades)
        self._by_name = {t.name: t for t in self.trades}
        self._by_isco: dict[str, Trade] = {}
        for t in self.trades:
            self._by_isco.setdefault(t.isco08, t)
        self._index: dict[str, Trade] = {}
        # Official names and their gender forms first, English labels next, synonyms last:
        # an ambiguous synonym never hides a trade's own name.
        tiers = [
            lambda t: (t.name, *gender_forms(t.name)),
            lambda t: (t.en_label,),
            lambda t: tuple(f for s in t.synonyms_de for f in (s, *gender_forms(s))),
            lambda t: t.synonyms_en,
        ]
        for tier in tiers:
            for trade in self.trades:
                for alias in tier(trade):
                    for key in fold_keys(alias):
                        self._index.setdefault(key, trade)

    @classmethod
    def from_csv(cls, path: str | Path) -> TradeCatalog:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        return cls([
            Trade(
                name=r["de_name"].strip(),
                en_label=r["en_label"].strip(),
                isco08=r["isco08"].strip(),
                isco08_title=r["isco08_title"].strip(),
                synonyms_de=_split(r.get("synonyms_de", "")),
                synonyms_en=_split(r.get("synonyms_en", "")),
            )
            for r in rows
        ])

    def __iter__(self) -> Iterator[Trade]:
        return iter(self.trades)

    def __len__(self) -> int:
        return len(self.trades)

    def get(self, text: object, default: Trade | None = None) -> Trade | None:
        """The trade named ``text`` (any synonym, or a 4-digit ISCO-08 code), else ``default``."""
        if text is None:
            return default
        raw = str(text).strip()
        if raw in self._by_name:
            return self._by_name[raw]
        if raw.isdigit() and len(raw) == 4:
            return self._by_isco.get(raw, default)
        for key in fold_keys(raw):
            if key in self._index:
                return self._index[key]
        # An official spelling with another gender marker ("Tischler/-in",
        # "Verwaltungsfachangestellter/-e"): look up its spelled-out forms.
        for form in gender_forms(raw) if "/" in raw else ():
            for key in fold_keys(form):
                if key in self._index:
                    return self._index[key]
        return default

    def lookup(self, text: object) -> Trade:
        """Like :meth:`get` but raises :class:`NotFoundError` with suggestions."""
        found = self.get(text)
        if found is None:
            hints = self.suggest(str(text))
            hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
            raise NotFoundError(f"unknown trade {text!r}{hint}")
        return found

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Official names of the trades whose names look most like ``text``."""
        keys = fold_keys(text)
        if not keys:
            return []
        close = difflib.get_close_matches(keys[0], self._index.keys(), n=n * 3, cutoff=0.6)
        return list(dict.fromkeys(self._index[k].name for k in close))[:n]

    def aliases(self) -> list[tuple[str, Trade]]:
        """Every (name, trade) pair, for type-ahead widgets and text models."""
        return [(name, t) for t in self.trades for name in dict.fromkeys(t.names())]


@cache
def trade_catalog() -> TradeCatalog:
    """The shipped catalogue (``data/trades.csv``), loaded once per process."""
    return TradeCatalog.from_csv(data_dir() / "trades.csv")
