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

import functools
import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_PUNCT = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """Remove combining marks: ``"Kraków"`` becomes ``"Krakow"``."""
    if text.isascii():  # nothing to decompose (most names): the same result, faster
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _squash(text: str) -> str:
    return _PUNCT.sub(" ", text).strip()


def fold(text: str) -> str:
    """Fold a name to its canonical key: lower case, umlauts as ae/oe/ue, no accents,
    punctuation and repeated spaces collapsed to one space."""
    text = str(text)
    if text.isascii():  # the same steps reduce to these for ASCII (most names)
        return _squash(text.lower())
    lowered = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
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


@functools.lru_cache(maxsize=1 << 16)  # scope checks compare the same few thousand names
def place_key(text: str) -> str:
    """The key that decides "same municipality" for permissions: :func:`fold` for names
    written in Latin letters, the exact (case-folded, NFC) text for anything else.

    :func:`fold` drops every character outside a-z and 0-9, so a name with Greek or
    Cyrillic letters would lose them, and a look-alike such as "Dоrtmund" with a Cyrillic
    "о" would shrink towards another city's key. Here such names keep every character
    and can only ever equal themselves.

    >>> place_key("Köln") == place_key("KOELN") == fold("Köln")
    True
    >>> place_key("Dоrtmund") == place_key("Dortmund")   # Cyrillic о
    False
    >>> place_key("Αθήνα") == place_key("Θεσσαλονίκη")
    False
    """
    normal = unicodedata.normalize("NFC", str(text))
    latin = strip_accents(normal.casefold().translate(_UMLAUTS))
    if all(ch.isascii() or not ch.isalnum() or unicodedata.category(ch).startswith("Z")
           for ch in latin) and not _INVISIBLE.search(normal):
        return fold(normal)
    return "\x00" + " ".join(normal.casefold().split())


# Format characters (zero-width spaces and joiners, soft hyphen...): invisible on screen,
# so "Dortmund" and "Dort\u200bmund" must not meet under folding.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\ufeff]")
