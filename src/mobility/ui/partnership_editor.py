"""The section "Partnerschaften pflegen / Keep partnerships".

A municipality keeps its own partnerships here (on the municipality page), an
administrator those of any municipality (on the data page, with a picker): the list, a
form to add one, a form to change status, year, contact office, source and confidence,
the history of changes with who made them, and the list as CSV or XLSX. Everything is
decided and stored by :mod:`mobility.storage.partnerships`; roles that may not keep
partnerships see nothing of this section.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from mobility.auth import Action, authorize
from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import ConflictError, MobilityError, PermissionDenied
from mobility.i18n import all_keys, country_name, format_date, t
from mobility.messages import translate_message
from mobility.models import country_codes
from mobility.storage import partnerships as keep
from mobility.text import fold
from mobility.ui import cache
from mobility.ui.common import current_principal, show_error


def _table_now():
    """The working partnerships as the dashboard holds them (cached until the database
    changes: every save is audited, which changes the cache's fingerprint)."""
    return cache.partnerships()


def _may_keep() -> bool:
    try:
        authorize(current_principal(), Action.EDIT_PARTNERSHIPS)
    except PermissionDenied:
        return False
    return True


def render(lang: str, city: str | None, *, key: str = "keep") -> None:
    """The whole section for ``city`` (a municipality account: always its own)."""
    if not city or not _may_keep():
        return
    st.subheader(t("keep.title", lang))
    st.caption(t("keep.intro", lang, city=city))
    principal = current_principal()
    try:
        rows = keep.city_partnerships(cache.engine(), principal, city, table=_table_now())
    except MobilityError as exc:
        show_error(exc)
        return
    if rows.empty:
        st.info(t("keep.none", lang, city=city))
    else:
        _table(rows, lang, key)
        _edit(rows, lang, key)
    _add(city, lang, key)
    _history(city, lang, key)
    if not rows.empty:
        _exports(city, lang, key)


def render_with_picker(lang: str, *, key: str = "data_keep") -> None:
    """For administrators: pick (or type) any municipality, then :func:`render`."""
    if not _may_keep():
        return
    cities = sorted(cache.partnerships()["home_city"].dropna().astype(str).unique(), key=fold)
    city = st.selectbox(t("keep.pick", lang), cities, index=None, accept_new_options=True,
                        placeholder=t("keep.pick", lang), key=f"{key}_city")
    render(lang, city, key=key)


def _status(value: object, lang: str) -> str:
    return t(f"status.{value}", lang) if value in keep.STATUSES else ""


def _confidence(value: object, lang: str) -> str:
    return t(f"confidence.{value}", lang) if value in keep.CONFIDENCES else ""


def _table(rows: pd.DataFrame, lang: str, key: str) -> None:
    shown = pd.DataFrame({
        t("field.partner_city", lang): rows["partner_city"],
        t("field.country", lang): [country_name(c, lang) for c in rows["partner_country"]],
        t("field.status", lang): [_status(s, lang) for s in rows["status"]],
        t("field.since_year", lang): rows["since_year"],
        t("field.contact_office", lang): rows["contact_office"],
        t("field.source", lang): rows["source"],
        t("field.confidence", lang): [_confidence(c or "confirmed", lang)
                                      for c in rows["confidence"]],
        t("field.updated_by", lang): rows["updated_by"],
        t("field.updated_at", lang): [format_date(v, lang) if v else ""
                                      for v in rows["updated_at"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_table",
                 column_config={t("field.since_year", lang): st.column_config.NumberColumn(
                     format="%d")})


def _label(row: pd.Series, lang: str) -> str:
    return f"{row['partner_city']} ({country_name(row['partner_country'], lang)})"


def _edit(rows: pd.DataFrame, lang: str, key: str) -> None:
    st.markdown(f"**{t('keep.edit', lang)}**")
    labels = [_label(r, lang) for _, r in rows.iterrows()]
    chosen = st.selectbox(t("keep.choose", lang), range(len(rows)),
                          format_func=labels.__getitem__, key=f"{key}_choose")
    row = rows.iloc[chosen or 0]
    try:
        record = keep.get_partnership(cache.engine(), current_principal(),
                                      keep.PartnershipKey.of(row), table=rows)
    except MobilityError as exc:
        show_error(exc)
        return
    slot = form_key(key, record.key)
    # Optimistic concurrency: a save is based on what this session last saw, so a
    # colleague's change in between is refused by storage, never overwritten.
    seen = st.session_state.setdefault(f"{slot}_seen", record.token)
    if record.updated_by:
        st.caption(t("keep.last_change", lang, who=record.updated_by,
                      date=format_date(record.updated_at, lang)))
    else:
        st.caption(t("keep.never_changed", lang))
    with st.form(f"{slot}_form"):
        c1, c2, c3 = st.columns(3)
        status = c1.selectbox(t("field.status", lang), keep.STATUSES,
                              index=keep.STATUSES.index(record.status),
                              format_func=lambda s: t(f"status.{s}", lang), key=f"{slot}_status")
        year = c2.number_input(t("field.since_year", lang), min_value=1800,
                               max_value=date.today().year, value=record.since_year, step=1,
                               key=f"{slot}_year")
        confidence = c3.selectbox(t("field.confidence", lang), keep.CONFIDENCES,
                                  index=keep.CONFIDENCES.index(record.confidence),
                                  format_func=lambda c: t(f"confidence.{c}", lang),
                                  key=f"{slot}_confidence")
        office = st.text_input(t("field.contact_office", lang), record.contact_office,
                               key=f"{slot}_office")
        source = st.text_input(t("field.source", lang), record.source, key=f"{slot}_source")
        submitted = st.form_submit_button(t("common.save", lang), key=f"{slot}_save")
    if not submitted:
        return
    try:
        saved = keep.change_partnership(
            cache.engine(), current_principal(), record.key, expected=seen, status=status,
            since_year=None if year is None else int(year), confidence=confidence,
            contact_office=office, source=source)
    except ConflictError:
        latest = keep.get_partnership(cache.engine(), current_principal(), record.key)
        st.error(esc(t("keep.conflict", lang, partner=record.key.partner_city,
                       who=latest.updated_by or t("keep.an_import", lang),
                       date=format_date(latest.updated_at, lang),
                       time=latest.updated_at[11:16])))
        # The next render shows (and a deliberate second save bases on) the latest.
        st.session_state.pop(f"{slot}_seen", None)
        return
    except MobilityError as exc:
        _not_saved(exc, lang)
        return
    st.session_state[f"{slot}_seen"] = saved.token
    cache.partnerships_changed()
    st.session_state[f"{key}_flash"] = t(
        "keep.saved" if saved.token != record.token else "keep.unchanged", lang)
    st.rerun()


def _not_saved(exc: MobilityError, lang: str) -> None:
    """A refused save in the reader's language: what was not saved, then each problem
    with the field it concerns."""
    if not exc.problems:
        show_error(exc)
        return
    st.error(t("keep.not_saved", lang))
    known = set(all_keys())
    st.dataframe(pd.DataFrame({
        "column": [p.column or "" for p in exc.problems],
        t("keep.what", lang): [t(f"field.{p.column}", lang) if f"field.{p.column}" in known
                               else (p.column or "") for p in exc.problems],
        t("keep.problem", lang): [translate_message(p.message, lang) for p in exc.problems],
    }), hide_index=True, width="stretch", column_config={"column": None})


def form_key(key: str, partnership: keep.PartnershipKey) -> str:
    """The prefix of the edit form's widget keys for one partnership (any names)."""
    return f"{key}_{hashlib.sha256(partnership.entity_id.encode()).hexdigest()[:12]}"


def _add(city: str, lang: str, key: str) -> None:
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(flash)
    st.markdown(f"**{t('keep.add', lang)}**")
    codes = sorted(country_codes() - {"DE"}, key=lambda c: fold(country_name(c, lang)))
    with st.form(f"{key}_add", clear_on_submit=True):
        c1, c2 = st.columns(2)
        partner = c1.text_input(t("field.partner_city", lang), key=f"{key}_add_city")
        country = c2.selectbox(t("field.partner_country", lang), codes, index=None,
                               format_func=lambda c: country_name(c, lang),
                               placeholder=t("keep.country_placeholder", lang),
                               key=f"{key}_add_country")
        c3, c4, c5 = st.columns(3)
        status = c3.selectbox(t("field.status", lang), keep.STATUSES,
                              format_func=lambda s: t(f"status.{s}", lang),
                              key=f"{key}_add_status")
        year = c4.number_input(t("field.since_year", lang), min_value=1800,
                               max_value=date.today().year, value=None, step=1,
                               key=f"{key}_add_year")
        confidence = c5.selectbox(t("field.confidence", lang), keep.CONFIDENCES,
                                  format_func=lambda c: t(f"confidence.{c}", lang),
                                  key=f"{key}_add_confidence")
        office = st.text_input(t("field.contact_office", lang), key=f"{key}_add_office")
        source = st.text_input(t("field.source", lang), key=f"{key}_add_source")
        c6, c7 = st.columns(2)
        lat = c6.number_input(t("field.partner_lat", lang), -90.0, 90.0, value=None,
                              format="%.5f", help=t("keep.coordinates_help", lang),
                              key=f"{key}_add_lat")
        lon = c7.number_input(t("field.partner_lon", lang), -180.0, 180.0, value=None,
                              format="%.5f", help=t("keep.coordinates_help", lang),
                              key=f"{key}_add_lon")
        submitted = st.form_submit_button(t("keep.add_submit", lang), key=f"{key}_add_save")
    if not submitted:
        return
    try:
        added = keep.add_partnership(
            cache.engine(), current_principal(), home_city=city, partner_city=partner,
            partner_country=country or "", since_year=None if year is None else int(year),
            status=status, confidence=confidence, contact_office=office, source=source,
            partner_lat=lat, partner_lon=lon)
    except MobilityError as exc:
        _not_saved(exc, lang)
        return
    cache.partnerships_changed()
    st.session_state[f"{key}_flash"] = t("keep.added", lang, partner=added.key.partner_city)
    st.rerun()


def _shown_value(field: str, value: object, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if field == "status":
        return _status(value, lang)
    if field == "confidence":
        return _confidence(value, lang)
    return str(value)


def _history(city: str, lang: str, key: str) -> None:
    st.markdown(f"**{t('keep.history', lang)}**")
    try:
        history = keep.partnership_history(cache.engine(), current_principal(), city=city,
                                           table=_table_now())
    except MobilityError as exc:
        show_error(exc)
        return
    if history.empty:
        st.caption(t("keep.no_history", lang))
        return
    history = history.iloc[::-1]  # newest first
    shown = pd.DataFrame({
        t("keep.when", lang): [format_date(v, lang) for v in history["at"]],
        t("keep.time", lang): [v.strftime("%H:%M") for v in history["at"]],
        t("keep.who", lang): history["who"],
        t("keep.action", lang): [t(f"keep.action.{a}", lang) for a in history["action"]],
        t("field.partner_city", lang): history["partner_city"],
        t("keep.what", lang): [t(f"field.{f}", lang) for f in history["field"]],
        t("keep.before", lang): [_shown_value(f, v, lang)
                                 for f, v in zip(history["field"], history["before"],
                                                 strict=True)],
        t("keep.after", lang): [_shown_value(f, v, lang)
                                for f, v in zip(history["field"], history["after"],
                                                strict=True)],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_history")


def _exports(city: str, lang: str, key: str) -> None:
    name = "-".join(["partnerschaften", *fold(city).split()])
    engine, principal, table = cache.engine(), current_principal(), _table_now()
    c1, c2 = st.columns(2)
    for column, fmt, label, mime in (
            (c1, "csv", "keep.export_csv", "text/csv"),
            (c2, "xlsx", "keep.export_xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        # Written only when clicked (the same permission check runs then).
        data = functools.partial(keep.city_partnerships_file, engine, principal, fmt, city,
                                 table=table)
        column.download_button(t(label, lang), data, f"{name}.{fmt}", mime,
                               key=f"{key}_export_{fmt}", on_click="ignore")
