"""The dashboard behind its sign-in: nothing shows before, each role sees its own."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_support import APP, clear_streamlit_caches, load_demo_into
from auth_support import ACCOUNTS, PASSWORD, add_test_accounts, sign_in, sign_in_with_form
from mobility.ui.auth import reset_failed_sign_ins
from mobility.ui.pages import page_path


@pytest.fixture(autouse=True)
def _fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("MOBILITY_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MOBILITY_COOKIE_KEY", raising=False)
    clear_streamlit_caches()
    reset_failed_sign_ins()
    load_demo_into()
    add_test_accounts()
    yield
    clear_streamlit_caches()


def _all_text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "warning",
                 "error", "info", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def test_before_sign_in_the_app_shows_only_the_form():
    at = _app().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Benutzername", "Passwort"]
    assert not at.title  # no page ran
    text = _all_text(at)
    assert "Azubi 1" not in text and "A1" not in text


def test_a_wrong_password_gets_one_message_for_both_mistakes():
    at = sign_in_with_form(_app().run(), "test-adviser", "wrong password!")
    assert [e.value for e in at.error] == ["Benutzername oder Passwort ist falsch."]
    assert not at.title
    at = sign_in_with_form(_app().run(), "nobody-here", PASSWORD)
    assert [e.value for e in at.error] == ["Benutzername oder Passwort ist falsch."]


def test_the_form_signs_in_and_shows_who_is_signed_in():
    at = sign_in_with_form(_app().run(), "test-adviser", PASSWORD)
    assert not at.exception
    assert at.title
    assert any("test\\-adviser" in c.value and "HWK Dortmund" in c.value for c in at.caption)


def test_the_demo_banner_shows_while_demo_accounts_exist():
    from mobility.auth.users import SYSTEM, add_user
    from mobility.storage import get_engine

    at = sign_in(_app(), "adviser").run()
    assert not any("Demo-Konten" in w.value for w in at.warning)
    add_user(get_engine(), "demo-admin", "administrator", "demo-admin-2026", demo=True,
             actor=SYSTEM, rounds=4)
    at = sign_in(_app(), "adviser").run()
    assert any("Demo-Konten" in w.value for w in at.warning)


def _page(role: str, page: str) -> AppTest:
    """``page`` as ``role`` sees it: through the menu when the role has it there, else
    the page script run on its own with the signed-in principal (as if reached without
    the menu), so that the page's own checks through the package are what is tested."""
    from mobility.auth import Principal, pages_for

    at = sign_in(_app(), role).run()
    username, scope = ACCOUNTS[role]
    principal = Principal(username, role, **scope)
    if page in pages_for(principal):
        at.switch_page(str(page_path(page))).run()
        return at
    assert page not in [p.rsplit("/", 1)[-1] for p in _menu_paths(at)]
    alone = AppTest.from_file(str(page_path(page)), default_timeout=60)
    alone.session_state["principal"] = principal
    return alone.run()


def _menu_paths(at: AppTest) -> list[str]:
    return [str(info.get("url_pathname", "")) for info in at._registered_pages.values()]


def test_a_municipality_sees_no_person_on_any_page():
    for page in ("apprentice", "adviser", "municipality"):
        at = _page("municipality", page)
        text = _all_text(at)
        assert not re.search(r"Azubi \d|Kölner \d", text), page  # the people's names
        assert "@example.org" not in text, page
        assert "A1 ·" not in text and "K1 ·" not in text, page


def test_an_adviser_sees_only_their_own_organisation():
    at = _page("adviser", "adviser")
    assert not at.exception
    text = _all_text(at)
    assert "Azubi 1" in text  # HWK Dortmund's own caseload
    assert "Kölner" not in text and "k1@example.org" not in text


def test_an_apprentice_sees_only_their_own_profile():
    at = _page("apprentice", "apprentice")
    assert not at.exception
    text = _all_text(at)
    assert "A2 ·" not in text and "K1 ·" not in text
    at = _page("apprentice", "adviser")
    text = _all_text(at)
    assert "Azubi 2" not in text and "Kölner" not in text


@pytest.mark.parametrize("role", ["adviser", "municipality", "apprentice"])
def test_only_an_administrator_may_save_reference_data(role):
    from mobility.auth import Principal
    from mobility.errors import PermissionDenied
    from mobility.ui import cache

    username, scope = ACCOUNTS[role]
    st.session_state["principal"] = Principal(username, role, **scope)
    try:
        with pytest.raises(PermissionDenied, match=f"{role} '{username}' may not"):
            cache.save_daily_rates(None, entered_by=username)
    finally:
        del st.session_state["principal"]


def test_an_adviser_erases_an_apprentice_with_the_button_and_nothing_remains():
    from mobility.auth.erasure import find_personal_data
    from mobility.storage import get_engine

    at = _page("adviser", "adviser")
    at.selectbox(key="shortlist_apprentice").set_value("A2").run()
    button = at.button(key="erase_A2")
    assert button.disabled  # not before the id is typed again
    at.text_input(key="erase_confirm_A2").input("A2").run()
    at.button(key="erase_A2").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert find_personal_data(get_engine(), ["A2"], ["Azubi 2", "a2@example.org"]) == []
    assert "A2" not in at.selectbox(key="shortlist_apprentice").options


def test_production_mode_refuses_to_start_with_demo_accounts_or_without_a_key(monkeypatch):
    from mobility.auth.users import SYSTEM, add_user
    from mobility.storage import get_engine

    def errors(at):  # messages are shown Markdown-escaped
        return " ".join(e.value.replace("\\", "") for e in at.error)

    monkeypatch.setenv("MOBILITY_PRODUCTION", "1")
    at = _app().run()
    assert "MOBILITY_COOKIE_KEY" in errors(at) and not at.text_input
    monkeypatch.setenv("MOBILITY_COOKIE_KEY", "short")
    at = _app().run()
    assert "mindestens 32 Bytes" in errors(at)  # in the sign-in page's language (issue 11)
    monkeypatch.setenv("MOBILITY_COOKIE_KEY", "kT9-vQ2xLr7_pZ4mW8sN1bY6cH3gJ5dF0aE")
    assert [w.label for w in _app().run().text_input] == ["Benutzername", "Passwort"]
    add_user(get_engine(), "demo-city", "municipality", "demo-city-2026", city="Dortmund",
             demo=True, actor=SYSTEM, rounds=4)
    at = _app().run()
    assert "es gibt Demo-Konten" in errors(at) and not at.text_input


def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password():
    for _ in range(5):
        at = sign_in_with_form(_app().run(), "test-city", "wrong password!")
        assert [e.value for e in at.error] == ["Benutzername oder Passwort ist falsch."]
    at = sign_in_with_form(_app().run(), "test-city", PASSWORD)
    assert any("Zu viele fehlgeschlagene Anmeldungen" in e.value for e in at.error) and not at.title
    # another account is not affected
    at = sign_in_with_form(_app().run(), "test-adviser", PASSWORD)
    assert at.title and not at.error


def _menu(at: AppTest) -> list[str]:
    """The page titles st.navigation registered in the last run that the menu lists: the
    page scripts (the hidden landing entry is a function that only forwards to the role's
    page, registered with visibility="hidden", so the menu does not list it)."""
    return [info["page_name"] for info in at._registered_pages.values()
            if info.get("script_path")]


def test_the_menu_lists_only_the_pages_the_role_may_use():
    apprentice = _menu(sign_in(_app(), "apprentice").run())
    assert "Praktikum finden" in apprentice
    assert "Vermittlung" not in apprentice and "Daten und Einstellungen" not in apprentice
    adviser = _menu(sign_in(_app(), "adviser").run())
    assert "Vermittlung" in adviser and "Daten und Einstellungen" not in adviser
    municipality = _menu(sign_in(_app(), "municipality").run())
    assert municipality == ["Reichweite der Partnerschaften"]
    assert "Daten und Einstellungen" in _menu(sign_in(_app(), "administrator").run())


def test_the_sign_in_form_follows_the_language_switch():
    at = _app().run()
    assert any(b.label == "Anmelden" for b in at.button)
    at.selectbox(key="lang").set_value("en").run()
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert any(b.label == "Sign in" for b in at.button)
    signed = sign_in(_app(), "adviser").run()
    assert any(c.value.startswith("Angemeldet als") and "Beratung, HWK Dortmund" in c.value
               for c in signed.caption)
    assert any(b.label == "Abmelden" for b in signed.button)


def test_the_lock_out_does_not_tell_which_usernames_exist():
    """Issue 12 item 6: after five failures a known username said "locked" and an unknown
    one "wrong", which told which accounts exist."""
    answers = []
    for name in ("test-city", "nobody-here"):
        for _ in range(5):
            sign_in_with_form(_app().run(), name, "wrong password!")
        at = sign_in_with_form(_app().run(), name, "wrong password!")
        answers.append([e.value for e in at.error])
    assert answers[0] == answers[1]
    assert any("Zu viele fehlgeschlagene Anmeldungen" in e for e in answers[0])


def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere():
    """The throttle is per client address and username: five failures from the
    attacker's address leave the owner's address free."""
    from mobility.auth.users import SignInThrottle

    throttle = SignInThrottle(max_failures=5, window=900)
    for _ in range(5):
        throttle.failed("203.0.113.9", "test-city")
        throttle.failed("203.0.113.9", "no-such-user")
    assert throttle.blocked("203.0.113.9", "test-city") > 0
    assert throttle.blocked("203.0.113.9", "no-such-user") > 0  # the same for unknown names
    assert throttle.blocked("198.51.100.4", "test-city") == 0
    throttle.succeeded("203.0.113.9", "test-city")
    assert throttle.blocked("203.0.113.9", "test-city") == 0
