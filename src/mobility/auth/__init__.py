"""Trust: who is signed in, what they may see and do, and how their secrets are kept.

- :mod:`~mobility.auth.roles`: the four :class:`Role` s and the signed-in :class:`Principal`.
- :mod:`~mobility.auth.policy`: the policy table and the one check, :func:`authorize`;
  :func:`visible_apprentices` narrows tables to what a principal may see.
- :mod:`~mobility.auth.aggregates`: municipality counts with small numbers suppressed.
- :mod:`~mobility.auth.passwords`: bcrypt hashing (the library, no home-made crypto).
- :mod:`~mobility.auth.secrets`: the sign-in cookie key.

Examples
--------
>>> from mobility.auth import Action, Principal, Role, authorize
>>> city = Principal("stadt-dortmund", Role.MUNICIPALITY, city="Dortmund")
>>> authorize(city, Action.VIEW_APPRENTICE)
Traceback (most recent call last):
...
mobility.errors.PermissionDenied: municipality 'stadt-dortmund' may not view apprentice records
"""

from mobility.auth.aggregates import MIN_COUNT, city_aggregates, suppress_small_counts
from mobility.auth.passwords import check_password_strength, hash_password, verify_password
from mobility.auth.policy import (
    POLICY,
    Action,
    Scope,
    allowed_actions,
    authorize,
    restrict_to_scope,
    visible_apprentices,
    visible_matches,
)
from mobility.auth.roles import Principal, Role, check_username

__all__ = [
    "MIN_COUNT",
    "POLICY",
    "Action",
    "Principal",
    "Role",
    "Scope",
    "allowed_actions",
    "authorize",
    "check_password_strength",
    "check_username",
    "city_aggregates",
    "hash_password",
    "restrict_to_scope",
    "suppress_small_counts",
    "verify_password",
    "visible_apprentices",
    "visible_matches",
]
