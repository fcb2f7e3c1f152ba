"""``make run`` compiles every matching kernel before the server starts
(:mod:`mobility.matching.warm`), so that no page waits for numba. Checked in a fresh
process: after :func:`compile_kernels` every kernel the package calls from Python has a
compiled signature (the helpers the kernels inline have none of their own)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mobility.matching.warm import compile_kernels

SCRIPT = """
from numba.core.registry import CPUDispatcher
from mobility.matching import assign, kernel
from mobility.matching.warm import compile_kernels
compile_kernels()
for module in (kernel, assign):
    for name, value in vars(module).items():
        if isinstance(value, CPUDispatcher) and not name.startswith("_"):
            print(module.__name__, name, len(value.signatures))
"""


def test_every_kernel_called_from_python_is_compiled_by_the_warm_up():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=600).stdout.split("\n")
    counts = {" ".join(line.split()[:2]): int(line.split()[2]) for line in out if line}
    assert "mobility.matching.kernel scan" in counts  # the listing itself works
    assert "mobility.matching.assign solve" in counts
    assert {name for name, n in counts.items() if n == 0} == set()


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        compile_kernels("fastest")
