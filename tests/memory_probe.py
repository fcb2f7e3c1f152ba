"""What reading one upload adds to a process's peak memory, measured in a fresh
interpreter from the kernel's own counters (Linux ``/proc``).

tracemalloc sees only Python's allocator; compiled readers (pyarrow, the XML parser)
allocate beside it. Here the kernel's peak resident set (``VmHWM``) is reset just
before the read (``/proc/self/clear_refs``) and compared with the resident set before
it, after the imports and after the upload's own bytes are in memory (the web server
holds those anyway). Used by tests/test_security_limits.py and
benchmarks/bench_security.py.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

_PROBE = """
import sys
from mobility.io import UPLOAD_MAX_BYTES, read_table
def mib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
data = open(sys.argv[1], "rb").read()
open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) restarts here
before = mib("VmRSS:")
result = read_table(data, sys.argv[2], name="upload", max_bytes=UPLOAD_MAX_BYTES)
print(mib("VmHWM:") - before, int(result.ok))
"""


def reading_growth_mb(data: bytes, kind: str = "apprentices") -> tuple[float, bool]:
    """(MB the read added to the peak resident set, whether the file was accepted)."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run([sys.executable, "-c", _PROBE, fh.name, kind], check=True,
                             capture_output=True, text=True)
    growth, ok = out.stdout.split()[-2:]
    return float(growth), ok == "1"
