"""Account management with an audit trail: add, disable and enable, change the role,
reset the password. The dashboard's accounts section calls these; the command line has
the same rules (:mod:`mobility.auth.users`,
:func:`mobility.auth.passwords.check_password_strength`).

Every change is one transaction together with its audit entry (entity ``user``, the
account's name as id; never a password or its hash). A disabled account keeps its row
(and its history) but cannot sign in: its password hash is stored behind a ``!``
(as Unix does), so no password matches it and the sign-in form does not offer it.

Examples
--------
>>> import sqlalchemy as sa
>>> from mobility.storage import create_schema
>>> from mobility.auth.users import SYSTEM, add_user, get_principal
>>> engine = sa.create_engine("sqlite://")
>>> create_schema(engine)
>>> _ = add_account(engine, "anna", "adviser", "long-enough-pw", actor=SYSTEM,
...                 organisation="HWK Dortmund", rounds=4)
>>> set_disabled(engine, "anna", True, actor=SYSTEM)
>>> is_disabled(engine, "anna")
True
>>> get_principal(engine, "anna")
Traceback (most recent call last):
...
mobility.errors.NotFoundError: no such account
"""

from __future__ import annotations

import sqlalchemy as sa

from mobility.auth.audit import record
from mobility.auth.passwords import ROUNDS, check_password_strength, hash_password
from mobility.auth.roles import Principal, Role
from mobility.auth.users import (
    _may_manage_users,
    add_user,
    ensure_users_table,
    users_table,
)
from mobility.errors import NotFoundError, ValidationError

#: Prefix of a disabled account's stored hash (no bcrypt hash starts with it).
DISABLED = "!"


def add_account(engine: sa.Engine, username: str, role: Role | str, password: str, *,
                actor: Principal, organisation: str | None = None, city: str | None = None,
                apprentice_id: str | None = None, rounds: int = ROUNDS) -> Principal:
    """:func:`mobility.auth.users.add_user`, recorded in the audit trail."""
    principal = add_user(engine, username, role, password, actor=actor,
                         organisation=organisation or None, city=city or None,
                         apprentice_id=apprentice_id or None, rounds=rounds)
    with engine.begin() as conn:
        record(conn, actor, "add", "user", principal.username,
               detail={"role": principal.role.value, "organisation": principal.organisation,
                       "city": principal.city, "apprentice_id": principal.apprentice_id})
    return principal


def _row(conn: sa.Connection, username: str) -> sa.Row:
    row = conn.execute(sa.select(users_table).where(users_table.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no account {username!r}")
    return row


def is_disabled(engine: sa.Engine, username: str) -> bool:
    """Whether the account exists and is disabled."""
    ensure_users_table(engine)
    with engine.connect() as conn:
        return str(_row(conn, username).password_hash).startswith(DISABLED)


def set_disabled(engine: sa.Engine, username: str, disabled: bool, *, actor: Principal) -> None:
    """Disable (cannot sign in, row and history kept) or enable an account again.
    An administrator cannot disable their own account (nobody could undo it)."""
    _may_manage_users(actor)
    if disabled and username == actor.username:
        raise ValidationError("you cannot disable your own account")
    ensure_users_table(engine)
    with engine.begin() as conn:
        stored = str(_row(conn, username).password_hash)
        plain = stored.removeprefix(DISABLED)
        conn.execute(users_table.update().where(users_table.c.username == username)
                     .values(password_hash=DISABLED + plain if disabled else plain))
        record(conn, actor, "disable" if disabled else "enable", "user", username)


def set_role(engine: sa.Engine, username: str, role: Role | str, *, actor: Principal,
             organisation: str | None = None, city: str | None = None,
             apprentice_id: str | None = None) -> Principal:
    """Give an account another role and scope (checked like a new account's)."""
    _may_manage_users(actor)
    if username == actor.username and Role.parse(role) is not Role.ADMINISTRATOR:
        raise ValidationError("you cannot take the administrator role from yourself")
    principal = Principal(username, Role.parse(role), organisation=organisation or None,
                          city=city or None, apprentice_id=apprentice_id or None)
    ensure_users_table(engine)
    with engine.begin() as conn:
        before = _row(conn, username)
        conn.execute(users_table.update().where(users_table.c.username == username).values(
            role=principal.role.value, organisation=principal.organisation,
            city=principal.city, apprentice_id=principal.apprentice_id))
        record(conn, actor, "change_role", "user", username,
               detail={"from": before.role, "to": principal.role.value,
                       "organisation": principal.organisation, "city": principal.city,
                       "apprentice_id": principal.apprentice_id})
    return principal


def reset_password(engine: sa.Engine, username: str, password: str, *, actor: Principal,
                   rounds: int = ROUNDS) -> None:
    """Set a new password (the command line's rules); a disabled account stays disabled."""
    _may_manage_users(actor)
    check_password_strength(password)
    new_hash = hash_password(password, rounds=rounds)
    ensure_users_table(engine)
    with engine.begin() as conn:
        stored = str(_row(conn, username).password_hash)
        prefix = DISABLED if stored.startswith(DISABLED) else ""
        conn.execute(users_table.update().where(users_table.c.username == username)
                     .values(password_hash=prefix + new_hash, demo=False))
        record(conn, actor, "reset_password", "user", username)
