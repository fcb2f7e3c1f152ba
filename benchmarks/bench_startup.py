"""Where a fresh ``mobility match`` process spends its time before and around the solve.

Each run is a new process (so every fixed cost is paid again) that goes through the
stages of ``mobility match --method stable`` one at a time and prints wall and CPU
seconds and the peak memory after each:

* imports: numpy and pandas; then ``mobility.matching`` (numba and the kernel module);
* numba: loading the compiled kernels from their on-disk cache (a tiny market without
  twinnings, as benchmarks/bench_matching.py warms up);
* reference data: the municipality register, the shipped twinnings, the partner aliases
  and the partnerships' identity keys (the disk cache of :mod:`mobility.reference.cache`
  either emptied before the run, "cold", or filled by an earlier run, "warm");
* read (the io reader), fit, the allocation's own stages, write;
* the whole CLI, ``python -m mobility.cli match``, timed from outside (interpreter start
  to exit).

It measures whatever ``mobility`` is on the path: run it against an older checkout with
``PYTHONPATH=<checkout>/src`` for a before/after. The machine's load is printed at the
start and the end: on a shared machine, compare runs made in the same minutes.

Run::

    .venv/bin/python benchmarks/bench_startup.py                 # 10,000 x 5,000, 3 runs
    .venv/bin/python benchmarks/bench_startup.py 2000x1000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(data: Path, out: Path) -> list[tuple[str, float, float, float]]:
    """One fresh process, stage by stage: (stage, wall s, CPU s, peak RSS MB)."""
    stages: list[tuple[str, float, float, float]] = []
    clock, cpu = time.perf_counter(), _cpu()

    def stage(name: str) -> None:
        nonlocal clock, cpu
        now, now_cpu = time.perf_counter(), _cpu()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stages.append((name, now - clock, now_cpu - cpu, rss))
        clock, cpu = now, now_cpu

    import numpy  # noqa: F401
    import pandas  # noqa: F401

    stage("import numpy, pandas")
    import mobility.matching  # noqa: F401

    stage("import mobility.matching (numba)")
    from mobility.matching.warm import compile_kernels

    compile_kernels("stable", twinnings=False)
    stage("numba: load the cached kernels")
    from mobility.matching import twins
    from mobility.reference.municipalities import municipality_register
    from mobility.reference.twinnings import load_partnerships

    municipality_register()
    stage("reference: municipality register")
    table = load_partnerships()
    stage("reference: shipped twinnings")
    twins.partner_aliases()
    stage("reference: partner aliases")
    twins._partner_keys(table[twins.partnership_levels(table) != 0].reset_index(drop=True))
    stage("reference: partnership keys")
    from mobility.commands.match import _write_csv, read_inputs
    from mobility.matching import Matcher

    tables = read_inputs(data)
    stage("read")
    matcher = Matcher().fit(tables["placements"], tables["partnerships"],
                            companies=tables["companies"])
    stage("fit")
    allocation = matcher.allocate(tables["apprentices"], method="stable")
    for name, seconds in matcher.timings_.items():
        stages.append((f"allocate: {name}", seconds, float("nan"), stages[-1][3]))
    stage("allocate (all of it)")
    _write_csv(allocation.matches, out)
    stage("write")
    return stages


def _run_child(data: Path, env: dict) -> list:
    proc = subprocess.run([sys.executable, __file__, "--child", str(data)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_cli(data: Path, env: dict) -> float:
    clock = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobility.cli", "match", "--data", str(data),
                    "--method", "stable", "--out", str(data / "cli.csv"), "--quiet"],
                   env=env, capture_output=True, check=True)
    return time.perf_counter() - clock


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", nargs="?", default="10000x5000",
                        help="APPRENTICESxPLACEMENTS of the demo data (default 10000x5000)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per mode")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from mobility.demo import write_demo

    print(f"load at start: {_uptime()}")
    n_a, n_p = (int(x) for x in args.size.lower().split("x"))
    here = str(Path(__file__).resolve().parent)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_demo(data, n_a, n_p, seed=args.seed)
        cache = Path(tmp) / "cache"
        env = {**os.environ, "MOBILITY_CACHE_DIR": str(cache),
               "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
        results: dict[str, list] = {"cold": [], "warm": []}
        cli: dict[str, list[float]] = {"cold": [], "warm": []}
        for _ in range(args.runs):
            for mode in ("cold", "warm"):
                if mode == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                results[mode].append(_run_child(data, env))
                if mode == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                cli[mode].append(_run_cli(data, env))
        print(f"{n_a:,} apprentices x {n_p:,} placements, {args.runs} fresh processes per "
              "mode; median (min) wall s, median CPU s, peak RSS MB")
        print("| stage | cold cache wall | cold CPU | warm cache wall | warm CPU | peak MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        names = [row[0] for row in results["warm"][0]]
        totals = {mode: [0.0] * args.runs for mode in results}
        for i, name in enumerate(names):
            cells = []
            for mode in ("cold", "warm"):
                walls = [run[i][1] for run in results[mode]]
                cpus = [run[i][2] for run in results[mode]]
                if not name.startswith("allocate: "):
                    for k, wall in enumerate(walls):
                        totals[mode][k] += wall
                cpu = statistics.median(cpus)
                cells += [f"{statistics.median(walls):.2f} ({min(walls):.2f})",
                          "" if cpu != cpu else f"{cpu:.2f}"]
            peak = max(run[i][3] for run in results["warm"])
            print(f"| {name} | {' | '.join(cells)} | {peak:,.0f} |")
        print(f"| **total of the stages** | **{statistics.median(totals['cold']):.2f}** | "
              f"| **{statistics.median(totals['warm']):.2f}** | | |")
        print(f"| whole CLI process (`python -m mobility.cli match`) | "
              f"{statistics.median(cli['cold']):.2f} ({min(cli['cold']):.2f}) | | "
              f"{statistics.median(cli['warm']):.2f} ({min(cli['warm']):.2f}) | | |")
    print(f"load at end: {_uptime()}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(child(Path(sys.argv[2]), Path(tmp) / "matches.csv")))
    else:
        main()
