"""``mobility match``: recommend or allocate placements for a folder of import files.

::

    mobility match --data DIR --method ranked|stable|optimal [--top-k K] \\
        --out matches.csv [--scores-out pairs.csv]

``DIR`` holds ``apprentices.csv``, ``companies.csv`` and ``placements.csv`` (as written
by ``mobility demo``) and optionally ``partnerships.csv`` (else the shipped twinnings).
``ranked`` writes each apprentice's top ``K`` placements; ``stable`` and ``optimal``
write one allocation row per apprentice (``status`` says matched, no acceptable placement,
or lost the competition). Progress goes to stderr, the summary to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from mobility.errors import NotFoundError
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
    parser.add_argument("--max-candidates", type=int, default=None,
                        help="placements kept per apprentice for large caseloads (default 50; "
                             "fewer is faster, especially for --method optimal)")
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


def run(args: argparse.Namespace) -> int:
    from mobility.matching import Matcher

    progress = None if args.quiet else stderr_progress
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tables = read_inputs(args.data, progress)
    timings["read"] = time.perf_counter() - started

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
        matches = matcher.recommend(apprentices, k=args.top_k)
        timings["recommend"] = time.perf_counter() - clock
        pairs = matcher.candidates(apprentices) if args.scores_out else None
        with_any = matches["apprentice_id"].nunique()
        summary = {"method": "ranked", "apprentices": len(apprentices),
                   "with recommendations": with_any,
                   "without any acceptable placement": len(apprentices) - with_any,
                   "rows": len(matches)}
    else:
        clock = time.perf_counter()
        result = matcher.allocate(apprentices, method=args.method, progress=progress)
        timings.update(matcher.timings_)
        timings["allocate"] = time.perf_counter() - clock
        matches, pairs, summary = result.matches, result.pairs, result.summary

    clock = time.perf_counter()
    _write_csv(matches, args.out)
    if args.scores_out is not None and pairs is not None:
        _write_csv(pairs, args.scores_out)
    timings["write"] = time.perf_counter() - clock
    timings["total"] = time.perf_counter() - started

    for key, value in summary.items():
        print(f"{key}: {value:,}" if isinstance(value, int) else f"{key}: {value}")
    print("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    print(f"wrote {args.out}" + (f" and {args.scores_out}" if args.scores_out else ""),
          file=sys.stderr)
    return 0
