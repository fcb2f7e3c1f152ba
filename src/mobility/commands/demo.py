"""``mobility demo``: write a synthetic caseload as CSV files in the import format.

Example::

    mobility demo --out demo-data --apprentices 100000 --placements 20000 --seed 1
"""

from __future__ import annotations

import argparse

from mobility.progress import no_progress, stderr_progress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="write synthetic apprentices, companies and placements (CSV)",
        description=(
            "Write apprentices.csv, companies.csv, placements.csv and README.txt into DIR: "
            "invented people and companies in real places (NRW towns, their twin towns, "
            "other European cities), every row marked synthetic=true. The same seed and "
            "sizes always give byte-identical files."
        ),
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument("--apprentices", type=int, default=2000, metavar="N",
                        help="number of apprentices (default 2000)")
    parser.add_argument("--placements", type=int, default=1000, metavar="M",
                        help="number of placements (default 1000)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="random seed (default 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mobility.demo import write_demo  # imported here: `mobility --help` stays fast

    files = write_demo(
        args.out, n_apprentices=args.apprentices, n_placements=args.placements,
        seed=args.seed, progress=no_progress if args.quiet else stderr_progress,
    )
    counts = files.counts
    print(
        f"wrote {counts['apprentices']:,} apprentices, {counts['companies']:,} companies and "
        f"{counts['placements']:,} placements (synthetic, seed {args.seed}) to {files.out_dir}"
    )
    return 0
