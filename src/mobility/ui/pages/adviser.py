"""Mobility adviser: "Match board".

* Caseload: the apprentices as a table, filtered, searched and sorted.
* Import: only the kinds the signed-in role may write are offered; a CSV/XLSX file is
  checked with :func:`mobility.io.read_table` and the organisation scope
  (:func:`mobility.auth.guarded.screen_import`) before any write button; the
  problems (sorted by row, downloadable) and the preview read in the page's language.
* Allocation (:mod:`mobility.ui.desk_allocation`): every run is stored as a record,
  re-opened after a reload, and can be adopted as the organisation's working plan;
  names come first, ids second.
* Runs: the stored runs, re-opened or compared side by side (who changes, twin-town
  share, funding total).
* Shortlist (:mod:`mobility.ui.desk_shortlist`): per apprentice, the status pipeline and
  the notes history, keyed by entry; manual overrides name the rules they break and need
  a reason.
* Exports: the allocation as it stands, with names, as CSV/XLSX, and the Beneficiary
  Module file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.errors import MobilityError
from mobility.i18n import t
from mobility.messages import translate_message
from mobility.ui import cache, desk_store, funding_panels, paperwork
from mobility.ui.common import (
    column_config,
    current_language,
    current_principal,
    number,
    problems_frame,
    show_error,
    sticky_tabs,
)
from mobility.ui.desk_allocation import allocation_tab, opened, runs_tab
from mobility.ui.desk_shortlist import shortlist_tab
from mobility.ui.views import readable_codes, search_caseload

#: The page's tabs (label keys), in order.
TABS = ("adviser.caseload", "adviser.import", "adviser.allocation", "runs.title",
        "adviser.shortlist", "adviser.exports")
#: Columns of the stored caseload that the table leaves out (the banner says synthetic).
CASELOAD_HIDDEN = ("home_lat", "home_lon", "synthetic")


def _user() -> str:
    return getattr(current_principal(), "username", "adviser")


def _caseload_frame() -> pd.DataFrame:
    """The apprentices this adviser may see (all while no one is signed in)."""
    apprentices = cache.data()["apprentices"]
    principal = current_principal()
    if principal is not None:
        from mobility.auth import visible_apprentices

        apprentices = visible_apprentices(principal, apprentices)
    return apprentices


def _caseload(lang: str, apprentices: pd.DataFrame) -> None:
    c1, c2, c3 = st.columns([2, 2, 1])
    query = c1.text_input(t("common.search", lang), key="caseload_search")
    trades = sorted(apprentices["trade"].dropna().unique())
    chosen = c2.multiselect(t("field.trade", lang), trades, key="caseload_trades",
                            placeholder=t("common.all", lang))
    order = c3.selectbox("↕", ["apprentice_id", "home_city", "trade", "available_from"],
                         key="caseload_sort", format_func=lambda c: t(f"field.{c}", lang))
    shown = search_caseload(apprentices, query=query, trades=chosen).sort_values(order)
    st.caption(f"{number(len(shown), lang)} / {number(len(apprentices), lang)}")
    # Coordinates are the gazetteer's, for the maps; the home city says the same here.
    shown = shown.drop(columns=[c for c in CASELOAD_HIDDEN if c in shown])
    first = [c for c in ("name", "apprentice_id") if c in shown]  # names first, ids second
    shown = readable_codes(shown[first + [c for c in shown.columns if c not in first]], lang)
    st.dataframe(shown, hide_index=True, width="stretch", key="caseload_table",
                 column_config=column_config(shown, lang))


def problems_table(problems, lang: str) -> pd.DataFrame:
    """Import problems for display and download: sorted by row, headers and messages in
    ``lang``."""
    return problems_frame(problems, lang, files=False)


def _table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    from mobility.io.writing import neutralise, table_bytes

    shaped = frame.copy()
    for column in shaped.columns:
        if shaped[column].dtype == object or shaped[column].dtype == "string":
            shaped[column] = neutralise(shaped[column].astype("string"))
    return table_bytes(shaped, fmt, sheet="problems")  # the one writer (io/writing.py)


def _import(lang: str) -> None:
    kinds = desk_store.writable_kinds()
    if kinds != st.session_state.get("import_kinds_for"):  # the role changed: start over
        st.session_state["import_kinds_for"] = kinds
        st.session_state.pop("import_result", None)
    if not kinds:
        st.caption(t("import.nothing_allowed", lang))
        return
    c1, c2 = st.columns([1, 2])
    kind = c1.selectbox(t("adviser.import_kind", lang), kinds, key="import_kind",
                        format_func=lambda k: t(f"import.kind.{k}", lang))
    upload = c2.file_uploader(t("adviser.import_file", lang), type=["csv", "xlsx"],
                              key="import_file")
    if upload is not None and st.button(t("adviser.import_check", lang), key="import_check"):
        check_import(upload, kind)
    show_import(lang)


def check_import(upload, kind: str) -> None:
    """Read and check a file, organisation scope included (the package's screen, in
    :func:`mobility.ui.cache.check_upload`); keeps the outcome for :func:`show_import`."""
    st.session_state["import_result"] = cache.check_upload(upload, kind)


def show_import(lang: str) -> None:
    held = st.session_state.get("import_result")
    if held is None:
        return
    result = held
    for note in result.notes:
        st.caption(translate_message(note, lang))
    problems = list(result.problems)
    if problems:
        st.error(t("adviser.import_bad", lang, n=len(problems)))
        table = problems_table(problems, lang)
        st.dataframe(table, hide_index=True, width="stretch", key="import_problems")
        c1, c2 = st.columns(2)
        c1.download_button(t("import.problems_csv", lang), _table_bytes(table, "csv"),
                           "problems.csv", "text/csv", key="import_problems_csv")
        c2.download_button(t("import.problems_xlsx", lang), _table_bytes(table, "xlsx"),
                           "problems.xlsx", key="import_problems_xlsx")
        return
    st.success(t("adviser.import_ok", lang, n=result.rows_read))
    preview = result.frame.head(50)
    st.dataframe(preview, hide_index=True, width="stretch", key="import_preview",
                 column_config=column_config(preview, lang))
    if st.button(t("adviser.import_write", lang), type="primary", key="import_write"):
        try:
            counts = cache.write_import(result.frame, result.kind, user=_user(),
                                        source=result.name)
        except MobilityError as exc:
            show_error(exc)
            return
        st.session_state.pop("import_result", None)
        st.success(t("adviser.import_done", lang, n=counts.inserted + counts.updated))


def export_table(matches: pd.DataFrame) -> pd.DataFrame:
    """The allocation as exported: names, company, city and country first, then the
    ids and the engine's columns (package English, stable for re-use)."""
    return desk_store.named(matches)


def _export_files(record, matches: pd.DataFrame) -> dict[str, bytes | Exception]:
    """The export files of the run as it stands, built once per run and state."""
    store = st.session_state.setdefault("export_files", {})
    stamp = (record.run_id, len(matches), tuple(matches["placement_id"].astype(str)))
    if store.get("for") != stamp:
        table = export_table(matches)
        if record.exact is False:  # the file says so too, not only the page
            table.insert(0, "solution", "approximate")
        files: dict[str, bytes | Exception] = {
            "csv": cache.export_matches(table, "csv"),
            "xlsx": cache.export_matches(table, "xlsx"),
            "excel_de": cache.export_matches(table, "excel_de")}
        store.clear()
        store.update({"for": stamp, "files": files})
    return store["files"]


def _exports(lang: str) -> None:
    shown = opened(lang)
    if shown is None:
        st.caption(t("adviser.no_allocation", lang))
        return
    record, matches = shown
    if not desk_store.may("EXPORT_PERSONAL_DATA"):  # administrators: no personal data
        st.caption(t("adviser.exports_not_allowed", lang))
        return
    if record.exact is False:
        st.warning(t("runs.approximate", lang))
    files = _export_files(record, matches)
    st.download_button(t("adviser.export_csv", lang), files["csv"], "matches.csv", "text/csv",
                       key="export_csv")
    st.download_button(t("adviser.export_xlsx", lang), files["xlsx"], "matches.xlsx",
                       key="export_xlsx")
    st.download_button(t("adviser.export_excel_de", lang), files["excel_de"],
                       "zuordnungen-excel.csv", "text/csv", key="export_excel_de")
    paperwork.beneficiary_module_export(lang, matches)
    funding_panels.funding_export(lang, matches)  # parts with table + call year, why not


def render() -> None:
    lang = current_language()
    st.title(t("adviser.title", lang))
    try:
        apprentices = _caseload_frame()
    except MobilityError as exc:
        show_error(exc)
        return
    tabs = sticky_tabs("adviser_tab", TABS, lang)  # stays on the tab she acted in
    with tabs[0]:
        _caseload(lang, apprentices)
        funding_panels.organisation_section(lang)  # the adviser's own organisation
    with tabs[1]:
        _import(lang)
    with tabs[2]:
        allocation_tab(lang, apprentices)
    with tabs[3]:
        runs_tab(lang)
    with tabs[4]:
        shortlist_tab(lang, apprentices)
    with tabs[5]:
        _exports(lang)


if __name__ == "__main__":
    render()
