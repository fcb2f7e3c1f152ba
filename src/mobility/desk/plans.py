"""Names first, runs side by side, and the working plan that counts.

* :func:`with_names` puts the apprentice's name and the company, city and country of the
  placement in front of the ids (which stay, as secondary columns).
* :func:`compare_runs` says what differs between two allocations: who changes, the
  twin-town share and the funding total of each.
* :func:`working_plan` is what an organisation currently plans, apprentice by apprentice:
  a confirmed (or completed) shortlist entry first, then a manual override, then the
  adopted run's pair. :func:`apply_working_plan` shows an allocation as it now stands.

Examples
--------
>>> import pandas as pd
>>> plan = pd.DataFrame({"apprentice_id": ["A1", "A2", "A3"],
...                      "placement_id": ["P1", "P2", None]})
>>> overrides = pd.DataFrame({"apprentice_id": ["A2"], "placement_id": ["P9"]})
>>> entries = pd.DataFrame({"apprentice_id": ["A3"], "placement_id": ["P5"],
...                         "status": ["confirmed"]})
>>> working_plan(plan, overrides, entries).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'apprentice_id': 'A1', 'placement_id': 'P1', 'source': 'plan'},
 {'apprentice_id': 'A2', 'placement_id': 'P9', 'source': 'override'},
 {'apprentice_id': 'A3', 'placement_id': 'P5', 'source': 'confirmed'}]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Shortlist statuses that mean "this apprentice goes there".
CONFIRMED = ("confirmed", "completed")
#: Where a pair of the working plan comes from, strongest first.
SOURCES = ("confirmed", "override", "plan")

#: Allocation columns in the order an adviser reads them: who, where, then the rest;
#: the ids come after the names.
NAMES_FIRST = ("name", "company", "city", "country", "status", "score", "distance_km",
               "in_twin_town", "explanation", "apprentice_id", "placement_id")


def with_names(matches: pd.DataFrame, apprentices: pd.DataFrame, placements: pd.DataFrame,
               companies: pd.DataFrame) -> pd.DataFrame:
    """``matches`` (rows keyed by ``apprentice_id`` / ``placement_id``) with ``name``,
    ``company``, ``city`` and ``country`` in front and the ids after them.

    Only apprentices present in ``apprentices`` get a name: pass the rows the reader may
    see, and the others stay nameless (and should have been filtered out before).

    >>> m = pd.DataFrame({"apprentice_id": ["A1"], "placement_id": ["P1"], "score": [0.9]})
    >>> a = pd.DataFrame({"apprentice_id": ["A1"], "name": ["Ana Schulz"]})
    >>> p = pd.DataFrame({"placement_id": ["P1"], "company_id": ["C1"], "city": ["Nice"],
    ...                   "country": ["FR"]})
    >>> c = pd.DataFrame({"company_id": ["C1"], "name": ["Atelier Azur"]})
    >>> with_names(m, a, p, c).columns.tolist()[:6]
    ['name', 'company', 'city', 'country', 'score', 'apprentice_id']
    >>> with_names(m, a, p, c).loc[0, ["name", "company"]].tolist()
    ['Ana Schulz', 'Atelier Azur']
    """
    out = matches.copy()
    names = apprentices.drop_duplicates("apprentice_id").set_index("apprentice_id")["name"]
    out["name"] = out["apprentice_id"].map(names).astype("string")
    if "placement_id" not in out:  # rows about people only (a comparison's changes)
        return out[["name", *[c for c in out.columns if c != "name"]]]
    place = placements.drop_duplicates("placement_id").set_index("placement_id")
    company_of = out["placement_id"].map(place["company_id"]) if "company_id" in place else (
        pd.Series(pd.NA, index=out.index))
    if "company_id" in out:
        company_of = out["company_id"].where(out["company_id"].notna(), company_of)
    firms = companies.drop_duplicates("company_id").set_index("company_id")["name"]
    out["company"] = company_of.map(firms).astype("string")
    for column in ("city", "country"):
        looked_up = out["placement_id"].map(place[column]) if column in place else pd.NA
        out[column] = (out[column].where(out[column].notna(), looked_up) if column in out
                       else looked_up)
        out[column] = out[column].astype("string")
    first = [c for c in NAMES_FIRST if c in out]
    return out[first + [c for c in out.columns if c not in first]]


def twin_share(matches: pd.DataFrame) -> float:
    """Share of placed apprentices whose placement is in a twin town of their home
    municipality (0 when nobody is placed)."""
    placed = matches[matches["placement_id"].notna()]
    if placed.empty:
        return 0.0
    if "in_twin_town" in placed:
        twin = placed["in_twin_town"].astype("boolean").fillna(False).astype(bool)
    elif "twin_town" in placed:
        twin = pd.to_numeric(placed["twin_town"], errors="coerce").fillna(0) > 0
    else:
        return 0.0
    return float(twin.mean())


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side.

    Attributes
    ----------
    figures : DataFrame
        One row per figure (``figure``: matched, unmatched, twin_share, funding_total,
        total_score) with ``left`` and ``right`` values.
    changes : DataFrame
        The apprentices whose placement differs: ``apprentice_id``, ``left``, ``right``
        (``<NA>``: no placement in that run).
    """

    figures: pd.DataFrame
    changes: pd.DataFrame


def compare_runs(left: pd.DataFrame, right: pd.DataFrame, *,
                 left_funding: float | None = None,
                 right_funding: float | None = None) -> RunComparison:
    """Compare two allocations of the same caseload (matches frames, one row per
    apprentice). Funding totals are passed in (each run stores its own estimate);
    unknown ones stay ``None``.

    >>> a = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P1", None],
    ...                   "in_twin_town": [True, None], "score": [0.8, None]})
    >>> b = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P2", "P1"],
    ...                   "in_twin_town": [False, True], "score": [0.7, 0.6]})
    >>> result = compare_runs(a, b, left_funding=1000.0, right_funding=2500.0)
    >>> result.changes.values.tolist()
    [['A1', 'P1', 'P2'], ['A2', <NA>, 'P1']]
    >>> result.figures.set_index("figure").loc["twin_share"].tolist()
    [1.0, 0.5]
    """
    def placed(frame: pd.DataFrame) -> pd.Series:
        return (frame.drop_duplicates("apprentice_id").set_index("apprentice_id")
                ["placement_id"].astype("string"))

    l_place, r_place = placed(left), placed(right)
    ids = sorted(set(l_place.index.astype(str)) | set(r_place.index.astype(str)))
    both = pd.DataFrame({"apprentice_id": pd.array(ids, dtype="string")})
    both["left"] = both["apprentice_id"].map(l_place).astype("string")
    both["right"] = both["apprentice_id"].map(r_place).astype("string")
    differs = both["left"].fillna("\0") != both["right"].fillna("\0")
    changes = both[differs].reset_index(drop=True)

    def total(frame: pd.DataFrame) -> float | None:
        return round(float(frame["score"].sum(skipna=True)), 6) if "score" in frame else None

    rows = [
        ("matched", int(left["placement_id"].notna().sum()),
         int(right["placement_id"].notna().sum())),
        ("unmatched", int(left["placement_id"].isna().sum()),
         int(right["placement_id"].isna().sum())),
        ("twin_share", twin_share(left), twin_share(right)),
        ("funding_total", left_funding, right_funding),
        ("total_score", total(left), total(right)),
    ]
    # Object columns: an unknown funding total stays None, not NaN.
    figures = pd.DataFrame(rows, columns=["figure", "left", "right"], dtype=object)
    return RunComparison(figures, changes)


def working_plan(plan: pd.DataFrame | None, overrides: pd.DataFrame | None,
                 shortlist: pd.DataFrame | None) -> pd.DataFrame:
    """Who goes where now: per apprentice the strongest of a confirmed (or completed)
    shortlist entry, a manual override, the adopted run's pair.

    Returns ``apprentice_id, placement_id, source`` (``source`` one of
    :data:`SOURCES`), one row per apprentice with a placement, sorted by id.
    """
    parts = []
    if shortlist is not None and len(shortlist):
        done = shortlist[shortlist["status"].astype(str).isin(CONFIRMED)]
        parts.append(done[["apprentice_id", "placement_id"]].assign(source="confirmed"))
    if overrides is not None and len(overrides):
        parts.append(overrides[["apprentice_id", "placement_id"]].assign(source="override"))
    if plan is not None and len(plan):
        pairs = plan[plan["placement_id"].notna()]
        parts.append(pairs[["apprentice_id", "placement_id"]].assign(source="plan"))
    if not parts:
        return pd.DataFrame({"apprentice_id": pd.Series(dtype="string"),
                             "placement_id": pd.Series(dtype="string"),
                             "source": pd.Series(dtype="string")})
    rows = pd.concat(parts, ignore_index=True).astype("string")
    rows["strength"] = rows["source"].map({s: i for i, s in enumerate(SOURCES)})
    rows = rows.sort_values(["apprentice_id", "strength"], kind="stable")
    rows = rows.drop_duplicates("apprentice_id").drop(columns="strength")
    return rows.reset_index(drop=True)


def taken_slots(working: pd.DataFrame, placement_id: str, *, besides: str) -> int:
    """How many apprentices other than ``besides`` the working plan puts on
    ``placement_id`` (for the capacity rule of an override)."""
    on = working[(working["placement_id"] == placement_id)
                 & (working["apprentice_id"] != besides)]
    return len(on)


def apply_working_plan(matches: pd.DataFrame, working: pd.DataFrame,
                       placements: pd.DataFrame) -> pd.DataFrame:
    """The allocation ``matches`` as it now stands: where the working plan puts an
    apprentice elsewhere (override, confirmed placement), the row shows that placement,
    with ``status`` set to the source, the engine's scores cleared (they belonged to the
    old pair) and ``city``/``country``/``company_id`` of the new placement.

    >>> m = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P1", "P2"],
    ...                   "score": [0.8, 0.7], "status": ["matched", "matched"],
    ...                   "city": ["Leeds", "Amiens"]})
    >>> w = pd.DataFrame({"apprentice_id": ["A1", "A2"], "placement_id": ["P1", "P3"],
    ...                   "source": ["plan", "override"]})
    >>> p = pd.DataFrame({"placement_id": ["P3"], "city": ["Nice"], "country": ["FR"],
    ...                   "company_id": ["C3"]})
    >>> out = apply_working_plan(m, w, p)
    >>> out[["placement_id", "status", "city"]].values.tolist()
    [['P1', 'matched', 'Leeds'], ['P3', 'override', 'Nice']]
    >>> bool(out.loc[1, "score"] is pd.NA or out["score"].isna()[1])
    True
    """
    out = matches.copy()
    target = working.drop_duplicates("apprentice_id").set_index("apprentice_id")
    new_place = out["apprentice_id"].map(target["placement_id"])
    source = out["apprentice_id"].map(target["source"])
    moved = new_place.notna() & (new_place.astype("string").fillna("")
                                 != out["placement_id"].astype("string").fillna(""))
    if not moved.any():
        return out
    place = placements.drop_duplicates("placement_id").set_index("placement_id")
    out["placement_id"] = out["placement_id"].astype("string")
    out.loc[moved, "placement_id"] = new_place[moved].astype(str)
    if "status" in out:
        out["status"] = out["status"].astype("string")
        out.loc[moved, "status"] = source[moved].astype(str)
    for column in ("city", "country", "company_id"):
        if column in out and column in place:
            out[column] = out[column].astype("string")
            out.loc[moved, column] = out.loc[moved, "placement_id"].map(place[column])
    numeric = [c for c in out.columns if c not in {"apprentice_id", "placement_id", "status",
                                                   "city", "country", "company_id"}
               and (pd.api.types.is_numeric_dtype(out[c]) or c == "explanation")]
    for column in numeric:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype("boolean")
        elif column == "explanation":
            out[column] = out[column].astype("string")
        elif pd.api.types.is_integer_dtype(out[column]):
            out[column] = out[column].astype("Int64")
        out.loc[moved, column] = pd.NA
    return out
