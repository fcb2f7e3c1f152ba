"""Accounts: bcrypt hashes only, the `mobility user` command, and who may manage users."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mobility.auth import Principal, Role
from mobility.auth.passwords import hash_password, verify_password
from mobility.auth.users import (
    SYSTEM,
    add_user,
    authenticate,
    authenticator_credentials,
    demo_accounts,
    list_users,
    remove_user,
    set_password,
)
from mobility.cli import main
from mobility.errors import PermissionDenied, ValidationError
from mobility.storage.engine import dispose_engines, get_engine

PASSWORD = "s3cret horse battery"
ADVISER = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")


@pytest.fixture
def engine():
    yield get_engine()
    dispose_engines()


def test_a_password_is_stored_only_as_a_bcrypt_hash(engine, tmp_path):
    add_user(engine, "mueller", "adviser", PASSWORD, organisation="HWK Dortmund",
             actor=SYSTEM, rounds=4)
    path = Path(engine.url.database)
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert PASSWORD.encode() not in raw
    stored = sqlite3.connect(path).execute("select password_hash from users").fetchone()[0]
    assert stored.startswith("$2b$04$") and verify_password(PASSWORD, stored)


def test_sign_in_needs_the_right_password_and_an_existing_name(engine):
    add_user(engine, "mueller", "adviser", PASSWORD, organisation="HWK Dortmund",
             actor=SYSTEM, rounds=4)
    assert authenticate(engine, "MUELLER", PASSWORD) == ADVISER
    assert authenticate(engine, "mueller", PASSWORD + "x") is None
    assert authenticate(engine, "nobody", PASSWORD) is None


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.ADVISER, Role.MUNICIPALITY])
def test_only_an_administrator_adds_lists_or_removes_users(engine, role):
    actor = Principal("someone", role, organisation="HWK Dortmund", city="Dortmund",
                      apprentice_id="A1")
    with pytest.raises(PermissionDenied):
        add_user(engine, "intruder", "administrator", PASSWORD, actor=actor, rounds=4)
    with pytest.raises(PermissionDenied):
        list_users(engine, actor)
    with pytest.raises(PermissionDenied):
        remove_user(engine, "mueller", actor=actor)
    with pytest.raises(PermissionDenied):
        set_password(engine, "mueller", PASSWORD, actor=actor, rounds=4)


def test_weak_taken_and_oversized_passwords_are_refused_without_repeating_them(engine):
    with pytest.raises(ValidationError) as short:
        add_user(engine, "a1", "administrator", "hunter2", actor=SYSTEM, rounds=4)
    assert "hunter2" not in str(short.value)
    with pytest.raises(ValidationError, match="72 bytes"):
        hash_password("ä" * 40)
    add_user(engine, "a1", "administrator", PASSWORD, actor=SYSTEM, rounds=4)
    with pytest.raises(ValidationError, match="taken"):
        add_user(engine, "a1", "administrator", PASSWORD, actor=SYSTEM, rounds=4)


def test_listings_and_the_login_credentials_carry_no_plain_password(engine):
    add_user(engine, "stadt", "municipality", PASSWORD, city="Dortmund", demo=True,
             actor=SYSTEM, rounds=4)
    table = list_users(engine, SYSTEM)
    assert "password_hash" not in table.columns
    creds = authenticator_credentials(engine)["usernames"]["stadt"]
    assert creds["password"].startswith("$2b$") and creds["roles"] == ["municipality"]
    assert demo_accounts(engine) == ["stadt"]
    set_password(engine, "stadt", PASSWORD + "!", actor=SYSTEM, rounds=4)
    # Issue 12 item 7: a new password does not make a demo account a real one (it
    # still has the demo caseload's scope); production keeps refusing it.
    assert demo_accounts(engine) == ["stadt"]


def test_a_new_password_keeps_the_demo_flag_and_production_still_refuses(engine, monkeypatch,
                                                                         capsys):
    from mobility.auth.users import refuse_demo_accounts_in_production
    from mobility.errors import PermissionDenied

    add_user(engine, "demo-admin", "administrator", PASSWORD, demo=True, actor=SYSTEM,
             rounds=4)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "?\n"))
    assert main(["user", "passwd", "demo-admin", "--password-stdin"]) == 0
    assert demo_accounts(engine) == ["demo-admin"]
    monkeypatch.setenv("MOBILITY_PRODUCTION", "on")
    with pytest.raises(PermissionDenied):
        refuse_demo_accounts_in_production(engine)


def test_user_add_reads_the_password_from_stdin_and_never_prints_it(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "--role", "adviser", "--org", "HWK Dortmund", "Mueller",
                 "--password-stdin"]) == 0
    assert main(["user", "list"]) == 0
    out = capsys.readouterr()
    assert "mueller" in out.out and "HWK Dortmund" in out.out
    assert PASSWORD not in out.out + out.err
    dispose_engines()
    assert authenticate(get_engine(), "mueller", PASSWORD) is not None
    dispose_engines()


def test_user_add_prompts_twice_without_echo_and_refuses_a_mismatch(monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "typo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "--role", "administrator", "boss"]) == 2
    assert "differ" in capsys.readouterr().err
    dispose_engines()


def test_user_add_without_the_scope_of_its_role_fails_cleanly(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "--role", "adviser", "x1", "--password-stdin"]) == 2
    assert "organisation" in capsys.readouterr().err
    dispose_engines()


def test_the_password_never_reaches_the_process_arguments(tmp_path):
    # The command has no --password option at all: a password can't leak through `ps`.
    done = subprocess.run([sys.executable, "-m", "mobility", "user", "add", "--role",
                           "administrator", "boss", "--password", PASSWORD],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "unrecognized arguments" in done.stderr
