"""``mobility documents``: paperwork for confirmed matches, as one adviser.

::

    mobility documents learning-agreement --apprentice ID --placement ID \\
        --out FILE.docx|FILE.pdf [--lang de|en] --as USER
    mobility documents europass --apprentice ID --placement ID --out FILE [--lang de|en] --as USER
    mobility documents beneficiary-module --grant-agreement NUMBER --out FILE.csv|FILE.xlsx \\
        [--green-travel] [--data-type VALUE] [--dictionary FILE] --as USER

Documents hold personal data: only an adviser of the apprentice's organisation may write
them, every file is audited, and each Learning Agreement or Europass draft is recorded on
its shortlist entry with a version; a new version says what changed since the last.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "documents", help="Learning Agreement, Europass Mobility and Beneficiary Module file",
        description="Paperwork for confirmed matches, written for one adviser (audited): "
                    "Learning Agreement and Europass Mobility drafts, the Beneficiary "
                    "Module import file.")
    sub = parser.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    for kind, text in (("learning-agreement", "Learning Agreement draft (VET learners)"),
                       ("europass", "Europass Mobility draft")):
        one = sub.add_parser(kind, help=text)
        one.add_argument("--apprentice", required=True, metavar="ID")
        one.add_argument("--placement", required=True, metavar="ID")
        one.add_argument("--out", required=True, type=Path, metavar="FILE",
                         help="ends in .docx (Word) or .pdf")
        one.add_argument("--lang", choices=["de", "en"], default="de")
        _as_user(one)
        one.set_defaults(func=_run_document, kind=kind)
    bm = sub.add_parser("beneficiary-module",
                        help="the Beneficiary Module import file of your confirmed matches")
    bm.add_argument("--grant-agreement", required=True, metavar="NUMBER",
                    help="as on the grant agreement, e.g. 2024-1-DE02-KA121-VET-000123456; "
                         "its call year and action type pick the layout")
    bm.add_argument("--out", required=True, type=Path, metavar="FILE",
                    help="ends in .csv or .xlsx")
    bm.add_argument("--green-travel", action="store_true",
                    help="every stay travels green (sustainable means of transport)")
    bm.add_argument("--dictionary", type=Path, metavar="FILE",
                    help="extra dictionary values (columns as "
                         "data/beneficiary_module_dictionaries.csv), e.g. the Data type value")
    bm.add_argument("--data-type", metavar="VALUE",
                    help="the 'Data type' of a main mobility row as your project's exported "
                         "template shows it (no public source gives it)")
    _as_user(bm)
    bm.set_defaults(func=_run_bm)


def _as_user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                        help="the adviser account the document is written for (audited)")


def _engine_and_principal(args: argparse.Namespace):
    from mobility.auth.users import get_principal
    from mobility.storage import create_schema, get_engine

    engine = get_engine()
    create_schema(engine)
    return engine, get_principal(engine, args.as_user)


def _run_document(args: argparse.Namespace) -> int:
    from mobility.documents.service import generate_document
    from mobility.documents.tracking import describe

    engine, principal = _engine_and_principal(args)
    done = generate_document(engine, principal, args.kind, args.apprentice, args.placement,
                             args.out, lang=args.lang)
    print(f"{done.path} written (audited)")
    for line in describe(done.tracked, args.lang):
        print(line)
    return 0


def _run_bm(args: argparse.Namespace) -> int:
    from mobility.documents.service import export_beneficiary_file

    engine, principal = _engine_and_principal(args)
    result = export_beneficiary_file(engine, principal, args.out,
                                     grant_agreement=args.grant_agreement,
                                     green_travel=args.green_travel,
                                     dictionary_file=args.dictionary,
                                     data_type=args.data_type)
    layout = result.layout
    print(f"{len(result.activities):,} mobility activities written to {result.path} "
          f"({layout.call_year} {layout.action_type} layout, audited)")
    if len(result.skipped):
        print(f"{len(result.skipped):,} pairs left out (not eligible for Erasmus+)")
    if layout.unverified_headers:
        print("columns not confirmed against a template (compare before uploading): "
              + ", ".join(layout.unverified_headers))
    return 0
