"""Folding names so that people's spellings meet.

German users write umlauts three ways ("Köln", "Koeln", "Koln") and trades with gender
forms ("Tischler/in", "Tischlerin", "Tischler*in"). These helpers turn a name into the
keys an index is built on, so that a lookup is a dictionary hit.

Examples
--------
>>> fold("Köln")
'koeln'
>>> fold("KOELN")
'koeln'
>>> fold_keys("Malmö")
('malmoe', 'malmo')
>>> fold("Düsseldorf-Benrath")
'duesseldorf benrath'
"""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_PUNCT = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """Remove combining marks: ``"Kraków"`` becomes ``"Krakow"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    return _PUNCT.sub(" ", text).strip()


def fold(text: str) -> str:
    """Fold a name to its canonical key: lower case, umlauts as ae/oe/ue, no accents,
    punctuation and repeated spaces collapsed to one space."""
    lowered = unicodedata.normalize("NFC", str(text)).casefold().replace("’", "'")
    return _squash(strip_accents(lowered.translate(_UMLAUTS)))


def fold_plain(text: str) -> str:
    """Fold without expanding umlauts (``"Malmö"`` -> ``"malmo"``), for people who
    simply drop the dots."""
    lowered = unicodedata.normalize("NFC", str(text)).casefold().replace("’", "'")
    return _squash(strip_accents(lowered.replace("ß", "ss")))


def fold_keys(text: str) -> tuple[str, ...]:
    """All keys a name should be found under, most specific first, without repeats."""
    keys = [fold(text), fold_plain(text)]
    return tuple(dict.fromkeys(k for k in keys if k))
