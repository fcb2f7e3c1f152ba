"""The adviser page's door to :mod:`mobility.desk` (runs, plans, history, imports).

Like :mod:`mobility.ui.cache`: pages call these, these call the package with the
signed-in principal and the stored tables, and writes clear the data caches.
"""

from __future__ import annotations

import pandas as pd

from mobility.desk import actions
from mobility.desk.plans import apply_working_plan, with_names
from mobility.ui import cache


def _principal():
    from mobility.ui.common import current_principal

    return current_principal()


def may(action: str) -> bool:
    """Whether the signed-in role may perform ``action`` (a :class:`mobility.auth.Action`
    name such as ``"EDIT_SHORTLIST"``) in any scope: what the page offers at all."""
    from mobility.auth import Action, allowed_actions

    principal = _principal()
    return principal is not None and Action[action] in allowed_actions(principal)


def organisation() -> str | None:
    """The signed-in user's sending organisation (None for administrators)."""
    return getattr(_principal(), "organisation", None)


def _visible_apprentices() -> pd.DataFrame:
    from mobility.auth import visible_apprentices

    return visible_apprentices(_principal(), cache.data()["apprentices"])


# --- runs ---------------------------------------------------------------------------


def store_run(method: str, matches: pd.DataFrame, *, settings: dict, summary: dict) -> str:
    """Keep the allocation just computed as a run record; returns its id."""
    run_id = actions.store_run(cache.engine(), _principal(), method, matches,
                               settings=settings, summary=summary)
    cache.clear_data()
    return run_id


def runs() -> pd.DataFrame:
    """The runs the signed-in user may re-open, newest first."""
    return actions.list_runs(cache.engine(), _principal())


def open_run(run_id: str):
    """``(record, matches)`` of a stored run, own caseload only."""
    return actions.open_run(cache.engine(), _principal(), run_id, cache.data()["apprentices"])


def adopt(run_id: str) -> None:
    actions.adopt_run(cache.engine(), _principal(), run_id)
    cache.clear_data()


def adopted() -> str | None:
    return actions.adopted_run(cache.engine(), _principal())


def plan() -> pd.DataFrame:
    """The working plan: ``apprentice_id, placement_id, source``."""
    return actions.current_plan(cache.engine(), _principal(), cache.data()["apprentices"])


def as_it_stands(matches: pd.DataFrame) -> pd.DataFrame:
    """An adopted run's rows with overrides and confirmed placements applied."""
    return apply_working_plan(matches, plan(), cache.data()["placements"])


def named(matches: pd.DataFrame) -> pd.DataFrame:
    """``matches`` with names, company, city and country first (visible rows only)."""
    from mobility.auth import visible_matches

    frames = cache.data()
    rows = visible_matches(_principal(), matches, frames["apprentices"])
    return with_names(rows, _visible_apprentices(), frames["placements"], frames["companies"])


def overrides() -> pd.DataFrame:
    """The current manual overrides (reason, broken rules) of the visible apprentices."""
    from mobility.auth import visible_matches
    from mobility.storage.shortlist import latest_overrides

    return visible_matches(_principal(), latest_overrides(cache.engine()),
                           cache.data()["apprentices"])


# --- shortlist ----------------------------------------------------------------------


def history(apprentice_id: str) -> pd.DataFrame:
    return actions.note_history(cache.engine(), _principal(), cache.data()["apprentices"],
                                apprentice_id)


def add_note(apprentice_id: str, placement_id: str, text: str) -> int:
    event = actions.add_note(cache.engine(), _principal(), cache.data()["apprentices"],
                             apprentice_id, placement_id, text)
    cache.clear_data()
    return event


def check_override(apprentice_id: str, placement_id: str):
    frames = cache.data()
    return actions.check_override(cache.engine(), _principal(), frames["apprentices"],
                                  frames["placements"], apprentice_id, placement_id)


def override(apprentice_id: str, placement_id: str, *, reason: str,
             expected_version: int | None):
    frames = cache.data()
    done = actions.override(cache.engine(), _principal(), frames["apprentices"],
                            frames["placements"], apprentice_id, placement_id, reason=reason,
                            expected_version=expected_version)
    cache.clear_data()
    return done


# --- import -------------------------------------------------------------------------


def writable_kinds() -> list[str]:
    return actions.writable_kinds(_principal(), cache.KINDS)

