"""The match board's shortlist tab: entries with their history, overrides, erasure.

Every widget of an entry is keyed by the entry's id (apprentice and placement), never
by its position in the list, so re-sorting never moves a typed note to another entry.
Notes are appended to the entry's history; a stale save is refused with a message in
the page's language and a reload button.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_label
from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import ConflictError, MobilityError
from mobility.i18n import country_name, format_date, t
from mobility.storage import SHORTLIST_STATUSES
from mobility.ui import cache, desk_store, paperwork
from mobility.ui.common import current_principal, show_error
from mobility.ui.desk_allocation import break_sentence, opened

#: How the entries of one apprentice can be ordered.
SORTS = ("updated_at", "company", "status")


def entry_key(apprentice_id: str, placement_id: str) -> str:
    """The widget key part of one shortlist entry: its id, never its position."""
    return f"{apprentice_id}|{placement_id}"


def _when(value: object, lang: str) -> str:
    stamp = pd.Timestamp(value)
    return f"{format_date(stamp, lang)} {stamp.strftime('%H:%M')}"


def apprentice_labels(apprentices: pd.DataFrame) -> dict[str, str]:
    """``{apprentice_id: "Name · trade · home city (id)"}`` for the picker."""
    return {str(r.apprentice_id): f"{r.name} · {r.trade} · {r.home_city} ({r.apprentice_id})"
            for r in apprentices.itertuples(index=False)}


def placement_labels() -> dict[str, str]:
    """``{placement_id: "Company · city · trade (id)"}`` for every placement."""
    frames = cache.data()
    places = frames["placements"].merge(frames["companies"][["company_id", "name"]],
                                        on="company_id", how="left")
    return {str(p.placement_id): f"{p.name} · {p.city} · {p.trade} ({p.placement_id})"
            for p in places.itertuples(index=False)}


def shortlist_tab(lang: str, apprentices: pd.DataFrame) -> None:
    labels = apprentice_labels(apprentices)
    if not labels:
        st.caption(t("common.none_found", lang))
        return
    who = st.selectbox(t("adviser.pick", lang), list(labels), format_func=labels.get,
                       key="shortlist_apprentice")
    editing = desk_store.may("EDIT_SHORTLIST")
    if editing:
        _planned_pair(lang, who)
        _override(lang, who)
    else:
        st.caption(t("shortlist.read_only", lang))
    if desk_store.may("ERASE_APPRENTICE"):
        _erase(lang, who)
    _entries(lang, who, editing)


def _planned_pair(lang: str, who: str) -> None:
    """The pair the open run (or the working plan) gives ``who``: one click puts it on
    the shortlist."""
    shown = opened(lang)
    if shown is None:
        return
    _record, matches = shown
    pair = matches[(matches["apprentice_id"].astype(str) == who)
                   & matches["placement_id"].notna()]
    if pair.empty:
        return
    placement = str(pair.iloc[0]["placement_id"])
    listed = cache.shortlist(who)
    if (listed["placement_id"].astype(str) == placement).any():
        return  # already on the shortlist (adopting a plan puts its pairs there)
    label = placement_labels().get(placement, placement)
    # Company names and ids come from files: a label renders Markdown (images, links).
    if st.button(f"{t('adviser.add_to_shortlist', lang)}: {escape_label(label)}",
                 key="add_allocated"):
        score = pair.iloc[0].get("score")
        _save(lang, who, placement, "suggested", None, 0,
              None if score is None or pd.isna(score) else float(score))


def _override(lang: str, who: str) -> None:
    places = placement_labels()
    with st.expander(t("adviser.override", lang)):
        chosen = st.selectbox(t("adviser.override_placement", lang), list(places),
                              format_func=places.get, key="override_placement")
        try:
            check = desk_store.check_override(who, chosen)
        except MobilityError as exc:
            show_error(exc)
            return
        if check.breaks:
            lines = "\n".join(f"- {esc(break_sentence(b.rule, lang, b.values))}"
                              for b in check.breaks)
            st.warning(f"{t('override.breaks', lang)}\n\n{lines}")
        else:
            st.info(t("override.breaks_none", lang))
        reason = st.text_input(t("override.reason", lang), key="override_reason")
        if st.button(t("adviser.override", lang), key="override_go"):
            if not reason.strip():
                st.error(t("override.reason_needed", lang))
                return
            current = cache.shortlist(who)
            hit = current[current["placement_id"] == chosen]
            version = 0 if hit.empty else int(hit.iloc[0]["version"])
            try:
                desk_store.override(who, chosen, reason=reason, expected_version=version)
            except ConflictError:
                _conflict(entry_key(who, chosen))
                return
            except MobilityError as exc:
                show_error(exc)
                return
            st.session_state.pop("open_run_rows", None)
            st.toast(t("adviser.override_done", lang))
            st.rerun()


def _erase(lang: str, who: str) -> None:
    """Erase the apprentice's personal data everywhere (:mod:`mobility.auth.erasure`);
    the id must be typed again, because it cannot be undone."""
    with st.expander(t("erase.title", lang)):
        st.caption(t("erase.help", lang))
        typed = st.text_input(t("erase.confirm", lang), key=f"erase_confirm_{who}")
        if st.button(t("erase.go", lang), key=f"erase_{who}", disabled=typed.strip() != who):
            from mobility.auth.erasure import erase_apprentice

            try:
                erase_apprentice(cache.engine(), who, actor=current_principal())
            except MobilityError as exc:
                show_error(exc)
                return
            cache.clear_data()
            st.session_state.pop("shortlist_apprentice", None)
            st.session_state.pop("open_run_rows", None)
            st.rerun()


def _sorted(entries: pd.DataFrame, order: str) -> pd.DataFrame:
    if order == "company":
        return entries.sort_values(["company", "placement_id"], kind="stable")
    if order == "status":
        rank = {s: i for i, s in enumerate(SHORTLIST_STATUSES)}
        return entries.assign(_r=entries["status"].map(rank)).sort_values(
            ["_r", "placement_id"], kind="stable").drop(columns="_r")
    return entries.sort_values(["updated_at", "placement_id"], ascending=[False, True],
                               kind="stable")


def _entries(lang: str, who: str, editing: bool) -> None:
    try:
        entries = cache.shortlist(who)
        history = desk_store.history(who)
    except MobilityError as exc:
        show_error(exc)
        return
    if entries.empty:
        st.caption(t("common.none_found", lang))
        return
    entries = desk_store.named(entries)
    order = st.selectbox(t("shortlist.sort", lang), SORTS, key="shortlist_sort",
                         format_func=lambda s: t(f"shortlist.sort.{s}", lang))
    for entry in _sorted(entries, order).itertuples(index=False):
        _entry(lang, who, entry, history[history["placement_id"] == entry.placement_id],
               editing)


def _entry(lang: str, who: str, entry, history: pd.DataFrame, editing: bool) -> None:
    key = entry_key(who, str(entry.placement_id))
    # Optimistic concurrency: a save is based on the version this session last saw, so a
    # colleague's change in between is refused by storage, never overwritten.
    seen = st.session_state.setdefault(f"seen_{key}", int(entry.version))
    if st.session_state.pop(f"clear_note_{key}", False):
        st.session_state[f"note_{key}"] = ""
    with st.container(border=True, key=f"entry_{key}"):
        st.markdown(f"**{esc(entry.company)}** · {esc(entry.city)} "
                    f"({esc(country_name(entry.country, lang))}) · {esc(entry.trade)} · "
                    f"{t(f'pipeline.{entry.status}', lang)} · v{entry.version} · "
                    f"{esc(entry.updated_by)}")
        st.caption(t("shortlist.ids", lang, placement=entry.placement_id))
        for event in history.itertuples(index=False):
            st.caption(_event_text(event, lang))
        if not editing:
            return
        c1, c2, c3 = st.columns([1, 2, 1])
        status = c1.selectbox(t("field.status", lang), SHORTLIST_STATUSES,
                              index=SHORTLIST_STATUSES.index(entry.status),
                              format_func=lambda s: t(f"pipeline.{s}", lang),
                              key=f"status_{key}")
        note = c2.text_input(t("shortlist.new_note", lang), key=f"note_{key}")
        if c3.button(t("common.save", lang), key=f"save_{key}"):
            _save(lang, who, str(entry.placement_id), status, note.strip() or None, seen, None)
        paperwork.document_actions(lang, who, entry)
        if st.session_state.get("conflict") == key:
            _show_conflict(lang, who, str(entry.placement_id), key)


def _event_text(event, lang: str) -> str:
    when = _when(event.at, lang)
    if event.kind == "interest":
        return t("shortlist.interest", lang, who=event.author, when=when)
    if event.kind == "override":
        breaks = (event.detail or {}).get("breaks", [])
        broken = ", ".join(t(f"override.rule.{b}", lang) for b in breaks) or t(
            "override.breaks_none", lang)
        return t("shortlist.override_event", lang, who=event.author, when=when,
                 reason=esc(event.text), breaks=broken)
    return t("shortlist.note_event", lang, who=event.author, when=when, text=esc(event.text))


def _save(lang: str, who: str, placement_id: str, status: str, note: str | None, version: int,
          score: float | None) -> None:
    key = entry_key(who, placement_id)
    try:
        entry = cache.set_status(who, placement_id, status, note=note, user="",
                                 expected_version=version, score=score)
    except ConflictError:
        _conflict(key)
        return
    except MobilityError as exc:
        show_error(exc)
        return
    st.session_state[f"seen_{key}"] = entry.version
    st.session_state[f"clear_note_{key}"] = True
    st.session_state.pop("conflict", None)
    st.session_state.pop("open_run_rows", None)
    st.toast(t("adviser.status_saved", lang))
    st.rerun()


def _conflict(key: str) -> None:
    st.session_state["conflict"] = key


def _show_conflict(lang: str, who: str, placement_id: str, key: str) -> None:
    latest = cache.shortlist(who)
    latest = latest[latest["placement_id"] == placement_id]
    if latest.empty:
        st.error(t("shortlist.gone", lang))
    else:
        row = latest.iloc[0]
        st.error(t("shortlist.conflict", lang, who=row["updated_by"],
                   when=_when(row["updated_at"], lang)))
    if st.button(t("shortlist.reload", lang), key=f"reload_{key}"):
        st.session_state.pop(f"seen_{key}", None)
        st.session_state.pop(f"status_{key}", None)
        st.session_state.pop("conflict", None)
        st.rerun()
