"""A returning visitor is signed in from the cookie the page request carries, without
streamlit-authenticator's cookie component (which re-ran every page once more).

The cookie check is compared with tokens that streamlit-authenticator's own encoder
writes; the page flow runs through AppTest with the request cookie stood in for
(AppTest cannot send cookies)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import jwt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit_authenticator.models.cookie_model import CookieModel

from app_support import APP, clear_streamlit_caches, load_demo_into
from auth_support import ACCOUNTS, add_test_accounts
from mobility.auth.secrets import cookie_username
from mobility.ui import auth as ui_auth

KEY = "k" * 48


def _their_token(username: str, expires: float, key: str = KEY) -> str:
    """A cookie as streamlit-authenticator writes it after a sign-in."""
    st.session_state["username"] = username
    return CookieModel._token_encode(SimpleNamespace(exp_date=expires, cookie_key=key))


def test_their_cookie_reads_back_and_every_forgery_does_not():
    now = time.time()
    assert cookie_username(_their_token("lea", now + 60), KEY) == "lea"
    assert cookie_username(_their_token("lea", now - 1), KEY) is None  # expired
    assert cookie_username(_their_token("lea", now + 60, "x" * 48), KEY) is None  # other key
    token = _their_token("lea", now + 60)
    head, _body, signature = token.split(".")
    forged = jwt.encode({"username": "admin", "exp_date": now + 60}, "g" * 48, algorithm="HS256")
    assert cookie_username(f"{head}.{forged.split('.')[1]}.{signature}", KEY) is None
    unsigned = jwt.encode({"username": "admin", "exp_date": now + 60}, None, algorithm="none")
    assert cookie_username(unsigned, KEY) is None
    for junk in ("", None, "not-a-token", jwt.encode({"exp_date": now + 60}, KEY),
                 jwt.encode({"username": "lea"}, KEY),
                 jwt.encode({"username": "lea", "exp_date": "soon"}, KEY)):
        assert cookie_username(junk, KEY) is None


@pytest.fixture
def returning(tmp_path, monkeypatch):
    """The app with a request cookie naming ``user`` (set ``returning.user``)."""
    monkeypatch.setenv("MOBILITY_VAR_DIR", str(tmp_path / "var"))
    clear_streamlit_caches()
    load_demo_into()
    add_test_accounts()
    state = SimpleNamespace(user=ACCOUNTS["adviser"][0], created=0)
    monkeypatch.setattr(ui_auth, "_cookie_username", lambda: state.user)
    real = ui_auth._authenticator

    def counted():
        state.created += 1
        return real()

    monkeypatch.setattr(ui_auth, "_authenticator", counted)
    yield state
    clear_streamlit_caches()


def test_a_valid_cookie_signs_in_without_the_form_or_its_component(returning):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and [w.label for w in at.text_input][:2] != ["Benutzername", "Passwort"]
    assert returning.created == 0  # streamlit-authenticator was not even built
    at.run()
    assert returning.created == 0


def test_a_disabled_or_removed_account_gets_the_form_despite_its_cookie(returning):
    from mobility.auth.accounts import set_disabled
    from mobility.auth.users import SYSTEM
    from mobility.storage import get_engine

    set_disabled(get_engine(), returning.user, True, actor=SYSTEM)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.title
    assert [w.label for w in at.text_input] == ["Benutzername", "Passwort"]
    returning.user = "nobody-at-all"
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.title


def test_signing_out_shows_the_form_although_the_request_still_carries_the_cookie(returning):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert at.title
    next(b for b in at.sidebar.button if b.label == "Abmelden").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.title and next(i.value for i in at.info).startswith("Sie sind abgemeldet.")
    at.run()  # the next rerun of this session: still signed out
    assert not at.title and not at.sidebar.button
    assert [w.label for w in at.text_input] == ["Benutzername", "Passwort"]
