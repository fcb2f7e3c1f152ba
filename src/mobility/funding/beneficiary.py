"""A shortlist as a file of mobility activities for the Erasmus+ Beneficiary Module.

Sending organisations record each participant's stay as a *mobility activity* in the
Beneficiary Module (BM). :func:`export_beneficiary_module` writes a shortlist as one row
per activity with the fields the BM asks for: participant, sending and receiving
organisation, receiving city and country, start and end dates, distance band, green
travel, fewer opportunities (see ``docs/beneficiary-module.md``). The layout follows
those activity fields; it was **not** validated against a live BM import (no internet
here), so check the column mapping once before a real upload.

Only Erasmus+ eligible stays are written; the others come back in
:attr:`BeneficiaryExport.skipped` with the reason. Text cells that a spreadsheet would
run as a formula get a leading apostrophe (:func:`mobility.io.writing.neutralise`);
:func:`read_beneficiary_module` removes it again, so a round trip gives the same table.

Examples
--------
>>> from mobility.funding.beneficiary import BM_COLUMNS
>>> list(BM_COLUMNS)[:4]
['activity_id', 'activity_type', 'participant_id', 'participant_name']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.funding.estimate import estimate_for_matches, join_stays
from mobility.io.validation import unquote_formulas
from mobility.io.writing import check_table_path, neutralise, write_file_atomically
from mobility.reference.erasmus import DEFAULT_TRAVEL_TABLE, erasmus_rules

#: The columns of the export, in order, with their dtypes after reading.
BM_COLUMNS: dict[str, str] = {
    "activity_id": "string",
    "activity_type": "string",
    "participant_id": "string",
    "participant_name": "string",
    "participant_email": "string",
    "participant_date_of_birth": "datetime64[ns]",
    "sending_organisation": "string",
    "sending_city": "string",
    "sending_country": "string",
    "receiving_organisation": "string",
    "receiving_organisation_id": "string",
    "receiving_city": "string",
    "receiving_country": "string",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    "duration_days": "int64",
    "travel_days": "int64",
    "distance_km": "float64",
    "distance_band": "string",
    "green_travel": "bool",
    "fewer_opportunities": "bool",
    "synthetic": "bool",
}

ACTIVITY_TYPES = {
    "erasmus_short": "VET learners short-term learning mobility",
    "erasmus_pro": "VET learners long-term learning mobility (ErasmusPro)",
}


@dataclass(frozen=True)
class BeneficiaryExport:
    """What :func:`export_beneficiary_module` wrote: the file, its rows, and the
    shortlist rows it left out (``apprentice_id``, ``placement_id``, ``reason``)."""

    path: Path
    activities: pd.DataFrame
    skipped: pd.DataFrame


def beneficiary_activities(shortlist: pd.DataFrame, apprentices: pd.DataFrame,
                           placements: pd.DataFrame, companies: pd.DataFrame, *,
                           green_travel: bool = False,
                           travel_table: str = DEFAULT_TRAVEL_TABLE
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activity table (columns :data:`BM_COLUMNS`) and the skipped rows, unwritten.

    Stay length and start follow :func:`~mobility.funding.estimate.join_stays`; the end
    date is start + days - 1. ``green_travel`` applies to every row unless the shortlist
    has a ``green_travel`` column.
    """
    funded = estimate_for_matches(shortlist.reset_index(drop=True), apprentices, placements,
                                  green_travel=green_travel, daily_rates=None,
                                  travel_table=travel_table)
    app, plc, days, start = join_stays(shortlist.reset_index(drop=True), apprentices,
                                       placements)
    company_pos = pd.Index(companies["company_id"].astype(str)).get_indexer(
        plc["company_id"].astype(str))
    if (company_pos < 0).any():
        unknown = sorted(set(plc["company_id"].astype(str)[company_pos < 0]))[:5]
        raise ValidationError(f"placements name companies that are not in the companies "
                              f"table: {', '.join(unknown)}")
    comp = companies.iloc[company_pos].reset_index(drop=True)
    eligible = funded["eligible_programmes"].fillna("").str.split(";")
    kind = np.array([next((k for k in keys if k in ACTIVITY_TYPES), "") for keys in eligible],
                    dtype=object)
    keep = kind != ""
    green = (shortlist["green_travel"].to_numpy(dtype=bool) if "green_travel" in shortlist
             else np.full(len(funded), bool(green_travel)))
    rules = erasmus_rules()
    green_counts = green & (funded["distance_km"].to_numpy() >= rules["green_from_km"].value)
    travel_days = np.where(green_counts, rules["green_travel_days"].value,
                           rules["standard_travel_days"].value).astype(np.int64)
    start_ts = pd.to_datetime(start).dt.normalize()
    end_ts = start_ts + pd.to_timedelta(days - 1, unit="D")
    activities = pd.DataFrame({
        "activity_id": app["apprentice_id"].astype(str) + "-" + plc["placement_id"].astype(str),
        "activity_type": [ACTIVITY_TYPES.get(k, "") for k in kind],
        "participant_id": app["apprentice_id"], "participant_name": app["name"],
        "participant_email": app["email"], "participant_date_of_birth": app["date_of_birth"],
        "sending_organisation": app["sending_organisation"], "sending_city": app["home_city"],
        "sending_country": app["home_country"], "receiving_organisation": comp["name"],
        "receiving_organisation_id": comp["company_id"], "receiving_city": plc["city"],
        "receiving_country": plc["country"], "start_date": start_ts, "end_date": end_ts,
        "duration_days": days.astype(np.int64), "travel_days": travel_days,
        "distance_km": funded["distance_km"].round(1).to_numpy(),
        "distance_band": funded["distance_band"].to_numpy(),
        "green_travel": green, "fewer_opportunities": app["fewer_opportunities"].astype(bool),
        "synthetic": (app["synthetic"].astype(bool).to_numpy() if "synthetic" in app else False)
        | (plc["synthetic"].astype(bool).to_numpy() if "synthetic" in plc else False),
    })
    activities = activities.astype(BM_COLUMNS)[list(BM_COLUMNS)]
    skipped = pd.DataFrame({
        "apprentice_id": app["apprentice_id"].astype("string"),
        "placement_id": plc["placement_id"].astype("string"),
        "reason": pd.array([f"not eligible for Erasmus+ (eligible: {e or 'none'})"
                            for e in funded["eligible_programmes"].fillna("")], dtype="string"),
    })[~keep].reset_index(drop=True)
    return activities[keep].reset_index(drop=True), skipped


def export_beneficiary_module(shortlist: pd.DataFrame, apprentices: pd.DataFrame,
                              placements: pd.DataFrame, companies: pd.DataFrame,
                              path: str | os.PathLike, *, green_travel: bool = False,
                              travel_table: str = DEFAULT_TRAVEL_TABLE) -> BeneficiaryExport:
    """Write the shortlist's Erasmus+ activities to ``path`` (``.csv`` or ``.xlsx``).

    The file appears complete or not at all (written beside the target, then renamed).
    Dates are ``YYYY-MM-DD``, booleans ``true``/``false``, text neutralised against
    formula injection.

    Parameters
    ----------
    shortlist : DataFrame
        ``apprentice_id``, ``placement_id``; optional ``days``/``weeks``, ``start``,
        ``green_travel``.
    apprentices, placements, companies : DataFrame
        Validated tables in the shared import format.
    path : path
        Destination; the suffix picks the format.

    Returns
    -------
    BeneficiaryExport
    """
    target = check_table_path(path)
    activities, skipped = beneficiary_activities(shortlist, apprentices, placements, companies,
                                                 green_travel=green_travel,
                                                 travel_table=travel_table)
    write_file_atomically(_for_file(activities), target, sheet="activities")
    return BeneficiaryExport(target, activities, skipped)


def _for_file(activities: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column, dtype in BM_COLUMNS.items():
        s = activities[column]
        if dtype == "string":
            out[column] = neutralise(s)
        elif dtype.startswith("datetime"):
            out[column] = s.dt.strftime("%Y-%m-%d").fillna("").astype("string")
        elif dtype == "bool":
            out[column] = s.map({True: "true", False: "false"}).astype("string")
        else:
            out[column] = s
    return pd.DataFrame(out)


def read_beneficiary_module(path: str | os.PathLike) -> pd.DataFrame:
    """Read a file :func:`export_beneficiary_module` wrote back into the activity table
    (columns and dtypes of :data:`BM_COLUMNS`, formula guards removed).

    Raises
    ------
    ValidationError
        When columns are missing or a cell cannot be read, naming file, row and column.
    """
    from mobility.errors import Problem

    source = Path(path)
    if source.suffix.lower() == ".xlsx":
        raw = pd.read_excel(source, dtype=str, keep_default_na=False)
    else:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in BM_COLUMNS if c not in raw.columns]
    if missing:
        raise ValidationError(f"{source.name} is not a Beneficiary Module export: columns "
                              f"{', '.join(missing)} are missing")
    problems: list[Problem] = []
    out: dict[str, object] = {}
    for column, dtype in BM_COLUMNS.items():
        s = raw[column].astype("string")
        if dtype == "string":
            out[column] = unquote_formulas(s).replace("", pd.NA)
            continue
        if dtype.startswith("datetime"):
            parsed = pd.to_datetime(s.replace("", None), format="%Y-%m-%d", errors="coerce")
            bad = parsed.isna() & (s != "")
        elif dtype == "bool":
            lowered = s.str.lower()
            parsed = lowered == "true"
            bad = ~lowered.isin(["true", "false"])
        else:
            parsed = pd.to_numeric(s, errors="coerce")
            bad = parsed.isna()
        for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
            problems.append(Problem(f"cannot read {s.iat[i]!r} as {dtype}", file=source.name,
                                    row=int(i) + 2, column=column, value=str(s.iat[i])))
        out[column] = parsed
    if problems:
        raise ValidationError(f"{source.name}: {len(problems)} unreadable cell(s)",
                              problems=problems)
    return pd.DataFrame(out).astype(BM_COLUMNS)[list(BM_COLUMNS)]
