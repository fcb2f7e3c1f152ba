"""Collect every string an AppTest page shows, and find the ones a reader must not see.

Generic on purpose: it walks Streamlit's element tree (whatever a page draws, whoever
wrote the section) and reads each element's visible text: headings, markdown,
captions, alerts, widget labels and options, tab and expander labels, metric labels
and values, table column headers (the label a ``column_config`` gives, else the
column's name) and text cells, chart titles, axis titles and legend entries.
:func:`problems` then reports, for a page in ``lang``:

* text of the other language: a string equal to a text of the other language's
  table (short words, e.g. a status "active" on a German page), or containing a
  sentence of it (texts of 20 characters or more), where the two languages differ;
* raw keys: a string that is a translation key (``nav.apprentice``) or looks like one
  (``snake_case``, ``dotted.key``);
* ``None``, ``nan``, ``NaN``, ``NaT``, ``<NA>`` as a word;
* a country or language name as the other language writes it (CLDR);
* a date or time as a machine writes it (``2027-01-05``, ``00:00:00``).

Used by ``tests/test_i18n_walk.py``; the lead re-runs it after merging, so a new
section is checked without touching this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from mobility.i18n import _TEXTS

MISSING = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|<NA>)(?![\w-])")
RAW_KEY = re.compile(r"^(?:[a-z][a-z0-9]*_[a-z0-9_]+|[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)$")
#: Strings that look like keys but are what a reader expects (file names, addresses).
ALLOWED_KEYLIKE = re.compile(r"^[\w.-]+\.(csv|xlsx|md|json|geojson|py|db)$|^[\w.-]+@[\w.-]+$"
                             r"|^(www\.)?[a-z0-9-]+\.(de|org|com|eu|uk|fr|net)$")
LANGUAGE_SWITCH = "lang"  # the sidebar's language select box (mobility.ui.common)
LONG = 20  # characters from which a text counts as a sentence (contained, not equal)


def _other(lang: str) -> int:
    return 0 if lang == "en" else 1


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _pattern(text: str) -> re.Pattern | None:
    """A regex for a table text, its ``{values}`` matching anything; None when its
    own words are too few to tell it from other text."""
    literal = _PLACEHOLDER.sub("", text)
    if len(literal.strip()) < 4:
        return None
    parts = [re.escape(part) for part in _PLACEHOLDER.split(text)]
    return re.compile(".+?".join(parts), re.DOTALL)


def _cldr_names(lang: str) -> set[str]:
    """Country and language names in ``lang`` (CLDR, as :mod:`mobility.i18n` shows
    them)."""
    from babel import Locale

    locale = Locale.parse("en_GB" if lang == "en" else "de_DE")
    return {*locale.territories.values(), *locale.languages.values()}


def foreign_names(lang: str) -> set[str]:
    """CLDR country and language names of the other language that ``lang`` writes
    differently ("France" on a German page, "Frankreich" on an English one)."""
    return _cldr_names("de" if lang == "en" else "en") - _cldr_names(lang)


#: A date or time as a machine writes it (2027-01-05, 2027/01/05, 00:00:00).
RAW_DATE = re.compile(r"(?<![/\w])\d{4}[-/]\d{2}[-/]\d{2}(?![/\w])|\b\d{2}:\d{2}:\d{2}\b")


def foreign_texts(lang: str) -> tuple[list[re.Pattern], list[re.Pattern]]:
    """Texts of the *other* language that differ from ``lang``'s text of the same key
    (and from every text of ``lang``), as patterns: (short ones, matched whole; long
    ones, from :data:`LONG` characters, matched inside a string)."""
    own = 1 if lang == "en" else 0
    mine = {pair[own] for pair in _TEXTS.values()}
    short, long = [], []
    for pair in _TEXTS.values():
        text = pair[_other(lang)]
        if text == pair[own] or text in mine:
            continue
        pattern = _pattern(text)
        if pattern is not None:
            (long if len(_PLACEHOLDER.sub("", text)) >= LONG else short).append(pattern)
    return short, long


_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!:|>~])")
SNAKE_WORD = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-]|\.\w)")


def _walk(node) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _strings(node) -> Iterator[tuple[str, str]]:
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    try:
        label = getattr(node, "label", None)
    except (AttributeError, ValueError):
        label = None
    if isinstance(label, str) and label:
        yield f"{kind}.label", label
    for attribute in ("placeholder", "help"):
        try:
            value = getattr(proto, attribute, None) if proto is not None else None
        except (AttributeError, ValueError):
            value = None
        if isinstance(value, str) and value:
            yield f"{kind}.{attribute}", value
    if kind in {"markdown", "caption", "title", "header", "subheader", "error", "warning",
                "info", "success", "text", "exception", "toast"}:
        value = getattr(node, "value", None)
        if isinstance(value, str):
            yield kind, value
    if kind == "metric":
        yield "metric.value", str(proto.body)
    options = getattr(proto, "options", None) if proto is not None else None
    if getattr(node, "key", None) == LANGUAGE_SWITCH:
        options = None  # each language named in itself, on purpose
    if options is not None and kind not in {"dataframe", "arrow_data_frame"}:
        for option in options:
            if isinstance(option, str):
                yield f"{kind}.option", option
    if kind in {"dataframe", "arrow_data_frame"}:
        yield from _table_strings(node)
    if proto is not None and getattr(proto, "spec", None) and kind != "dataframe":
        yield from _chart_strings(proto.spec)


def _table_strings(node) -> Iterator[tuple[str, str]]:
    try:
        config = json.loads(node.proto.columns or "{}")
    except (TypeError, ValueError):
        config = {}
    frame = node.value
    for column in frame.columns:
        settings = config.get(str(column)) or config.get(f"_pos:{column}") or {}
        if settings.get("hidden"):
            continue
        yield "table.header", str(settings.get("label") or column)
        values = frame[column]
        if values.dtype == object or str(values.dtype).startswith("string"):
            for value in values.dropna().astype(str).unique()[:200]:
                yield "table.cell", value


def _chart_strings(spec: str) -> Iterator[tuple[str, str]]:
    try:
        figure = json.loads(spec)
    except (TypeError, ValueError):
        return
    layout = figure.get("layout", {})
    for trace in figure.get("data", []):
        if trace.get("showlegend", True) and isinstance(trace.get("name"), str):
            yield "chart.legend", trace["name"]
    title = layout.get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        yield "chart.title", title["text"]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            text = (axis.get("title") or {}).get("text")
            if isinstance(text, str) and text:
                yield "chart.axis", text


def visible_strings(at) -> list[tuple[str, str]]:
    """``(where, text)`` for every string the AppTest's current page shows."""
    out = []
    for node in _walk(at._tree):
        out += list(_strings(node))
    return out


def problems(at, lang: str) -> list[str]:
    """Everything on the page a reader of ``lang`` must not see (empty when clean)."""
    short, long = foreign_texts(lang)
    names = foreign_names(lang)
    keys = set(_TEXTS)
    found = []
    for where, raw in visible_strings(at):
        # Markdown escapes (travel\_support) are invisible to the reader: check the text.
        text = _ESCAPED.sub(r"\1", raw) if where != "table.cell" else raw
        stripped = text.strip().strip("*_`:").strip()
        if MISSING.search(text):
            found.append(f"{where}: missing value in {text!r}")
        if stripped in keys or (RAW_KEY.match(stripped)
                                and not ALLOWED_KEYLIKE.match(stripped)):
            found.append(f"{where}: raw key {text!r}")
        elif where != "table.cell" and (word := SNAKE_WORD.search(text)):
            found.append(f"{where}: raw key {word.group(0)!r} in {text[:80]!r}")
        if RAW_DATE.search(text):
            found.append(f"{where}: date not in the reader's format {text[:80]!r}")
        if stripped in names:
            found.append(f"{where}: name in the other language {text!r}")
        if any(pattern.fullmatch(stripped) for pattern in short):
            found.append(f"{where}: other language {text!r}")
        for pattern in long:
            if pattern.search(text):
                found.append(f"{where}: other language {pattern.pattern[:40]!r} in "
                             f"{text[:80]!r}")
                break
    return found
