"""The package's problem and error messages in the reader's language.

The package words its messages in English: the command line, the logs and the tests read
them so. The dashboard shows them in the page's language through
:func:`translate_message`: every message template the package can produce is listed once,
English next to German (:mod:`mobility.message_texts`), and a message is translated by
recognising its template and filling the German with the same values.

A template names its values in braces. ``{name}`` is any text, copied as it is (a cell,
a file name, an id); ``{name:num}`` is a number the package wrote with English separators
and is rewritten with German ones; ``{name:msg}`` is another message (or a fragment such
as a hint), translated in turn; ``{name:term}`` is one of a few fixed words (a table
kind, a file type) looked up in :data:`mobility.message_texts.TERMS`.

Examples
--------
>>> translate_message("'x' is not a number", "de")
"'x' ist keine Zahl"
>>> translate_message("'x' is not a number", "en")
"'x' is not a number"
>>> translate_message("... and 1,234 more rows with this problem (like: 'x' is not a number)",
...                   "de")
"... und 1.234 weitere Zeilen mit diesem Problem (z. B.: 'x' ist keine Zahl)"
>>> translate_message("a message nobody listed", "de")
'a message nobody listed'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(num|msg|term|field))?\}")
#: What each kind of value may look like inside a message.
_KIND_PATTERNS = {
    "text": r".*?",
    "num": r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?",
    "msg": r".*?",
    "term": r".*?",
    "field": r".+?",
}
_TO_GERMAN_DIGITS = str.maketrans(",.", ".,")


@dataclass(frozen=True, slots=True)
class Template:
    """One English message template, compiled, with its German."""

    english: str
    german: str
    pattern: re.Pattern[str]
    kinds: dict[str, str]
    anchor: str  # the longest fixed piece of the English: a cheap test before the regex
    prefix: int  # how many characters are fixed before the first value
    fixed: int  # how many characters are fixed in all


def compile_template(english: str, german: str) -> Template:
    """Compile one catalogue entry; the German uses only values the English names (it
    may leave out one that only words the English, such as a plural ending).

    >>> compile_template("{n:num} rows", "{n} Zeilen").kinds
    {'n': 'num'}
    """
    parts, pieces, kinds, position = [], [], {}, 0
    for match in _PLACEHOLDER.finditer(english):
        piece = english[position:match.start()]
        pieces.append(piece)
        parts.append(re.escape(piece))
        name, kind = match.group(1), match.group(2) or "text"
        if name in kinds:
            raise ValueError(f"{english!r} names {name!r} twice")
        kinds[name] = kind
        parts.append(f"(?P<{name}>{_term_pattern() if kind == 'term' else _KIND_PATTERNS[kind]})")
        position = match.end()
    pieces.append(english[position:])
    parts.append(re.escape(english[position:]))
    named = {m.group(1) for m in _PLACEHOLDER.finditer(german)}
    if not named <= set(kinds) or _PLACEHOLDER.sub("", german).count("{"):
        raise ValueError(f"the German of {english!r} names {sorted(named)}, "
                         f"the English {sorted(kinds)}")
    return Template(english, german, re.compile("".join(parts), re.DOTALL), kinds,
                    max(pieces, key=len), len(pieces[0]) if kinds else len(english),
                    sum(map(len, pieces)))


@cache
def _term_pattern() -> str:
    # The known words first, longest first ("preferred country" before "country"), so a
    # word of two is not split; any other text after them.
    from mobility.message_texts import TERMS

    words = sorted(TERMS, key=len, reverse=True)
    return "|".join([*map(re.escape, words), _KIND_PATTERNS["term"]])


@cache
def templates() -> tuple[Template, ...]:
    """The catalogue, compiled once, the most specific templates first: a fixed
    beginning before anything else (so ``... and 5 more rows (like: {message})`` is
    not read as a message whose first value starts with ``... and``), then the most
    fixed text."""
    from mobility import message_texts, message_texts_domain

    compiled = [compile_template(english, german) for english, german
                in (*message_texts.MESSAGES, *message_texts_domain.MESSAGES)]
    return tuple(sorted(compiled, key=lambda tpl: (-tpl.prefix, -tpl.fixed)))


def translate_message(message: str, lang: str) -> str:
    """``message`` (as the package words it) in ``lang``: German unless ``lang`` is
    ``"en"``, like :func:`mobility.i18n.t`. A message no template matches is returned
    unchanged (it may already be in the reader's language)."""
    if lang == "en" or not message:
        return message
    return _german(message)


def find_template(message: str) -> tuple[Template, re.Match[str]] | None:
    """The catalogue entry ``message`` was made from, and the match naming its values."""
    for template in templates():
        if template.anchor in message:
            found = template.pattern.fullmatch(message)
            if found is not None:
                return template, found
    return None


@lru_cache(maxsize=8192)
def _german(message: str) -> str:
    from mobility.message_texts import TERMS

    known = find_template(message)
    if known is None:
        return message
    template, found = known
    values = {}
    for name, kind in template.kinds.items():
        value = found.group(name)
        if kind == "num":
            value = value.translate(_TO_GERMAN_DIGITS)
        elif kind == "msg":
            value = _german(value) if value else value
        elif kind == "term":
            value = TERMS.get(value, value)
        elif kind == "field":
            value = _with_label(value)
        values[name] = value
    return _fill(template.german, values)


def _with_label(column: str) -> str:
    """``'home_lat'`` -> ``'home_lat' (Breite (Wohnort))``: a column with its German label."""
    from mobility.i18n import all_keys, t

    key = f"field.{column.strip(chr(39))}"
    return f"{column} ({t(key, 'de')})" if key in set(all_keys()) else column


def _fill(german: str, values: dict[str, str]) -> str:
    # Not str.format: the values are the file's cells and may hold braces themselves.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], german)
