"""What the product knows about one match, gathered once for every document.

:func:`match_facts` lines up an apprentice, a placement and its host company (and the
sending organisation's OID) into a frozen :class:`MatchFacts`. The Learning Agreement
and the Europass Mobility draft are both written from it, and document tracking
compares its :meth:`~MatchFacts.fields` between versions. Nothing is guessed: what the
product does not know (contact persons, mentors, learning outcomes of a trade without
any) stays empty, and the documents show a line to fill in.

Examples
--------
>>> from mobility.documents.facts import FIELD_ORDER
>>> FIELD_ORDER[:3]
('participant_name', 'participant_date_of_birth', 'participant_email')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

import pandas as pd

from mobility.errors import NotFoundError
from mobility.funding.estimate import join_stays
from mobility.models import parse_languages
from mobility.reference.trades import trade_catalog

#: The fields a document is made of, in the order a change report lists them.
FIELD_ORDER = (
    "participant_name", "participant_date_of_birth", "participant_email", "participant_home",
    "trade_de", "trade_en", "training_year", "languages", "stay_languages",
    "sending_name", "sending_oid",
    "host_name", "host_oid", "host_city", "host_country", "host_email", "host_website",
    "start", "end", "days", "learning_outcomes",
)


@dataclass(frozen=True)
class MatchFacts:
    """One apprentice at one placement, as the documents need it."""

    apprentice_id: str
    placement_id: str
    participant_name: str
    participant_date_of_birth: date | None
    participant_email: str
    participant_home: str
    trade_de: str
    trade_en: str
    training_year: int | None
    languages: str
    stay_languages: str
    sending_name: str
    sending_oid: str
    host_name: str
    host_oid: str
    host_city: str
    host_country: str
    host_email: str
    host_website: str
    start: date
    end: date
    days: int
    learning_outcomes: tuple[str, ...]

    def fields(self) -> dict[str, str]:
        """Every document field as plain text (ISO dates), in :data:`FIELD_ORDER`."""
        out: dict[str, str] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = "\n".join(value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = "" if value is None else str(value)
        return out


def match_facts(apprentice_id: str, placement_id: str, apprentices: pd.DataFrame,
                placements: pd.DataFrame, companies: pd.DataFrame, *,
                sending_oids: Mapping[str, str | None],
                stay: Mapping[str, object] | None = None) -> MatchFacts:
    """The facts of the pair; ``stay`` (``stay_start``, ``stay_end``, ``stay_days``
    from a match frame) fixes the dates, else they follow
    :func:`~mobility.funding.estimate.join_stays`."""
    pair = pd.DataFrame({"apprentice_id": [str(apprentice_id)],
                         "placement_id": [str(placement_id)]})
    if stay and stay.get("stay_start") is not None:
        pair["start"] = [pd.Timestamp(stay["stay_start"])]
        if stay.get("stay_days") is not None:
            pair["days"] = [int(stay["stay_days"])]
        elif stay.get("stay_end") is not None:
            pair["days"] = [(pd.Timestamp(stay["stay_end"])
                             - pd.Timestamp(stay["stay_start"])).days + 1]
    app, plc, days, start = join_stays(pair, apprentices, placements)
    a, p = app.iloc[0], plc.iloc[0]
    hit = companies[companies["company_id"].astype(str) == str(p["company_id"])]
    if hit.empty:
        raise NotFoundError(f"placement {placement_id} names a company that is not stored")
    c = hit.iloc[0]
    first = pd.Timestamp(start.iloc[0]).normalize()
    n_days = int(days[0])
    trade = trade_catalog().get(str(a["trade"]))
    sending = _text(a.get("sending_organisation"))
    return MatchFacts(
        apprentice_id=str(apprentice_id), placement_id=str(placement_id),
        participant_name=_text(a.get("name")),
        participant_date_of_birth=_date(a.get("date_of_birth")),
        participant_email=_text(a.get("email")),
        participant_home=", ".join(x for x in (_text(a.get("home_city")),
                                               _text(a.get("home_country"))) if x),
        trade_de=trade.name if trade else _text(a.get("trade")),
        trade_en=trade.en_label if trade else "",
        training_year=None if pd.isna(a.get("training_year")) else int(a["training_year"]),
        languages=_text(a.get("languages")),
        stay_languages=_stay_languages(a.get("languages"), p.get("languages")),
        sending_name=sending, sending_oid=_text(sending_oids.get(sending)) if sending else "",
        host_name=_text(c.get("name")), host_oid=_text(c.get("oid")),
        host_city=_text(p.get("city")), host_country=_text(p.get("country")),
        host_email=_text(c.get("contact_email")), host_website=_text(c.get("website")),
        start=first.date(), end=(first + pd.Timedelta(days=n_days - 1)).date(), days=n_days,
        learning_outcomes=tuple(getattr(trade, "learning_outcomes", ()) or ()),
    )


def field_names() -> tuple[str, ...]:
    """The dataclass fields (for tests that every document field is reported)."""
    return tuple(f.name for f in fields(MatchFacts))


def _stay_languages(apprentice: object, host: object) -> str:
    """The apprentice's languages the host works in, with the apprentice's level
    (``en:B2``); every language of the apprentice when the host names none."""
    own = parse_languages(apprentice)
    wanted = {s.language for s in parse_languages(host)}
    chosen = [s for s in own if not wanted or s.language in wanted]
    return ";".join(str(s) for s in chosen)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _date(value: object) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()
