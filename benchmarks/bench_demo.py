"""How long `mobility demo` takes, how big its files are and how much memory it needs.

Each size runs in a fresh process so that its peak memory (``ru_maxrss``) is its own.
The first step, loading the gazetteer and the reference tables, is timed apart: it is
the same for every size.

Run::

    .venv/bin/python benchmarks/bench_demo.py              # 10k, 100k, 1M apprentices
    .venv/bin/python benchmarks/bench_demo.py 10000 50000  # chosen sizes

Placements are a tenth of the apprentices (at least 1,000).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def placements_for(n_apprentices: int) -> int:
    return max(1000, n_apprentices // 10)


def measure_one(n_apprentices: int, mode: str) -> dict[str, float]:
    """Run in a child process: time the reference tables, then one generation."""
    from mobility import demo

    started = time.perf_counter()
    demo._reference()  # gazetteer + reference tables, shared by every size
    reference_s = time.perf_counter() - started
    n_placements = placements_for(n_apprentices)
    started = time.perf_counter()
    sizes: dict[str, float] = {}
    if mode == "write":
        with tempfile.TemporaryDirectory() as tmp:
            files = demo.write_demo(tmp, n_apprentices, n_placements, seed=0)
            seconds = time.perf_counter() - started
            for kind in ("apprentices", "companies", "placements"):
                sizes[f"{kind}_mb"] = getattr(files, kind).stat().st_size / 1e6
    else:
        data = demo.generate_demo(n_apprentices, n_placements, seed=0)
        seconds = time.perf_counter() - started
        sizes["frame_mb"] = sum(f.memory_usage(deep=True).sum() for f in
                                (data.apprentices, data.companies, data.placements)) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"n_apprentices": n_apprentices, "n_placements": n_placements,
            "reference_s": reference_s, "seconds": seconds, "peak_mb": peak_mb, **sizes}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure_one(int(argv[1]), argv[2])))
        return
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    print(f"{'mode':<9}{'apprentices':>12}{'placements':>11}{'ref s':>7}{'run s':>8}"
          f"{'rows/s':>10}{'peak MB':>9}  output")
    for mode in ("write", "generate"):
        for n in sizes:
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one",
                                  str(n), mode], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if mode == "write":
                what = (f"files: apprentices {r['apprentices_mb']:.1f} MB, companies "
                        f"{r['companies_mb']:.1f} MB, placements {r['placements_mb']:.1f} MB")
            else:
                what = f"DataFrames in memory: {r['frame_mb']:.0f} MB"
            print(f"{mode:<9}{r['n_apprentices']:>12,}{r['n_placements']:>11,}"
                  f"{r['reference_s']:>7.1f}{r['seconds']:>8.1f}"
                  f"{r['n_apprentices'] / r['seconds']:>10,.0f}{r['peak_mb']:>9,.0f}  {what}")


if __name__ == "__main__":
    main(sys.argv[1:])
