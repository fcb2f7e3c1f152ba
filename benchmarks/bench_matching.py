"""How fast `mobility match` is, how much memory it needs, and how it compares with the
PyPI ``matching`` library.

For each size (``APPRENTICESxPLACEMENTS``) the demo data are written once
(``mobility.demo.write_demo``, not timed), then every method runs in a fresh process, so
that its peak memory (``ru_maxrss``, a high-water mark read after each stage) is its own.
Stages: kernel (importing the compiled numba kernel and loading it from its on-disk cache),
read (the io reader), fit, encode, candidates, solve, explain, write. Exact mode unless
``--approximate``. Each stage shows wall seconds and CPU seconds of the process (user +
system, all threads): on a shared machine the wall time depends on the load, printed
with ``uptime`` at the start and the end. The first run also measures compiling the
kernel from scratch (cache emptied) once.

The peer comparison enumerates the full acceptable set of the smallest size
(``--peer``), builds the ``matching`` library's HospitalResident game from it, solves it
resident-optimal, checks the matching is identical to ours (exact engine, end to end
from the tables) and prints the speed ratio (its game construction included). The
library recurses deeply (``deepcopy``): the recursion limit and the thread stack are
raised for it, which the output says.

Run::

    .venv/bin/python benchmarks/bench_matching.py                      # 10k x 5k, 100k x 50k
    .venv/bin/python benchmarks/bench_matching.py 1000000x500000 --methods stable optimal
    .venv/bin/python benchmarks/bench_matching.py 2000x1000 --peer 2000x1000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SIZES = ("10000x5000", "100000x50000")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(data: Path, method: str, out: Path, approximate: bool = False) -> dict:
    """One run of the match pipeline, stage by stage (in a fresh process)."""
    stages: list[tuple[str, float, float, float]] = []
    clock, cpu = time.perf_counter(), _cpu()

    def stage(name: str) -> None:
        nonlocal clock, cpu
        now, now_cpu = time.perf_counter(), _cpu()
        stages.append((name, now - clock, now_cpu - cpu, _rss_mb()))
        clock, cpu = now, now_cpu

    import numpy as np

    from mobility.matching.warm import compile_kernels  # numba: import + cache load

    compile_kernels(method)
    stage("kernel (import, cache load)")
    from mobility.commands.match import _write_csv, read_inputs
    from mobility.matching import Matcher

    tables = read_inputs(data)
    stage("read")
    matcher = Matcher().fit(tables["placements"], tables["partnerships"])
    stage("fit")
    result: dict = {"stages": stages}
    if method == "recommend-one":
        people = tables["apprentices"]
        rng = np.random.default_rng(0)
        picks = rng.choice(len(people), size=min(200, len(people)), replace=False)
        seconds, cpu_seconds = [], []
        for i in picks:
            started, started_cpu = time.perf_counter(), time.process_time()
            matcher.recommend(people.iloc[[int(i)]], k=10, approximate=approximate)
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - started_cpu)
        result["p50_ms"] = float(np.percentile(seconds, 50) * 1000)
        result["p95_ms"] = float(np.percentile(seconds, 95) * 1000)
        result["cpu_p50_ms"] = float(np.percentile(cpu_seconds, 50) * 1000)
        result["cpu_p95_ms"] = float(np.percentile(cpu_seconds, 95) * 1000)
        stage("recommend x200")
        return result
    # As `mobility match` without --scores-out: the pairs weighed are not kept.
    allocation = matcher.allocate(tables["apprentices"], method=method,
                                  approximate=approximate, keep_pairs=False)
    total_cpu = _cpu() - cpu
    for name, seconds in matcher.timings_.items():
        stages.append((name if name != method else f"solve ({method})", seconds, float("nan"),
                       _rss_mb()))
    stages.append(("allocate: CPU of all stages", sum(matcher.timings_.values()), total_cpu,
                   _rss_mb()))
    clock, cpu = time.perf_counter(), _cpu()
    _write_csv(allocation.matches, out)
    stage("write")
    result["summary"] = {k: v for k, v in allocation.summary.items() if k != "question"}
    return result


def compile_cold() -> float:
    """Seconds to compile every kernel from scratch (its on-disk cache emptied first)."""
    import mobility.matching

    cache = Path(mobility.matching.__file__).parent / "__pycache__"
    for path in [*cache.glob("kernel.*.nb[ci]"), *cache.glob("assign.*.nb[ci]")]:
        path.unlink()
    script = ("import time; t = time.perf_counter();"
              "from mobility.matching.warm import compile_kernels; compile_kernels();"
              "print(time.perf_counter() - t)")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return float(proc.stdout.strip().splitlines()[-1])


def run_child(data: Path, method: str, approximate: bool = False) -> dict:
    out = data / f"matches-{method}.csv"
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(data), method, str(out),
         "approximate" if approximate else "exact"],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peer(data: Path) -> dict:
    """Our exact stable matching against the ``matching`` library's over the full
    acceptable set."""
    import threading

    import numpy as np

    from mobility.commands.match import read_inputs
    from mobility.matching import Matcher
    from mobility.matching.candidates import apprentice_key, host_key, pair_features
    from mobility.matching.verify import enumerate_acceptable

    tables = read_inputs(data)
    matcher = Matcher().fit(tables["placements"], tables["partnerships"])
    clock = time.perf_counter()
    ours = matcher.allocate(tables["apprentices"], method="stable").matches
    ours_s = time.perf_counter() - clock
    _, A = matcher._encode(tables["apprentices"])
    P = matcher.index_
    a, p = enumerate_acceptable(A, P)
    f = pair_features(A, P, a, p, matcher.settings_)
    a_key = apprentice_key(f["apprentice_score"], p, P)
    h_key = host_key(f["host_score"], a, A)
    resident_prefs: dict[str, list[str]] = {}
    for k in np.lexsort((-a_key, a)):
        resident_prefs.setdefault(A.ids[a[k]], []).append(P.ids[p[k]])
    hospital_prefs: dict[str, list[str]] = {}
    for k in np.lexsort((-h_key, p)):
        hospital_prefs.setdefault(P.ids[p[k]], []).append(A.ids[a[k]])
    capacities = {h: int(P.slots[i]) for i, h in enumerate(P.ids) if h in hospital_prefs}
    box: dict = {}

    def solve() -> None:
        from matching.games import HospitalResident

        clock = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs,
                                                          capacities)
        built = time.perf_counter()
        solution = game.solve(optimal="resident")
        box["build_s"], box["solve_s"] = built - clock, time.perf_counter() - built
        box["solution"] = {r.name: h.name for h, rs in solution.items() for r in rs}

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 1024 * 1024)
    thread = threading.Thread(target=solve)
    thread.start()
    thread.join()
    if "solution" not in box:
        return {"error": "the matching library failed"}
    theirs = box["solution"]
    placed = ours.dropna(subset=["placement_id"])
    mine = dict(zip(placed["apprentice_id"], placed["placement_id"], strict=True))
    theirs_s = box["build_s"] + box["solve_s"]
    return {"apprentices": len(A), "pairs": len(a), "identical": mine == theirs,
            "ours_s": ours_s, "library_build_s": box["build_s"],
            "library_solve_s": box["solve_s"], "ratio": theirs_s / max(ours_s, 1e-9)}


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", default=list(DEFAULT_SIZES),
                        help="APPRENTICESxPLACEMENTS, e.g. 100000x50000")
    parser.add_argument("--methods", nargs="+", default=["stable", "optimal", "recommend-one"])
    parser.add_argument("--peer", default="2000x1000",
                        help="size for the matching-library comparison ('none' to skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--approximate", action="store_true",
                        help="the capped candidate lists instead of the exact engine")
    parser.add_argument("--no-cold", action="store_true",
                        help="skip measuring the kernel's compilation from scratch")
    args = parser.parse_args()

    from mobility.demo import write_demo

    print(f"load at start: {_uptime()}")
    if not args.no_cold:
        print(f"compiling the numba kernel from scratch (cache emptied): "
              f"{compile_cold():.1f} s (once per installation; later runs load the cache)")
    with tempfile.TemporaryDirectory() as tmp:
        print("| apprentices | placements | method | stage | wall s | CPU s | peak RSS MB |")
        print("| ---: | ---: | --- | --- | ---: | ---: | ---: |")
        summaries = []
        for size in args.sizes:
            n_a, n_p = (int(x) for x in size.lower().split("x"))
            data = Path(tmp) / size
            write_demo(data, n_a, n_p, seed=args.seed)
            for method in args.methods:
                result = run_child(data, method, args.approximate)
                if "error" in result:
                    print(f"| {n_a:,} | {n_p:,} | {method} | failed: {result['error']} | | | |")
                    continue
                total = total_cpu = 0.0
                for name, seconds, cpu, rss in result["stages"]:
                    if not name.startswith(("encode", "candidates", "solve", "explain")):
                        total += seconds
                        total_cpu += cpu
                    cpu_text = "" if cpu != cpu else f"{cpu:.2f}"
                    print(f"| {n_a:,} | {n_p:,} | {method} | {name} | {seconds:.2f} "
                          f"| {cpu_text} | {rss:,.0f} |")
                peak = max(r for *_, r in result["stages"])
                print(f"| {n_a:,} | {n_p:,} | {method} | **total** | **{total:.2f}** "
                      f"| **{total_cpu:.2f}** | **{peak:,.0f}** |")
                if "summary" in result:
                    summaries.append((n_a, n_p, result["summary"]))
                if "p50_ms" in result:
                    summaries.append((n_a, n_p, {
                        "method": "recommend one apprentice",
                        **{k: round(result[k], 1) for k in ("p50_ms", "p95_ms", "cpu_p50_ms",
                                                            "cpu_p95_ms")}}))
        print()
        print("| apprentices | placements | method | exact | matched | lost competition "
              "| no acceptable | acceptable pairs | proposals | refill rounds "
              "| pricing rounds | total score |")
        print("| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
              "| ---: |")
        for n_a, n_p, s in summaries:
            if "matched" in s:
                print(f"| {n_a:,} | {n_p:,} | {s['method']} | {s['exact']} | {s['matched']:,} "
                      f"| {s['unmatched_lost_competition']:,} "
                      f"| {s['unmatched_no_acceptable_placement']:,} "
                      f"| {s['acceptable_pairs']} | {s['proposals']} | {s['refill_rounds']} "
                      f"| {s['pricing_rounds']} | {s['total_score']:,.1f} |")
            else:
                print(f"| {n_a:,} | {n_p:,} | {s['method']} | | wall p50 {s['p50_ms']} ms, "
                      f"p95 {s['p95_ms']} ms; CPU p50 {s['cpu_p50_ms']} ms, "
                      f"p95 {s['cpu_p95_ms']} ms | | | | | | | |")
        for _, _, s in summaries:
            if "certificate" in s:
                print(f"certificate ({s['method']}, {s['apprentices']:,}): {s['certificate']}")
        if args.peer != "none":
            n_a, n_p = (int(x) for x in args.peer.lower().split("x"))
            data = Path(tmp) / f"peer-{args.peer}"
            write_demo(data, n_a, n_p, seed=args.seed)
            result = peer(data)
            print()
            if "error" in result:
                print(f"matching library at {n_a:,} x {n_p:,}: {result['error']}")
            else:
                print(f"matching library (recursion limit and thread stack raised) at "
                      f"{n_a:,} apprentices x {n_p:,} placements, the full acceptable set of "
                      f"{result['pairs']:,} pairs: identical={result['identical']}, library "
                      f"{result['library_build_s']:.2f} s to build the game + "
                      f"{result['library_solve_s']:.2f} s to solve, ours end to end from the "
                      f"tables {result['ours_s']:.2f} s: {result['ratio']:,.0f}x faster")
    print(f"load at end: {_uptime()}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        approximate = len(sys.argv) > 5 and sys.argv[5] == "approximate"
        print(json.dumps(child(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), approximate)))
    else:
        main()
