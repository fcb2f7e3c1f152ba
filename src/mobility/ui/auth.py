"""Sign-in for the dashboard: streamlit-authenticator 0.4 over the ``users`` table.

``app.py`` calls :func:`require_login` once, before ``st.navigation``; it shows the
sign-in form and stops the script until someone has signed in, then returns their
:class:`~mobility.auth.Principal`. Pages read it back with :func:`current_principal`
and pass it to the package, which enforces every rule (:func:`mobility.auth.authorize`):
hiding a page is convenience, not protection.

The password check is bcrypt (inside streamlit-authenticator); the re-authentication
cookie is signed with :func:`mobility.auth.secrets.cookie_key`. Five failed attempts
from one address for one username lock that address out of that username for 15 minutes
(:class:`mobility.auth.users.SignInThrottle`), whether the account exists or not.
Single sign-on through ``st.login`` is offered only when an ``[auth]`` section is
configured in ``.streamlit/secrets.toml`` (it needs the identity provider online;
offline installs use passwords).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from mobility.auth.escaping import escape_markdown
from mobility.auth.roles import Principal
from mobility.auth.secrets import cookie_key, cookie_key_is_generated, cookie_username
from mobility.auth.store import database_engine
from mobility.auth.users import (
    SignInThrottle,
    authenticator_credentials,
    demo_accounts,
    get_principal,
    refuse_demo_accounts_in_production,
)
from mobility.errors import MobilityError, NotFoundError
from mobility.i18n import t
from mobility.messages import translate_message

COOKIE_NAME = "mobility_signin"
COOKIE_EXPIRY_DAYS = 1.0
MAX_LOGIN_ATTEMPTS = 5
#: How long an account stays locked after :data:`MAX_LOGIN_ATTEMPTS` failures.
LOCKOUT_SECONDS = 15 * 60
_PRINCIPAL_KEY = "principal"  # mobility.ui.common.current_principal reads it
_COOKIE_PENDING = "mobility_cookie_pending"  # signed in with the form, cookie not seen yet
#: How long streamlit-authenticator waits before drawing the form (its default, 0.7 s,
#: gives the cookie component time to report a returning user; every first visit pays
#: it). A returning user may now see the form for a moment before the cookie signs
#: them in.
LOGIN_SLEEP_SECONDS = 0.0


def _lang() -> str:
    from mobility.ui.common import current_language

    return current_language()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, MobilityError):
        return False
    except Exception:  # no secrets.toml at all: streamlit raises its own error type
        return False


#: Failed sign-ins per client address and typed username (see
#: :class:`mobility.auth.users.SignInThrottle` for why this key), shared by all sessions
#: of this process.
_THROTTLE = SignInThrottle(max_failures=MAX_LOGIN_ATTEMPTS, window=LOCKOUT_SECONDS)


def reset_failed_sign_ins() -> None:
    """Forget every failed sign-in (tests; an administrator unlocking after a restart)."""
    _THROTTLE.reset()


def client_address() -> str:
    """Who is signing in, for the throttle: the browser's address as Streamlit sees it.
    Behind a reverse proxy every browser has the proxy's address; with
    ``MOBILITY_TRUSTED_PROXY=1`` the address the proxy appended to
    ``X-Forwarded-For`` (its last entry, which a browser cannot forge) is used instead."""
    import os

    if os.environ.get("MOBILITY_TRUSTED_PROXY", "").strip().lower() in {"1", "true", "yes",
                                                                         "on"}:
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) and address else "unknown"


class _ThrottledUsernames(dict):
    """The credentials' username mapping as streamlit-authenticator reads it: its
    ``get(username)`` (asked once per attempt, before the password check) remembers the
    typed username and reports a throttled one as locked, existing or not, so that both
    get the same answer."""

    asked: str | None = None

    def __init__(self, accounts: dict, client: str) -> None:
        super().__init__(accounts)
        self.client = client

    def get(self, username, default=None):
        self.asked = str(username)
        if _THROTTLE.blocked(self.client, username):
            return {"failed_login_attempts": MAX_LOGIN_ATTEMPTS}
        return super().get(username, default)


def _authenticator():
    import streamlit_authenticator as stauth

    credentials = authenticator_credentials(database_engine())
    authenticator = stauth.Authenticate(
        credentials,
        cookie_name=COOKIE_NAME,
        cookie_key=cookie_key(),
        cookie_expiry_days=COOKIE_EXPIRY_DAYS,
        auto_hash=False,  # the store holds bcrypt hashes already; never plain passwords
        login_sleep_time=LOGIN_SLEEP_SECONDS,
    )
    # The authenticator keeps this very mapping: swap in the throttled view of it.
    credentials["usernames"] = _ThrottledUsernames(credentials["usernames"], client_address())
    return credentials, authenticator


def show_demo_banner() -> None:
    """Warn on every page while demo accounts exist or the cookie key is generated."""
    engine = database_engine()
    names = demo_accounts(engine)
    if names:
        st.warning(t("auth.demo_accounts", _lang(), n=len(names)), icon="⚠️")
    if cookie_key_is_generated():
        st.caption(t("auth.cookie_note", _lang()))


def _sso_principal() -> Principal | None:
    # st.user is only populated after st.login with a configured identity provider; its
    # "preferred_username" (or e-mail local part) must name an existing account.
    if not _oidc_configured():
        return None
    if not getattr(st.user, "is_logged_in", False):
        st.button(t("auth.sso", _lang()), on_click=st.login, key="sso_login")
        return None
    claimed = st.user.get("preferred_username") or str(st.user.get("email", "")).split("@")[0]
    try:
        return get_principal(database_engine(), str(claimed).lower())
    except NotFoundError:
        st.error(t("auth.sso_unknown", _lang()))
        return None


def _stop(signed_out: Callable[[], None] | None) -> NoReturn:
    """End the run of a visitor who is not signed in: forget any principal, let the
    router keep the page address (``signed_out``), stop."""
    st.session_state.pop(_PRINCIPAL_KEY, None)
    if signed_out is not None:
        signed_out()
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover (st.stop raises)


def require_login(signed_out: Callable[[], None] | None = None) -> Principal:
    """Return the signed-in principal, or show the sign-in form and stop the run.

    ``signed_out`` runs before every stop while nobody is signed in (``app.py`` passes
    a hidden navigation, so that a reload on a page's address keeps that address
    instead of "page not found", and no menu shows). Signing out ends the run the same
    way: nothing of the previous user's menu or page is drawn after the click.

    Examples
    --------
    In ``app.py``::

        principal = require_login()  # nothing below runs until someone signs in
    """
    try:
        refuse_demo_accounts_in_production(database_engine())
        key_problem = None
        cookie_key()
    except MobilityError as exc:  # production mode without a key, or with demo accounts
        key_problem = exc
    if key_problem is not None:
        st.error(escape_markdown(translate_message(key_problem.message, _lang())))
        _stop(signed_out)
    show_demo_banner()
    principal = _sso_principal()
    if principal is not None:
        st.session_state[_PRINCIPAL_KEY] = principal
        return principal
    lang = _lang()
    principal, authenticator = _returning_principal()
    if principal is None:
        principal = _sign_in_form(lang, signed_out)
    st.session_state[_PRINCIPAL_KEY] = principal
    with st.sidebar:
        who = st.empty()  # filled only while still signed in after the button
        leaving = st.button(t("auth.sign_out", lang), key="mobility_sign_out")
    if leaving:  # "Abmelden": nothing of this user's menu or page is drawn after it
        _sign_out(authenticator)
        st.info(t("auth.signed_out", lang))
        _stop(signed_out)
    who.caption(t("auth.signed_in_as", lang, user=escape_markdown(principal.username),
                  scope=escape_markdown(scope_label(principal, lang))))
    return principal


def _cookie_username() -> str | None:
    """The username of a valid sign-in cookie sent with the page request, else None."""
    cookies = st.context.cookies
    return cookie_username(cookies.get(COOKIE_NAME) if cookies else None, cookie_key())


def _returning_principal() -> tuple[Principal | None, object | None]:
    """Who is signed in without drawing the sign-in form: this session's user, or a
    returning visitor's from the cookie the page request carried. The account must
    still exist and be enabled.

    streamlit-authenticator is not even created on this path: its cookie component
    reports the browser's cookies once after every page load, which ran every page a
    second time (up to 5 s more per page load on a busy machine).

    Returns the principal (None: show the form) and the authenticator when this run
    had to create one (at most one per run: its cookie component has a fixed key)."""
    if st.session_state.get("logout"):  # signed out in this session: the form again
        return None, None
    username = (st.session_state.get("username")
                if st.session_state.get("authentication_status") else _cookie_username())
    if not username:
        return None, None
    try:
        principal = get_principal(database_engine(), str(username))
    except NotFoundError:
        return None, None  # the form's path signs the stale cookie out
    st.session_state["authentication_status"] = True
    st.session_state["username"] = principal.username
    if st.session_state.get(_COOKIE_PENDING):
        return principal, _write_cookie_until_seen()
    return principal, None


def _write_cookie_until_seen():
    """After a sign-in with the form: write the sign-in cookie again on each run until the
    browser reports it. The component that writes it in the sign-in run is dropped when
    the router then switches to the role's page, often before it ran, and a reload would
    sign the person out."""
    _credentials, authenticator = _authenticator()  # its component reports the cookies
    cookies = authenticator.cookie_controller.cookie_model.cookie_manager
    if cookies.get(COOKIE_NAME):
        st.session_state.pop(_COOKIE_PENDING, None)
    else:
        authenticator.cookie_controller.set_cookie()
    return authenticator


def _sign_out(authenticator=None) -> None:
    """Forget the user in this session and delete the sign-in cookie in the browser
    (streamlit-authenticator's cookie component does that when it is drawn); reuses
    the run's ``authenticator`` when there is one."""
    if authenticator is None:
        _credentials, authenticator = _authenticator()
    st.session_state.pop(_COOKIE_PENDING, None)
    authenticator.logout(location="unrendered")


def _sign_in_form(lang: str, signed_out: Callable[[], None] | None) -> Principal:
    """The sign-in form (streamlit-authenticator), with the throttle; returns the
    principal once someone signed in, else stops the run."""
    from streamlit_authenticator.utilities.exceptions import LoginError

    credentials, authenticator = _authenticator()
    fields = {"Form name": t("auth.form", lang), "Username": t("auth.username", lang),
              "Password": t("auth.password", lang), "Login": t("auth.submit", lang)}
    try:
        authenticator.login(location="main", max_login_attempts=MAX_LOGIN_ATTEMPTS,
                            fields=fields, key="login")
    except LoginError:
        st.error(t("auth.locked", lang, minutes=LOCKOUT_SECONDS // 60))
        _stop(signed_out)
    status = st.session_state.get("authentication_status")
    accounts = credentials["usernames"]
    if getattr(accounts, "asked", None) is not None:
        if status is False:
            _THROTTLE.failed(accounts.client, accounts.asked)
        elif status:
            _THROTTLE.succeeded(accounts.client, accounts.asked)
    if status is False:
        # One message for both cases: never tell which of username and password was wrong.
        st.error(t("auth.wrong", lang))
    if not status:
        _stop(signed_out)
    try:
        principal = get_principal(database_engine(), st.session_state["username"])
        st.session_state["logout"] = None  # signed in again: a cookie may count again
        if not _cookie_username():  # signed in with the form: see _write_cookie_until_seen
            st.session_state[_COOKIE_PENDING] = True
        return principal
    except NotFoundError:
        # The account was removed (or disabled) while its cookie was still valid.
        authenticator.logout(location="unrendered")
        _stop(signed_out)


def scope_label(principal: Principal, lang: str) -> str:
    """``"Beratung, HWK Dortmund"``: the role in ``lang`` and what it is scoped to."""
    extra = {"adviser": principal.organisation, "municipality": principal.city}.get(
        str(principal.role))
    role = t(f"role.{principal.role}", lang)
    return f"{role}, {extra}" if extra else role


def current_principal() -> Principal | None:
    """The principal :func:`require_login` stored for this session (None before)."""
    return st.session_state.get(_PRINCIPAL_KEY)
