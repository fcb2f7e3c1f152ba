"""What a fresh ``mobility`` process imports before it starts its command."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from mobility import commands
from mobility.cli import COMMAND_MODULES, build_parser, main

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_the_command_table_names_every_command_and_the_module_that_registers_it():
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
        found.update({name: info.name for name in sub.choices})
    assert found == COMMAND_MODULES


def test_a_match_run_does_not_import_the_database_funding_or_other_commands():
    probe = ("import json, sys; from mobility.cli import build_parser; "
             "build_parser('match').parse_args(['match', '--data', 'x', '--out', 'y']); "
             "print(json.dumps(sorted(sys.modules)))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [SRC, *filter(None, [os.environ.get("PYTHONPATH")])])}
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], env=env, check=True,
                                           capture_output=True, text=True).stdout))
    assert "mobility.commands.match" in loaded
    heavy = {"sqlalchemy", "numba", "mobility.auth.erasure", "mobility.funding.estimate",
             "mobility.commands.apprentice", "mobility.commands.funding"}
    assert not heavy & loaded


def test_help_still_lists_every_command_and_one_command_its_own_options(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMAND_MODULES)
    with pytest.raises(SystemExit):
        main(["match", "--help"])
    assert "--max-candidates" in capsys.readouterr().out


def test_an_unknown_command_is_refused_with_the_list_of_commands(capsys):
    with pytest.raises(SystemExit) as done:
        main(["matchh"])
    assert done.value.code == 2
    assert "match" in capsys.readouterr().err and "init-db" in build_parser().format_help()
