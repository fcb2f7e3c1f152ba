"""``mobility import FILE... [--kind KIND]``: validate CSV/XLSX files and store them.

Every problem in the files is listed (file, row, column, message), and if there is any,
nothing is written and the exit code is 2. Valid files are stored in one transaction:
known ids are updated, new ones inserted, nothing is deleted.

Several files can be imported together (``mobility import data/examples/*.csv``): the
kind of each is then taken from its name (``companies.csv``, ``placements_2026.xlsx``),
placements may name companies from the same set, and the whole set is stored in one
transaction or not at all. ``--dry-run`` only validates; ``--report problems.csv``
also writes the problems as a table for whoever sent the files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

KINDS = ("apprentices", "companies", "placements", "partnerships")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="validate CSV/XLSX files and store them in the database",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="CSV (comma or semicolon, UTF-8 or Windows-1252) or .xlsx")
    parser.add_argument("--kind", choices=KINDS,
                        help="what the file holds (default: from each file's name)")
    parser.add_argument("--dry-run", action="store_true", help="validate only, store nothing")
    parser.add_argument("--report", metavar="CSV", help="also write the problems to this file")
    parser.add_argument("--user", default="system", help="who imports (audit log)")
    parser.set_defaults(func=run)


def kind_from_name(path: str) -> str | None:
    """``companies.csv`` or ``Placements-2026.xlsx`` -> the kind; None if unclear."""
    stem = Path(path).stem.lower()
    found = [kind for kind in KINDS if stem.startswith(kind)]
    return found[0] if len(found) == 1 else None


def _sources(args: argparse.Namespace) -> dict[str, str]:
    from mobility.errors import ValidationError

    if args.kind:
        if len(args.files) > 1:
            raise ValidationError("--kind applies to one file; to import several, name them "
                                  "by kind (companies.csv, placements.csv, ...) and leave "
                                  "out --kind")
        return {args.kind: args.files[0]}
    sources: dict[str, str] = {}
    for path in args.files:
        kind = kind_from_name(path)
        if kind is None:
            raise ValidationError(f"cannot tell what {Path(path).name!r} holds from its name: "
                                  f"give --kind ({', '.join(KINDS)})")
        if kind in sources:
            raise ValidationError(f"two {kind} files ({Path(sources[kind]).name}, "
                                  f"{Path(path).name}): import them one after the other")
        sources[kind] = path
    return sources


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from mobility.io import read_tables
    from mobility.progress import stderr_progress
    from mobility.storage import create_schema, get_engine, stored_ids, upsert_tables

    sources = _sources(args)
    engine = get_engine()
    create_schema(engine)
    known = stored_ids(engine, "companies") if "placements" in sources else None
    results = read_tables(sources, known_company_ids=known)
    problems = [p for result in results.values() for p in result.problems]
    for result in results.values():
        for note in result.notes:
            print(f"{result.name}: note: {note}")
    if problems:
        count = len(problems)
        print(f"{count:,} problem{'s' if count != 1 else ''} in "
              f"{', '.join(r.name for r in results.values() if not r.ok)}; nothing was "
              "imported", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        if args.report:
            pd.concat([r.problems_frame() for r in results.values()]).to_csv(
                args.report, index=False)
            print(f"problems written to {args.report}", file=sys.stderr)
        return 2
    if args.dry_run:
        for kind, result in results.items():
            print(f"{result.name}: {len(result.frame):,} {kind} rows are valid (dry run, "
                  "nothing stored)")
        return 0
    frames = {kind: result.frame for kind, result in results.items()}
    big = sum(len(f) for f in frames.values()) >= 100_000
    counts = upsert_tables(engine, frames, user=args.user,
                           sources={kind: r.name for kind, r in results.items()},
                           progress=stderr_progress if big else None)
    for kind, done in counts.items():
        print(f"{results[kind].name}: {len(frames[kind]):,} {kind} rows imported: "
              f"{done.inserted:,} inserted, {done.updated:,} updated")
    return 0
