"""``mobility user``: manage sign-in accounts.

``mobility user add --role adviser --org "HWK Dortmund" mueller`` asks for the password
twice without echoing it (or reads one line from standard input with
``--password-stdin``, for scripts); it never appears in arguments, logs or output.
``mobility user list`` shows accounts without their hashes; ``mobility user remove``
deletes one (the way to get rid of the demo accounts).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from mobility.auth.roles import Role
from mobility.auth.users import SYSTEM, add_user, list_users, remove_user, set_password
from mobility.errors import ValidationError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("user", help="manage sign-in accounts (add, list, remove)")
    sub = parser.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create an account; the password is prompted")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--org", dest="organisation", help="organisation (advisers)")
    add.add_argument("--city", help="city (municipalities)")
    add.add_argument("--apprentice-id", help="the apprentice's own record (apprentices)")
    add.add_argument("--display-name", help="name shown in the app (default: the username)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(func=_add)

    passwd = sub.add_parser("passwd", help="set a new password for an account")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=_passwd)

    listing = sub.add_parser("list", help="list accounts (never their password hashes)")
    listing.set_defaults(func=_list)

    remove = sub.add_parser("remove", help="delete an account")
    remove.add_argument("username")
    remove.set_defaults(func=_remove)


def _engine():
    from mobility.auth.store import database_engine

    return database_engine()


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or prompted twice on the terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("password: ")
    if getpass.getpass("repeat password: ") != first:
        raise ValidationError("the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    principal = add_user(
        _engine(), args.username, args.role, password, organisation=args.organisation,
        city=args.city, apprentice_id=args.apprentice_id, display_name=args.display_name,
        actor=SYSTEM,
    )
    print(f"created {principal.username} ({principal.scope_label})")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    set_password(_engine(), args.username, read_password(args.password_stdin), actor=SYSTEM)
    print(f"password changed for {args.username}")
    return 0


def _list(args: argparse.Namespace) -> int:
    table = list_users(_engine(), SYSTEM)
    if table.empty:
        print("no accounts")
        return 0
    shown = table.assign(
        scope=table["organisation"].fillna(table["city"]).fillna(table["apprentice_id"]).fillna(""),
        demo=table["demo"].map({True: "DEMO", False: ""}),
    )[["username", "role", "scope", "demo"]]
    print(shown.to_string(index=False))
    return 0


def _remove(args: argparse.Namespace) -> int:
    remove_user(_engine(), args.username, actor=SYSTEM)
    print(f"removed {args.username}")
    return 0
