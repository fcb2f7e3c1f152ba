"""Widgets every page shares: the language switch, errors, the synthetic-data banner.

Pages call these instead of repeating them; nothing here computes domain results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

from mobility.errors import MobilityError
from mobility.i18n import LANGUAGE_NAMES, LANGUAGES, t
from mobility.i18n import all_keys as i18n_keys
from mobility.messages import translate_message

if TYPE_CHECKING:  # pandas loads with the first page, not with the sign-in form
    import pandas as pd


def language_switch() -> str:
    """The sidebar language selector (German first); returns the chosen code."""
    return st.sidebar.selectbox(
        t("app.language", current_language()), LANGUAGES, key="lang",
        format_func=LANGUAGE_NAMES.__getitem__,
    )


def current_language() -> str:
    """The language chosen in the sidebar, German until someone switches."""
    return st.session_state.get("lang", LANGUAGES[0])


def current_principal():
    """The signed-in :class:`mobility.auth.Principal`, or None while login is not wired."""
    return st.session_state.get("principal")


def sticky_tabs(key: str, label_keys: Sequence[str], lang: str) -> list:
    """``st.tabs`` that stay on the open tab: after a button, ``st.rerun``, a switch of
    language, and a reload of the page.

    Plain ``st.tabs`` are chosen in the browser only; the server always sends "first tab",
    so whenever the browser draws the tab bar anew (a reload, a switch of language, a
    link; seen in Chromium) the person is back on the first tab, one click away from
    the result of what she just did. These tabs are a widget: the open tab is kept in
    ``st.session_state[key]`` and sent with every run, and the page address carries it
    (``?<key>=<label>``), so a reload or a shared link opens the same tab.

    A click on a tab shows it at once and then reruns the page (~1 s for the match board
    on the demo database). Every tab is still drawn on every run, not only the open one:
    widgets in the other tabs keep their values (Streamlit forgets a widget that one run
    did not draw), and tests find them without opening the tab first.

    Parameters
    ----------
    key : str
        Session-state key and query-parameter name, one per page (``"adviser_tab"``).
    label_keys : sequence of str
        Translation keys of the tab labels, in order.
    lang : str
        Language of the labels. The open tab is also remembered by its label key, so a
        switch of language keeps it although every label changes.

    Returns
    -------
    list
        The tab containers, in the order of ``label_keys``.
    """
    labels = [t(k, lang) for k in label_keys]
    remembered = f"{key}__open"  # the open tab's label key: the same in every language
    if st.session_state.get(key) not in labels and st.session_state.get(
            remembered) in label_keys:
        st.session_state[key] = labels[list(label_keys).index(st.session_state[remembered])]
    tabs = st.tabs(labels, key=key, on_change="rerun", bind="query-params")
    st.session_state[remembered] = next(
        (k for k, tab in zip(label_keys, tabs, strict=True) if tab.open), label_keys[0])
    return list(tabs)


def show_error(exc: MobilityError, lang: str | None = None) -> None:
    """Show a package error as the user should see it: the message, then every problem
    (file, row, column) as a table, all in ``lang`` (the sidebar's language when not
    given). Never a traceback."""
    from mobility.auth.escaping import escape_markdown

    lang = lang or current_language()
    # Messages quote the file's cells: keep them text.
    st.error(escape_markdown(translate_message(exc.message, lang)))
    if exc.problems:
        st.dataframe(problems_frame(exc.problems, lang), hide_index=True, width="stretch")


def problems_frame(problems, lang: str, *, files: bool = True) -> pd.DataFrame:
    """Problems for display and download, sorted by file and row: headers, columns and
    messages in ``lang`` (:func:`mobility.messages.translate_message`); without the file
    column when ``files`` is false (one upload)."""
    import pandas as pd

    from mobility.auth.guarded import NOT_YOURS

    known = set(i18n_keys())
    names = [*(("file",) if files else ()), "row", "column", "value", "message"]
    rows = []
    for p in sorted(problems, key=lambda p: (p.file or "", p.row is None, p.row or 0,
                                             p.column or "")):
        message = (t("import.foreign_row", lang) if p.message == NOT_YOURS
                   else translate_message(p.message, lang))
        # A file name the app gave ("partnerships (edited)") is worded like a message.
        cells = {"file": translate_message(p.file or "", lang), "row": p.row,
                 "column": _label(p.column or "", lang, known), "value": p.value or "",
                 "message": message}
        rows.append({t(f"import.{name}", lang): cells[name] for name in names})
    frame = pd.DataFrame(rows, columns=[t(f"import.{name}", lang) for name in names])
    return frame.astype({t("import.row", lang): "Int64"})


def synthetic_banner(lang: str) -> None:
    """A warning on every page while the database holds synthetic (demo) rows."""
    from mobility.ui import cache

    if cache.synthetic_row_count() > 0:
        st.warning(t("app.synthetic_banner", lang), icon=":material/science:")


#: How dates read in each language (moment.js tokens, as ``st.column_config`` takes them).
DATE_FORMATS = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
#: Columns holding a 0-1 fit (scores and their components): shown with two decimals.
FRACTION_COLUMNS = {"score", "apprentice_score", "host_score", "trade", "language", "twin_town",
                    "preference", "distance", "training_year"}


def _label(column: str, lang: str, known: set[str]) -> str:
    return t(f"field.{column}", lang) if f"field.{column}" in known else column


def column_config(frame: pd.DataFrame, lang: str, *, hide: tuple[str, ...] = (),
                  labels: dict[str, str] | None = None) -> dict[str, object]:
    """``st.dataframe`` column_config for ``frame``: every column labelled in ``lang``
    (``field.<name>`` texts, or ``labels``), dates without a time in the language's
    format, numbers as numbers, flags as check boxes; ``hide`` columns are not shown.
    The data keeps its format's names, so exports stay stable."""
    import pandas as pd

    known = set(i18n_keys())
    config: dict[str, object] = {}
    for column in frame.columns:
        if column in hide:
            config[column] = None
            continue
        label = (labels or {}).get(column) or _label(str(column), lang, known)
        dtype = frame[column].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            config[column] = st.column_config.DateColumn(label, format=DATE_FORMATS.get(
                lang, DATE_FORMATS["de"]))
        elif pd.api.types.is_bool_dtype(dtype):
            config[column] = st.column_config.CheckboxColumn(label)
        elif pd.api.types.is_integer_dtype(dtype):
            config[column] = st.column_config.NumberColumn(label, format="%d")
        elif pd.api.types.is_float_dtype(dtype):
            digits = 2 if column in FRACTION_COLUMNS else 0
            config[column] = st.column_config.NumberColumn(label, format=f"%.{digits}f")
        else:
            config[column] = st.column_config.TextColumn(label)
    return config


def column_labels(frame: pd.DataFrame, lang: str) -> dict[str, object]:
    """:func:`column_config` with nothing hidden (kept for older callers)."""
    return column_config(frame, lang)


def number(value: float, lang: str) -> str:
    """A whole number with the language's digit grouping (``1.234`` / ``1,234``)."""
    text = f"{int(value):,}"
    return text.replace(",", ".") if lang != "en" else text


def show_counts(table: pd.DataFrame, lang: str, count_columns: list[str]) -> pd.DataFrame:
    """A copy of an already suppressed table for display: ``<NA>`` counts (suppressed
    by :func:`mobility.auth.aggregates.suppress_small_counts`) read "fewer than 5"."""
    import pandas as pd

    from mobility.auth.aggregates import MIN_COUNT

    shown = table.copy()
    for column in count_columns:
        shown[column] = [
            t("common.fewer_than", lang, n=MIN_COUNT) if pd.isna(v) else number(v, lang)
            for v in shown[column]
        ]
    return shown.drop(columns=[c for c in shown.columns if c.startswith("suppressed")])
