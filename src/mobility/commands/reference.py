"""``mobility reference update``: replace shipped reference data with a newer file.

``mobility reference update --twinnings FILE [--trades FILE] [--municipalities FILE]``
validates each file like an import, prints what it adds, changes and removes, and
writes into ``data/`` (atomically) only with ``--yes``. See
:mod:`mobility.reference.update`.
"""

from __future__ import annotations

import argparse

from mobility.i18n import LANGUAGES, t
from mobility.reference.update import FILES, compare_file, write_file

#: Rows listed per kind of change (the summary counts them all).
SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reference", help="shipped reference data (update)")
    sub = parser.add_subparsers(dest="reference_command", metavar="ACTION", required=True)
    update = sub.add_parser("update", help="replace twinnings, trades or municipalities with "
                                           "a newer file in the shipped format")
    for kind in FILES:
        update.add_argument(f"--{kind}", metavar="FILE",
                            help=f"a newer {FILES[kind][0]} in the shipped format")
    update.add_argument("--yes", action="store_true", help="write without asking")
    update.add_argument("--lang", default="en", choices=LANGUAGES,
                        help="language of the report (default: en)")
    update.set_defaults(func=_update)


def _label(key: tuple) -> str:
    return " | ".join(str(k) for k in key if str(k))


def _update(args: argparse.Namespace) -> int:
    lang = args.lang
    chosen = {kind: getattr(args, kind) for kind in FILES if getattr(args, kind)}
    if not chosen:
        from mobility.errors import ValidationError

        raise ValidationError("name at least one file: --twinnings, --trades or --municipalities")
    diffs = {kind: compare_file(kind, path) for kind, path in chosen.items()}  # all or none
    for kind, diff in diffs.items():
        print(t("reference.summary", lang, file=FILES[kind][0], added=len(diff.added),
                changed=len(diff.changed), removed=len(diff.removed)))
        for word, keys in (("reference.added", diff.added), ("reference.changed", diff.changed),
                           ("reference.removed", diff.removed)):
            for key in keys[:SHOWN]:
                detail = f" ({', '.join(diff.columns[key])})" if key in diff.columns else ""
                print(f"  {t(word, lang)}: {_label(key)}{detail}")
            if len(keys) > SHOWN:
                print(f"  {t(word, lang)}: … (+{len(keys) - SHOWN:,})")
    if all(d.empty for d in diffs.values()):
        print(t("reference.unchanged", lang))
        return 0
    if not args.yes:
        print(t("reference.confirm", lang))
        return 0
    for kind, path in chosen.items():
        if not diffs[kind].empty:
            target = write_file(kind, path)
            print(t("reference.written", lang, path=target, rows=f"{diffs[kind].rows:,}"))
            if kind == "twinnings":  # the names matching knows the partner towns by
                from mobility.matching.twins import write_partner_aliases

                aliases = target.parent / "partner_aliases.csv"
                rows = write_partner_aliases(target, aliases)
                print(t("reference.written", lang, path=aliases, rows=f"{rows:,}"))
    return 0
