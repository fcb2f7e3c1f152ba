"""The one authorisation check, and the views it allows.

Every page and every command asks :func:`authorize` before it shows or changes
something; hiding a page is never the protection. The rules are data: :data:`POLICY`
maps each :class:`Action` to the roles that may perform it and the *scope* within which
they may (any record, only their own profile, only their organisation's caseload, only
their city). Reading the table is reading the whole policy.

A resource is any mapping (a ``dict``, a pandas row) with the columns the scope needs:
``apprentice_id`` for :attr:`Scope.SELF`, ``sending_organisation`` for
:attr:`Scope.ORGANISATION`, ``home_city`` (or ``city``) for :attr:`Scope.CITY`, and for
partnerships also ``home_country`` and ``home_ags`` (see :func:`same_municipality`).
Without a resource, :func:`authorize` answers "may this role do this kind of thing at
all?"; lists are then narrowed with :func:`visible_apprentices`.

Examples
--------
>>> import pandas as pd
>>> from mobility.auth import Action, Principal, Role, authorize, visible_apprentices
>>> adviser = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
>>> caseload = pd.DataFrame({"apprentice_id": ["A1", "A2"],
...                          "sending_organisation": ["HWK Dortmund", "IHK Köln"]})
>>> visible_apprentices(adviser, caseload)["apprentice_id"].tolist()
['A1']
>>> try:
...     authorize(adviser, Action.EDIT_APPRENTICE, caseload.iloc[1])
... except PermissionError as refused:
...     print(refused)
adviser 'mueller' may only edit apprentice records of their own organisation
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mobility.auth.roles import Principal, Role
from mobility.errors import PermissionDenied
from mobility.text import place_key


class Action(enum.StrEnum):
    """Everything the product lets someone do that the policy decides on."""

    VIEW_APPRENTICE = "view apprentice records"
    EDIT_APPRENTICE = "edit apprentice records"
    VIEW_MATCHES = "view matches"
    EDIT_SHORTLIST = "edit shortlists and notes"
    SAVE_OWN_PLACEMENT = "save placements to an apprentice's own list"
    EXPORT_PERSONAL_DATA = "export personal data"
    ERASE_APPRENTICE = "erase apprentice personal data"
    IMPORT_DATA = "import data"
    RUN_ALLOCATION = "run allocations"
    VIEW_AGGREGATES = "view aggregates"
    VIEW_PLACEMENTS = "view placements and host companies"
    EDIT_REFERENCE_DATA = "edit reference data"
    MANAGE_USERS = "manage users"
    VIEW_AUDIT_LOG = "view the audit log"
    # Partnerships kept by the municipalities themselves (mobility.storage.partnerships).
    EDIT_PARTNERSHIPS = "keep partnerships"
    EXPORT_PARTNERSHIPS = "export partnerships"


class Scope(enum.StrEnum):
    """Within which records a role may perform an action."""

    ANY = "any record"
    SELF = "their own profile"
    ORGANISATION = "their own organisation"
    CITY = "their own city"


_A, _AD, _M, _ADMIN = Role.APPRENTICE, Role.ADVISER, Role.MUNICIPALITY, Role.ADMINISTRATOR

#: The whole policy: action -> {role: scope}. A role missing from an action's entry may
#: not perform it at all. Administrators see aggregates everywhere and may erase (a data
#: subject's request can reach the operator directly) but edit no caseload.
POLICY: Mapping[Action, Mapping[Role, Scope]] = MappingProxyType(
    {
        Action.VIEW_APPRENTICE: {_A: Scope.SELF, _AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.EDIT_APPRENTICE: {_AD: Scope.ORGANISATION},
        Action.VIEW_MATCHES: {_A: Scope.SELF, _AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.EDIT_SHORTLIST: {_AD: Scope.ORGANISATION},
        Action.SAVE_OWN_PLACEMENT: {_A: Scope.SELF, _AD: Scope.ORGANISATION},
        Action.EXPORT_PERSONAL_DATA: {_AD: Scope.ORGANISATION},
        Action.ERASE_APPRENTICE: {_AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.IMPORT_DATA: {_AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.RUN_ALLOCATION: {_AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.VIEW_AGGREGATES: {_M: Scope.CITY, _AD: Scope.ORGANISATION, _ADMIN: Scope.ANY},
        Action.VIEW_PLACEMENTS: {_A: Scope.ANY, _AD: Scope.ANY, _M: Scope.ANY, _ADMIN: Scope.ANY},
        Action.EDIT_REFERENCE_DATA: {_ADMIN: Scope.ANY},
        Action.MANAGE_USERS: {_ADMIN: Scope.ANY},
        Action.VIEW_AUDIT_LOG: {_ADMIN: Scope.ANY},
        # A municipality keeps (adds, changes, exports, reads the history of) its own
        # partnerships; administrators those of every municipality.
        Action.EDIT_PARTNERSHIPS: {_M: Scope.CITY, _ADMIN: Scope.ANY},
        Action.EXPORT_PARTNERSHIPS: {_M: Scope.CITY, _ADMIN: Scope.ANY},
    }
)


def _field(resource: Any, *names: str) -> str | None:
    for name in names:
        try:
            value = resource[name]
        except (KeyError, IndexError, TypeError):
            continue
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            continue
        return str(value)
    return None


def scope_key(name: str) -> str:
    """The key organisation and city names are compared by in scope checks.

    :func:`mobility.text.place_key`: :func:`~mobility.text.fold` for names in Latin
    script (case, umlauts, accents, punctuation do not matter); names with letters of
    other scripts (Greek, Cyrillic, CJK, look-alikes) or invisible characters keep every
    character, so two organisations named in Greek never fold to the same (or an empty) key:

    >>> scope_key("ΕΒΕ Αθηνών 2") == scope_key("ΕΒΕ Πειραιώς 2")
    False
    >>> scope_key("HWK Köln") == scope_key("hwk-koeln")
    True
    """
    return place_key(name)


def _same(a: str | None, b: str | None) -> bool:
    # Organisation and city names are typed by people ("HWK Dortmund", "hwk dortmund");
    # folding makes the comparison about the name, not its spelling.
    return a is not None and b is not None and scope_key(a) == scope_key(b) != ""


def within_scope(principal: Principal, scope: Scope, resource: Any) -> bool:
    """Whether ``resource`` lies inside ``scope`` for ``principal`` (no role check)."""
    if scope is Scope.ANY:
        return True
    if scope is Scope.SELF:
        rid = _field(resource, "apprentice_id")
        return rid is not None and rid == principal.apprentice_id
    if scope is Scope.ORGANISATION:
        return _same(_field(resource, "sending_organisation", "organisation"),
                     principal.organisation)
    if scope is Scope.CITY:
        return same_municipality(principal, resource)
    raise AssertionError(scope)  # pragma: no cover - enum is closed


#: The country of every municipality account: the product serves German municipalities.
MUNICIPALITY_COUNTRY = "DE"
_AGS = re.compile(r"\d{8}")


def principal_ags(principal: Principal) -> str | None:
    """The official municipality code (AGS) a municipality account carries, else ``None``.

    Accounts name their city only (``users.city``), so today this is ``None`` and accounts
    are matched by name, as everywhere else in the product; an account that one day
    carries an ``ags`` is matched by code against rows that have one."""
    value = getattr(principal, "ags", None)
    if value is not None and _AGS.fullmatch(str(value).strip()):
        return str(value).strip()
    return None


def same_municipality(principal: Principal, resource: Any) -> bool:
    """Whether ``resource`` (a row naming ``home_city``/``city``, and optionally
    ``home_country``/``country`` and ``home_ags``) is the municipality ``principal``
    speaks for.

    By official code when both sides have one (two towns called Neustadt stay apart);
    otherwise by name, compared with :func:`mobility.text.place_key` (umlauts and case
    do not matter; Greek or Cyrillic look-alikes never meet a Latin name), and only in
    Germany when the row names a country.
    """
    return municipality_matches(principal.city, principal_ags(principal), resource)


def municipality_matches(city: str | None, ags: str | None, resource: Any, *,
                         country: str = MUNICIPALITY_COUNTRY) -> bool:
    """Whether ``resource`` lies in the municipality named ``city`` (official code
    ``ags`` when known) in ``country``: the rule of :func:`same_municipality`, for a
    municipality given by name rather than by account."""
    row_city = _field(resource, "home_city", "city")
    row_country = _field(resource, "home_country", "country")
    row_ags = (_field(resource, "home_ags") or "").strip()
    if row_ags and ags:
        return row_ags == ags.strip()
    if row_country is not None and row_country.strip().upper() != country.strip().upper():
        return False
    if row_city is None or city is None:
        return False
    key = place_key(row_city)
    return key != "" and key == place_key(city)


def authorize(principal: Principal | None, action: Action, resource: Any = None) -> Scope:
    """Allow ``action`` or raise :class:`~mobility.errors.PermissionDenied`.

    Parameters
    ----------
    principal : Principal or None
        The signed-in user; ``None`` (nobody signed in) is always refused.
    action : Action
        What they want to do.
    resource : mapping, optional
        The record acted on (a row with ``apprentice_id``, ``sending_organisation``,
        ``home_city``...). Without it only the role is checked; the caller then narrows
        lists with :func:`visible_apprentices` or :func:`restrict_to_scope`.

    Returns
    -------
    Scope
        The scope the role holds for this action, so callers can narrow lists.

    Notes
    -----
    Messages name the user and the action, never the record: a refusal must not
    confirm that a person exists.
    """
    if principal is None:
        raise PermissionDenied(f"sign in to {action.value}")
    action = Action(action)
    allowed = POLICY[action]
    scope = allowed.get(principal.role)
    who = f"{principal.role.label} {principal.username!r}"
    if scope is None:
        raise PermissionDenied(f"{who} may not {action.value}")
    if resource is not None and not within_scope(principal, scope, resource):
        raise PermissionDenied(f"{who} may only {action.value} of {scope.value}")
    return scope


def same_name(column: pd.Series, name: str | None, *, key=None) -> pd.Series:
    """Boolean mask: cells of ``column`` that fold to the same key as ``name``
    (``key``: :func:`scope_key` unless given).

    Each distinct value is folded once (a caseload names a few dozen organisations in
    100,000 rows), so this costs a factorisation, not 100,000 calls to ``fold``.
    """
    key = key or scope_key
    codes, uniques = pd.factorize(column.astype("string").fillna(""), sort=False)
    target = key(name or "")
    hits = np.fromiter((key(u) == target for u in uniques), dtype=bool, count=len(uniques))
    mask = hits[codes] if len(uniques) else np.zeros(len(column), dtype=bool)
    return pd.Series(mask & (codes >= 0) & (target != ""), index=column.index)


def restrict_to_scope(principal: Principal, action: Action, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` that ``principal`` may perform ``action`` on.

    ``table`` needs the columns its scope compares (see the module docstring). Raises
    :class:`~mobility.errors.PermissionDenied` when the role may not perform the action
    at all, so a page cannot mistake "not allowed" for "nothing there".
    """
    scope = authorize(principal, action)
    if scope is Scope.ANY:
        return table
    if scope is Scope.SELF:
        keep = table["apprentice_id"].astype("string") == (principal.apprentice_id or "")
    elif scope is Scope.ORGANISATION:
        column = "sending_organisation" if "sending_organisation" in table else "organisation"
        keep = same_name(table[column], principal.organisation)
    else:
        column = "home_city" if "home_city" in table else "city"
        keep = same_name(table[column], principal.city, key=place_key)
    return table.loc[keep.fillna(False).astype(bool)]


def visible_apprentices(principal: Principal, apprentices: pd.DataFrame) -> pd.DataFrame:
    """The apprentice rows ``principal`` may see: their own row (apprentice), their
    organisation's caseload (adviser), everyone (administrator). Municipalities see no
    individual rows and get :class:`~mobility.errors.PermissionDenied`; they use
    :func:`mobility.auth.aggregates.city_aggregates`."""
    return restrict_to_scope(principal, Action.VIEW_APPRENTICE, apprentices)


def visible_matches(
    principal: Principal, matches: pd.DataFrame, apprentices: pd.DataFrame
) -> pd.DataFrame:
    """The rows of ``matches`` (any table with an ``apprentice_id`` column: matches,
    shortlists, allocations) that belong to apprentices ``principal`` may see."""
    seen = restrict_to_scope(principal, Action.VIEW_MATCHES, apprentices)["apprentice_id"]
    return matches.loc[matches["apprentice_id"].isin(set(seen.astype(str)))]


def allowed_actions(principal: Principal) -> frozenset[Action]:
    """Every action the role may perform in some scope (for menus and page lists)."""
    return frozenset(a for a, roles in POLICY.items() if principal.role in roles)


#: The dashboard's pages and the actions that make each useful: a page is offered to a
#: role that may perform at least one of them (in any scope). The pages still ask
#: :func:`authorize` for everything they show; this only decides what the menu lists.
PAGE_ACTIONS: Mapping[str, frozenset[Action]] = MappingProxyType({
    "apprentice": frozenset({Action.VIEW_MATCHES}),
    "adviser": frozenset({Action.EDIT_SHORTLIST, Action.RUN_ALLOCATION, Action.IMPORT_DATA}),
    "municipality": frozenset({Action.VIEW_AGGREGATES}),
    "data": frozenset({Action.EDIT_REFERENCE_DATA, Action.MANAGE_USERS}),
})


def pages_for(principal: Principal | None) -> tuple[str, ...]:
    """The pages (keys of :data:`PAGE_ACTIONS`, in its order) ``principal`` may use;
    none before sign-in.

    >>> pages_for(Principal("anna", Role.APPRENTICE, apprentice_id="A1"))
    ('apprentice',)
    >>> pages_for(Principal("mueller", Role.ADVISER, organisation="HWK Dortmund"))
    ('apprentice', 'adviser', 'municipality')
    >>> pages_for(Principal("stadt", Role.MUNICIPALITY, city="Dortmund"))
    ('municipality',)
    """
    if principal is None:
        return ()
    allowed = allowed_actions(principal)
    return tuple(page for page, actions in PAGE_ACTIONS.items() if actions & allowed)
