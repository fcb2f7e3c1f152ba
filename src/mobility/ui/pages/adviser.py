"""Mobility adviser: "Match board".

* Caseload: the apprentices as a table, filtered, searched and sorted.
* Import: a CSV/XLSX file is checked with :func:`mobility.io.read_table` and its report
  shown row by row; only a clean file can be written, in one transaction.
* Allocation: :meth:`mobility.matching.matcher.Matcher.allocate` (stable or optimal) with
  weight sliders and a progress bar; the summary says who is matched, who is not and
  why, the twin-town share and the funding estimate against the budget.
* Shortlist: per apprentice, the status pipeline and notes, stored with optimistic
  concurrency (a stale save shows the :class:`~mobility.errors.ConflictError` message);
  a manual override puts another placement on the apprentice's shortlist.
* Exports: the allocation as CSV/XLSX and, when the funding module provides it, the
  Beneficiary Module file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import ConflictError, MobilityError
from mobility.funding.budget import budget_check
from mobility.i18n import t
from mobility.io import KINDS
from mobility.storage import SHORTLIST_STATUSES
from mobility.ui import cache
from mobility.ui.common import (
    column_config,
    current_language,
    current_principal,
    number,
    show_error,
)
from mobility.ui.views import allocation_summary, budget_sentences, search_caseload

#: The sliders: (setting name, label key) for the weights an adviser may move.
WEIGHTS = (("w_trade", "field.trade"), ("w_twin_town", "map.twin_town"),
           ("w_preference", "field.preferred_countries"), ("w_distance", "field.distance"))


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
    st.dataframe(shown, hide_index=True, width="stretch", key="caseload_table",
                 column_config=column_config(shown, lang))


def _import(lang: str) -> None:
    c1, c2 = st.columns([1, 2])
    kind = c1.selectbox(t("adviser.import_kind", lang), KINDS, key="import_kind")
    upload = c2.file_uploader(t("adviser.import_file", lang), type=["csv", "xlsx"],
                              key="import_file")
    if upload is not None and st.button(t("adviser.import_check", lang), key="import_check"):
        st.session_state["import_result"] = cache.check_upload(upload, kind)
    result = st.session_state.get("import_result")
    if result is None:
        return
    for note in result.notes:
        st.caption(note)
    if not result.ok:
        st.error(t("adviser.import_bad", lang, n=len(result.problems)))
        st.dataframe(result.problems_frame(), hide_index=True, width="stretch",
                     key="import_problems")
        return
    st.success(t("adviser.import_ok", lang, n=result.rows_read))
    st.dataframe(result.frame.head(50), hide_index=True, width="stretch")
    if st.button(t("adviser.import_write", lang), type="primary", key="import_write"):
        try:
            counts = cache.write_import(result.frame, result.kind, user=_user(),
                                        source=result.name)
        except MobilityError as exc:
            show_error(exc)
            return
        st.session_state.pop("import_result", None)
        st.success(t("adviser.import_done", lang, n=counts.inserted + counts.updated))


def _allocation(lang: str, apprentices: pd.DataFrame) -> None:
    method = st.radio(t("adviser.method", lang), ["stable", "optimal"], key="method",
                      format_func=lambda m: t(f"adviser.method.{m}", lang))
    with st.expander(t("adviser.weights", lang)):
        settings = {name: st.slider(t(label, lang), 0.0, 1.0, default, 0.05, key=f"weight_{name}")
                    for (name, label), default in zip(WEIGHTS, (0.30, 0.30, 0.15, 0.25),
                                                      strict=True)}
    budget = st.number_input(t("adviser.budget", lang), 0.0, 10_000_000.0, 50_000.0, 1000.0,
                             key="budget")
    if st.button(t("adviser.run", lang), type="primary", key="run_allocation"):
        bar = st.progress(0.0, text=t("adviser.progress", lang))

        def report(fraction: float, _message: str) -> None:
            # The package reports its steps in English; the bar says it in the page's words.
            bar.progress(min(max(fraction, 0.0), 1.0), text=t("adviser.progress", lang))

        try:
            result = cache.allocate(method, settings, apprentices, progress=report)
            funded = cache.funding_for(result.matches, cache.data()["apprentices"])
        except MobilityError as exc:
            show_error(exc)
            return
        st.session_state["allocation"] = result
        st.session_state["allocation_funded"] = funded
    result = st.session_state.get("allocation")
    if result is None:
        st.caption(t("adviser.no_allocation", lang))
        return
    summary = allocation_summary(result.matches)
    check = budget_check(st.session_state["allocation_funded"], budget)
    st.subheader(t("adviser.summary", lang))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("adviser.matched", lang), number(summary["matched"], lang))
    c2.metric(t("adviser.unmatched", lang), number(summary["unmatched"], lang))
    c3.metric(t("adviser.twin_share", lang), f"{summary['twin_share']:.0%}")
    bound = "≥ " if check.lower_bound else ""
    c4.metric(t("adviser.funding_total", lang), bound + t("common.eur", lang, eur=check.total_eur))
    if check.fits:
        st.success(t("adviser.within_budget", lang))
    else:
        st.warning(t("adviser.over_budget", lang, eur=check.shortfall_eur))
        frames = cache.data()  # the plan in sentences, with names (mobility.ui.views)
        st.markdown("  \n".join([t("budget.plan", lang), *(esc(line) for line in budget_sentences(
            check.suggestions, lang, apprentices=frames["apprentices"],
            placements=frames["placements"], companies=frames["companies"]))]))
    if check.lower_bound:
        st.caption(t("adviser.lower_bound", lang, n=check.incomplete))
    st.caption(t(f"adviser.method.{result.method}", lang))
    if summary["unmatched"]:
        st.markdown(f"**{t('adviser.why_unmatched', lang)}**")
        reasons = summary["reasons"].assign(status=[
            _allocation_status(s, lang) for s in summary["reasons"]["status"]])
        st.dataframe(reasons, hide_index=True, key="unmatched_reasons",
                     column_config=column_config(reasons, lang, labels={
                         "status": t("adviser.why_unmatched", lang)}))
    shown = match_table(result.matches, lang)
    st.dataframe(shown, hide_index=True, width="stretch", key="allocation_table",
                 column_config=column_config(shown, lang, labels=component_labels(lang)))


def _allocation_status(status: str, lang: str) -> str:
    from mobility.i18n import all_keys

    key = f"allocation.{status}"
    return t(key, lang) if key in all_keys() else str(status)


#: What an adviser reads first in an allocation; the score parts follow.
MATCH_COLUMNS_FIRST = ("apprentice_id", "placement_id", "status", "city", "country", "score",
                       "distance_km", "in_twin_town", "explanation")


def match_table(matches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """An allocation for display: statuses and explanations in ``lang`` (the stored
    and exported matches keep the package's English)."""
    from mobility.ui.explain import explanations

    shown = matches.copy()
    if "status" in shown:
        shown["status"] = [_allocation_status(s, lang) for s in shown["status"]]
    if "explanation" in shown and lang != "en":
        shown["explanation"] = explanations(matches, lang)
    first = [c for c in MATCH_COLUMNS_FIRST if c in shown]
    return shown[first + [c for c in shown.columns if c not in first]]


def component_labels(lang: str) -> dict[str, str]:
    """Labels of the matcher's score components (columns named like fields: ``trade``)."""
    from mobility.matching.scores import COMPONENTS

    return {c: t(f"component.{c}", lang) for c in COMPONENTS}


def _shortlist(lang: str, apprentices: pd.DataFrame) -> None:
    ids = apprentices["apprentice_id"].astype(str).tolist()
    if not ids:
        st.caption(t("common.none_found", lang))
        return
    who = st.selectbox(t("adviser.pick", lang), ids, key="shortlist_apprentice")
    allocation = st.session_state.get("allocation")
    if allocation is not None:  # the allocated pair can go straight on the shortlist
        pair = allocation.matches[(allocation.matches["apprentice_id"] == who)
                                  & allocation.matches["placement_id"].notna()]
        if not pair.empty and st.button(t("adviser.add_to_shortlist", lang) + f": "
                                        f"{pair.iloc[0]['placement_id']}", key="add_allocated"):
            _set(who, str(pair.iloc[0]["placement_id"]), "suggested", None, 0,
                 float(pair.iloc[0]["score"]), lang)
    _override(lang, who)
    _erase(lang, who)
    entries = cache.shortlist(who)
    if entries.empty:
        st.caption(t("common.none_found", lang))
        return
    for entry in entries.itertuples(index=False):
        key = f"{who}_{entry.placement_id}"
        # Optimistic concurrency: a save is based on the version this session last saw,
        # so a colleague's change in between is refused by storage, never overwritten.
        seen = st.session_state.setdefault(f"seen_{key}", int(entry.version))
        with st.container(border=True):
            st.markdown(f"**{esc(entry.placement_id)}** · {esc(entry.trade)} · {esc(entry.city)} "
                        f"({esc(entry.country)}) · {t(f'pipeline.{entry.status}', lang)} · "
                        f"v{entry.version} · {esc(entry.updated_by)}")
            c1, c2, c3 = st.columns([1, 2, 1])
            status = c1.selectbox(t("field.status", lang), SHORTLIST_STATUSES,
                                  index=SHORTLIST_STATUSES.index(entry.status),
                                  format_func=lambda s: t(f"pipeline.{s}", lang),
                                  key=f"status_{key}")
            note = c2.text_input(t("field.note", lang), entry.note, key=f"note_{key}")
            if c3.button(t("common.save", lang), key=f"save_{key}"):
                _set(who, str(entry.placement_id), status, note, seen, None, lang)


def _set(who: str, placement_id: str, status: str, note: str | None, version: int,
         score: float | None, lang: str) -> None:
    seen_key = f"seen_{who}_{placement_id}"
    try:
        entry = cache.set_status(who, placement_id, status, note=note, user=_user(),
                                 expected_version=version, score=score)
    except ConflictError as exc:
        st.error(esc(exc.message))
        st.session_state.pop(seen_key, None)  # the next render shows (and bases on) the latest
        return
    except MobilityError as exc:
        show_error(exc)
        return
    st.session_state[seen_key] = entry.version
    st.toast(t("adviser.status_saved", lang))
    st.rerun()


def _erase(lang: str, who: str) -> None:
    """Erase the apprentice's personal data everywhere (:mod:`mobility.auth.erasure`);
    the id must be typed again, because it cannot be undone."""
    german = lang == "de"
    with st.expander("Personenbezogene Daten löschen" if german else "Erase personal data"):
        st.caption("Entfernt Datensatz, Merkliste, Notizen und Konto; das Protokoll behält "
                   "nur ein Pseudonym. Nicht umkehrbar." if german else
                   "Removes the record, shortlist, notes and account; the audit trail keeps "
                   "only a pseudonym. Cannot be undone.")
        typed = st.text_input("ID zur Bestätigung" if german else "Type the id to confirm",
                              key=f"erase_confirm_{who}")
        if st.button("Löschen" if german else "Erase", key=f"erase_{who}",
                     disabled=typed.strip() != who):
            from mobility.auth.erasure import erase_apprentice

            try:
                erase_apprentice(cache.engine(), who, actor=current_principal())
            except MobilityError as exc:
                show_error(exc)
                return
            cache.clear_data()
            st.session_state.pop("shortlist_apprentice", None)
            st.rerun()


def _override(lang: str, who: str) -> None:
    placements = cache.data()["placements"]
    with st.expander(t("adviser.override", lang)):
        options = placements["placement_id"].astype(str).tolist()
        labels = dict(zip(options, (placements["placement_id"] + " · " + placements["trade"]
                                    + " · " + placements["city"]).astype(str), strict=True))
        chosen = st.selectbox(t("adviser.override_placement", lang), options,
                              format_func=labels.get, key="override_placement")
        if st.button(t("adviser.override", lang), key="override_go"):
            current = cache.shortlist(who)
            hit = current[current["placement_id"] == chosen]
            version = 0 if hit.empty else int(hit.iloc[0]["version"])
            _set(who, chosen, "suggested", f"manual override by {_user()}", version, None, lang)


def _export_files(result) -> dict[str, bytes | Exception]:
    """The export files of one allocation, built once (not on every rerun of the page)."""
    store = st.session_state.setdefault("export_files", {})
    if store.get("for") is not result:
        files: dict[str, bytes | Exception] = {
            "csv": cache.export_matches(result.matches, "csv"),
            "xlsx": cache.export_matches(result.matches, "xlsx"),
            "excel_de": cache.export_matches(result.matches, "excel_de")}
        try:
            files["bm"] = cache.beneficiary_module_file(result.matches)
        except MobilityError as exc:
            files["bm"] = exc
        store.clear()
        store.update({"for": result, "files": files})
    return store["files"]


def _exports(lang: str) -> None:
    result = st.session_state.get("allocation")
    if result is None:
        st.caption(t("adviser.no_allocation", lang))
        return
    files = _export_files(result)
    st.download_button(t("adviser.export_csv", lang), files["csv"], "matches.csv", "text/csv",
                       key="export_csv")
    st.download_button(t("adviser.export_xlsx", lang), files["xlsx"], "matches.xlsx",
                       key="export_xlsx")
    st.download_button(t("adviser.export_excel_de", lang), files["excel_de"],
                       "zuordnungen-excel.csv", "text/csv", key="export_excel_de")
    if isinstance(files["bm"], MobilityError):
        show_error(files["bm"])
    else:
        st.download_button(t("adviser.export_bm", lang), files["bm"], "beneficiary_module.csv",
                           "text/csv", key="export_bm")


def render() -> None:
    lang = current_language()
    st.title(t("adviser.title", lang))
    try:
        apprentices = _caseload_frame()
    except MobilityError as exc:
        show_error(exc)
        return
    tabs = st.tabs([t("adviser.caseload", lang), t("adviser.import", lang),
                    t("adviser.allocation", lang), t("adviser.shortlist", lang),
                    t("adviser.exports", lang)])
    with tabs[0]:
        _caseload(lang, apprentices)
    with tabs[1]:
        _import(lang)
    with tabs[2]:
        _allocation(lang, apprentices)
    with tabs[3]:
        _shortlist(lang, apprentices)
    with tabs[4]:
        _exports(lang)


if __name__ == "__main__":
    render()
