"""``mobility match``: recommend or allocate placements for a folder of import files.

::

    mobility match --data DIR --method ranked|stable|optimal [--top-k K] \\
        --out matches.csv [--scores-out pairs.csv] [--verify] [--approximate]

``DIR`` holds ``apprentices.csv``, ``companies.csv`` and ``placements.csv`` (as written
by ``mobility demo``) and optionally ``partnerships.csv`` (else the shipped twinnings).
``ranked`` writes each apprentice's top ``K`` placements; ``stable`` and ``optimal``
write one allocation row per apprentice (``status`` says matched, no acceptable placement,
or lost the competition). Progress goes to stderr, the summary to stdout.

Every answer is exact over every acceptable pair unless ``--approximate`` is given (then
the summary and every row of the output say "approximate"). ``--verify`` checks the
answer against an independent enumeration of the acceptable pairs (small and medium
caseloads): blocking pairs, the LP bound, free slots beside unplaced apprentices, or
the brute-force top K.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from mobility.errors import NotFoundError, ValidationError
from mobility.i18n import t
from mobility.progress import stderr_progress

#: Files bigger than the io reader's default limit are fine here: they are the user's own.
_MAX_BYTES = 8 * 1024**3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "match",
        help="recommend placements (ranked) or allocate them (stable, optimal)",
        description=__doc__.split("::")[0].strip(),
    )
    parser.add_argument("--data", required=True, type=Path,
                        help="folder with apprentices.csv, companies.csv, placements.csv "
                             "and optionally partnerships.csv")
    parser.add_argument("--method", choices=["ranked", "stable", "optimal"], default="stable",
                        help="ranked: top-K per apprentice; stable: fair allocation "
                             "(nobody is passed over by someone the host likes less); "
                             "optimal: as much total fit as possible")
    parser.add_argument("--top-k", type=int, default=10, help="placements per apprentice "
                        "for --method ranked (default 10)")
    parser.add_argument("--out", required=True, type=Path, help="where to write matches.csv")
    parser.add_argument("--scores-out", type=Path,
                        help="also write every acceptable pair considered (pairs.csv)")
    parser.add_argument("--approximate", action="store_true",
                        help="opt in to capped candidate lists (faster on huge caseloads, "
                             "not exact; the output says so)")
    parser.add_argument("--max-candidates", type=int, default=None,
                        help="with --approximate: placements kept per apprentice (default "
                             "50; fewer is faster, especially for --method optimal)")
    parser.add_argument("--verify", action="store_true",
                        help="check the answer against an independent enumeration of every "
                             "acceptable pair (small and medium caseloads)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def read_inputs(folder: Path, progress=None) -> dict[str, pd.DataFrame | None]:
    """The validated tables of ``folder`` (``partnerships`` is None when absent)."""
    from mobility.io import raise_for_problems, read_table

    if not folder.is_dir():
        raise NotFoundError(f"data folder {str(folder)!r} does not exist")
    tables: dict[str, pd.DataFrame | None] = {}
    for kind in ("apprentices", "companies", "placements", "partnerships"):
        path = folder / f"{kind}.csv"
        if not path.exists():
            if kind == "partnerships":
                tables[kind] = None
                continue
            raise NotFoundError(f"{path} is missing (expected apprentices.csv, companies.csv "
                                "and placements.csv in the data folder)")
        if progress:
            progress(0.0, f"reading {path.name}")
        tables[kind] = raise_for_problems(read_table(path, kind, max_bytes=_MAX_BYTES))
    return tables


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV through Arrow (ten times faster than ``to_csv`` on
    millions of pairs), under a temporary name first: never a half-written file."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), partial)
    partial.replace(path)


def verify_output(matcher, apprentices: pd.DataFrame, args: argparse.Namespace,
                  matches: pd.DataFrame, summary: dict) -> dict[str, object]:
    """The independent check of ``--verify`` (see :mod:`mobility.matching.verify`)."""
    import numpy as np

    from mobility.matching.verify import MAX_VERIFY_APPRENTICES, verify, verify_ranked

    if len(apprentices) > MAX_VERIFY_APPRENTICES:
        raise ValidationError(f"--verify enumerates every acceptable pair: it is meant for "
                              f"up to {MAX_VERIFY_APPRENTICES:,} apprentices, not "
                              f"{len(apprentices):,}")
    _, A = matcher._encode(apprentices)
    P = matcher.index_
    if args.method == "ranked":
        return verify_ranked(A, P, matcher.settings_, matches, args.top_k)
    position = {pid: i for i, pid in enumerate(P.ids)}
    row = {aid: i for i, aid in enumerate(A.ids)}
    assignment = np.full(len(A), -1, dtype=np.int64)
    placed = matches.dropna(subset=["placement_id"])
    for aid, pid in zip(placed["apprentice_id"], placed["placement_id"], strict=True):
        assignment[row[aid]] = position[pid]
    reported = summary.get("acceptable_pairs")
    return verify(A, P, matcher.settings_, args.method, assignment,
                  reported if isinstance(reported, int) else None)


def run(args: argparse.Namespace) -> int:
    from mobility.matching import Matcher

    progress = None if args.quiet else stderr_progress
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tables = read_inputs(args.data, progress)
    timings["read"] = time.perf_counter() - started

    if args.max_candidates is not None and not args.approximate:
        raise ValidationError("--max-candidates caps the candidate lists: it needs "
                              "--approximate (without it every answer is exact)")
    clock = time.perf_counter()
    settings = {} if args.max_candidates is None else {"max_candidates": args.max_candidates}
    matcher = Matcher(**settings).fit(tables["placements"], tables["partnerships"],
                            companies=tables["companies"])
    timings["fit"] = time.perf_counter() - clock
    apprentices = tables["apprentices"]

    if args.method == "ranked":
        clock = time.perf_counter()
        if progress:
            progress(0.3, f"recommending top {args.top_k} for {len(apprentices):,} apprentices")
        matches = matcher.recommend(apprentices, k=args.top_k, approximate=args.approximate)
        timings["recommend"] = time.perf_counter() - clock
        pairs = matcher.candidates(apprentices) if args.scores_out else None
        with_any = matches["apprentice_id"].nunique()
        summary = {"method": "ranked", "exact": not args.approximate,
                   "apprentices": len(apprentices), "with recommendations": with_any,
                   "without any acceptable placement": len(apprentices) - with_any,
                   "rows": len(matches)}
        if args.approximate:
            matches = matches.assign(note=t("match.approximate", "en"))
    else:
        clock = time.perf_counter()
        result = matcher.allocate(apprentices, method=args.method, progress=progress,
                                  approximate=args.approximate,
                                  keep_pairs=args.scores_out is not None)
        timings.update(matcher.timings_)
        timings["allocate"] = time.perf_counter() - clock
        matches, summary = result.matches, result.summary
        pairs = result.pairs if args.scores_out is not None else None
    if args.verify:
        clock = time.perf_counter()
        summary = {**summary, **{f"verify {k}": v for k, v in
                                 verify_output(matcher, apprentices, args, matches, summary)
                                 .items()}}
        timings["verify"] = time.perf_counter() - clock
    if args.approximate:
        summary = {"note": t("match.approximate", "en"), **summary}

    clock = time.perf_counter()
    _write_csv(matches, args.out)
    if args.scores_out is not None and pairs is not None:
        _write_csv(pairs, args.scores_out)
    timings["write"] = time.perf_counter() - clock
    timings["total"] = time.perf_counter() - started

    for key, value in summary.items():
        print(f"{key}: {value:,}" if isinstance(value, int) and not isinstance(value, bool)
              else f"{key}: {value}")
    print("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    print(f"wrote {args.out}" + (f" and {args.scores_out}" if args.scores_out else ""),
          file=sys.stderr)
    return 0
