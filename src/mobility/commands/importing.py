"""``mobility import FILE --kind KIND``: validate a CSV/XLSX file and store it.

Every problem in the file is listed (file, row, column, message), and if there is any,
nothing is written and the exit code is 2. A valid file is stored in one transaction:
known ids are updated, new ones inserted. ``--dry-run`` only validates;
``--report problems.csv`` also writes the problems as a table for the sender.
"""

from __future__ import annotations

import argparse
import sys

KINDS = ("apprentices", "companies", "placements", "partnerships")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="validate a CSV/XLSX file and store it in the database",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None)
    parser.add_argument("file", help="CSV (comma or semicolon, UTF-8 or Windows-1252) or .xlsx")
    parser.add_argument("--kind", required=True, choices=KINDS, help="what the file holds")
    parser.add_argument("--dry-run", action="store_true", help="validate only, store nothing")
    parser.add_argument("--report", metavar="CSV", help="also write the problems to this file")
    parser.add_argument("--user", default="system", help="who imports (audit log)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mobility.io import read_table
    from mobility.progress import stderr_progress
    from mobility.storage import create_schema, get_engine, stored_ids, upsert_table

    engine = get_engine()
    create_schema(engine)
    known = stored_ids(engine, "companies") if args.kind == "placements" else None
    result = read_table(args.file, args.kind, known_company_ids=known)
    for note in result.notes:
        print(f"note: {note}")
    if result.problems:
        count = len(result.problems)
        print(f"{result.name}: {count:,} problem{'s' if count != 1 else ''}; nothing was "
              "imported", file=sys.stderr)
        for problem in result.problems:
            print(f"  - {problem}", file=sys.stderr)
        if args.report:
            result.problems_frame().to_csv(args.report, index=False)
            print(f"problems written to {args.report}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(f"{result.name}: {len(result.frame):,} {args.kind} rows are valid (dry run, "
              "nothing stored)")
        return 0
    big = len(result.frame) >= 100_000
    counts = upsert_table(engine, args.kind, result.frame, user=args.user, source=result.name,
                          progress=stderr_progress if big else None)
    print(f"{result.name}: {len(result.frame):,} {args.kind} rows imported: "
          f"{counts.inserted:,} inserted, {counts.updated:,} updated")
    return 0
