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

from importlib import import_module

# Names are loaded on first use (PEP 562): the sign-in form needs roles and users, not
# the pandas-based policy and aggregates, and should not wait for them to import.
_HOMES = {
    "MIN_COUNT": "aggregates", "city_aggregates": "aggregates",
    "suppress_small_counts": "aggregates",
    "check_password_strength": "passwords", "hash_password": "passwords",
    "verify_password": "passwords",
    "PAGE_ACTIONS": "policy", "POLICY": "policy", "Action": "policy", "Scope": "policy",
    "allowed_actions": "policy", "authorize": "policy", "pages_for": "policy",
    "restrict_to_scope": "policy", "visible_apprentices": "policy",
    "visible_matches": "policy",
    "Principal": "roles", "Role": "roles", "check_username": "roles",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"mobility.auth.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "MIN_COUNT",
    "PAGE_ACTIONS",
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
    "pages_for",
    "restrict_to_scope",
    "suppress_small_counts",
    "verify_password",
    "visible_apprentices",
    "visible_matches",
]
