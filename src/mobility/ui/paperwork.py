"""The adviser page's paperwork: the Beneficiary Module file and, on each confirmed
shortlist entry, the Learning Agreement and Europass Mobility drafts.

The adviser page calls :func:`beneficiary_module_export` in its exports and
:func:`document_actions` inside each shortlist entry; everything else lives here. The
files are built by :mod:`mobility.documents` and :mod:`mobility.funding.beneficiary`,
which check the signed-in adviser, audit the export and record each document.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from mobility.auth.escaping import escape_markdown as esc
from mobility.errors import MobilityError
from mobility.i18n import format_date, language_name, t
from mobility.ui import cache
from mobility.ui.common import current_principal, show_error

_MIME = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".pdf": "application/pdf"}


def beneficiary_module_export(lang: str, matches: pd.DataFrame) -> None:
    """Grant agreement input, then the download of the allocation's BM file or the
    problems (missing OIDs per row, unconfirmed dictionary values) that stop it."""
    c1, c2 = st.columns(2)
    number = c1.text_input(t("bm.grant_agreement", lang), key="bm_grant_agreement",
                           help=t("bm.grant_help", lang)).strip()
    data_type = c2.text_input(t("bm.data_type", lang), key="bm_data_type",
                              help=t("bm.data_type_help", lang)).strip()
    if not number:
        st.caption(t("bm.needs_grant", lang))
        return
    store = st.session_state.setdefault("bm_files", {})
    key = (id(matches), number)
    if store.get("key") != key:
        try:
            built = cache.beneficiary_module_file(matches, grant_agreement=number,
                                                  data_type=data_type or None, lang=lang)
        except MobilityError as exc:
            built = exc
        store.clear()
        store.update({"key": key, "built": built})
    built = store["built"]
    if isinstance(built, MobilityError):
        show_error(built)
        return
    data, result = built
    layout = result.layout
    st.download_button(t("adviser.export_bm", lang), data,
                       f"beneficiary_module_{layout.call_year}_{layout.action_type}.csv",
                       "text/csv", key="export_bm")
    if len(result.skipped):
        st.caption(t("bm.skipped", lang, n=len(result.skipped)))
    if layout.unverified_headers:
        st.caption(esc(t("bm.unverified", lang, columns=", ".join(layout.unverified_headers))))


def document_actions(lang: str, who: str, entry) -> None:
    """Learning Agreement / Europass buttons of one shortlist entry (confirmed only),
    the download of what was made, what changed since the last version, and the list of
    documents made so far."""
    from mobility.documents.service import DOCUMENT_STATUSES

    if str(entry.status) not in DOCUMENT_STATUSES:
        st.caption(t("doc.confirmed_only", lang))
        return
    placement = str(entry.placement_id)
    key = f"{who}_{placement}"
    with st.expander(t("doc.documents", lang)):
        c1, c2 = st.columns(2)
        doc_lang = c1.selectbox(t("doc.language", lang), ["de", "en"], key=f"doc_lang_{key}",
                                format_func=lambda code: language_name(code, lang))
        suffix = c2.selectbox(t("doc.format", lang), [".docx", ".pdf"], key=f"doc_fmt_{key}",
                              format_func=lambda s: s.lstrip(".").upper())
        b1, b2 = st.columns(2)
        for column, kind in ((b1, "learning-agreement"), (b2, "europass")):
            label = t("doc.make", lang, kind=t(f"doc.kind.{kind}", lang))
            if column.button(label, key=f"doc_{kind}_{key}"):
                _generate(lang, kind, who, placement, doc_lang, suffix, key)
        made = st.session_state.get(f"doc_made_{key}")
        if made:
            kind, name, data, lines = made
            st.download_button(t("doc.download", lang, kind=t(f"doc.kind.{kind}", lang)), data,
                               name, _MIME[Path(name).suffix], key=f"doc_dl_{key}")
            for line in lines:
                st.caption(esc(line))
        _history(lang, who, placement)


def _generate(lang: str, kind: str, who: str, placement: str, doc_lang: str, suffix: str,
              key: str) -> None:
    from mobility.documents.service import generate_document
    from mobility.documents.tracking import describe

    name = f"{kind}_{who}_{placement}{suffix}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            done = generate_document(cache.engine(), current_principal(), kind, who, placement,
                                     Path(folder) / name, lang=doc_lang)
            data = done.path.read_bytes()
    except MobilityError as exc:
        show_error(exc)
        return
    st.session_state[f"doc_made_{key}"] = (kind, name, data, describe(done.tracked, lang))


def _history(lang: str, who: str, placement: str) -> None:
    from mobility.documents.tracking import document_history

    history = document_history(cache.engine(), who, placement)
    for row in history.itertuples(index=False):
        st.caption(esc(t("doc.history_row", lang, kind=t(f"doc.kind.{row.kind}", lang),
                         version=int(row.version), who=row.created_by,
                         when=format_date(row.created_at, lang),
                         hash=str(row.content_hash)[:12])))
