"""The matching engine as one estimator: fit on placements, then recommend or allocate.

``Matcher(**settings)`` stores its settings (see :class:`MatchSettings` for the names
and defaults); :meth:`Matcher.fit` validates them and indexes the placements and
twinnings; then

* :meth:`Matcher.recommend` gives each apprentice their best ``k`` placements, explained;
* :meth:`Matcher.allocate` shares the places out across the whole caseload, either
  ``"stable"`` (fair: nobody is passed over by someone the host likes less) or
  ``"optimal"`` (as much total fit as possible), and says why each unplaced apprentice
  is unplaced: no acceptable placement at all, or lost the competition for them.

Funding is not computed here: every result carries ``apprentice_id`` and
``placement_id``, the key on which funding estimates (:mod:`mobility.funding`) join.

Examples
--------
>>> import pandas as pd
>>> placements = pd.DataFrame({"placement_id": ["P1"], "company_id": ["C1"],
...     "trade": ["Elektroniker/in für Energie- und Gebäudetechnik"], "isco08": ["7411"],
...     "city": ["Leeds"], "country": ["GB"], "lat": [53.79648], "lon": [-1.54785],
...     "slots": [2], "start": pd.to_datetime(["2026-03-01"]),
...     "end": pd.to_datetime(["2026-06-30"]), "min_weeks": [3], "max_weeks": [8],
...     "languages": ["en:B1"], "accommodation": [True], "accepts_related_trades": [False]})
>>> apprentices = pd.DataFrame({"apprentice_id": ["A1"], "home_city": ["Dortmund"],
...     "home_country": ["DE"], "home_lat": [51.51494], "home_lon": [7.466],
...     "trade": ["Elektroniker/in für Energie- und Gebäudetechnik"], "isco08": ["7411"],
...     "training_year": [2], "languages": ["de:native;en:B2"],
...     "available_from": pd.to_datetime(["2026-04-01"]),
...     "available_to": pd.to_datetime(["2026-05-31"]), "desired_weeks": [4],
...     "preferred_countries": [""], "max_distance_km": [float("nan")]})
>>> matcher = Matcher().fit(placements)
>>> matcher.recommend(apprentices, k=3).loc[0, "explanation"]
"same trade (7411) · English B2, B1 required · Leeds is Dortmund's twin town · 658 km"
>>> result = matcher.allocate(apprentices, method="stable")
>>> result.summary["matched"], result.matches.loc[0, "placement_id"]
(1, 'P1')
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache, cached_property

import numpy as np
import pandas as pd

from mobility.errors import ConfigurationError, ValidationError
from mobility.matching.candidates import (
    ApprenticeBatch,
    CandidatePairs,
    PlacementIndex,
    apprentice_key,
    encode_apprentices,
    generate_candidates,
    host_key,
    pair_features,
    rank_within,
)
from mobility.matching.exact import (
    EXACT_COUNT_APPRENTICES,
    Blocks,
    optimal_exact,
    ranked_exact,
    stable_exact,
)
from mobility.matching.optimal import max_score_allocation
from mobility.matching.scores import (
    COMPONENTS,
    NO_LANGUAGE_REQUIRED,
    TIER_OTHER,
    TIER_RELATED,
    TIER_SAME,
    TWIN_NONE,
    MatchSettings,
)
from mobility.matching.stable import deferred_acceptance
from mobility.matching.twins import twin_phrase, twin_via
from mobility.models import language_name
from mobility.progress import ProgressCallback, Stages

#: The allocation methods and the question each answers.
METHODS = {
    "stable": "fair: nobody is passed over by someone the host likes less",
    "optimal": "as much total fit as possible",
}

#: Why an apprentice has no place.
#: Above this many apprentices an ``optimal`` run keeps fewer candidates per apprentice by
#: default, so that a national caseload solves within 10 minutes (see ``_settings_for``).
LARGE_OPTIMAL_CASELOAD = 500_000
LARGE_OPTIMAL_CANDIDATES = 30
#: Candidates per apprentice of an approximate run when the settings say ``None``.
DEFAULT_APPROXIMATE_CANDIDATES = 50

NO_ACCEPTABLE = "no acceptable placement"
LOST_COMPETITION = "lost the competition"
MATCHED = "matched"

#: Columns of :meth:`Matcher.recommend` and of :attr:`Allocation.matches`.
RESULT_COLUMNS = (
    "apprentice_id", "placement_id", "rank", "score", "apprentice_score", "host_score",
    *COMPONENTS, "distance_km", "in_twin_town", "company_id", "city", "country",
    "stay_start", "stay_end", "stay_days", "explanation",
)


class Allocation:
    """The result of :meth:`Matcher.allocate`.

    Attributes
    ----------
    method : str
        ``"stable"`` or ``"optimal"``.
    matches : pandas.DataFrame
        One row per apprentice: the placement (``<NA>`` when none), its scores and
        components, ``rank`` (where it stood in the apprentice's own list, 1 = first
        choice), ``status`` (matched / no acceptable placement / lost the competition)
        and the explanation.
    pairs : pandas.DataFrame
        The pairs the engine weighed (exact stable: every proposal deferred acceptance
        made; exact optimal: the priced columns; approximate runs: the capped candidate
        lists):
        ``apprentice_id, placement_id, score, apprentice_score, host_score`` (built on
        first access: millions of rows). The full acceptable set is scanned, not stored.
        Only when the allocation was asked to keep them (``keep_pairs``); else reading
        ``pairs`` raises :class:`~mobility.errors.ConfigurationError`.
    summary : dict
        ``exact`` (False only for approximate runs), counts (apprentices, matched,
        unmatched for each reason, slots, total score), ``acceptable_pairs`` (counted by
        the scan up to 30,000 apprentices, else an upper bound "at most N"),
        ``proposals``, ``refill_rounds``, ``pricing_rounds``, ``pricing_rows_scanned``,
        the ``certificate``, the pairs weighed (see ``pairs``) and their coverage of the
        placements.
    """

    def __init__(self, method: str, matches: pd.DataFrame, summary: dict[str, object],
                 pairs_builder) -> None:
        self.method = method
        self.matches = matches
        self.summary = summary
        self._pairs_builder = pairs_builder

    @cached_property
    def pairs(self) -> pd.DataFrame:
        if self._pairs_builder is None:
            raise ConfigurationError(
                "the pairs weighed were not kept: allocate(..., keep_pairs=True)")
        return self._pairs_builder()


class Matcher:
    """Match apprentices to placements abroad; see the module docstring.

    Parameters
    ----------
    **settings
        Any field of :class:`MatchSettings` (weights, penalties, candidate caps).

    Attributes
    ----------
    settings_ : MatchSettings
        The validated settings.
    index_ : PlacementIndex
        Placements blocked by trade group, with the twin-town table.
    placements_ : pandas.DataFrame
        The placements as given to :meth:`fit`.
    timings_ : dict
        Seconds per stage of the last :meth:`allocate` (read, candidates, solve...).
    trade_mapping_ : pandas.DataFrame
        For the last call: apprentices whose ``isco08`` was blank, with the taxonomy trade
        their free-text ``trade`` was mapped to, the confidence and whether it was used.
    """

    def __init__(self, **settings: object) -> None:
        self.settings = settings

    def get_params(self, deep: bool = True) -> dict[str, object]:
        return dict(self.settings)

    def fit(self, placements: pd.DataFrame, partnerships: pd.DataFrame | None = None,
            companies: pd.DataFrame | None = None) -> Matcher:
        """Index ``placements`` (shared import format) and the twinnings.

        ``partnerships`` defaults to the shipped twinnings
        (:func:`mobility.reference.twinnings.load_partnerships`). ``companies`` is optional
        and kept as ``companies_`` for callers that want names; the matching itself only
        needs the ``company_id`` of each placement.
        """
        unknown = sorted(set(self.settings) - set(MatchSettings.names()))
        if unknown:
            raise ValidationError(
                f"unknown setting(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(MatchSettings.names())}")
        self.settings_ = MatchSettings(**self.settings)
        if partnerships is None:
            from mobility.reference.twinnings import load_partnerships

            partnerships = load_partnerships()
        self.placements_ = placements.reset_index(drop=True)
        self.index_ = PlacementIndex.build(self.placements_, partnerships, self.settings_)
        # Converted once here: a single recommendation must not pay for 100k strings.
        self.company_ids_ = (self.placements_["company_id"].astype(str).to_numpy(dtype=object)
                             if "company_id" in self.placements_
                             else np.full(len(self.placements_), None, dtype=object))
        self.companies_ = companies
        return self

    # -- helpers -------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise ValidationError("call fit(placements) before recommend or allocate")

    def _encode(self, apprentices: pd.DataFrame) -> tuple[pd.DataFrame, ApprenticeBatch]:
        frame = apprentices.reset_index(drop=True)
        if len(frame):
            ids = frame["apprentice_id"].astype(str)
            if ids.duplicated().any():
                dupes = ", ".join(ids[ids.duplicated()].unique()[:5])
                raise ValidationError(f"apprentice ids must be unique; repeated: {dupes}")
        frame = self._map_free_text_trades(frame)
        return frame, encode_apprentices(frame, self.index_)

    def _map_free_text_trades(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Fill a blank ``isco08`` from the ``trade`` text with :class:`TradeMapper`; the
        mappings and their confidence are kept in ``trade_mapping_``. Mappings below the
        mapper's ``min_confidence`` are not used (the ISCO check then names the row)."""
        self.trade_mapping_ = pd.DataFrame()
        if "isco08" not in frame or "trade" not in frame:
            return frame
        blank = frame["isco08"].isna().to_numpy() | (
            frame["isco08"].astype("string").fillna("").str.strip() == "").to_numpy()
        if not blank.any():
            return frame
        from mobility.matching.trade_text import TradeMapper

        if not hasattr(self, "trade_mapper_"):
            self.trade_mapper_ = TradeMapper().fit()
        mapped = self.trade_mapper_.map(frame.loc[blank, "trade"].tolist())
        mapped.insert(0, "apprentice_id", frame.loc[blank, "apprentice_id"].astype("string")
                      .to_numpy())
        self.trade_mapping_ = mapped
        frame = frame.copy()
        isco = frame["isco08"].astype("string")
        isco[blank] = mapped["isco08"].where(mapped["accepted"]).to_numpy()
        frame["isco08"] = isco
        return frame

    def _rows(self, A: ApprenticeBatch, a: np.ndarray, p: np.ndarray,
              rank: np.ndarray) -> pd.DataFrame:
        """Result rows for pairs ``(a, p)`` with components and explanations."""
        P = self.index_
        f = pair_features(A, P, a, p, self.settings_)
        frame = pd.DataFrame({
            "apprentice_id": pd.array(A.ids[a], dtype="string"),
            "placement_id": pd.array(P.ids[p], dtype="string"),
            "rank": rank.astype(np.int64),
            "score": f["score"], "apprentice_score": f["apprentice_score"],
            "host_score": f["host_score"],
            **{c: np.round(f[c], 6) for c in COMPONENTS},
            "distance_km": np.round(f["distance_km"], 1),
            "in_twin_town": f["twin"] > TWIN_NONE,
            "company_id": pd.array(self.company_ids_[p], dtype="string"),
            "city": pd.array(P.city[p], dtype="string"),
            "country": pd.array(np.asarray(P.countries, dtype=object)[P.country[p]],
                                dtype="string"),
            # The stay lies inside both windows (see candidates.stay_window).
            "stay_start": f["stay_start"].astype("datetime64[D]").astype("datetime64[ns]"),
            "stay_end": f["stay_end"].astype("datetime64[D]").astype("datetime64[ns]"),
            "stay_days": (f["stay_end"] - f["stay_start"] + 1).astype(np.int64),
            "explanation": pd.array(explain(A, P, a, p, f), dtype="string"),
        })
        return frame

    # -- recommend -------------------------------------------------------------------

    def recommend(self, apprentices: pd.DataFrame, k: int = 10,
                  approximate: bool = False) -> pd.DataFrame:
        """Each apprentice's ``k`` best acceptable placements by ``score`` (ties by
        ``placement_id``), one row per apprentice and rank (1 = best).

        Apprentices with no acceptable placement get no rows. Placements without free
        slots are never recommended.

        Exact at every size: every acceptable placement of every apprentice is scored
        (a compiled scan of her trade block, :mod:`mobility.matching.kernel`).
        ``approximate=True`` takes the top ``k`` from the capped candidate pool of
        :func:`~mobility.matching.candidates.generate_candidates` instead (faster for
        huge caseloads, not exact).
        """
        self._check_fitted()
        if int(k) < 1:
            raise ValidationError("k must be at least 1")
        _frame, A = self._encode(apprentices)
        if approximate:
            return self._recommend_from_pool(A, int(k))
        a, p, rank = ranked_exact(Blocks(A, self.index_, self.settings_), int(k))
        order = np.lexsort((rank, A.id_rank[a]))
        return self._rows(A, a[order], p[order], rank[order]).reset_index(drop=True)

    def _recommend_from_pool(self, A: ApprenticeBatch, k: int) -> pd.DataFrame:
        P = self.index_
        cap = max(k, self.settings_.max_candidates or k)
        settings = MatchSettings(**{**self.settings_.as_dict(), "max_candidates": cap})
        pairs = generate_candidates(A, P, settings, search="nearest")
        rank = rank_within(pairs.a, apprentice_key(pairs.score, pairs.p, P))
        top = rank < k
        a, p, rank = pairs.a[top], pairs.p[top], rank[top] + 1
        order = np.lexsort((rank, A.id_rank[a]))
        return self._rows(A, a[order], p[order], rank[order]).reset_index(drop=True)

    # -- allocate --------------------------------------------------------------------

    def candidates(self, apprentices: pd.DataFrame,
                   progress: ProgressCallback | None = None) -> pd.DataFrame:
        """The capped candidate lists of the approximate mode for these apprentices
        (``apprentice_id, placement_id, score, apprentice_score, host_score``; each
        apprentice's best ``max_candidates`` and each placement's best
        ``host_candidates``). The exact engine scans the full acceptable set instead of
        listing it: at national scale it has hundreds of millions of pairs."""
        self._check_fitted()
        _, A = self._encode(apprentices)
        return self._pairs_frame(A, generate_candidates(A, self.index_, self.settings_, progress))

    def _pairs_frame(self, A: ApprenticeBatch, pairs: CandidatePairs) -> pd.DataFrame:
        return pd.DataFrame({
            "apprentice_id": pd.array(A.ids[pairs.a], dtype="string"),
            "placement_id": pd.array(self.index_.ids[pairs.p], dtype="string"),
            "score": pairs.score, "apprentice_score": pairs.apprentice_score,
            "host_score": pairs.host_score,
        })

    def allocate(self, apprentices: pd.DataFrame, method: str = "stable",
                 progress: ProgressCallback | None = None,
                 approximate: bool = False, keep_pairs: bool = True) -> Allocation:
        """Share the placements' slots out among ``apprentices``.

        Parameters
        ----------
        apprentices : pandas.DataFrame
            The caseload (shared import format).
        method : {"stable", "optimal"}
            ``"stable"``: the apprentice-optimal stable matching over every acceptable
            pair (fair: nobody is passed over by someone the host likes less).
            ``"optimal"``: the largest total ``score`` over every acceptable pair,
            with an optimality certificate (as much total fit as possible).
        progress : callable, optional
            ``(fraction, message)`` callback.
        approximate : bool
            Opt in to the capped candidate lists (``max_candidates`` per apprentice,
            ``host_candidates`` per placement): faster on huge caseloads, but the answer
            is stable / optimal only on those lists. The summary then says
            ``exact: False``.
        keep_pairs : bool
            Keep the pairs weighed for :attr:`Allocation.pairs`. An exact stable run
            otherwise keeps only which placements were proposed to (1,000,000
            apprentices made 597 million proposals: 2.4 GB kept for a table that is
            only written on request, ``mobility match --scores-out``).

        Returns
        -------
        Allocation
        """
        self._check_fitted()
        if method not in METHODS:
            raise ValidationError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        P = self.index_
        with Stages(progress, ["encode", "candidates", method, "explain"]) as stages:
            stages.next("encode")
            _frame, A = self._encode(apprentices)
            stages.next("candidates")
            # The candidates stage is the long one: report inside it, as the second quarter.
            inner = None if progress is None else (
                lambda fraction, message: progress(0.25 + 0.25 * fraction, message))
            if approximate:
                settings = self._settings_for(method, len(A))
                pairs = generate_candidates(A, P, settings, progress=inner)
                stages.next(method)
                assignment, rank, extra = self._solve_on_lists(A, pairs, method)
                acceptable_any = pairs.acceptable_any
                # The pairs weighed: how many, their placements (or a mask of them),
                # and their apprentices on demand.
                weighed, weighed_p, weighed_a = len(pairs.a), pairs.p, lambda: pairs.a
            else:
                blocks = Blocks(A, P, self.settings_)
                stages.next(method)
                solve = stable_exact if method == "stable" else optimal_exact
                run = solve(blocks, progress=inner, keep_pairs=keep_pairs)
                assignment, rank = run.assignment, run.rank
                acceptable_any = run.has_acceptable
                weighed, weighed_p, weighed_a = (
                    (len(run.p), run.p, run.pair_apprentices) if run.pairs_seen is None
                    else (run.proposals, run.pairs_seen, None))
                pairs = int(run.acceptable_per_apprentice.sum())
                extra = {
                    "acceptable_pairs": pairs if run.acceptable_exact else
                    f"at most {pairs:,} (counted exactly up to "
                    f"{EXACT_COUNT_APPRENTICES:,} apprentices)",
                    "cells_scanned_per_pass": blocks.cells(),
                    "proposals": run.proposals, "refill_rounds": run.refill_rounds,
                    "pricing_rounds": run.pricing_rounds,
                    "pricing_rows_scanned": run.priced_rows, "certificate": run.certificate,
                }
            stages.next("explain")
            matches = self._allocation_rows(A, assignment, rank, acceptable_any)
            if approximate:  # the export says so in words, row by row
                from mobility.i18n import t

                matches["note"] = pd.array([t("match.approximate", "en")] * len(matches),
                                           dtype="string")
        self.timings_ = dict(stages.timings)
        matched = int((assignment >= 0).sum())
        no_acceptable = int((~acceptable_any).sum())
        seen = np.zeros(len(P), dtype=bool)
        seen[weighed_p] = True
        open_ = P.slots > 0
        summary = {
            "method": method,
            "question": METHODS[method],
            "exact": not approximate,
            "apprentices": len(A),
            "matched": matched,
            "unmatched": len(A) - matched,
            "unmatched_no_acceptable_placement": no_acceptable,
            "unmatched_lost_competition": len(A) - matched - no_acceptable,
            "placements": len(P),
            "slots": int(P.slots.sum()),
            "total_score": round(float(matches["score"].sum(skipna=True)), 6),
            "candidates_per_apprentice": (self._settings_for(method, len(A)).max_candidates
                                          if approximate else "all"),
            "candidate_pairs": weighed,
            "coverage": round(float((seen & open_).sum() / max(int(open_.sum()), 1)), 4),
            **extra,
        }
        return Allocation(method, matches, summary,
                          None if not keep_pairs else
                          lambda: self._considered_frame(A, weighed_a(), weighed_p))

    def _solve_on_lists(self, A: ApprenticeBatch, pairs: CandidatePairs, method: str):
        """Stable or optimal on capped candidate lists (the approximate opt-in)."""
        P = self.index_
        a_key = apprentice_key(pairs.apprentice_score, pairs.p, P)
        if method == "stable":
            assignment = deferred_acceptance(
                len(A), len(P), a=pairs.a, p=pairs.p, apprentice_key=a_key,
                host_key=host_key(pairs.host_score, pairs.a, A), capacity=P.slots)
        else:
            assignment = max_score_allocation(len(A), len(P), a=pairs.a, p=pairs.p,
                                              score=pairs.score, capacity=P.slots)
        list_rank = rank_within(pairs.a, a_key) + 1
        held = assignment[pairs.a] == pairs.p
        rank = np.zeros(len(A), dtype=np.int64)
        rank[pairs.a[held]] = list_rank[held]
        extra = {"acceptable_pairs": f"at least {len(pairs):,} (approximate: capped lists)",
                 "proposals": None, "refill_rounds": 0, "pricing_rounds": 0,
                 "certificate": "none: approximate (capped candidate lists)"}
        return assignment, rank, extra

    def _considered_frame(self, A: ApprenticeBatch, a: np.ndarray,
                          p: np.ndarray) -> pd.DataFrame:
        f = pair_features(A, self.index_, a, p, self.settings_)
        return pd.DataFrame({
            "apprentice_id": pd.array(A.ids[a], dtype="string"),
            "placement_id": pd.array(self.index_.ids[p], dtype="string"),
            "score": f["score"], "apprentice_score": f["apprentice_score"],
            "host_score": f["host_score"],
        })

    def _settings_for(self, method: str, n_apprentices: int) -> MatchSettings:
        """The settings an approximate allocation runs with.

        The min-cost-flow solve grows with the number of candidate pairs: on this
        2-core machine, 1M apprentices with 50 candidates each took 634 s and 11.9 GB, with
        30 each 354 s and 6.6 GB for 1.5 % fewer placed. So when the caller left
        ``max_candidates`` at its default, an approximate ``optimal`` run on a caseload
        above ``LARGE_OPTIMAL_CASELOAD`` keeps ``LARGE_OPTIMAL_CANDIDATES`` per
        apprentice; the summary's ``candidates_per_apprentice`` says which was used.
        """
        settings = self.settings_
        if settings.max_candidates is None:
            settings = replace(settings, max_candidates=DEFAULT_APPROXIMATE_CANDIDATES)
        if (method == "optimal" and "max_candidates" not in self.settings
                and n_apprentices > LARGE_OPTIMAL_CASELOAD):
            return replace(settings, max_candidates=LARGE_OPTIMAL_CANDIDATES)
        return settings

    def _allocation_rows(self, A: ApprenticeBatch, assignment: np.ndarray, rank: np.ndarray,
                         acceptable_any: np.ndarray) -> pd.DataFrame:
        """One row per apprentice: matched ones with their pair's details (``rank``: where
        the placement stood in her own list, 1 = first choice), the others with the
        reason."""
        chosen = np.flatnonzero(assignment >= 0)
        rows = self._rows(A, chosen, assignment[chosen], rank[chosen])
        rows["status"] = MATCHED
        others = np.flatnonzero(assignment < 0)
        rest = pd.DataFrame({
            "apprentice_id": pd.array(A.ids[others], dtype="string"),
            "status": np.where(acceptable_any[others], LOST_COMPETITION, NO_ACCEPTABLE),
        })
        matches = pd.concat([rows, rest], ignore_index=True) if len(rest) else rows
        matches = matches.astype({"rank": "Int64", "in_twin_town": "boolean", "status": "string"})
        order = np.argsort(matches["apprentice_id"].astype(str).to_numpy(), kind="stable")
        return matches.iloc[order].reset_index(drop=True)


@cache
def _language_label(code: str) -> str:
    return language_name(code)


def _level_label(level: int) -> str:
    from mobility.models import CEFR

    return CEFR(int(level)).label if 1 <= int(level) <= 7 else "none"


def explain(A: ApprenticeBatch, P: PlacementIndex, a: np.ndarray, p: np.ndarray,
            f: dict[str, np.ndarray]) -> list[str]:
    """One readable line per pair, e.g.
    ``"same trade (7411) · English B2, B1 required · Leeds is Dortmund's twin town · 540 km"``.

    Each part is written once per distinct value (trades, language and levels, twin
    phrase, rounded distance) and then taken by pair: an allocation of 1,000,000
    apprentices explains 785,000 pairs, and writing every part for every pair took 11 s.
    """
    if len(a) == 0:
        return []
    a, p = np.asarray(a, np.int64), np.asarray(p, np.int64)
    trade = _each_distinct(_trade_part, f["tier"], P.isco[p], A.isco[a])
    margin = np.asarray(f["margin"], np.int64)
    best = np.asarray(f["best_language"], np.int64)
    needs = margin < NO_LANGUAGE_REQUIRED
    # Without a requirement one text for all: margin, language and level alike.
    spoken = np.where(needs, best, 0)
    language = _each_distinct(
        lambda m, lang, have: _language_part(P, m, lang, have),
        np.where(needs, margin, NO_LANGUAGE_REQUIRED), spoken,
        np.where(needs, A.level[a, spoken], 0))
    # Rounded as the text rounds (half to even): one text per whole kilometre.
    distance = _each_distinct(lambda km: f" · {km:,.0f} km",
                              np.rint(np.asarray(f["distance_km"], np.float64)))
    line = trade + language
    twin = np.asarray(f["twin"], np.int64)
    homes = P.homes["name"].to_numpy() if len(P.homes) else np.empty(0, dtype=object)
    at_twin = np.flatnonzero(twin != TWIN_NONE)
    if len(at_twin):
        line[at_twin] += _each_distinct(
            lambda pi, home, level: " · " + twin_phrase(P.city[pi], homes[home], level,
                                                        twin_via(P, home, pi)),
            p[at_twin], A.home[a[at_twin]], twin[at_twin])
    line[np.asarray(f["preferred"], bool)] += " · preferred country"
    return (line + distance).tolist()


def _each_distinct(text, *columns: np.ndarray) -> np.ndarray:
    """``text(*row)`` for each row of ``columns`` (an object array), computed once per
    distinct row."""
    if len(columns) == 1:
        distinct, which = np.unique(np.asarray(columns[0]), return_inverse=True)
        rows = [(value.item(),) for value in distinct]
    else:
        stacked = np.stack([np.asarray(c, np.int64) for c in columns], axis=1)
        distinct, which = np.unique(stacked, axis=0, return_inverse=True)
        rows = [tuple(int(x) for x in row) for row in distinct]
    return np.array([text(*row) for row in rows], dtype=object)[which.ravel()]


def _trade_part(tier: int, p_isco: int, a_isco: int) -> str:
    """The trade part of a line."""
    if tier == TIER_SAME:
        return f"same trade ({p_isco:04d})"
    if tier == TIER_RELATED:
        return f"related trade ({p_isco:04d}, yours {a_isco:04d})"
    if tier == TIER_OTHER:
        return (f"trade of the same family ({p_isco:04d}, yours {a_isco:04d}; "
                "host takes related trades)")
    return f"further trade the host names ({p_isco:04d}, yours {a_isco:04d})"


def _language_part(P: PlacementIndex, margin: int, language: int, have: int) -> str:
    """The language part: her best margin, in which language, at which level of hers."""
    if margin >= NO_LANGUAGE_REQUIRED:
        return " · no language required"
    text = (f" · {_language_label(P.languages[language])} {_level_label(have)}, "
            f"{_level_label(have - margin)} required")
    return text + (" (one level below)" if margin < 0 else "")
