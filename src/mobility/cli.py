"""The ``mobility`` command line.

Run ``mobility --help`` for the list of commands. Errors the package raises on purpose
(:class:`~mobility.errors.MobilityError`) are printed as plain messages, every problem
on its own line, with exit code 2 for bad input and 1 otherwise; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from mobility import __version__, commands
from mobility.errors import MobilityError, ValidationError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mobility",
        description="Placements abroad for apprentices: data, matching, funding, dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"mobility {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except MobilityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValidationError) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
