"""Who is acting: the four roles and the signed-in :class:`Principal`.

A principal is what every authorisation check receives. It is a small frozen value:
pages and commands build it once at sign-in and pass it down; nothing reads a global.

Examples
--------
>>> from mobility.auth.roles import Principal, Role
>>> p = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
>>> p.role.label
'adviser'
>>> Principal("anna", Role.APPRENTICE)
Traceback (most recent call last):
...
mobility.errors.ValidationError: an apprentice account needs the apprentice_id it belongs to
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from mobility.errors import ValidationError


class Role(enum.StrEnum):
    """What a signed-in person is allowed to be.

    ``adviser`` belongs to an organisation (a chamber or vocational school) and works on
    that organisation's caseload; ``municipality`` belongs to a city and sees only
    aggregates for it; ``apprentice`` sees their own profile and matches;
    ``administrator`` manages reference data and accounts.
    """

    APPRENTICE = "apprentice"
    ADVISER = "adviser"
    MUNICIPALITY = "municipality"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: object) -> Role:
        """Read a role name as typed on the command line (case and spaces ignored)."""
        key = str(text or "").strip().lower()
        aliases = {"admin": "administrator", "advisor": "adviser", "city": "municipality"}
        key = aliases.get(key, key)
        try:
            return cls(key)
        except ValueError:
            choices = ", ".join(r.value for r in cls)
            raise ValidationError(f"role {text!r} does not exist (use one of {choices})") from None


# Usernames end up in cookies, audit entries and log lines: keep them to a plain,
# printable alphabet so they can never carry markup or control characters.
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def check_username(name: object) -> str:
    """Return ``name`` lower-cased, or raise when it is not 2-64 characters of
    ``a-z 0-9 . _ -`` starting with a letter or digit."""
    text = str(name or "").strip().lower()
    if not _USERNAME.match(text):
        raise ValidationError(
            "a username is 2-64 characters: letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return text


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as the authorisation check sees them.

    Parameters
    ----------
    username : str
        The login name (lower case, see :func:`check_username`).
    role : Role
        One of the four roles.
    organisation : str, optional
        Required for advisers: compared with ``apprentices.sending_organisation``.
    city : str, optional
        Required for municipalities: compared with ``apprentices.home_city``.
    apprentice_id : str, optional
        Required for apprentices: the one profile they may see.
    """

    username: str
    role: Role
    organisation: str | None = None
    city: str | None = None
    apprentice_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "username", check_username(self.username))
        object.__setattr__(self, "role", Role.parse(self.role))
        for attr in ("organisation", "city", "apprentice_id"):
            value = getattr(self, attr)
            cleaned = str(value).strip() if value is not None else ""
            object.__setattr__(self, attr, cleaned or None)
        needs = {
            Role.ADVISER: ("organisation",
                           "an adviser account needs the organisation it works for"),
            Role.MUNICIPALITY: ("city", "a municipality account needs the city it speaks for"),
            Role.APPRENTICE: (
                "apprentice_id",
                "an apprentice account needs the apprentice_id it belongs to",
            ),
        }
        if self.role in needs:
            attr, message = needs[self.role]
            if getattr(self, attr) is None:
                raise ValidationError(message)

    @property
    def scope_label(self) -> str:
        """A short description for page headers: ``"adviser, HWK Dortmund"``."""
        extra = {
            Role.ADVISER: self.organisation,
            Role.MUNICIPALITY: self.city,
        }.get(self.role)
        return f"{self.role.label}, {extra}" if extra else self.role.label
