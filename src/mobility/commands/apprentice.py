"""``mobility apprentice erase ID``: remove an apprentice's personal data everywhere.

Deletes their record, shortlist entries and notes, match rows and their own account,
and leaves the audit trail naming them only by a random pseudonym (see
:mod:`mobility.auth.erasure`). It cannot be undone, so it asks for the id again unless
``--yes`` is given. The command prints the pseudonym (for the data-protection record),
never the person's name, and says whether the database file itself is clean yet: while
another program reads the SQLite database, old copies stay in the file until
``mobility apprentice scrub`` runs after it has finished.
"""

from __future__ import annotations

import argparse

from mobility.auth.erasure import erase_apprentice, scrub_database_file
from mobility.auth.store import database_engine
from mobility.auth.users import SYSTEM
from mobility.errors import ValidationError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("apprentice", help="apprentice records (erase personal data)")
    sub = parser.add_subparsers(dest="apprentice_command", metavar="ACTION", required=True)
    erase = sub.add_parser("erase", help="erase one apprentice's personal data everywhere")
    erase.add_argument("apprentice_id")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(func=_erase)
    scrub = sub.add_parser("scrub", help="overwrite what erased records left in the SQLite "
                           "file (after an erasure reported that a reader was in the way)")
    scrub.set_defaults(func=_scrub)


def _file_state(scrubbed: bool | None) -> str:
    if scrubbed is True:
        return "the database file holds no old copies"
    if scrubbed is False:
        return ("another connection is reading the database, so old copies are still in the "
                "file: run 'mobility apprentice scrub' when it has finished")
    return "the database server reclaims the freed space itself"


def _scrub(args: argparse.Namespace) -> int:
    scrubbed = scrub_database_file(database_engine())
    print(_file_state(scrubbed))
    return 3 if scrubbed is False else 0


def _erase(args: argparse.Namespace) -> int:
    if not args.yes:
        again = input("This cannot be undone. Type the apprentice id again to confirm: ")
        if again.strip() != args.apprentice_id.strip():
            raise ValidationError("confirmation did not match; nothing erased")
    report = erase_apprentice(database_engine(), args.apprentice_id, actor=SYSTEM)
    deleted = ", ".join(f"{n} {t}" for t, n in sorted(report.rows_deleted.items())) or "none"
    print(f"erased; rows deleted: {deleted}; audit entries now refer to {report.pseudonym}; "
          f"{_file_state(report.file_scrubbed)}")
    return 3 if report.file_scrubbed is False else 0
