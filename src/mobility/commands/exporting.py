"""``mobility export --kind KIND --out FILE``: write a stored table as CSV or XLSX.

The file is in the import format (it can be imported again unchanged) and safe to
open in a spreadsheet: text that would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import argparse

KINDS = ("apprentices", "companies", "placements", "partnerships")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write a stored table as CSV or XLSX")
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="destination ending in .csv or .xlsx")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                        help="for apprentices (personal data): the adviser account whose "
                             "caseload is exported; the export is audited")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mobility.io import write_table
    from mobility.storage import create_schema, get_engine, read_table_from_db

    engine = get_engine()
    create_schema(engine)
    if args.kind == "apprentices":
        # Personal data: only an adviser's own caseload, recorded in the audit trail.
        from mobility.auth.guarded import export_personal_file
        from mobility.auth.users import get_principal
        from mobility.errors import ValidationError

        if not args.as_user:
            raise ValidationError("exporting apprentices needs --as ADVISER_USERNAME: "
                                  "personal data leaves only as one adviser's caseload")
        rows = export_personal_file(engine, get_principal(engine, args.as_user), args.kind,
                                    args.out)
        print(f"{rows:,} {args.kind} rows written to {args.out} (audited)")
        return 0
    frame = read_table_from_db(engine, args.kind)
    path = write_table(frame, args.kind, args.out)
    print(f"{len(frame):,} {args.kind} rows written to {path}")
    return 0
