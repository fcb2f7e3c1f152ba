"""A shortlist against a project budget: does it fit, and what to change if not.

The adviser's budget is the money of one project (by default an Erasmus+ project: the
programmes in :data:`DEFAULT_BUDGET_PROGRAMMES`). Matches funded by another programme
do not draw on it. When the shortlist costs more than the budget, the suggestions are
computed in a fixed order, so the same shortlist always gives the same advice:

1. **move** a match to another programme it is eligible for that is funded outside this
   budget (DFJW for France, AusbildungWeltweit outside Europe ...): largest saving first;
2. **drop** matches: lowest ``score`` first when the shortlist has one (the weakest
   matches go first), else the most expensive first (fewest drops); ties by apprentice
   and placement id.

Suggestions stop as soon as the total fits. Estimates with missing parts (no daily
rates entered yet) make the total a lower bound, and the check says so.

Examples
--------
>>> import pandas as pd
>>> from mobility.funding.budget import budget_check
>>> shortlist = pd.DataFrame({
...     "apprentice_id": ["A1", "A2", "A3"], "placement_id": ["P1", "P2", "P3"],
...     "funding_programme": ["erasmus_short"] * 3,
...     "eligible_programmes": ["erasmus_short;dfjw_internship", "erasmus_short",
...                             "erasmus_short"],
...     "funding_estimate_eur": [900.0, 800.0, 700.0], "funding_complete": [True] * 3,
...     "score": [0.9, 0.5, 0.7]})
>>> check = budget_check(shortlist, 1600)
>>> check.total_eur, check.fits
(2400.0, False)
>>> columns = ["action", "apprentice_id", "to_programme", "total_after_eur"]
>>> check.suggestions[columns].values.tolist()
[['move', 'A1', 'dfjw_internship', 1500.0]]
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobility.errors import ValidationError
from mobility.reference.programmes import get_rule

#: The programmes whose matches draw on the adviser's budget unless told otherwise.
DEFAULT_BUDGET_PROGRAMMES = ("erasmus_short", "erasmus_pro")

SUGGESTION_COLUMNS: dict[str, str] = {
    "step": "int64", "action": "string", "apprentice_id": "string", "placement_id": "string",
    "from_programme": "string", "to_programme": "string", "saves_eur": "float64",
    "total_after_eur": "float64", "basis": "string", "reason": "string",
}
#: ``basis`` of a drop: which was dropped first (``score``: the weakest match left,
#: ``cost``: the most expensive left); empty for moves. ``reason`` is the English
#: sentence for the command line; the dashboard builds its own from the other columns.


@dataclass(frozen=True)
class BudgetCheck:
    """The result of :func:`budget_check`.

    Attributes
    ----------
    budget_eur, total_eur : float
        The budget and the known total of the matches that draw on it.
    fits : bool
        ``total_eur <= budget_eur``.
    lower_bound : bool
        True when some estimates have missing parts: the real total is higher.
    incomplete : int
        How many of the budget's matches have missing parts.
    suggestions : DataFrame
        Moves and drops in the order to apply them (columns :data:`SUGGESTION_COLUMNS`),
        empty when the shortlist fits.
    fits_after : bool
        Whether applying every suggestion makes it fit (False when even dropping all
        is not enough, which cannot happen with a budget >= 0, or when nothing can go).
    """

    budget_eur: float
    total_eur: float
    fits: bool
    lower_bound: bool
    incomplete: int
    suggestions: pd.DataFrame
    fits_after: bool

    @property
    def shortfall_eur(self) -> float:
        return max(self.total_eur - self.budget_eur, 0.0)

    def summary(self) -> str:
        """One paragraph an adviser can read."""
        bound = (f" at least (daily rates missing for {self.incomplete} matches)"
                 if self.lower_bound else "")
        if self.fits:
            head = (f"The shortlist costs {self.total_eur:,.0f} EUR{bound} and fits the "
                    f"budget of {self.budget_eur:,.0f} EUR.")
            return head
        lines = [f"The shortlist costs {self.total_eur:,.0f} EUR{bound}, "
                 f"{self.shortfall_eur:,.0f} EUR over the budget of {self.budget_eur:,.0f} EUR."]
        lines += [f"{s.step}. {s.reason}" for s in self.suggestions.itertuples()]
        return "\n".join(lines)


def budget_check(shortlist: pd.DataFrame, budget_eur: float, *,
                 budget_programmes: Collection[str] = DEFAULT_BUDGET_PROGRAMMES,
                 amount_column: str = "funding_estimate_eur") -> BudgetCheck:
    """Compare a shortlist's estimates with a budget and suggest what to move or drop.

    Parameters
    ----------
    shortlist : DataFrame
        Matches with the columns :func:`~mobility.funding.estimate.estimate_for_matches`
        adds (``funding_programme``, ``eligible_programmes``, ``funding_estimate_eur``,
        ``funding_complete``) and ``apprentice_id``, ``placement_id``; ``score`` optional.
    budget_eur : float
        The project budget, >= 0.
    budget_programmes : collection of str
        Programme keys whose matches draw on this budget.
    amount_column : str
        Which column holds each match's cost to the budget.
    """
    if not np.isfinite(budget_eur) or budget_eur < 0:
        raise ValidationError(f"the budget must be a number of euros >= 0, not {budget_eur!r}")
    needed = ["apprentice_id", "placement_id", "funding_programme", "eligible_programmes",
              amount_column]
    missing = [c for c in needed if c not in shortlist.columns]
    if missing:
        raise ValidationError(f"the shortlist lacks {', '.join(missing)}: run "
                              "estimate_for_matches on it first")
    budget_set = set(budget_programmes)
    frame = shortlist.reset_index(drop=True)
    programme = frame["funding_programme"].astype("string").fillna("")
    draws = programme.isin(budget_set).to_numpy()
    cost = frame[amount_column].astype(float).fillna(0.0).to_numpy()
    complete = (frame["funding_complete"].astype(bool).to_numpy()
                if "funding_complete" in frame else np.ones(len(frame), dtype=bool))
    total = float(cost[draws].sum())
    incomplete = int((draws & ~complete).sum())
    fits = total <= budget_eur
    rows: list[dict[str, object]] = []
    running = total
    if not fits:
        ids = frame["apprentice_id"].astype(str) + "\x00" + frame["placement_id"].astype(str)
        # 1. moves to a programme funded elsewhere, largest saving first
        movable = []
        for i in np.flatnonzero(draws):
            others = [k for k in str(frame["eligible_programmes"].iat[i]).split(";")
                      if k and k not in budget_set]
            if others and cost[i] > 0:
                movable.append((-cost[i], ids.iat[i], i, others[0]))
        moved = set()
        for neg_cost, _key, i, target in sorted(movable):
            if running <= budget_eur:
                break
            running += neg_cost
            moved.add(i)
            rows.append(_suggestion(frame, i, "move", str(programme.iat[i]), target,
                                    -neg_cost, running, "",
                                    f"Move {frame['apprentice_id'].iat[i]} -> "
                                    f"{frame['placement_id'].iat[i]} to "
                                    f"{get_rule(target).short_name} (also eligible, funded "
                                    f"outside this budget): frees {-neg_cost:,.0f} EUR."))
        # 2. drops: weakest score first, else most expensive; ties by ids
        candidates = [i for i in np.flatnonzero(draws) if i not in moved and cost[i] > 0]
        if "score" in frame:
            score = frame["score"].astype(float).fillna(-np.inf).to_numpy()
            order = sorted(candidates, key=lambda i: (score[i], -cost[i], ids.iat[i]))
            why, basis = "lowest score", "score"
        else:
            order = sorted(candidates, key=lambda i: (-cost[i], ids.iat[i]))
            why, basis = "most expensive", "cost"
        for i in order:
            if running <= budget_eur:
                break
            running -= cost[i]
            rows.append(_suggestion(frame, i, "drop", str(programme.iat[i]), "", cost[i], running,
                                    basis, f"Drop {frame['apprentice_id'].iat[i]} -> "
                                    f"{frame['placement_id'].iat[i]} ({why} of those left): "
                                    f"frees {cost[i]:,.0f} EUR."))
    suggestions = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    suggestions["step"] = np.arange(1, len(suggestions) + 1)
    suggestions = suggestions.astype(SUGGESTION_COLUMNS)
    return BudgetCheck(budget_eur=float(budget_eur), total_eur=total, fits=fits,
                       lower_bound=incomplete > 0, incomplete=incomplete,
                       suggestions=suggestions, fits_after=running <= budget_eur)


def _suggestion(frame: pd.DataFrame, i: int, action: str, source: str, target: str,
                saves: float, after: float, basis: str, reason: str) -> dict[str, object]:
    return {"step": 0, "action": action, "apprentice_id": str(frame["apprentice_id"].iat[i]),
            "placement_id": str(frame["placement_id"].iat[i]), "from_programme": source,
            "to_programme": target, "saves_eur": float(saves), "total_after_eur": float(after),
            "basis": basis, "reason": reason}
