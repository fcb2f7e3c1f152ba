"""Accounts: who may sign in, with which role, and their bcrypt password hash.

The store is the ``users`` table. Passwords are hashed on the way in
(:func:`~mobility.auth.passwords.hash_password`) and never leave this module: listings
carry no hashes, only :func:`authenticator_credentials` hands them to
streamlit-authenticator, which checks them with bcrypt.

Demo accounts (``demo = true``) exist only in the demo database; the app shows a
banner while any exists, and production mode refuses to start with them.

Examples
--------
>>> import sqlalchemy as sa
>>> from mobility.auth.users import add_user, authenticate, list_users, SYSTEM
>>> engine = sa.create_engine("sqlite://")
>>> add_user(engine, "mueller", "adviser", "a long passphrase", organisation="HWK Dortmund",
...          actor=SYSTEM, rounds=4).scope_label
'adviser, HWK Dortmund'
>>> authenticate(engine, "mueller", "a long passphrase").organisation
'HWK Dortmund'
>>> authenticate(engine, "mueller", "wrong guess") is None
True
>>> list_users(engine, SYSTEM)[["username", "role"]].to_dict("records")
[{'username': 'mueller', 'role': 'adviser'}]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from mobility.auth.passwords import ROUNDS, hash_password, verify_password
from mobility.auth.roles import Principal, Role, check_username
from mobility.errors import NotFoundError, PermissionDenied, ValidationError

#: The principal of the command line. Whoever can run ``mobility`` on the server can
#: read the database file anyway, so commands act as an administrator; the name keeps
#: their entries in the audit trail apart from people's.
SYSTEM = Principal("system", Role.ADMINISTRATOR)

if TYPE_CHECKING:
    import pandas as pd


def _may_manage_users(actor: Principal) -> None:
    # Imported here: the sign-in form reads accounts before anything needs the policy
    # (and the pandas it is built on).
    from mobility.auth.policy import Action, authorize

    authorize(actor, Action.MANAGE_USERS)


metadata = sa.MetaData()

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("organisation", sa.String(200)),
    sa.Column("city", sa.String(200)),
    sa.Column("apprentice_id", sa.String(64)),
    sa.Column("display_name", sa.String(200)),
    sa.Column("password_hash", sa.String(100), nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Columns that are safe to show in listings (never the hash).
PUBLIC_COLUMNS = ["username", "role", "organisation", "city", "apprentice_id",
                  "display_name", "demo", "created_at"]


def ensure_users_table(engine: sa.Engine) -> None:
    """Create the ``users`` table when it does not exist yet (idempotent)."""
    metadata.create_all(engine, tables=[users_table], checkfirst=True)


def _principal(row: sa.Row) -> Principal:
    return Principal(row.username, Role(row.role), organisation=row.organisation,
                     city=row.city, apprentice_id=row.apprentice_id)


def add_user(
    engine: sa.Engine,
    username: str,
    role: Role | str,
    password: str,
    *,
    organisation: str | None = None,
    city: str | None = None,
    apprentice_id: str | None = None,
    display_name: str | None = None,
    demo: bool = False,
    actor: Principal,
    rounds: int = ROUNDS,
) -> Principal:
    """Create an account; ``actor`` must be allowed to manage users.

    Raises
    ------
    ValidationError
        Bad username, role without its organisation/city/apprentice, weak password, or
        a username that is taken.
    PermissionDenied
        ``actor`` is not an administrator.
    """
    _may_manage_users(actor)
    principal = Principal(check_username(username), Role.parse(role), organisation=organisation,
                          city=city, apprentice_id=apprentice_id)
    password_hash = hash_password(password, rounds=rounds)
    ensure_users_table(engine)
    row = {
        "username": principal.username,
        "role": principal.role.value,
        "organisation": principal.organisation,
        "city": principal.city,
        "apprentice_id": principal.apprentice_id,
        "display_name": (display_name or "").strip() or principal.username,
        "password_hash": password_hash,
        "demo": bool(demo),
        "created_at": datetime.now(UTC),
    }
    try:
        with engine.begin() as conn:
            conn.execute(users_table.insert().values(**row))
    except sa.exc.IntegrityError:
        raise ValidationError(f"username {principal.username!r} is taken") from None
    return principal


def list_users(engine: sa.Engine, actor: Principal) -> pd.DataFrame:
    """Every account without its password hash (administrators only)."""
    import pandas as pd

    _may_manage_users(actor)
    ensure_users_table(engine)
    columns = [users_table.c[name] for name in PUBLIC_COLUMNS]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*columns).order_by(users_table.c.username)).all()
    table = pd.DataFrame(rows, columns=PUBLIC_COLUMNS)
    for name in PUBLIC_COLUMNS[:6]:
        table[name] = table[name].astype("string")
    table["demo"] = table["demo"].astype(bool)
    return table


def remove_user(engine: sa.Engine, username: str, *, actor: Principal) -> None:
    """Delete an account (administrators only)."""
    _may_manage_users(actor)
    ensure_users_table(engine)
    with engine.begin() as conn:
        gone = conn.execute(users_table.delete().where(users_table.c.username == username))
    if gone.rowcount == 0:
        raise NotFoundError(f"no account {check_username(username)!r}")


def set_password(engine: sa.Engine, username: str, password: str, *, actor: Principal,
                 rounds: int = ROUNDS) -> None:
    """Change a password: administrators for anyone, everyone else for themselves."""
    if actor.username != username:
        _may_manage_users(actor)
    new_hash = hash_password(password, rounds=rounds)
    ensure_users_table(engine)
    with engine.begin() as conn:
        done = conn.execute(users_table.update().where(users_table.c.username == username)
                            .values(password_hash=new_hash))  # a demo account stays one
    if done.rowcount == 0:
        raise NotFoundError(f"no account {check_username(username)!r}")


def get_principal(engine: sa.Engine, username: str) -> Principal:
    """The principal of an existing account (raises :class:`NotFoundError`)."""
    ensure_users_table(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(users_table).where(users_table.c.username == username)).first()
    if row is None or str(row.password_hash).startswith("!"):  # "!": disabled (accounts.py)
        raise NotFoundError("no such account")
    return _principal(row)


def authenticate(engine: sa.Engine, username: str, password: str) -> Principal | None:
    """The principal when ``password`` is right, otherwise None (the caller says only
    "wrong username or password", never which of the two)."""
    ensure_users_table(engine)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users_table).where(users_table.c.username == str(username).strip().lower())
        ).first()
    if (row is None or str(row.password_hash).startswith("!")
            or not verify_password(password, row.password_hash)):
        return None
    return _principal(row)


def demo_accounts(engine: sa.Engine) -> list[str]:
    """Usernames of the demo accounts still present (the app's banner shows while any
    exists)."""
    ensure_users_table(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(users_table.c.username).where(users_table.c.demo.is_(True))
                            .order_by(users_table.c.username)).all()
    return [r.username for r in rows]


def authenticator_credentials(engine: sa.Engine) -> dict[str, dict[str, dict[str, object]]]:
    """The ``credentials`` mapping streamlit-authenticator 0.4 expects, with the bcrypt
    hashes as stored (the library verifies them; ``auto_hash`` stays off)."""
    ensure_users_table(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(users_table)).all()
    return {
        "usernames": {
            r.username: {
                "email": f"{r.username}@invalid",  # the library wants one; we keep none
                "first_name": r.display_name or r.username,
                "last_name": "",
                "password": r.password_hash,
                "roles": [r.role],
            }
            for r in rows
            if not str(r.password_hash).startswith("!")  # disabled (mobility.auth.accounts)
        }
    }


def refuse_demo_accounts_in_production(engine: sa.Engine) -> None:
    """Raise :class:`PermissionDenied` when production mode runs with demo accounts."""
    from mobility.auth.secrets import production_mode

    if production_mode() and demo_accounts(engine):
        raise PermissionDenied(
            "MOBILITY_PRODUCTION is set but demo accounts exist: remove them with "
            "'mobility user remove NAME'"
        )


#: The demo accounts and their published passwords (README, section "Security"). They
#: are created only together with the synthetic demo caseload and flagged ``demo``.
DEMO_PASSWORDS = {
    "demo-admin": "demo-admin-2026",
    "demo-adviser": "demo-adviser-2026",
    "demo-city": "demo-city-2026",
    "demo-azubi": "demo-azubi-2026",
}


def create_demo_accounts(engine: sa.Engine, *, rounds: int = ROUNDS) -> list[str]:
    """Create one clearly marked demo account per role, scoped to the demo caseload.

    The adviser works for the organisation that sends the most apprentices, the
    municipality is the home city with the most apprentices, the apprentice account is
    the first apprentice of that organisation. Existing accounts are left alone, so
    this is safe to call again. Returns the usernames created.
    """
    ensure_users_table(engine)
    with engine.connect() as conn:
        organisation = conn.execute(sa.text(
            "select sending_organisation from apprentices where sending_organisation <> '' "
            "group by sending_organisation order by count(*) desc, 1 limit 1")).scalar()
        city = conn.execute(sa.text(
            "select home_city from apprentices group by home_city "
            "order by count(*) desc, 1 limit 1")).scalar()
        apprentice_id = conn.execute(sa.text(
            "select min(apprentice_id) from apprentices where sending_organisation = :o"),
            {"o": organisation}).scalar()
        existing = set(conn.execute(sa.select(users_table.c.username)).scalars())
    wanted = {
        "demo-admin": {"role": Role.ADMINISTRATOR},
        "demo-adviser": {"role": Role.ADVISER, "organisation": organisation},
        "demo-city": {"role": Role.MUNICIPALITY, "city": city},
        "demo-azubi": {"role": Role.APPRENTICE, "apprentice_id": apprentice_id},
    }
    created = []
    for username, scope in wanted.items():
        if username in existing or None in scope.values():
            continue  # kept as it is, or no demo caseload to scope it to
        role = scope.pop("role")
        add_user(engine, username, role, DEMO_PASSWORDS[username], demo=True, actor=SYSTEM,
                 display_name=f"Demo {role.label}", rounds=rounds, **scope)
        created.append(username)
    return created


class SignInThrottle:
    """Failed sign-ins counted per *client and typed username*, whether or not the
    account exists.

    After ``max_failures`` failures within ``window`` seconds, that client may not try
    that username again until ``window`` seconds after its last failure. Why this key:

    * the same answer for every username (existing or not), so the lock-out does not
      reveal which accounts exist;
    * a stranger who knows a username locks only *their own* client out of it, not the
      account: its owner signs in from their own address as usual;
    * guessing from many addresses stays slow: every attempt costs a bcrypt check (cost
      12), and passwords have at least 10 characters.

    ``client`` is whatever identifies the caller (the app passes the browser's address,
    see :func:`mobility.ui.auth.client_address`).

    Examples
    --------
    >>> clock = iter(range(0, 10_000, 10)).__next__
    >>> throttle = SignInThrottle(max_failures=2, window=900, clock=clock)
    >>> for _ in range(2):
    ...     throttle.failed("10.0.0.9", "mueller")
    >>> throttle.blocked("10.0.0.9", "mueller") > 0, throttle.blocked("10.0.0.7", "mueller")
    (True, 0.0)
    """

    def __init__(self, *, max_failures: int = 5, window: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], tuple[int, float]] = {}

    @staticmethod
    def _key(client: str | None, username: str | None) -> tuple[str, str]:
        return (str(client or "unknown"), str(username or "").strip().lower())

    def _forget_old(self, now: float) -> None:
        for key, (_, last) in list(self._seen.items()):
            if now - last > self.window:
                del self._seen[key]

    def blocked(self, client: str | None, username: str | None) -> float:
        """Seconds until ``client`` may try ``username`` again (0.0: now)."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            count, last = self._seen.get(self._key(client, username), (0, now))
        return float(max(0.0, last + self.window - now)) if count >= self.max_failures else 0.0

    def failed(self, client: str | None, username: str | None) -> None:
        """Count one failed attempt."""
        now = self._clock()
        key = self._key(client, username)
        with self._lock:
            self._forget_old(now)
            count, _ = self._seen.get(key, (0, now))
            self._seen[key] = (count + 1, now)

    def succeeded(self, client: str | None, username: str | None) -> None:
        """Forget this client's failures for this username."""
        with self._lock:
            self._seen.pop(self._key(client, username), None)

    def reset(self) -> None:
        """Forget everything (tests; a restart does the same)."""
        with self._lock:
            self._seen.clear()
