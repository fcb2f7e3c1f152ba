"""Who may record a sending organisation's Erasmus accreditation and OID, and who may
choose the country-group table: guarded, audited changes.

An organisation holding an Erasmus accreditation in VET may spend up to 20 % of its
grant on stays in third countries not associated to the programme (the United Kingdom,
Switzerland, the USA, ...) at the same unit costs; estimates need to know whether the
apprentice's sending organisation holds one (:mod:`mobility.storage.organisations`).
Administrators record it for every organisation, an adviser for their own organisation
only (the one named in their account). Every change is written to the audit log with
what changed.

The country-group table of individual support (the 2024 regrouping is confirmed for
higher education only, unverified for VET) is chosen by an administrator
(:class:`mobility.funding.rates.GroupTableSetting`), never silently.

Examples
--------
>>> from mobility.auth.roles import Principal, Role
>>> from mobility.storage import create_schema, new_engine
>>> engine = new_engine()
>>> create_schema(engine)
>>> adviser = Principal("mueller", Role.ADVISER, organisation="HWK Dortmund")
>>> update_organisation(engine, adviser, "HWK Dortmund", erasmus_accredited=True,
...                     oid="E10012345").erasmus_accredited
True
>>> update_organisation(engine, adviser, "IHK Köln", erasmus_accredited=True)
Traceback (most recent call last):
...
mobility.errors.PermissionDenied: ...
>>> organisations_for(engine, adviser)["name"].tolist()
['HWK Dortmund']
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from mobility.auth.audit import record
from mobility.auth.policy import Action, authorize
from mobility.auth.roles import Principal, Role
from mobility.errors import PermissionDenied
from mobility.funding.rates import GroupTableChoice, GroupTableSetting
from mobility.storage.organisations import (
    SendingOrganisation,
    get_organisation,
    list_organisations,
    save_organisation,
)
from mobility.text import fold

#: The fields of a record whose changes the audit log lists.
_AUDITED = ("oid", "erasmus_accredited", "accreditation_id")


def can_edit_organisation(principal: Principal | None, name: str) -> bool:
    """Administrators may edit every organisation's record, an adviser only their own
    (names compared after folding case and umlauts)."""
    if principal is None:
        return False
    if principal.role is Role.ADMINISTRATOR:
        return True
    return (principal.role is Role.ADVISER and bool(principal.organisation)
            and fold(str(principal.organisation)) == fold(str(name)) != "")


def _guard(principal: Principal | None, name: str) -> None:
    if principal is not None and principal.role is Role.ADMINISTRATOR:
        authorize(principal, Action.EDIT_REFERENCE_DATA)
    elif not can_edit_organisation(principal, name):
        raise PermissionDenied(f"only an administrator or an adviser of {name!r} may change "
                               "its accreditation and OID")


def update_organisation(engine: sa.Engine, principal: Principal | None, name: str, *,
                        oid: str | None = None, erasmus_accredited: bool = False,
                        accreditation_id: str | None = None) -> SendingOrganisation:
    """Record ``name``'s OID and Erasmus accreditation (guarded, audited).

    Raises
    ------
    PermissionDenied
        For anybody but an administrator or an adviser of that organisation.
    ValidationError
        For an OID that is not "E" + 8 digits, or an empty name (nothing is written).
    """
    _guard(principal, name)
    before = get_organisation(engine, name.strip())
    saved = save_organisation(engine, name, user=principal.username, oid=oid,  # type: ignore[union-attr]
                              erasmus_accredited=erasmus_accredited,
                              accreditation_id=accreditation_id)
    changes = {field: {"from": getattr(before, field) if before else None,
                       "to": getattr(saved, field)}
               for field in _AUDITED
               if before is None or getattr(before, field) != getattr(saved, field)}
    with engine.begin() as conn:
        record(conn, principal, "save organisation", "sending_organisations", saved.name,  # type: ignore[arg-type]
               detail=changes)
    return saved


def organisations_for(engine: sa.Engine, principal: Principal | None) -> pd.DataFrame:
    """The organisation records ``principal`` may see: every record for an
    administrator, their own for an adviser, none for anybody else."""
    frame = list_organisations(engine)
    if principal is None or principal.role not in (Role.ADMINISTRATOR, Role.ADVISER):
        return frame.iloc[0:0]
    if principal.role is Role.ADMINISTRATOR:
        return frame
    keep = [can_edit_organisation(principal, name) for name in frame["name"]]
    return frame[keep].reset_index(drop=True)


def select_group_table(principal: Principal | None, table: str, *,
                       setting: GroupTableSetting | None = None) -> GroupTableChoice:
    """Store ``table`` as the country-group table of every estimate (administrators
    only; audited as the administrator)."""
    authorize(principal, Action.EDIT_REFERENCE_DATA)
    return (setting or GroupTableSetting()).select(table, user=principal.username)  # type: ignore[union-attr]
