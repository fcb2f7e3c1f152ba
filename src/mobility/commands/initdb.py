"""``mobility init-db``: create the database and fill it with the shipped data.

Creates the schema, loads the town twinnings from ``data/`` and a synthetic demo
caseload (unless ``--no-demo``). ``--if-missing`` returns at once when the database is
already built, which is what ``make run`` uses on every start.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init-db", help="create the database, load twinnings and demo data")
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing when the database already exists")
    parser.add_argument("--no-demo", action="store_true", help="do not load synthetic demo data")
    parser.add_argument("--demo-apprentices", type=int, default=None, metavar="N")
    parser.add_argument("--demo-placements", type=int, default=None, metavar="M")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from mobility.progress import stderr_progress
    from mobility.storage import database_url, get_engine
    from mobility.storage.setup import (
        DEMO_APPRENTICES,
        DEMO_PLACEMENTS,
        init_database,
        is_initialised,
    )

    url = database_url()
    shown = make_url(url).render_as_string(hide_password=True)
    engine = get_engine(url)
    if args.if_missing and is_initialised(engine):
        print(f"database ready: {shown}")
        return 0
    counts = init_database(
        engine, with_demo=not args.no_demo,
        demo_apprentices=args.demo_apprentices or DEMO_APPRENTICES,
        demo_placements=args.demo_placements or DEMO_PLACEMENTS,
        progress=stderr_progress)
    summary = ", ".join(f"{n:,} {kind}" for kind, n in counts.items())
    print(f"database built: {shown} ({summary})")
    return 0
