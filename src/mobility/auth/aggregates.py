"""Counts a municipality may see: its own city, small numbers suppressed.

A count of 1 or 2 apprentices of one trade from one small town points at a person.
Statistical offices therefore suppress small cells; we do the same with a threshold of
:data:`MIN_COUNT` (5). When exactly one cell in a table is suppressed, the total
would give it away, so the next-smallest cell is suppressed as well ("secondary
suppression"). Suppressed counts are ``<NA>`` and flagged in a ``suppressed`` column,
so a page can say "fewer than 5" instead of showing a number.

:func:`suppress_small_counts` is the single implementation: the dashboard and the
exports call it, they do not write their own.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"trade": ["Koch", "Tischler", "Maler"], "count": [12, 2, 7]})
>>> print(suppress_small_counts(counts).to_string(index=False))
   trade  count  suppressed
    Koch     12       False
Tischler   <NA>        True
   Maler   <NA>        True
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mobility.auth.policy import Action, Scope, authorize, same_name
from mobility.auth.roles import Principal
from mobility.errors import ValidationError

#: Counts below this are never shown to municipalities.
MIN_COUNT = 5
#: The columns counts may be grouped by: coarse categories many apprentices share.
AGGREGATE_COLUMNS = frozenset({"trade", "isco08", "training_year", "home_country",
                               "sending_organisation", "preferred_countries", "languages",
                               "fewer_opportunities", "desired_weeks"})
#: How many of them one table may combine.
MAX_GROUP_COLUMNS = 2


def suppress_small_counts(
    table: pd.DataFrame, count_column: str = "count", *, threshold: int = MIN_COUNT
) -> pd.DataFrame:
    """Replace counts below ``threshold`` (but above zero) by ``<NA>``.

    Parameters
    ----------
    table : DataFrame
        One row per cell, a non-negative integer ``count_column``.
    count_column : str
        The column holding the counts.
    threshold : int
        Smallest count shown (5 by default; zero is always shown: it identifies nobody).

    Returns
    -------
    DataFrame
        A copy with ``count_column`` as nullable ``Int64`` and a boolean ``suppressed``
        column. If exactly one cell is suppressed, the smallest shown non-zero cell is
        suppressed too, so that a total cannot reveal it.
    """
    if count_column not in table:
        raise ValidationError(f"no column {count_column!r} to suppress counts in")
    out = table.copy()
    counts = out[count_column].astype("Int64")
    small = (counts > 0) & (counts < threshold)
    small = small.fillna(False).astype(bool)
    if int(small.sum()) == 1:
        candidates = counts.where(~small & (counts > 0)).dropna()
        if not candidates.empty:
            small.loc[candidates.astype("int64").idxmin()] = True
    out[count_column] = counts.mask(small)
    out["suppressed"] = small
    return out


def city_aggregates(
    principal: Principal,
    apprentices: pd.DataFrame,
    by: Sequence[str] = ("trade",),
    *,
    city: str | None = None,
    threshold: int = MIN_COUNT,
) -> pd.DataFrame:
    """How many apprentices of a home city there are, per ``by`` group, suppressed.

    Parameters
    ----------
    principal : Principal
        A municipality sees its own city only; an administrator any city (``city``
        argument); an adviser their organisation's caseload in that city.
    apprentices : DataFrame
        Validated apprentices (``home_city``, ``sending_organisation`` and the ``by``
        columns).
    by : sequence of str
        One or two of :data:`AGGREGATE_COLUMNS` (``trade``, ``preferred_countries`` ...).
        Anything else (names, dates, coordinates, unknown columns) is refused with a
        :class:`~mobility.errors.ValidationError` naming the allowed columns.
    city : str, optional
        The home city to count. Defaults to the municipality's own city.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``count`` (``Int64``, ``<NA>`` when suppressed) and
        ``suppressed``.
    """
    by = [by] if isinstance(by, str) else list(by)
    identifying = {"name", "email", "apprentice_id", "date_of_birth"} & set(by)
    if identifying:
        raise ValidationError(f"cannot aggregate by identifying columns {sorted(identifying)}")
    # Only coarse categories, at most MAX_GROUP_COLUMNS at a time: finer keys (dates,
    # coordinates, several attributes together) make groups of one person each.
    unknown = [c for c in by if c not in AGGREGATE_COLUMNS]
    if unknown or not by or len(by) > MAX_GROUP_COLUMNS:
        raise ValidationError(
            f"cannot aggregate by {', '.join(repr(c) for c in unknown) or repr(by)}: choose "
            f"1 to {MAX_GROUP_COLUMNS} of {', '.join(sorted(AGGREGATE_COLUMNS))}")
    target = city or principal.city
    if not target:
        raise ValidationError("name the city to aggregate")
    scope = authorize(principal, Action.VIEW_AGGREGATES)
    if scope is Scope.CITY:
        authorize(principal, Action.VIEW_AGGREGATES, {"city": target})  # own city only
    rows = apprentices
    if scope is Scope.ORGANISATION:
        rows = rows.loc[same_name(rows["sending_organisation"], principal.organisation)]
    rows = rows.loc[same_name(rows["home_city"], target)]
    counts = rows.groupby(list(by), dropna=False).size().rename("count").reset_index()
    return suppress_small_counts(counts, threshold=threshold)


def placement_status_rows(engine) -> pd.DataFrame:
    """What municipality counts are made of: ``apprentice_id, placement_id, status``.

    Every organisation's working plan (:func:`mobility.desk.plans.working_plan`: its
    adopted allocation run, manual overrides, confirmed placements) gives one row per
    planned apprentice, with status ``planned`` (adopted run or override) or the
    shortlist's ``confirmed`` / ``completed``; shortlist entries still being worked on
    (``suggested``, ``contacted``) follow as they are. Counting only: no row of it
    leaves the aggregate functions.
    """
    from mobility.desk.plans import working_plan
    from mobility.storage.runs import adopted_plans, load_match_run
    from mobility.storage.shortlist import get_shortlist, latest_overrides

    entries = get_shortlist(engine)[["apprentice_id", "placement_id", "status"]]
    plans = [load_match_run(engine, run_id) for run_id in adopted_plans(engine).values()]
    plan = (pd.concat([p[["apprentice_id", "placement_id"]] for p in plans], ignore_index=True)
            if plans else None)
    working = working_plan(plan, latest_overrides(engine), entries)
    status_of = entries.set_index(["apprentice_id", "placement_id"])["status"]
    keys = list(zip(working["apprentice_id"], working["placement_id"], strict=True))
    working["status"] = [status_of.get(k, "planned") if source == "confirmed" else "planned"
                         for k, source in zip(keys, working["source"], strict=True)]
    open_entries = entries[entries["status"].isin(["suggested", "contacted"])]
    rows = pd.concat([working[["apprentice_id", "placement_id", "status"]], open_entries],
                     ignore_index=True)
    return rows.astype("string").reset_index(drop=True)
