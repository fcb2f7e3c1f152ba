"""How fast `mobility match` is, how much memory it needs, and how it compares with the
PyPI ``matching`` library.

For each size (``APPRENTICESxPLACEMENTS``) the demo data are written once
(``mobility.demo.write_demo``, not timed), then every method runs in a fresh process, so
that its peak memory (``ru_maxrss``, a high-water mark read after each stage) is its own.
Stages: read (the io reader), fit, encode, candidates, solve, explain, write. The
table also shows candidate coverage (share of placements with room that appear in
anyone's candidate list) and how many apprentices got a place.

The peer comparison builds the ``matching`` library's HospitalResident game from *our*
candidate lists on the smallest size (``--peer``), solves it resident-optimal, checks the
matching is identical to ours and prints the speed ratio (its game construction
included). The library recurses deeply (``deepcopy``): the recursion limit and the
thread stack are raised for it, which the table says.

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


def child(data: Path, method: str, out: Path, max_candidates: int | None = None) -> dict:
    """One run of the match pipeline, stage by stage (in a fresh process)."""
    import numpy as np

    from mobility.commands.match import _write_csv, read_inputs
    from mobility.matching import Matcher

    stages: list[tuple[str, float, float]] = []
    clock = time.perf_counter()
    tables = read_inputs(data)
    stages.append(("read", time.perf_counter() - clock, _rss_mb()))
    clock = time.perf_counter()
    settings = {} if max_candidates is None else {"max_candidates": max_candidates}
    matcher = Matcher(**settings).fit(tables["placements"], tables["partnerships"])
    stages.append(("fit", time.perf_counter() - clock, _rss_mb()))
    result: dict = {"stages": stages}
    if method == "recommend-one":
        people = tables["apprentices"]
        rng = np.random.default_rng(0)
        picks = rng.choice(len(people), size=min(200, len(people)), replace=False)
        seconds = []
        for i in picks:
            clock = time.perf_counter()
            matcher.recommend(people.iloc[[int(i)]], k=10)
            seconds.append(time.perf_counter() - clock)
        result["p50_ms"] = float(np.percentile(seconds, 50) * 1000)
        result["p95_ms"] = float(np.percentile(seconds, 95) * 1000)
        stages.append(("recommend x200", float(np.sum(seconds)), _rss_mb()))
        return result
    clock = time.perf_counter()
    allocation = matcher.allocate(tables["apprentices"], method=method)
    total = time.perf_counter() - clock
    for name, seconds in matcher.timings_.items():
        stages.append((name if name != method else f"solve ({method})", seconds, _rss_mb()))
    stages.append(("allocate, other", total - sum(matcher.timings_.values()), _rss_mb()))
    clock = time.perf_counter()
    _write_csv(allocation.matches, out)
    stages.append(("write", time.perf_counter() - clock, _rss_mb()))
    result["summary"] = allocation.summary
    return result


def run_child(data: Path, method: str, max_candidates: int | None = None) -> dict:
    out = data / f"matches-{method}.csv"
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(data), method, str(out),
         str(max_candidates or "")],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peer(data: Path) -> dict:
    """Our stable matching against the ``matching`` library's on the same lists."""
    import threading

    import numpy as np

    from mobility.commands.match import read_inputs
    from mobility.matching import Matcher
    from mobility.matching.candidates import apprentice_key, generate_candidates, host_key
    from mobility.matching.stable import deferred_acceptance

    tables = read_inputs(data)
    matcher = Matcher().fit(tables["placements"], tables["partnerships"])
    _, A = matcher._encode(tables["apprentices"])
    P = matcher.index_
    pairs = generate_candidates(A, P, matcher.settings_)
    clock = time.perf_counter()
    a_key = apprentice_key(pairs.apprentice_score, pairs.p, P)
    h_key = host_key(pairs.host_score, pairs.a, A)
    ours = deferred_acceptance(len(A), len(P), a=pairs.a, p=pairs.p, apprentice_key=a_key,
                               host_key=h_key, capacity=P.slots)
    ours_s = time.perf_counter() - clock

    order = np.lexsort((-a_key, pairs.a))
    resident_prefs: dict[str, list[str]] = {}
    for k in order:
        resident_prefs.setdefault(A.ids[pairs.a[k]], []).append(P.ids[pairs.p[k]])
    order = np.lexsort((-h_key, pairs.p))
    hospital_prefs: dict[str, list[str]] = {}
    for k in order:
        hospital_prefs.setdefault(P.ids[pairs.p[k]], []).append(A.ids[pairs.a[k]])
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
    mine = {A.ids[i]: P.ids[q] for i, q in enumerate(ours) if q >= 0}
    theirs_s = box["build_s"] + box["solve_s"]
    return {"apprentices": len(A), "pairs": len(pairs), "identical": mine == theirs,
            "ours_s": ours_s, "library_build_s": box["build_s"],
            "library_solve_s": box["solve_s"], "ratio": theirs_s / max(ours_s, 1e-9)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", default=list(DEFAULT_SIZES),
                        help="APPRENTICESxPLACEMENTS, e.g. 100000x50000")
    parser.add_argument("--methods", nargs="+", default=["stable", "optimal", "recommend-one"])
    parser.add_argument("--peer", default="5000x2500",
                        help="size for the matching-library comparison ('none' to skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-candidates", type=int, default=None,
                        help="Matcher setting max_candidates (default: the Matcher's, 50)")
    args = parser.parse_args()

    from mobility.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        print("| apprentices | placements | method | stage | seconds | peak RSS MB |")
        print("| ---: | ---: | --- | --- | ---: | ---: |")
        summaries = []
        for size in args.sizes:
            n_a, n_p = (int(x) for x in size.lower().split("x"))
            data = Path(tmp) / size
            write_demo(data, n_a, n_p, seed=args.seed)
            for method in args.methods:
                result = run_child(data, method, args.max_candidates)
                if "error" in result:
                    print(f"| {n_a:,} | {n_p:,} | {method} | failed: {result['error']} | | |")
                    continue
                total = 0.0
                for name, seconds, rss in result["stages"]:
                    total += seconds
                    print(f"| {n_a:,} | {n_p:,} | {method} | {name} | {seconds:.2f} | {rss:,.0f} |")
                peak = max(r for _, _, r in result["stages"])
                print(f"| {n_a:,} | {n_p:,} | {method} | **total** | **{total:.2f}** "
                      f"| **{peak:,.0f}** |")
                if "summary" in result:
                    summaries.append((n_a, n_p, result["summary"]))
                if "p50_ms" in result:
                    summaries.append((n_a, n_p, {"method": "recommend one apprentice",
                                                 "p50_ms": round(result["p50_ms"], 1),
                                                 "p95_ms": round(result["p95_ms"], 1)}))
        print()
        print("| apprentices | placements | method | matched | no acceptable | lost competition "
              "| candidate pairs | coverage | total score |")
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n_a, n_p, s in summaries:
            if "matched" in s:
                print(f"| {n_a:,} | {n_p:,} | {s['method']} | {s['matched']:,} "
                      f"| {s['unmatched_no_acceptable_placement']:,} "
                      f"| {s['unmatched_lost_competition']:,} | {s['candidate_pairs']:,} "
                      f"| {s['coverage']:.1%} | {s['total_score']:,.1f} |")
            else:
                print(f"| {n_a:,} | {n_p:,} | {s['method']} | p50 {s['p50_ms']} ms, "
                      f"p95 {s['p95_ms']} ms | | | | | |")
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
                      f"{n_a:,} apprentices x {n_p:,} placements, {result['pairs']:,} pairs: "
                      f"identical={result['identical']}, library {result['library_build_s']:.2f} s "
                      f"to build the game + {result['library_solve_s']:.2f} s to solve, ours "
                      f"{result['ours_s'] * 1000:.1f} ms: {result['ratio']:,.0f}x faster")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        cap = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
        print(json.dumps(child(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), cap)))
    else:
        main()
