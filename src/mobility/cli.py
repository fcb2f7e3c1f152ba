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

#: The module under :mod:`mobility.commands` that registers each command. A run of one
#: command imports only its module: importing them all (the database, the funding rules,
#: the numba kernel) cost a fresh ``mobility match`` about half a second before it began.
#: A command missing here still works (the parser is then built from every module);
#: tests/test_cli_startup.py checks the table against the modules.
COMMAND_MODULES = {
    "apprentice": "apprentice", "demo": "demo", "documents": "documents",
    "export": "exporting", "funding": "funding", "import": "importing",
    "init-db": "initdb", "match": "match", "reference": "reference", "user": "user",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``mobility`` parser: every command, or only ``command`` when it is one of
    :data:`COMMAND_MODULES` (the others are then not imported)."""
    parser = argparse.ArgumentParser(
        prog="mobility",
        description="Placements abroad for apprentices: data, matching, funding, dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"mobility {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = COMMAND_MODULES.get(command) if command else None
    names = [only] if only else sorted(
        info.name for info in pkgutil.iter_modules(commands.__path__))
    for name in names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command an argument list names: its first argument, unless that is an option
    (``--help``, ``--version``: those need every command)."""
    return argv[0] if argv and not argv[0].startswith("-") else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(argv))
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
