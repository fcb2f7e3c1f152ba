"""``mobility apprentice erase ID``: remove an apprentice's personal data everywhere.

Deletes their record, shortlist entries and notes, match rows and their own account,
and leaves the audit trail naming them only by a random pseudonym (see
:mod:`mobility.auth.erasure`). It cannot be undone, so it asks for the id again unless
``--yes`` is given. The command prints the pseudonym (for the data-protection record),
never the person's name.
"""

from __future__ import annotations

import argparse

from mobility.auth.erasure import erase_apprentice
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


def _erase(args: argparse.Namespace) -> int:
    if not args.yes:
        again = input("This cannot be undone. Type the apprentice id again to confirm: ")
        if again.strip() != args.apprentice_id.strip():
            raise ValidationError("confirmation did not match; nothing erased")
    report = erase_apprentice(database_engine(), args.apprentice_id, actor=SYSTEM)
    deleted = ", ".join(f"{n} {t}" for t, n in sorted(report.rows_deleted.items())) or "none"
    print(f"erased; rows deleted: {deleted}; audit entries now refer to {report.pseudonym}")
    return 0
