"""Accounts and sign-in for dashboard tests (AppTest and browser journeys).

``add_test_accounts()`` creates one account per role, scoped to the small data set of
``app_support`` (HWK Dortmund, Dortmund, apprentice A1). ``sign_in(at, role)`` signs an
AppTest in without the form, the way a valid session cookie would;
``sign_in_with_form`` goes through the real form.
"""

from __future__ import annotations

from mobility.auth.users import SYSTEM, add_user

PASSWORD = "test-password-123"
ACCOUNTS = {
    "administrator": ("test-admin", {}),
    "adviser": ("test-adviser", {"organisation": "HWK Dortmund"}),
    "municipality": ("test-city", {"city": "Dortmund"}),
    "apprentice": ("test-azubi", {"apprentice_id": "A1"}),
}


def add_test_accounts(engine=None) -> None:
    """One account per role (idempotent); bcrypt at its lowest cost to keep tests fast."""
    from mobility.auth.users import ensure_users_table, users_table
    from mobility.storage import get_engine

    engine = engine or get_engine()
    ensure_users_table(engine)
    with engine.connect() as conn:
        existing = set(conn.execute(users_table.select().with_only_columns(
            users_table.c.username)).scalars())
    for role, (username, scope) in ACCOUNTS.items():
        if username not in existing:
            add_user(engine, username, role, PASSWORD, actor=SYSTEM, rounds=4, **scope)


def sign_in(at, role: str):
    """Mark the AppTest session as signed in as the test account of ``role`` (what the
    sign-in cookie does for a returning user); call before ``at.run()``."""
    add_test_accounts()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = ACCOUNTS[role][0]
    at.session_state["name"] = ACCOUNTS[role][0]
    return at


def sign_in_with_form(at, username: str, password: str):
    """Fill in and submit the sign-in form of an AppTest that shows it."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Anmelden").click()
    return at.run()
