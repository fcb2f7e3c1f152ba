"""Widgets every page shares: the language switch, errors, the synthetic-data banner.

Pages call these instead of repeating them; nothing here computes domain results.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.errors import MobilityError
from mobility.i18n import LANGUAGE_NAMES, LANGUAGES, t
from mobility.i18n import all_keys as i18n_keys


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


def show_error(exc: MobilityError) -> None:
    """Show a package error as the user should see it: the message, then every problem
    (file, row, column) as a table. Never a traceback."""
    from mobility.auth.escaping import escape_markdown

    st.error(escape_markdown(exc.message))  # messages quote the file's cells: keep them text
    if exc.problems:
        st.dataframe(pd.DataFrame([p.as_dict() for p in exc.problems]),
                     hide_index=True, width="stretch")


def synthetic_banner(lang: str) -> None:
    """A warning on every page while the database holds synthetic (demo) rows."""
    from mobility.ui import cache

    if cache.synthetic_row_count() > 0:
        st.warning(t("app.synthetic_banner", lang), icon=":material/science:")


def column_labels(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """``st.dataframe`` column_config giving every column with a ``field.<name>`` text
    its label in ``lang`` (the data keeps its format's names: exports stay stable)."""
    known = set(i18n_keys())
    return {c: t(f"field.{c}", lang) for c in frame.columns if f"field.{c}" in known}


def show_counts(table: pd.DataFrame, lang: str, count_columns: list[str]) -> pd.DataFrame:
    """A copy of an already suppressed table for display: ``<NA>`` counts (suppressed
    by :func:`mobility.auth.aggregates.suppress_small_counts`) read "fewer than 5"."""
    from mobility.auth.aggregates import MIN_COUNT

    shown = table.copy()
    for column in count_columns:
        shown[column] = [
            t("common.fewer_than", lang, n=MIN_COUNT) if pd.isna(v) else f"{int(v):,}"
            for v in shown[column]
        ]
    return shown.drop(columns=[c for c in shown.columns if c.startswith("suppressed")])
