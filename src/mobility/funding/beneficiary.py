"""Shortlisted stays as the Erasmus+ Beneficiary Module's mobility-activity import file.

Sending organisations record each participant's stay as a *mobility activity* in the
Commission's Beneficiary Module (BM). :func:`export_beneficiary_module` writes one row per
activity, column for column as the layout of the project's call year and action type
defines it (:mod:`mobility.funding.bm_layout`, ``data/beneficiary_module_layouts.csv``),
coded cells with the dictionary's values, and nothing else: no ids of ours, no distances.

The grant agreement number is an input (it names the call year and action type);
organisations are written by their Erasmus+ OID: sending organisations from
:mod:`mobility.storage.organisations`, host companies from the companies table's ``oid``
column. A missing OID, or a dictionary value nobody could confirm, is reported per row
and column before anything is written, never invented.

Stays take their dates from the match frame's ``stay_start``/``stay_end``/``stay_days``
when present (the matcher's stay), else from ``start``/``days``/``weeks`` or the
apprentice's availability clipped to the placement (:func:`~mobility.funding.estimate.join_stays`).
Only Erasmus+ eligible stays are written; the others come back in ``skipped``.

:func:`read_beneficiary_module` reads such a file back into the product's fields with
the layout's headers and dictionaries, so the file can be checked without the writer.

Examples
--------
>>> from mobility.funding.beneficiary import FIELDS
>>> list(FIELDS)[:3]
['data_type', 'grant_agreement', 'mobility_activity_id']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mobility.errors import Problem, ValidationError
from mobility.funding.bm_layout import BMLayout, bm_layout, check_grant_agreement, with_value
from mobility.funding.estimate import estimate_for_matches, join_stays
from mobility.i18n import t
from mobility.io.validation import unquote_formulas
from mobility.io.writing import check_table_path, neutralise, write_file_atomically
from mobility.oids import is_valid_oid
from mobility.reference.erasmus import DEFAULT_TRAVEL_TABLE, erasmus_rules

#: The product's values a layout can place in a column (``field`` in the layout file),
#: with their dtypes. Coded fields hold the product's key; the file gets the BM value.
FIELDS: dict[str, str] = {
    "data_type": "string",
    "grant_agreement": "string",
    "mobility_activity_id": "string",
    "activity_type": "string",
    "field": "string",
    "participant_id": "string",
    "first_name": "string",
    "last_name": "string",
    "participant_email": "string",
    "participant_date_of_birth": "datetime64[ns]",
    "fewer_opportunities": "bool",
    "sending_oid": "string",
    "sending_country": "string",
    "sending_city": "string",
    "receiving_oid": "string",
    "receiving_country": "string",
    "receiving_city": "string",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    "funded_duration": "int64",
    "distance_band": "string",
    "green_travel": "bool",
}

#: Erasmus+ programme keys (funding) that are VET learner activities, and the product key
#: the ``activity_type`` dictionary maps to a BM code.
ACTIVITY_KEYS = ("erasmus_short", "erasmus_pro")

#: Where a missing OID is asked for, per column.
_OID_COLUMNS = {"sending_oid": "sending", "receiving_oid": "receiving"}


@dataclass(frozen=True)
class BeneficiaryActivities:
    """The activities of a shortlist before writing: one row per stay in the product's
    fields (:data:`FIELDS`), the rows left out with the reason, and the problems that
    stop an export (each naming the file row and column)."""

    layout: BMLayout
    activities: pd.DataFrame
    skipped: pd.DataFrame
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class BeneficiaryExport:
    """What :func:`export_beneficiary_module` wrote."""

    path: Path
    layout: BMLayout
    activities: pd.DataFrame
    skipped: pd.DataFrame


def split_name(name: object) -> tuple[str, str]:
    """First and last name from a full name: the last word is the last name.

    >>> split_name("Lea Marie Schmitz"), split_name("Cher")
    (('Lea Marie', 'Schmitz'), ('', 'Cher'))
    """
    words = str(name or "").split()
    return (" ".join(words[:-1]), words[-1]) if words else ("", "")


def beneficiary_activities(shortlist: pd.DataFrame, apprentices: pd.DataFrame,
                           placements: pd.DataFrame, companies: pd.DataFrame, *,
                           grant_agreement: str, sending_oids: Mapping[str, str | None],
                           green_travel: bool = False,
                           travel_table: str = DEFAULT_TRAVEL_TABLE,
                           dictionary_file: str | os.PathLike | None = None,
                           file_name: str = "Beneficiary Module file",
                           data_type: str | None = None,
                           lang: str = "en") -> BeneficiaryActivities:
    """The activity rows of ``shortlist`` for the layout ``grant_agreement`` names.

    Parameters
    ----------
    shortlist : DataFrame
        ``apprentice_id``, ``placement_id``; optional ``stay_start``/``stay_end``/
        ``stay_days`` (else ``start``, ``days``/``weeks``) and ``green_travel``.
    apprentices, placements, companies : DataFrame
        Tables in the shared import format; companies may carry ``oid``.
    grant_agreement : str
        The project's grant agreement number; its year and action pick the layout.
    sending_oids : mapping
        Sending organisation name -> OID (None when not recorded).
    data_type : str, optional
        The "Data type" value of a main mobility row as the project's own template shows
        it (no stored source gives it; see ``docs/beneficiary-module.md``).
    lang : {"en", "de"}
        Language of the problems.
    """
    number, call_year, action_type = check_grant_agreement(grant_agreement, lang)
    layout = bm_layout(call_year, action_type, dictionary_file=dictionary_file, lang=lang)
    if data_type and data_type.strip():
        layout = with_value(layout, "data_type", "mobility", data_type)
    pairs = shortlist.reset_index(drop=True)
    stays = _stays(pairs)
    funded = estimate_for_matches(stays, apprentices, placements, green_travel=green_travel,
                                  daily_rates=None, travel_table=travel_table)
    app, plc, days, start = join_stays(stays, apprentices, placements)
    company_pos = pd.Index(companies["company_id"].astype(str)).get_indexer(
        plc["company_id"].astype(str))
    if (company_pos < 0).any():
        unknown = sorted(set(plc["company_id"].astype(str)[company_pos < 0]))[:5]
        raise ValidationError(f"placements name companies that are not in the companies "
                              f"table: {', '.join(unknown)}")
    comp = companies.iloc[company_pos].reset_index(drop=True)
    eligible = funded["eligible_programmes"].fillna("").str.split(";")
    kind = np.array([next((k for k in keys if k in ACTIVITY_KEYS), "") for keys in eligible],
                    dtype=object)
    keep = kind != ""
    green = (pairs["green_travel"].fillna(False).to_numpy(dtype=bool)
             if "green_travel" in pairs else np.full(len(pairs), bool(green_travel)))
    rules = erasmus_rules()
    green_counts = green & (funded["distance_km"].to_numpy() >= rules["green_from_km"].value)
    travel_days = np.where(green_counts, rules["green_travel_days"].value,
                           rules["standard_travel_days"].value).astype(np.int64)
    start_ts = pd.to_datetime(start).dt.normalize()
    end_ts = start_ts + pd.to_timedelta(days - 1, unit="D")
    if "stay_end" in pairs:  # the matcher's end where it chose one
        chosen = pd.to_datetime(pairs["stay_end"]).dt.normalize().reset_index(drop=True)
        end_ts = chosen.where(chosen.notna(), end_ts)
    names = _names(app)
    serial = number[-6:]
    activities = pd.DataFrame({
        "data_type": "mobility",
        "grant_agreement": number,
        "mobility_activity_id": (serial + "-MOB-" + app["apprentice_id"].astype(str) + "-"
                                 + plc["placement_id"].astype(str)),
        "activity_type": kind,
        "field": "vet",
        "participant_id": app["apprentice_id"].astype(str),
        "first_name": names[0], "last_name": names[1],
        "participant_email": app["email"],
        "participant_date_of_birth": app["date_of_birth"],
        "fewer_opportunities": app["fewer_opportunities"].fillna(False).astype(bool),
        "sending_oid": [_oid(sending_oids.get(str(s))) if pd.notna(s) else ""
                        for s in app["sending_organisation"]],
        "sending_country": app["home_country"], "sending_city": app["home_city"],
        "receiving_oid": [_oid(v) for v in (comp["oid"] if "oid" in comp
                                            else [None] * len(comp))],
        "receiving_country": plc["country"], "receiving_city": plc["city"],
        "start_date": start_ts, "end_date": end_ts,
        "funded_duration": days.astype(np.int64) + travel_days,
        "distance_band": funded["distance_band"].to_numpy(),
        "green_travel": green,
    }).astype(FIELDS)
    for name, dtype in FIELDS.items():  # empty text is missing, as the reader sees it
        if dtype == "string":
            activities[name] = activities[name].str.strip().replace("", pd.NA)
    activities = activities[keep].reset_index(drop=True)
    skipped = pd.DataFrame({
        "apprentice_id": app["apprentice_id"].astype("string"),
        "placement_id": plc["placement_id"].astype("string"),
        "reason": pd.array([f"not eligible for Erasmus+ (eligible: {e or 'none'})"
                            for e in funded["eligible_programmes"].fillna("")], dtype="string"),
    })[~keep].reset_index(drop=True)
    kept_app = app[keep].reset_index(drop=True)
    kept_comp = comp[keep].reset_index(drop=True)
    problems = _problems(activities, layout, kept_app, kept_comp, file_name, lang)
    return BeneficiaryActivities(layout, activities, skipped, tuple(problems))


def export_beneficiary_module(shortlist: pd.DataFrame, apprentices: pd.DataFrame,
                              placements: pd.DataFrame, companies: pd.DataFrame,
                              path: str | os.PathLike, *, grant_agreement: str,
                              sending_oids: Mapping[str, str | None],
                              green_travel: bool = False,
                              travel_table: str = DEFAULT_TRAVEL_TABLE,
                              dictionary_file: str | os.PathLike | None = None,
                              data_type: str | None = None,
                              lang: str = "en") -> BeneficiaryExport:
    """Write the shortlist's Erasmus+ activities to ``path`` (``.csv`` or ``.xlsx``) in
    the layout of ``grant_agreement``'s call year and action type.

    Nothing is written while a problem remains (missing OID, unknown dictionary value):
    :class:`~mobility.errors.ValidationError` lists them, each with row and column. The
    file appears complete or not at all; text cells are neutralised against formulas.
    """
    target = check_table_path(path)
    built = beneficiary_activities(shortlist, apprentices, placements, companies,
                                   grant_agreement=grant_agreement, sending_oids=sending_oids,
                                   green_travel=green_travel, travel_table=travel_table,
                                   dictionary_file=dictionary_file, file_name=target.name,
                                   data_type=data_type, lang=lang)
    if built.problems:
        raise ValidationError(t("bm.problem.not_written", lang, file=target.name,
                                n=len(built.problems)), problems=list(built.problems))
    write_file_atomically(file_table(built.activities, built.layout), target,
                          sheet="activities")
    return BeneficiaryExport(target, built.layout, built.activities, built.skipped)


def file_table(activities: pd.DataFrame, layout: BMLayout) -> pd.DataFrame:
    """The activities as the file's cells: the layout's headers in order, coded values
    from its dictionaries, dates in the column's format, text neutralised."""
    out: dict[str, pd.Series] = {}
    for col in layout.columns:
        s = activities[col.field]
        dtype = FIELDS[col.field]
        if dtype == "bool":
            s = s.map({True: "true", False: "false"})
        if col.dictionary:
            s = s.astype("string").map(lambda key, d=col.dictionary: layout.value(d, key))
        elif dtype.startswith("datetime"):
            s = s.dt.strftime(col.format or "%Y-%m-%d")
        if dtype == "int64" and not col.dictionary:
            out[col.header] = s.astype("int64")
        else:
            out[col.header] = neutralise(s.astype("string").fillna(""))
    return pd.DataFrame(out)


def read_beneficiary_module(path: str | os.PathLike, layout: BMLayout) -> pd.DataFrame:
    """Read an import file of ``layout`` back into the product's fields (formula guards
    removed, coded values turned back into keys, dates parsed with the column's format).

    Raises
    ------
    ValidationError
        When the header is not the layout's, or a cell cannot be read (file, row, column).
    """
    source = Path(path)
    if source.suffix.lower() == ".xlsx":
        raw = pd.read_excel(source, dtype=str, keep_default_na=False)
    else:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(raw.columns) != layout.headers:
        raise ValidationError(
            f"{source.name} does not have the columns of the {layout.call_year} "
            f"{layout.action_type} layout",
            problems=[Problem(f"expected {want!r}", file=source.name, row=1, column=str(got))
                      for got, want in zip([*raw.columns, *[""] * len(layout.headers)],
                                           layout.headers, strict=False) if got != want])
    problems: list[Problem] = []
    out: dict[str, object] = {}
    for col in layout.columns:
        s = unquote_formulas(raw[col.header].astype("string"))
        dtype = FIELDS[col.field]
        if col.dictionary:
            inverse = {v: k for k, v in layout.dictionaries.get(col.dictionary, {}).items()}
            parsed = s.map(lambda v, inv=inverse: inv.get(v, pd.NA))
            bad = parsed.isna()
            if dtype == "bool":
                parsed = parsed.map({"true": True, "false": False})
        elif dtype.startswith("datetime"):
            parsed = pd.to_datetime(s.replace("", None), format=col.format or "%Y-%m-%d",
                                    errors="coerce")
            bad = parsed.isna() & (s != "")
        elif dtype == "int64":
            parsed = pd.to_numeric(s, errors="coerce")
            bad = parsed.isna()
        else:
            parsed, bad = s.replace("", pd.NA), pd.Series(False, index=s.index)
        for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
            problems.append(Problem(f"cannot read {s.iat[i]!r}", file=source.name,
                                    row=int(i) + 2, column=col.header, value=str(s.iat[i])))
        out[col.field] = parsed
    if problems:
        raise ValidationError(f"{source.name}: {len(problems)} unreadable cell(s)",
                              problems=problems)
    fields = [c.field for c in layout.columns]
    return pd.DataFrame(out).astype({f: FIELDS[f] for f in fields})[fields]


def _stays(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with ``stay_days`` worked out from ``stay_start``/``stay_end`` when only
    those are given; :func:`~mobility.funding.estimate.join_stays` then takes the
    matcher's stay row by row and falls back where a row has none."""
    stays = pairs.copy()
    if "stay_start" in stays and "stay_end" in stays and "stay_days" not in stays:
        stays["stay_days"] = (pd.to_datetime(stays["stay_end"])
                              - pd.to_datetime(stays["stay_start"])).dt.days + 1
    return stays


def _names(app: pd.DataFrame) -> tuple[list[str], list[str]]:
    if "first_name" in app and "last_name" in app:
        return (app["first_name"].fillna("").astype(str).tolist(),
                app["last_name"].fillna("").astype(str).tolist())
    pairs = [split_name(n) for n in app["name"]]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _oid(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _problems(activities: pd.DataFrame, layout: BMLayout, app: pd.DataFrame,
              comp: pd.DataFrame, file_name: str, lang: str) -> list[Problem]:
    problems: list[Problem] = []
    header = {c.field: c.header for c in layout.columns}
    for field in _OID_COLUMNS:
        if field not in header:
            continue
        for i, oid in enumerate(activities[field].fillna("").astype(str)):
            if is_valid_oid(oid):
                continue
            if field == "sending_oid":
                org = app["sending_organisation"].iat[i]
                if pd.isna(org) or not str(org).strip():
                    message = t("bm.problem.no_sending_org", lang,
                                id=app["apprentice_id"].iat[i])
                else:
                    message = t("bm.problem.sending_oid", lang, org=org)
            else:
                message = t("bm.problem.host_oid", lang, name=comp["name"].iat[i],
                            id=comp["company_id"].iat[i])
            if oid:
                message += " " + t("bm.problem.oid_invalid", lang, oid=oid)
            problems.append(Problem(message, file=file_name, row=i + 2, column=header[field],
                                    value=oid or None))
    for col in layout.columns:
        if not col.dictionary or activities.empty:
            continue
        keys = activities[col.field]
        if FIELDS[col.field] == "bool":
            keys = keys.map({True: "true", False: "false"})
        for key in sorted(set(keys.astype(str))):
            if not layout.value(col.dictionary, key):
                problems.append(Problem(
                    t("bm.problem.no_value", lang, column=col.header, year=layout.call_year,
                      action=layout.action_type),
                    file=file_name, row=None, column=col.header,
                    value=f"{col.dictionary}={key}"))
    return problems
