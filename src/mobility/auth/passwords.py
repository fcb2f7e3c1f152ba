"""Password hashing with bcrypt: we call the library, we write no cryptography.

Hashes are bcrypt's own ``$2b$...`` strings (salt and cost included), the format
streamlit-authenticator checks at sign-in. Passwords never appear in messages, logs or
the database; only the hash does.

Examples
--------
>>> stored = hash_password("correct horse battery")
>>> stored.startswith("$2b$")
True
>>> verify_password("correct horse battery", stored), verify_password("wrong", stored)
(True, False)
"""

from __future__ import annotations

import bcrypt

from mobility.errors import ValidationError

#: Shortest password accepted. Length beats composition rules (NIST SP 800-63B).
MIN_LENGTH = 10
#: bcrypt only reads the first 72 bytes; longer passwords would be silently truncated,
#: so we refuse them instead.
MAX_BYTES = 72
#: bcrypt cost factor (2**12 rounds, ~0.25 s on one core): slow for attackers, quick
#: enough for one sign-in.
ROUNDS = 12


def check_password_strength(password: str) -> str:
    """Return ``password`` unchanged or raise :class:`ValidationError` (the message
    never repeats the password)."""
    if not isinstance(password, str):
        raise ValidationError("a password must be text")
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise ValidationError(f"a password may have at most {MAX_BYTES} bytes (bcrypt's limit)")
    if password.strip() != password or "\n" in password:
        raise ValidationError("a password may not start or end with spaces or hold line breaks")
    return password


def hash_password(password: str, *, rounds: int = ROUNDS) -> str:
    """The bcrypt hash of ``password`` (checked by :func:`check_password_strength`)."""
    check_password_strength(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, stored_hash: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; False for any malformed input."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), stored_hash.encode("ascii"))
    except (ValueError, TypeError, UnicodeError):
        return False
