"""``mobility export --kind KIND --out FILE``: write a stored table as CSV or XLSX.

The file is in the import format (it can be imported again unchanged) and safe to
open in a spreadsheet: text that would run as a formula gets a leading apostrophe.

``mobility export --kind partnerships --city NAME`` writes one municipality's
partnerships (the ones the product works with: stored, else shipped); with
``--as USERNAME`` the account's permissions apply (a municipality account exports its
own city, and needs no ``--city``).
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
                             "caseload is exported; the export is audited. For partnerships: "
                             "the municipality or administrator account exporting")
    parser.add_argument("--city", metavar="NAME",
                        help="partnerships only: the municipality whose partnerships to write")
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
    if args.kind == "partnerships" and (args.city or args.as_user):
        return _city_partnerships(engine, args)
    if getattr(args, "city", None):
        from mobility.errors import ValidationError

        raise ValidationError("--city applies to --kind partnerships only")
    frame = read_table_from_db(engine, args.kind)
    path = write_table(frame, args.kind, args.out)
    print(f"{len(frame):,} {args.kind} rows written to {path}")
    return 0


def _city_partnerships(engine, args: argparse.Namespace) -> int:
    from mobility.auth.users import SYSTEM, get_principal
    from mobility.storage.partnerships import export_city_partnerships

    # Without --as the operator exports (partnerships are public reference data).
    who = get_principal(engine, args.as_user) if args.as_user else SYSTEM
    rows = export_city_partnerships(engine, who, args.out, args.city)
    print(f"{rows:,} partnerships of {args.city or who.city} written to {args.out}")
    return 0
