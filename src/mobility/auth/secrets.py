"""Secrets the product needs at run time: the sign-in cookie key.

For real use the key comes from the environment (``MOBILITY_COOKIE_KEY``, at least 32
bytes). A demo install without it gets a random key generated once and kept in
``var/cookie.key`` (readable by the owner only), so sign-ins survive restarts without
anyone choosing a weak key. With ``MOBILITY_PRODUCTION=1`` (or true/yes/on) a missing
key is an error.

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
#: Least estimated entropy of a configured key, in bits: the key's length times the
#: Shannon entropy of its characters' frequencies. 32 identical characters have 0 bits,
#: "abab..." 32; ``secrets.token_urlsafe(48)`` about 330, ``token_hex(16)`` 93 to 125.
#: Keys that repeat a shorter piece ("k3Y!k3Y!...") are refused whatever their estimate.
MIN_KEY_BITS = 85
#: Values of MOBILITY_PRODUCTION that switch production mode on (any case).
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "ja"})


def key_entropy_bits(key: str) -> float:
    """Estimated entropy of ``key``: length times the Shannon entropy of its character
    frequencies (an upper bound for human-made keys, close for random ones).

    >>> key_entropy_bits("a" * 32), key_entropy_bits("ab" * 16)
    (0.0, 32.0)
    """
    import math
    from collections import Counter

    if not key:
        return 0.0
    counts = Counter(key)
    total = len(key)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    return round(total * per_char, 6) + 0.0


def var_dir() -> Path:
    """Writable per-install state (``MOBILITY_VAR_DIR`` or ``var/`` in the checkout)."""
    override = os.environ.get("MOBILITY_VAR_DIR")
    path = Path(override) if override else REPO_ROOT / "var"
    path.mkdir(parents=True, exist_ok=True)
    return path


def production_mode() -> bool:
    """True when ``MOBILITY_PRODUCTION`` is 1, true, yes or on (any case): demo shortcuts
    refused. Any other non-empty value is an error rather than silently "off"."""
    value = os.environ.get("MOBILITY_PRODUCTION", "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in {"", "0", "false", "no", "off", "n", "nein"}:
        return False
    raise ConfigurationError(f"MOBILITY_PRODUCTION={value!r} is neither on "
                             "(1/true/yes/on) nor off (0/false/no/off)")


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
        generate = "generate one with python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        if len(configured.encode("utf-8")) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"MOBILITY_COOKIE_KEY must be at least {MIN_KEY_BYTES} bytes; {generate}")
        periodic = (configured + configured).find(configured, 1) < len(configured)
        if periodic or key_entropy_bits(configured) < MIN_KEY_BITS:
            raise ConfigurationError(
                "MOBILITY_COOKIE_KEY is too predictable (repeated or few different "
                f"characters: about {key_entropy_bits(configured):.0f} of the "
                f"{MIN_KEY_BITS} bits needed); {generate}")
        return configured
    if production_mode():
        raise ConfigurationError("MOBILITY_PRODUCTION is set but MOBILITY_COOKIE_KEY is not")
    return _read_or_create(var_dir() / "cookie.key")


def cookie_username(token: str | None, key: str, *, now: float | None = None) -> str | None:
    """The username a sign-in cookie carries when its HS256 signature under ``key`` and
    its expiry (``exp_date``, seconds since 1970) hold, else None; the cookie is the one
    streamlit-authenticator writes (``{"username": ..., "exp_date": ...}``).

    >>> import jwt, time
    >>> token = jwt.encode({"username": "lea", "exp_date": time.time() + 60}, "k" * 32,
    ...                    algorithm="HS256")
    >>> cookie_username(token, "k" * 32), cookie_username(token, "x" * 32)
    ('lea', None)
    """
    import time

    import jwt

    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    username = claims.get("username") if isinstance(claims, dict) else None
    try:
        expires = float(claims.get("exp_date"))
    except (TypeError, ValueError, AttributeError):
        return None
    if not isinstance(username, str) or not username or expires <= (now or time.time()):
        return None
    return username
