"""``mobility funding``: which programmes can fund a stay, and roughly how much.

Examples::

    mobility funding --from "Dortmund,DE" --to "Leeds,GB" --days 21
    mobility funding --from "Dortmund,DE" --to "Leeds,GB" --days 21 --accredited
    mobility funding --from "Dortmund,DE" --to "Leeds,GB" --days 21 --organisation "HWK Dortmund"
    mobility funding --select-group-table country_groups_2024 --entered-by admin
    mobility funding --from Köln --to "Lille,FR" --days 120 --green --fewer-opportunities --json
    mobility funding --set-rates 1=60,2=55,3=50 --call-year 2026 --rates-source "NA BIBB ..."
    mobility funding --show-rates
    mobility funding --load-travel-table travel2026.csv --call-year 2026 --rates-source "..."
    mobility funding --set-unit-costs organisational=400 --call-year 2026 --rates-source "..."
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mobility.errors import ValidationError
from mobility.funding.eligibility import FundingContext
from mobility.funding.estimate import funding_report
from mobility.funding.rates import COUNTRY_GROUPS, DailyRateTable, default_rate_store
from mobility.i18n import LANGUAGES, all_keys, format_date, t
from mobility.reference.erasmus import (
    DEFAULT_GROUP_TABLE,
    DEFAULT_TRAVEL_TABLE,
    TRAVEL_TABLES,
    group_tables,
)
from mobility.reference.programmes import ParticipantStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "funding",
        help="eligible programmes and grant estimates for one stay",
        description="Print the distance, Erasmus+ distance band, eligible programmes (and "
                    "why the others are not) and the estimate of each eligible programme, "
                    "part by part. Unknown figures are named as missing, never guessed.",
    )
    parser.add_argument("--from", dest="origin", metavar="CITY[,CC]",
                        help="home city, e.g. 'Dortmund,DE'")
    parser.add_argument("--to", dest="destination", metavar="CITY[,CC]",
                        help="placement city, e.g. 'Leeds,GB'")
    parser.add_argument("--days", type=int, help="length of the stay in days")
    parser.add_argument("--green", action="store_true",
                        help="green travel (train, bus, car-pooling for the main part)")
    parser.add_argument("--fewer-opportunities", action="store_true",
                        help="the participant has fewer opportunities (inclusion support)")
    parser.add_argument("--age", type=int, help="age at the start of the stay")
    parser.add_argument("--status", default="apprentice",
                        choices=[s.value for s in ParticipantStatus],
                        help="participant status (default: apprentice)")
    twin = parser.add_mutually_exclusive_group()
    twin.add_argument("--twin-town", dest="twin_town", action="store_const", const=True,
                      help="treat the destination as a twin town of the home city")
    twin.add_argument("--no-twin-town", dest="twin_town", action="store_const", const=False,
                      help="treat the destination as not twinned")
    twin.add_argument("--auto", dest="twin_town", action="store_const", const=None,
                      help="detect the twinning from the twinnings table (default)")
    accredited = parser.add_mutually_exclusive_group()
    accredited.add_argument("--accredited", dest="accredited", action="store_const", const=True,
                            help="the sending organisation holds an Erasmus accreditation "
                                 "(Erasmus+ then funds non-associated third countries such as "
                                 "the UK, within its 20%% international budget)")
    accredited.add_argument("--not-accredited", dest="accredited", action="store_const",
                            const=False, help="the sending organisation holds no Erasmus "
                                              "accreditation")
    accredited.add_argument("--organisation", metavar="NAME",
                            help="read the accreditation from the sending organisation's "
                                 "record (unknown when there is none)")
    parser.add_argument("--group-table", choices=sorted(group_tables()),
                        help="country-group table of individual support for this estimate "
                             "(default: the one an administrator selected, else "
                             f"{DEFAULT_GROUP_TABLE})")
    parser.add_argument("--lang", default="en", choices=LANGUAGES,
                        help="language of the reasons and conditions (default en)")
    parser.add_argument("--travel-table", default=DEFAULT_TRAVEL_TABLE, choices=TRAVEL_TABLES,
                        help=f"Erasmus+ travel table (default {DEFAULT_TRAVEL_TABLE}; which "
                             "applies to VET in the current call is not verified)")
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    rates = parser.add_argument_group("daily rates (administrators)")
    rates.add_argument("--set-rates", metavar="G=EUR,...",
                       help="save daily individual-support rates per country group, "
                            "e.g. 1=60,2=55,3=50 (needs --call-year and --rates-source)")
    rates.add_argument("--reduced-rates", metavar="G=EUR,...",
                       help="optional rates from day 15 per group")
    rates.add_argument("--call-year", type=int, help="call year of the rates")
    rates.add_argument("--rates-source", help="where the rates come from (required)")
    rates.add_argument("--entered-by", default="", help="who enters the rates")
    rates.add_argument("--show-rates", action="store_true", help="list the stored rate versions")
    rates.add_argument("--set-unit-costs", metavar="ITEM=EUR,...",
                       help="save unit costs of --call-year: organisational=..,linguistic=..,"
                            "inclusion=.. (EUR per participant; needs --rates-source)")
    rates.add_argument("--select-group-table", metavar="TABLE", choices=sorted(group_tables()),
                       help="store the country-group table every estimate uses (audited as "
                            "--entered-by); country_groups_2024 is confirmed for higher "
                            "education, unverified for VET")
    rates.add_argument("--load-travel-table", metavar="FILE.csv",
                       help="save a travel table of a new call (columns band_or_group, km_min, "
                            "km_max, standard_eur, green_eur) as --travel-table of --call-year")
    parser.set_defaults(func=run, twin_town=None, accredited=None)


def _parse_rates(text: str | None, option: str) -> dict[int, float]:
    if not text:
        return {}
    out: dict[int, float] = {}
    for item in text.split(","):
        group, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[int(group)] = float(value)
        except ValueError:
            raise ValidationError(f"{option}: {item!r} should look like 2=55 "
                                  f"(country group {'/'.join(map(str, COUNTRY_GROUPS))} = EUR "
                                  "per day)") from None
    return out


def _rates_command(args: argparse.Namespace) -> int:
    store = default_rate_store()
    if args.set_rates:
        if not args.call_year:
            raise ValidationError("--set-rates needs --call-year")
        table = DailyRateTable(call_year=args.call_year,
                               rates=_parse_rates(args.set_rates, "--set-rates"),
                               reduced_rates=_parse_rates(args.reduced_rates, "--reduced-rates"),
                               source=args.rates_source or "")
        stored = store.save(table, entered_by=args.entered_by)
        print(f"saved {stored.label}")
    versions = store.versions()
    if args.json:
        print(json.dumps([v.as_dict() for v in versions], ensure_ascii=False, indent=2))
    elif args.show_rates:
        if not versions:
            print("no daily rates entered yet")
        for v in versions:
            rates = ", ".join(f"group {g}: {r:.2f}" for g, r in sorted(v.rates.items()))
            print(f"{v.label}\n  {rates}")
    return 0


def _travel_table_command(args: argparse.Namespace) -> int:
    import pandas as pd

    from mobility.funding.rates import TravelTableStore

    if not args.call_year:
        raise ValidationError("--load-travel-table needs --call-year")
    path = Path(args.load_travel_table)
    if not path.is_file():
        raise ValidationError(f"{path} does not exist")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    bands = TravelTableStore().save(args.travel_table, args.call_year, frame,
                                    source=args.rates_source or "", entered_by=args.entered_by)
    print(f"saved {bands.table_label} with {len(bands.labels)} bands")
    return 0


_UNIT_COST_WORDS = {"organisational": "organisational support",
                    "linguistic": "linguistic support",
                    "inclusion": "inclusion support for organisations"}


def _unit_costs_command(args: argparse.Namespace) -> int:
    from mobility.funding.rates import UnitCostStore

    if not args.call_year:
        raise ValidationError("--set-unit-costs needs --call-year")
    amounts: dict[str, float] = {}
    for item in args.set_unit_costs.split(","):
        word, sep, value = item.partition("=")
        try:
            if not sep or word.strip() not in _UNIT_COST_WORDS:
                raise ValueError
            amounts[_UNIT_COST_WORDS[word.strip()]] = float(value)
        except ValueError:
            raise ValidationError(f"--set-unit-costs: {item!r} should look like "
                                  f"organisational=400 ({', '.join(_UNIT_COST_WORDS)})") from None
    saved = UnitCostStore().save(args.call_year, amounts, source=args.rates_source or "",
                                 entered_by=args.entered_by)
    for cost in saved.values():
        print(f"saved {cost.label}: {cost.amount_eur:.2f} EUR")
    return 0


def _select_group_table_command(args: argparse.Namespace) -> int:
    from mobility.funding.rates import GroupTableSetting

    choice = GroupTableSetting().select(args.select_group_table, user=args.entered_by)
    table = group_tables()[choice.table]
    print(f"selected {table.label} (by {choice.selected_by}, {choice.selected_at})")
    return 0


def _accreditation(args: argparse.Namespace) -> tuple[bool | None, str]:
    """The organisation's accreditation from the options, and a line saying where it
    came from."""
    if args.organisation:
        from mobility.storage import create_schema, get_engine
        from mobility.storage.organisations import get_organisation

        engine = get_engine()
        create_schema(engine)
        record = get_organisation(engine, args.organisation)
        if record is None:
            return None, t("funding.cli.no_record", args.lang, name=args.organisation)
        return bool(record.erasmus_accredited), t(
            "funding.cli.record", args.lang, name=record.name, who=record.updated_by,
            when=format_date(record.updated_at, args.lang))
    given = t("funding.cli.given", args.lang) if args.accredited is not None else ""
    return args.accredited, given


def run(args: argparse.Namespace) -> int:
    if args.select_group_table:
        return _select_group_table_command(args)
    if args.load_travel_table:
        return _travel_table_command(args)
    if args.set_unit_costs:
        return _unit_costs_command(args)
    if args.set_rates or args.show_rates:
        return _rates_command(args)
    missing = [o for o, v in (("--from", args.origin), ("--to", args.destination),
                              ("--days", args.days)) if v is None]
    if missing:
        raise ValidationError(f"mobility funding needs {', '.join(missing)}")
    accredited, accreditation_source = _accreditation(args)
    context = FundingContext.from_names(
        args.origin, args.destination, args.days, twin_town=args.twin_town,
        status=ParticipantStatus.parse(args.status), age=args.age,
        fewer_opportunities=args.fewer_opportunities, green_travel=args.green,
        accredited=accredited)
    report = funding_report(context, travel_table=args.travel_table,
                            group_table=args.group_table, lang=args.lang)
    report["accreditation_source"] = accreditation_source
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(_text(report))
    return 0


def _text(report: dict) -> str:
    lang = report["lang"]

    def yes_no(flag: object, unknown: str = "funding.cli.unknown") -> str:
        return t({True: "org.yes", False: "org.no"}.get(flag, unknown), lang)  # type: ignore[call-overload]

    home, dest = report["from"], report["to"]
    accredited = yes_no(report["accredited"], "funding.cli.not_recorded")
    if report.get("accreditation_source"):
        accredited += f" ({report['accreditation_source']})"
    rates = report["daily_rates"] or t("funding.cli.no_rates", lang)
    lines = [
        f"{home['city']} ({home['country']}) -> {dest['city']} ({dest['country']}), "
        + t("funding.cli.days", lang, n=str(report["days"])),
        t("funding.cli.distance", lang, km=report["distance_km"], band=report["distance_band"],
          table=report["travel_table"]),
        t("funding.cli.flags", lang, twin=yes_no(report["twin_town"]),
          green=yes_no(report["green_travel"]), fewer=yes_no(report["fewer_opportunities"])),
        t("funding.cli.daily_rates", lang, rates=rates),
        t("funding.cli.groups", lang, table=report["group_table"]),
        t("funding.cli.accredited", lang, accredited=accredited),
        "",
        t("funding.cli.eligible" if report["eligible"] else "funding.cli.none_eligible", lang),
    ]
    for prog in report["programmes"]:
        if prog["eligible"]:
            lines += _programme_lines(prog, lang)
    lines.append("")
    lines.append(t("funding.cli.not_eligible", lang))
    lines += [f"  {p['name']}: {p['reason']}" for p in report["programmes"] if not p["eligible"]]
    depends = [p for p in report["programmes"] if p["depends_on_accreditation"]]
    if depends:
        lines.append("")
        lines.append(t("funding.cli.if_accredited", lang))
        for prog in depends:
            lines += _programme_lines(prog, lang)
    return "\n".join(lines)


def _programme_lines(prog: dict, lang: str) -> list[str]:
    """One programme's estimate, part by part, each with the table and call year used."""
    est = prog["estimate"]
    known = [p for p in est["parts"] if p["amount_eur"] is not None]
    if not known:
        total = t("funding.cli.amount_unknown", lang)
    else:
        total = t("funding.cli.eur_at_least" if est["missing"] else "funding.cli.eur", lang,
                  eur=est["total_known_eur"])
    lines = [f"  {prog['name']}: {total}"]
    for code in est["conditions"]:
        lines.append("    " + t("funding.cli.condition", lang,
                                 condition=t(f"funding.condition.{code}", lang)))
    if prog["caveats"]:
        lines.append("    " + t("funding.cli.check", lang, caveats=prog["caveats"]))
    for part in est["parts"]:
        name = _part_name(part["part"], lang)
        amount = (t("funding.cli.missing_amount", lang) if part["amount_eur"] is None
                  else t("funding.cli.eur_cents", lang, eur=part["amount_eur"]) + " ("
                  + t(f"funding.status.{part['status']}", lang) + ")")
        lines.append(f"    - {name}: {amount}: {part['detail']}"
                     + (f" [{part['table']}]" if part["table"] else ""))
    if est["missing"]:
        lines.append("    " + t("funding.cli.missing", lang, parts=", ".join(
            _part_name(p, lang) for p in est["missing"])))
    return lines


def _part_name(part: str, lang: str) -> str:
    key = f"funding.part.{part}"
    return t(key, lang) if key in all_keys() else part
