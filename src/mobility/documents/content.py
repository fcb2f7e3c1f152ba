"""The text of the Learning Agreement and Europass Mobility drafts, in German or English.

Both documents are built as a :class:`Draft` (title, blocks of labelled rows, lines to
fill in) from one :class:`~mobility.documents.facts.MatchFacts`; :mod:`.render` turns
a draft into ``.docx`` or ``.pdf``. Every word comes from the translation tables
(:func:`mobility.i18n.t`), dates and names of countries and languages from CLDR.
A value the product does not know becomes an empty line to fill in, never a guess.

Examples
--------
>>> from datetime import date
>>> from mobility.documents.facts import MatchFacts
>>> facts = MatchFacts("A1", "P1", "Lea Schmitz", date(2005, 4, 17), "lea@example.org",
...     "Dortmund, DE", "Tischler/in", "joiner", 2, "de:native;en:B2", "en:B2",
...     "HWK Dortmund", "E10012345", "Leeds Joinery", "", "Leeds", "GB", "", "",
...     date(2027, 4, 1), date(2027, 4, 28), 28, ())
>>> draft = learning_agreement(facts, "en", prepared_by="mueller", today=date(2026, 11, 29))
>>> draft.title
'Learning Agreement – draft'
>>> dict(draft.blocks[3].rows)["Start date"]
'1 Apr 2027'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mobility.documents.facts import MatchFacts
from mobility.i18n import country_name, format_date, language_name, t
from mobility.models import CEFR, parse_languages

#: Numbered lines offered for learning outcomes when the trade has none on record.
EMPTY_OUTCOMES = 5


@dataclass(frozen=True)
class Block:
    """One section: a heading, labelled values (an empty value is a line to fill in),
    paragraphs, and labelled lines left empty for signatures or later entries."""

    heading: str
    rows: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A document ready to render."""

    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    footer: str


def learning_agreement(facts: MatchFacts, lang: str, *, prepared_by: str,
                       today: date) -> Draft:
    """The Learning Agreement draft for a VET learner's stay."""
    outcomes = facts.learning_outcomes
    if outcomes:
        outcome_block = Block(t("doc.section.outcomes", lang),
                              notes=(t("doc.outcomes_prefilled", lang),),
                              rows=tuple((t("doc.label.outcome_n", lang, n=i), text)
                                         for i, text in enumerate(outcomes, start=1)))
    else:
        outcome_block = Block(t("doc.section.outcomes", lang),
                              notes=(t("doc.outcomes_empty", lang),),
                              lines=tuple(t("doc.label.outcome_n", lang, n=i)
                                          for i in range(1, EMPTY_OUTCOMES + 1)))
    blocks = (
        _participant(facts, lang),
        _sending(facts, lang),
        _receiving(facts, lang),
        _mobility(facts, lang),
        outcome_block,
        Block(t("doc.section.mentoring", lang), rows=(
            (t("doc.label.monitoring", lang), ""),
            (t("doc.label.email", lang), ""),
            (t("doc.label.mentor", lang), ""),
            (t("doc.label.email", lang), ""),
        )),
        Block(t("doc.section.signatures", lang), notes=(t("doc.label.sign_line", lang),),
              lines=(t("doc.label.signature_participant", lang),
                     t("doc.label.signature_sending", lang),
                     t("doc.label.signature_receiving", lang))),
    )
    return Draft(t("doc.la.title", lang), t("doc.la.subtitle", lang), blocks,
                 _footer(lang, prepared_by, today))


def europass_mobility(facts: MatchFacts, lang: str, *, prepared_by: str,
                      today: date) -> Draft:
    """The data of a Europass Mobility document; the skills are left to the host."""
    trade = _trade(facts, lang)
    objective = t("doc.objective", lang, trade=trade, host=facts.host_name or "…",
                  city=facts.host_city or "…")
    blocks = (
        Block(t("doc.section.holder", lang), rows=(
            (t("doc.field.participant_name", lang), facts.participant_name),
            (t("doc.field.participant_date_of_birth", lang),
             _date(facts.participant_date_of_birth, lang)),
        )),
        _sending(facts, lang),
        Block(t("doc.section.host", lang), rows=(
            (t("doc.label.name", lang), facts.host_name),
            (t("doc.label.oid", lang), facts.host_oid),
            (t("doc.label.address", lang), _place(facts, lang)),
            (t("doc.label.mentor", lang), ""),
        )),
        Block(t("doc.section.mobility", lang), rows=(
            (t("doc.label.objective", lang), objective),
            (t("doc.field.trade_de", lang), trade),
            (t("doc.field.start", lang), format_date(facts.start, lang)),
            (t("doc.field.end", lang), format_date(facts.end, lang)),
            (t("doc.field.days", lang), _duration(facts, lang)),
        )),
        Block(t("doc.section.skills", lang), notes=(t("doc.skills_note", lang),),
              lines=(t("doc.skills.job", lang), t("doc.skills.language", lang),
                     t("doc.skills.digital", lang), t("doc.skills.social", lang))),
        Block(t("doc.section.signatures", lang), notes=(t("doc.label.sign_line", lang),),
              lines=(t("doc.label.signature_receiving", lang),
                     t("doc.label.signature_participant", lang))),
    )
    return Draft(t("doc.ep.title", lang), t("doc.ep.subtitle", lang), blocks,
                 _footer(lang, prepared_by, today))


#: The documents by the name commands and pages use.
BUILDERS = {"learning-agreement": learning_agreement, "europass": europass_mobility}


def draft_text(draft: Draft) -> str:
    """All words of a draft, one item a line (for checks and previews)."""
    parts = [draft.title, draft.subtitle]
    for block in draft.blocks:
        parts.append(block.heading)
        parts.extend(block.notes)
        parts.extend(f"{label}: {value}" for label, value in block.rows)
        parts.extend(block.lines)
    parts.append(draft.footer)
    return "\n".join(parts)


def _participant(facts: MatchFacts, lang: str) -> Block:
    return Block(t("doc.section.participant", lang), rows=(
        (t("doc.field.participant_name", lang), facts.participant_name),
        (t("doc.field.participant_date_of_birth", lang),
         _date(facts.participant_date_of_birth, lang)),
        (t("doc.field.participant_email", lang), facts.participant_email),
        (t("doc.field.trade_de", lang), _trade(facts, lang)),
        (t("doc.field.training_year", lang),
         "" if facts.training_year is None else str(facts.training_year)),
        (t("doc.field.languages", lang), _languages(facts.languages, lang)),
        (t("doc.field.stay_languages", lang), _languages(facts.stay_languages, lang)),
    ))


def _sending(facts: MatchFacts, lang: str) -> Block:
    return Block(t("doc.section.sending", lang), rows=(
        (t("doc.label.name", lang), facts.sending_name),
        (t("doc.label.oid", lang), facts.sending_oid),
        (t("doc.label.contact_person", lang), ""),
        (t("doc.label.email", lang), ""),
        (t("doc.label.phone", lang), ""),
    ))


def _receiving(facts: MatchFacts, lang: str) -> Block:
    return Block(t("doc.section.receiving", lang), rows=(
        (t("doc.label.name", lang), facts.host_name),
        (t("doc.label.oid", lang), facts.host_oid),
        (t("doc.label.address", lang), _place(facts, lang)),
        (t("doc.label.contact_person", lang), ""),
        (t("doc.label.email", lang), facts.host_email),
        (t("doc.field.host_website", lang), facts.host_website),
    ))


def _mobility(facts: MatchFacts, lang: str) -> Block:
    return Block(t("doc.section.mobility", lang), rows=(
        (t("doc.field.start", lang), format_date(facts.start, lang)),
        (t("doc.field.end", lang), format_date(facts.end, lang)),
        (t("doc.field.days", lang), _duration(facts, lang)),
        (t("doc.label.address", lang), _place(facts, lang)),
    ))


def _trade(facts: MatchFacts, lang: str) -> str:
    if lang == "en" and facts.trade_en:
        return f"{facts.trade_en} ({facts.trade_de})"
    return facts.trade_de


def _place(facts: MatchFacts, lang: str) -> str:
    country = country_name(facts.host_country, lang) if facts.host_country else ""
    return ", ".join(x for x in (facts.host_city, country) if x)


def _duration(facts: MatchFacts, lang: str) -> str:
    weeks = facts.days / 7
    return t("doc.duration", lang, days=facts.days, weeks=round(weeks, 1))


def _date(value: date | None, lang: str) -> str:
    return "" if value is None else format_date(value, lang)


def _languages(text: str, lang: str) -> str:
    return ", ".join(f"{language_name(s.language, lang)} {_level(s.level, lang)}"
                     for s in parse_languages(text))


def _level(level: CEFR, lang: str) -> str:
    return t("doc.level.native", lang) if level is CEFR.NATIVE else level.label


def _footer(lang: str, prepared_by: str, today: date) -> str:
    return t("doc.draft_note", lang, date=format_date(today, lang), user=prepared_by)
