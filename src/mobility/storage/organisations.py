"""Sending organisations: their Erasmus+ OID and accreditation, one record per name.

Apprentices name their sending organisation as text (``sending_organisation``); this
record adds what Erasmus+ needs to know about it. Nothing here is guessed: a missing OID
stays ``None`` (the Beneficiary Module export reports it per row), and an organisation
counts as accredited only when someone said so.

Examples
--------
>>> from mobility.storage import new_engine, create_schema
>>> engine = new_engine()
>>> create_schema(engine)
>>> org = save_organisation(engine, "HWK Dortmund", oid="E10012345",
...                         erasmus_accredited=True, user="admin")
>>> get_organisation(engine, "HWK Dortmund").oid
'E10012345'
>>> get_organisation(engine, "IHK Köln") is None
True
>>> save_organisation(engine, "HWK Dortmund", oid="123", user="admin")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mobility.errors.ValidationError: invalid OID '123': an Erasmus+ organisation ID is E + 8 digits
...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from mobility.errors import Problem, ValidationError
from mobility.oids import is_valid_oid
from mobility.storage.schema import sending_organisations

#: An Erasmus+ organisation ID: "E" and eight digits (e.g. E10012345).


@dataclass(frozen=True, slots=True)
class SendingOrganisation:
    """What the product knows about one sending organisation."""

    name: str
    oid: str | None
    erasmus_accredited: bool
    accreditation_id: str | None
    updated_by: str
    updated_at: datetime


def check_oid(value: str | None, *, file: str | None = None, row: int | None = None,
              column: str = "oid") -> str | None:
    """``value`` stripped if it is a valid OID, ``None`` if empty; else ValidationError."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if not is_valid_oid(text):
        message = f"invalid OID {text!r}: an Erasmus+ organisation ID is E + 8 digits"
        raise ValidationError(message, problems=[Problem(file=file, row=row, column=column,
                                                         message=message)])
    return text


def get_organisation(engine: sa.Engine, name: str) -> SendingOrganisation | None:
    """The record for ``name``, or ``None`` when nobody has entered one."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(sending_organisations)
                           .where(sending_organisations.c.name == name)).mappings().first()
    return None if row is None else SendingOrganisation(**row)


def list_organisations(engine: sa.Engine) -> pd.DataFrame:
    """Every recorded sending organisation, one row each, sorted by name."""
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(sending_organisations)
                            .order_by(sending_organisations.c.name), conn)
    return frame


def save_organisation(engine: sa.Engine, name: str, *, user: str, oid: str | None = None,
                      erasmus_accredited: bool = False,
                      accreditation_id: str | None = None) -> SendingOrganisation:
    """Create or replace the record for ``name`` (OID validated, never invented)."""
    name = name.strip()
    if not name:
        raise ValidationError("an organisation needs a name",
                              problems=[Problem(column="name", message="empty")])
    record = SendingOrganisation(
        name=name, oid=check_oid(oid), erasmus_accredited=bool(erasmus_accredited),
        accreditation_id=(accreditation_id or "").strip() or None, updated_by=user,
        updated_at=datetime.now(UTC))
    values = {field: getattr(record, field) for field in SendingOrganisation.__slots__}
    with engine.begin() as conn:
        conn.execute(sa.delete(sending_organisations)
                     .where(sending_organisations.c.name == name))
        conn.execute(sa.insert(sending_organisations).values(**values))
    return record
