"""Funding panels shared by several pages.

* :func:`organisation_section`: a sending organisation's Erasmus accreditation and OID
  (administrators: every organisation; advisers: their own). The accreditation decides
  whether Erasmus+ can fund a stay in a non-associated third country (United Kingdom,
  Switzerland, USA, ...), within the organisation's 20 % international budget.
* :func:`group_table_section`: which country-group table of individual support estimates
  use (administrators; the 2024 regrouping is unverified for VET and applies only when
  selected here).
* :func:`funding_details`: a placement card's funding in words: the Erasmus+ amounts
  with their condition, the parts with the table and call year used, and why the other
  programmes do not fit.

Each page calls one function in one line; the rules live in
:mod:`mobility.funding.accreditation`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.auth.roles import Role
from mobility.errors import MobilityError
from mobility.i18n import country_name, format_date, t
from mobility.ui import cache
from mobility.ui.common import current_principal, show_error


def organisation_section(lang: str) -> None:
    """Record accreditation and OID: every organisation for an administrator, their own
    for an adviser; nothing for other roles."""
    from mobility.funding.accreditation import organisations_for, update_organisation
    from mobility.storage.organisations import get_organisation

    principal = current_principal()
    if principal is None or principal.role not in (Role.ADMINISTRATOR, Role.ADVISER):
        return
    engine = cache.engine()
    st.subheader(t("org.title", lang))
    st.caption(t("org.help", lang))
    records = organisations_for(engine, principal)
    if principal.role is Role.ADMINISTRATOR:
        if not records.empty:
            st.dataframe(_records_table(records, lang), hide_index=True, width="stretch")
        known = sorted(set(records["name"]) | set(_caseload_organisations()))
        name = st.selectbox(t("org.name", lang), ["", *known], key="org_pick",
                            format_func=lambda n: n or t("org.new", lang))
        if not name:
            name = st.text_input(t("org.new_name", lang), key="org_new_name").strip()
    else:
        name = str(principal.organisation or "")
        st.markdown(f"**{esc(name)}**")
    if not name:
        return
    current = get_organisation(engine, name)
    if current is not None:
        st.caption(t("org.updated", lang, who=current.updated_by,
                     when=format_date(current.updated_at, lang)))
    with st.form(f"org_form_{name}"):
        accredited = st.checkbox(t("org.accredited", lang), key=f"org_acc_{name}",
                                 value=bool(current and current.erasmus_accredited))
        oid = st.text_input(t("org.oid", lang), key=f"org_oid_{name}",
                            value=(current.oid or "") if current else "",
                            help=t("org.oid_help", lang))
        accreditation_id = st.text_input(
            t("org.accreditation_id", lang), key=f"org_accid_{name}",
            value=(current.accreditation_id or "") if current else "")
        if st.form_submit_button(t("common.save", lang)):
            try:
                update_organisation(engine, principal, name, oid=oid or None,
                                    erasmus_accredited=accredited,
                                    accreditation_id=accreditation_id or None)
                st.success(t("data.saved", lang))
            except MobilityError as exc:
                show_error(exc)


def _records_table(records: pd.DataFrame, lang: str) -> pd.DataFrame:
    yes, no = t("org.yes", lang), t("org.no", lang)
    return pd.DataFrame({
        t("org.name", lang): records["name"],
        t("org.accredited_short", lang): [yes if a else no for a in records["erasmus_accredited"]],
        t("org.oid", lang): records["oid"].fillna("—"),
        t("org.changed_by", lang): records["updated_by"],
        t("org.changed_at", lang): [format_date(v, lang) for v in records["updated_at"]],
    })


def _caseload_organisations() -> list[str]:
    """The sending organisations the apprentices name (offered as records to create)."""
    apprentices = cache.data()["apprentices"]
    if "sending_organisation" not in apprentices:
        return []
    return [str(n) for n in apprentices["sending_organisation"].dropna().unique() if str(n)]


def group_table_section(lang: str) -> None:
    """The country-group table of individual support: administrators choose it."""
    from mobility.funding.accreditation import select_group_table
    from mobility.funding.match_texts import group_table_name
    from mobility.funding.rates import GroupTableSetting
    from mobility.reference.erasmus import DEFAULT_GROUP_TABLE, group_tables

    principal = current_principal()
    if principal is None or principal.role is not Role.ADMINISTRATOR:
        return
    st.subheader(t("groups.title", lang))
    st.caption(t("groups.help", lang))
    tables = group_tables()
    choice = GroupTableSetting(cache.engine()).load()
    current = choice.table if choice else DEFAULT_GROUP_TABLE
    if choice is not None:
        st.caption(t("org.updated", lang, who=choice.selected_by,
                     when=format_date(choice.selected_at[:10], lang)))

    def label(name: str) -> str:
        return group_table_name(tables[name], lang)

    names = list(tables)
    picked = st.radio(t("groups.pick", lang), names, index=names.index(current),
                      format_func=label, key="group_table_pick")
    rows = [{t("data.country_group", lang): g,
             t("groups.countries", lang): ", ".join(sorted(country_name(c, lang) for c, gg in
                                                           tables[picked].groups.items()
                                                           if gg == g))}
            for g in sorted(set(tables[picked].groups.values()))]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if picked != current and st.button(t("groups.save", lang), key="group_table_save"):
        try:
            select_group_table(principal, picked, setting=GroupTableSetting(cache.engine()))
            st.success(t("data.saved", lang))
            st.rerun()
        except MobilityError as exc:
            show_error(exc)


def funding_settings(lang: str) -> None:
    """The data page's funding settings: the group table, then the organisations."""
    group_table_section(lang)
    organisation_section(lang)


def funding_details(row: pd.Series, lang: str) -> None:
    """A card's funding in words: Erasmus+ with its condition, the parts with table and
    call year, and why the other programmes do not fit."""
    condition = str(row.get("funding_conditions") or "")
    amount = row.get("erasmus_estimate_eur")
    if condition and pd.notna(amount):
        st.caption(t("funding.erasmus_on_condition", lang, eur=float(amount),
                     condition=t(f"funding.condition.{condition}", lang)))
    parts, why_not = str(row.get("funding_parts") or ""), str(row.get("funding_why_not") or "")
    if not parts and not why_not:
        return
    with st.expander(t("funding.details", lang)):
        if parts:
            st.markdown(t("funding.parts_title", lang))
            st.markdown("\n".join(f"- {esc(item)}" for item in _split_parts(parts)))
        if why_not:
            st.markdown(t("funding.why_not_title", lang))
            st.markdown("\n".join(f"- {esc(item)}" for item in why_not.split("; ")))


def _split_parts(text: str) -> list[str]:
    """Split ``funding_parts`` into its parts (a table label may itself hold ``"; "``
    inside its brackets)."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char == "["
        depth -= char == "]"
        if depth == 0 and text.startswith("; ", i):
            items.append(text[start:i])
            start = i + 2
    items.append(text[start:])
    return [item for item in items if item]


#: Columns of the funding export, in order (ids first, then the estimate in words).
FUNDING_EXPORT_COLUMNS = ("apprentice_id", "placement_id", "funding_programme", "programmes",
                          "funding_estimate_eur", "funding_missing", "erasmus_estimate_eur",
                          "funding_conditions", "funding_parts", "funding_why_not",
                          "funding_tables")


def funding_table(matches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every placed match's funding: the chosen programme and estimate, the Erasmus+
    amount with its condition in words, the parts with table and call year, and why the
    other programmes do not fit (texts in ``lang``)."""
    funded = cache.funding_for(matches, cache.data()["apprentices"], lang)
    if funded.empty:
        return funded.reindex(columns=list(FUNDING_EXPORT_COLUMNS))
    conditions = funded["funding_conditions"].astype(str)
    funded = funded.assign(funding_conditions=[
        t(f"funding.condition.{c}", lang) if c else "" for c in conditions])
    return funded[[c for c in FUNDING_EXPORT_COLUMNS if c in funded]].astype(
        {c: "string" for c in ("funding_conditions", "funding_parts", "funding_why_not")})


def funding_export(lang: str, matches: pd.DataFrame) -> None:
    """Download buttons for :func:`funding_table` (CSV and XLSX, guarded like every
    export of personal data)."""
    try:
        table = funding_table(matches, lang)
        csv, xlsx = cache.export_matches(table, "csv"), cache.export_matches(table, "xlsx")
    except MobilityError as exc:
        show_error(exc)
        return
    st.download_button(t("funding.export_csv", lang), csv, "funding.csv", "text/csv",
                       key="export_funding_csv")
    st.download_button(t("funding.export_xlsx", lang), xlsx, "funding.xlsx",
                       key="export_funding_xlsx")
