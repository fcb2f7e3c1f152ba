"""The match board's allocation and run tabs: run, keep, re-open, compare, adopt.

Every allocation is stored as a run record at once (:mod:`mobility.storage.runs`); the
page shows the run held in ``st.session_state["open_run"]``, or, after a reload, the
organisation's adopted working plan. Domain work is in :mod:`mobility.desk`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import MobilityError
from mobility.funding.budget import budget_check
from mobility.i18n import all_keys, format_date, format_number, t
from mobility.ui import cache, desk_store
from mobility.ui.common import column_config, number, show_error
from mobility.ui.views import allocation_summary, budget_sentences

#: The sliders: (setting name, label key) for the weights an adviser may move.
WEIGHTS = (("w_trade", "field.trade"), ("w_twin_town", "map.twin_town"),
           ("w_preference", "field.preferred_countries"), ("w_distance", "field.distance"))
DEFAULT_WEIGHTS = (0.30, 0.30, 0.15, 0.25)


def allocation_status(status: object, lang: str) -> str:
    """An allocation row's status in ``lang`` (engine statuses and working-plan sources)."""
    if status is None or (not isinstance(status, str) and pd.isna(status)):
        return ""
    for key in (f"allocation.{status}", f"plan.source.{status}"):
        if key in all_keys():
            return t(key, lang)
    return str(status)


def component_labels(lang: str) -> dict[str, str]:
    """Labels of the matcher's score components (columns named like fields: ``trade``)."""
    from mobility.matching.scores import COMPONENTS

    return {c: t(f"component.{c}", lang) for c in COMPONENTS}


def match_table(matches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """An allocation for display: names first (:func:`mobility.desk.plans.with_names`),
    statuses and explanations in ``lang`` (stored and exported rows keep the package's
    English), country names from CLDR."""
    from mobility.i18n import country_name
    from mobility.ui.explain import explanations

    shown = desk_store.named(matches)
    if "explanation" in shown:
        status = shown["status"].astype("string").fillna("")
        engine_rows = status.isin(["matched", ""])
        # The engine's rows are explained from their score parts; rows the working plan
        # changed (override, confirmed elsewhere) by their reason and broken rules.
        words = pd.Series("", index=shown.index, dtype=object)
        ours = shown[engine_rows.to_numpy()]
        if len(ours):
            words[ours.index] = explanations(ours, lang) if lang != "en" else (
                ours["explanation"].astype("string").fillna("").tolist())
        why = override_sentences(lang)
        shown["explanation"] = [
            w if ok else why.get(a, "") for w, ok, a in
            zip(words, engine_rows, shown["apprentice_id"].astype(str), strict=True)]
    if "status" in shown:
        shown["status"] = [allocation_status(s, lang) for s in shown["status"]]
    if "country" in shown:
        shown["country"] = [country_name(c, lang) if isinstance(c, str) else ""
                            for c in shown["country"]]
    return blank_missing(shown, lang)


def blank_missing(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table for reading: missing text and numbers (unplaced rows) as empty cells, not
    "None"; numbers with the language's separators (scores with two decimals)."""
    from mobility.ui.common import FRACTION_COLUMNS

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not values.isna().any():
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = [format_date(v, lang) for v in values]
        elif pd.api.types.is_bool_dtype(values):
            out[column] = values.astype("boolean").fillna(False).astype(bool)
        elif pd.api.types.is_numeric_dtype(values):
            digits = 2 if column in FRACTION_COLUMNS else 0
            out[column] = [format_number(v, lang, digits) if pd.notna(v) else ""
                           for v in values]
        else:
            out[column] = values.astype("string").fillna("")
    return out


def break_sentence(rule: str, lang: str, values: dict | None = None) -> str:
    """One broken hard rule in words (``override.break.<rule>``)."""
    return t(f"override.break.{rule}", lang, **(values or {}))


def override_sentences(lang: str) -> dict[str, str]:
    """``{apprentice_id: "Von Hand: <reason> · bricht: Beruf, Sprache"}`` for the
    current overrides the user may see."""
    out = {}
    for row in desk_store.overrides().itertuples(index=False):
        broken = ", ".join(t(f"override.rule.{b}", lang) for b in row.breaks) or t(
            "override.breaks_none", lang)
        out[str(row.apprentice_id)] = t("override.explained", lang, reason=row.reason,
                                        breaks=broken)
    return out


def run_label(row: pd.Series | object, lang: str) -> str:
    """"29.11.2026 21:40 · stabil · mueller (angenommen)" for a run list row."""
    stamp = pd.Timestamp(row.created_at)
    text = (f"{format_date(stamp, lang)} {stamp.strftime('%H:%M')} · "
            f"{t(f'runs.method.{row.method}', lang)} · {row.created_by}")
    if bool(row.adopted):
        text += f" ({t('runs.adopted', lang)})"
    return text


def _settings(lang: str) -> dict[str, float]:
    with st.expander(t("adviser.weights", lang)):
        return {name: st.slider(t(label, lang), 0.0, 1.0, default, 0.05, key=f"weight_{name}")
                for (name, label), default in zip(WEIGHTS, DEFAULT_WEIGHTS, strict=True)}


def _run(lang: str, method: str, settings: dict, budget: float,
         apprentices: pd.DataFrame) -> None:
    bar = st.progress(0.0, text=t("adviser.progress", lang))

    def report(fraction: float, _message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t("adviser.progress", lang))

    try:
        result = cache.allocate(method, settings, apprentices, progress=report)
        funded = cache.funding_for(result.matches, cache.data()["apprentices"])
        check = budget_check(funded, budget)
        summary = {**result.summary, "funding_total_eur": float(check.total_eur),
                   "funding_lower_bound": bool(check.lower_bound),
                   "twin_share": allocation_summary(result.matches)["twin_share"]}
        run_id = desk_store.store_run(method, result.matches, settings=settings,
                                      summary=summary)
    except MobilityError as exc:
        show_error(exc)
        return
    st.session_state["open_run"] = run_id
    # The summary below shows this run as computed: its funding is already known.
    stamp = (run_id, tuple(result.matches["placement_id"].astype("string").fillna("")))
    st.session_state["open_run_funding"] = (stamp, funded)
    bar.empty()


def opened(lang: str):
    """``(record, matches as they stand)`` of the run this session shows: the one it
    opened or ran, else the organisation's adopted plan; None when there is none."""
    run_id = st.session_state.get("open_run") or desk_store.adopted()
    if not run_id:
        return None
    memo = st.session_state.get("open_run_rows")
    if memo is None or memo[0] != run_id:
        try:
            record, matches = desk_store.open_run(run_id)
        except MobilityError as exc:
            show_error(exc)
            st.session_state.pop("open_run", None)
            return None
        memo = (run_id, record, matches)
        st.session_state["open_run_rows"] = memo
    _, record, matches = memo
    if desk_store.adopted() == record.run_id:
        matches = desk_store.as_it_stands(matches)
    return record, matches


def allocation_tab(lang: str, apprentices: pd.DataFrame) -> None:
    method = st.radio(t("adviser.method", lang), ["stable", "optimal"], key="method",
                      format_func=lambda m: t(f"adviser.method.{m}", lang))
    settings = _settings(lang)
    budget = st.number_input(t("adviser.budget", lang), 0.0, 10_000_000.0, 50_000.0, 1000.0,
                             key="budget")
    if st.button(t("adviser.run", lang), type="primary", key="run_allocation"):
        _run(lang, method, settings, budget, apprentices)
    shown = opened(lang)
    if shown is None:
        st.caption(t("adviser.no_allocation", lang))
        return
    record, matches = shown
    adopted = desk_store.adopted() == record.run_id
    st.subheader(t("adviser.summary", lang))
    stamp = pd.Timestamp(record.created_at)
    st.caption(t("runs.header", lang, date=format_date(stamp, lang), time=stamp.strftime("%H:%M"),
                 method=t(f"runs.method.{record.method}", lang), who=record.created_by))
    if record.exact is False:
        st.warning(t("match.approximate", lang) if "match.approximate" in all_keys()
                   else t("runs.approximate", lang))
    if adopted:
        st.success(t("runs.is_plan", lang))
    elif not desk_store.organisation():
        st.caption(t("runs.adopt_needs_organisation", lang))
    elif st.button(t("runs.adopt", lang), key="adopt_run"):
        try:
            desk_store.adopt(record.run_id)
        except MobilityError as exc:
            show_error(exc)
            return
        st.rerun()
    _summary(lang, record, matches, budget)
    table = match_table(matches, lang)
    st.dataframe(table, hide_index=True, width="stretch", key="allocation_table",
                 column_config=column_config(table, lang, labels=component_labels(lang)))


def _funded(run_id: str, matches: pd.DataFrame) -> pd.DataFrame:
    """The funding estimate of a run as it stands, computed once per run and state (not
    on every rerun of the page)."""
    stamp = (run_id, tuple(matches["placement_id"].astype("string").fillna("")))
    memo = st.session_state.get("open_run_funding")
    if memo is None or memo[0] != stamp:
        memo = (stamp, cache.funding_for(matches, cache.data()["apprentices"]))
        st.session_state["open_run_funding"] = memo
    return memo[1]


def _summary(lang: str, record, matches: pd.DataFrame, budget: float) -> None:
    summary = allocation_summary(matches.assign(
        twin_town=matches.get("in_twin_town", pd.Series(False, index=matches.index))))
    check = budget_check(_funded(record.run_id, matches), budget)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("adviser.matched", lang), number(summary["matched"], lang))
    c2.metric(t("adviser.unmatched", lang), number(summary["unmatched"], lang))
    c3.metric(t("adviser.twin_share", lang), format_number(100 * summary["twin_share"], lang)
              + " %")
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
    st.caption(t(f"adviser.method.{record.method}", lang))
    if summary["unmatched"]:
        st.markdown(f"**{t('adviser.why_unmatched', lang)}**")
        reasons = summary["reasons"].assign(status=[
            allocation_status(s, lang) for s in summary["reasons"]["status"]])
        st.dataframe(reasons, hide_index=True, key="unmatched_reasons",
                     column_config=column_config(reasons, lang, labels={
                         "status": t("adviser.why_unmatched", lang)}))


# --- runs tab -----------------------------------------------------------------------


def runs_tab(lang: str) -> None:
    try:
        stored = desk_store.runs()
    except MobilityError as exc:
        show_error(exc)
        return
    if stored.empty:
        st.caption(t("runs.none", lang))
        return
    labels = {row.run_id: run_label(row, lang) for row in stored.itertuples(index=False)}
    st.dataframe(_runs_table(stored, lang), hide_index=True, width="stretch", key="runs_table")
    ids = list(labels)
    chosen = st.selectbox(t("runs.pick", lang), ids, format_func=labels.get, key="runs_pick")
    if st.button(t("runs.open", lang), key="runs_open"):
        st.session_state["open_run"] = chosen
        st.session_state.pop("open_run_rows", None)
        st.toast(t("runs.opened", lang))
        st.rerun()  # the allocation tab, drawn before this one, shows the run
    if len(ids) < 2:
        return
    st.subheader(t("runs.compare", lang))
    c1, c2 = st.columns(2)
    left = c1.selectbox(t("runs.left", lang), ids, format_func=labels.get, key="compare_left")
    right = c2.selectbox(t("runs.right", lang), ids, index=1, format_func=labels.get,
                         key="compare_right")
    if left != right:
        _comparison(lang, stored.set_index("run_id"), left, right, labels)


def _runs_table(stored: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = []
    for row in stored.itertuples(index=False):
        summary = row.summary or {}
        stamp = pd.Timestamp(row.created_at)
        exact = row.exact
        rows.append({
            t("runs.when", lang): f"{format_date(stamp, lang)} {stamp.strftime('%H:%M')}",
            t("adviser.method", lang): t(f"runs.method.{row.method}", lang),
            t("field.updated_by", lang): row.created_by,
            t("adviser.matched", lang): number(summary.get("matched", 0), lang),
            t("adviser.funding_total", lang): (
                t("common.eur", lang, eur=summary["funding_total_eur"])
                if summary.get("funding_total_eur") is not None else t("common.unknown", lang)),
            t("runs.exactness", lang): (t("runs.exact", lang) if exact else
                                        t("runs.approximate", lang) if exact is False else
                                        t("common.unknown", lang)),
            t("runs.plan", lang): t("common.yes", lang) if row.adopted else "",
        })
    return pd.DataFrame(rows)


def _comparison(lang: str, stored: pd.DataFrame, left: str, right: str,
                labels: dict[str, str]) -> None:
    from mobility.desk.plans import compare_runs

    try:
        _, l_rows = desk_store.open_run(left)
        _, r_rows = desk_store.open_run(right)
    except MobilityError as exc:
        show_error(exc)
        return
    result = compare_runs(l_rows, r_rows,
                          left_funding=(stored.at[left, "summary"] or {}).get("funding_total_eur"),
                          right_funding=(stored.at[right, "summary"] or {}).get(
                              "funding_total_eur"))
    a, b = labels[left], labels[right]
    figures = pd.DataFrame({
        t("runs.figure", lang): [t(f"runs.figure.{f}", lang) for f in result.figures["figure"]],
        a: [_figure(f, v, lang) for f, v in zip(result.figures["figure"], result.figures["left"],
                                                strict=True)],
        b: [_figure(f, v, lang) for f, v in zip(result.figures["figure"],
                                                result.figures["right"], strict=True)],
    })
    st.dataframe(figures, hide_index=True, width="stretch", key="compare_figures")
    st.caption(t("runs.changes", lang, n=len(result.changes)))
    if result.changes.empty:
        return
    places = _place_names()
    changes = desk_store.named(result.changes[["apprentice_id"]]).drop(
        columns=["company", "city", "country", "placement_id"], errors="ignore")
    changes[a] = result.changes["left"].map(places).fillna(t("runs.no_place", lang)).to_numpy()
    changes[b] = result.changes["right"].map(places).fillna(t("runs.no_place", lang)).to_numpy()
    st.dataframe(changes, hide_index=True, width="stretch", key="compare_changes",
                 column_config=column_config(changes, lang))


def _figure(figure: str, value: object, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return t("common.unknown", lang)
    if figure == "twin_share":
        return format_number(100 * float(value), lang) + " %"
    if figure == "funding_total":
        return t("common.eur", lang, eur=float(value))
    if figure == "total_score":
        return format_number(float(value), lang, 2)
    return format_number(value, lang)


def _place_names() -> dict[str, str]:
    """``{placement_id: "company · city (id)"}`` for every placement."""
    frames = cache.data()
    places = frames["placements"].merge(
        frames["companies"][["company_id", "name"]], on="company_id", how="left")
    return {str(p.placement_id): f"{p.name} · {p.city} ({p.placement_id})"
            for p in places.itertuples(index=False)}
