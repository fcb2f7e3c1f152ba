"""Secrets the product needs at run time: the sign-in cookie key.

For real use the key comes from the environment (``MOBILITY_COOKIE_KEY``, at least 32
bytes). A demo install without it gets a random key generated once and kept in
``var/cookie.key`` (readable by the owner only), so sign-ins survive restarts without
anyone choosing a weak key. With ``MOBILITY_PRODUCTION=1`` a missing key is an error.

Examples
--------
>>> import os, tempfile
>>> os.environ["MOBILITY_VAR_DIR"] = tempfile.mkdtemp()
>>> os.environ.pop("MOBILITY_COOKIE_KEY", None) and None
>>> key = cookie_key()
>>> len(key) >= 32 and key == cookie_key()
True
"""

from __future__ import annotations

import os
import secrets as _stdlib_secrets
from pathlib import Path

from mobility.errors import ConfigurationError
from mobility.paths import REPO_ROOT

MIN_KEY_BYTES = 32


def var_dir() -> Path:
    """Writable per-install state (``MOBILITY_VAR_DIR`` or ``var/`` in the checkout)."""
    override = os.environ.get("MOBILITY_VAR_DIR")
    path = Path(override) if override else REPO_ROOT / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path


def production_mode() -> bool:
    """True when ``MOBILITY_PRODUCTION`` is set to 1/true/yes: demo shortcuts refused."""
    return os.environ.get("MOBILITY_PRODUCTION", "").strip().lower() in {"1", "true", "yes"}


def _read_or_create(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = _stdlib_secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once cannot both write; the loser reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def cookie_key_is_generated() -> bool:
    """Whether the app runs on a generated demo key rather than a configured one."""
    return not os.environ.get("MOBILITY_COOKIE_KEY")


def cookie_key() -> str:
    """The key that signs sign-in cookies (see the module docstring for where it comes
    from). Raises :class:`ConfigurationError` for a short key, or for a missing one in
    production mode."""
    configured = os.environ.get("MOBILITY_COOKIE_KEY")
    if configured:
        if len(configured.encode("utf-8")) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"MOBILITY_COOKIE_KEY must be at least {MIN_KEY_BYTES} bytes; generate one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return configured
    if production_mode():
        raise ConfigurationError("MOBILITY_PRODUCTION is set but MOBILITY_COOKIE_KEY is not")
    return _read_or_create(var_dir() / "cookie.key")
