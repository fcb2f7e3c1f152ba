"""The Streamlit settings that protect the product stay in place and agree with the
package's own limits."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path

import pytest

from mobility.auth.secrets import cookie_key, production_mode
from mobility.errors import ConfigurationError
from mobility.io import UPLOAD_MAX_BYTES

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_streamlit_refuses_uploads_above_the_package_limit():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == UPLOAD_MAX_BYTES
    assert config["server"]["enableXsrfProtection"] is True


def test_the_browser_gets_no_tracebacks():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("type", "none")
    assert config["browser"]["gatherUsageStats"] is False


# Issue 12 item 7: configuration that looked safe but was not.


@pytest.mark.parametrize("key", ["k" * 32, "k" * 64, "ab" * 20, "Secret1!" * 5,
                                 "abcdefgh" * 4])
def test_a_predictable_cookie_key_is_refused(key, monkeypatch):
    monkeypatch.setenv("MOBILITY_COOKIE_KEY", key)
    with pytest.raises(ConfigurationError, match="predictable"):
        cookie_key()


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48),
                                  lambda: secrets.token_urlsafe(24),
                                  lambda: secrets.token_hex(16), lambda: secrets.token_hex(32)])
def test_random_cookie_keys_are_accepted(make, monkeypatch):
    for _ in range(200):  # the estimate must not refuse a real random key by bad luck
        key = make()
        monkeypatch.setenv("MOBILITY_COOKIE_KEY", key)
        assert cookie_key() == key


@pytest.mark.parametrize(("value", "on"), [("1", True), ("on", True), ("ON", True),
                                           ("true", True), ("Yes", True), ("", False),
                                           ("0", False), ("off", False), ("false", False)])
def test_production_mode_words(value, on, monkeypatch):
    monkeypatch.setenv("MOBILITY_PRODUCTION", value)
    assert production_mode() is on


def test_an_unclear_production_switch_is_an_error_not_off(monkeypatch):
    monkeypatch.setenv("MOBILITY_PRODUCTION", "enabled")
    with pytest.raises(ConfigurationError):
        production_mode()
