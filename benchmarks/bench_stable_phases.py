"""Where a stable allocation spends its time: the first scan, the refill scans, deferred
acceptance and the final rank count, with the list entries each phase fetched.

``bench_matching.py`` times a run end to end; this script opens the solve. It wraps the
exact engine's scan (:meth:`mobility.matching.exact.Blocks.scan`) and the compiled
deferred acceptance, sums wall and CPU seconds (user + system, all threads) per phase,
and prints the peak RSS of the process and the answer (placed, rank sum, total score),
which must not change between two versions of the code. ``--first``, ``--growth`` and
``--longest`` try other list sizes (first list, growth of each refill, longest refill),
``--segment`` and ``--super`` other segment lengths (placements per segment, segments
per supersegment), on the same data.

Run::

    .venv/bin/python benchmarks/bench_stable_phases.py 300000x150000
    .venv/bin/python benchmarks/bench_stable_phases.py --data /tmp/d1m --first 64 --growth 2
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(data: Path, first: int | None, growth: int | None, longest: int | None,
            segment: int | None = None, super_length: int | None = None) -> None:
    from mobility.commands.match import read_inputs
    from mobility.matching import Matcher, exact, kernel, segments

    phases = {name: [0.0, 0.0, 0] for name in ("first scan", "refill scans", "rank count",
                                                "deferred acceptance")}
    scan, accept = exact.Blocks.scan, kernel.deferred_acceptance_lists

    def timed_scan(self, rows, mode, K, bound, held=None, v=None, only=None, count=True):
        clock, cpu = time.perf_counter(), _cpu()
        out = scan(self, rows, mode, K, bound, held, v, only, count)
        name = ("rank count" if mode == kernel.COUNT_ABOVE else
                "refill scans" if held is not None else "first scan")
        phases[name][0] += time.perf_counter() - clock
        phases[name][1] += _cpu() - cpu
        phases[name][2] += 0 if mode == kernel.COUNT_ABOVE else int(out[2].sum())
        return out

    def timed_accept(*args):
        clock, cpu = time.perf_counter(), _cpu()
        out = accept(*args)
        phases["deferred acceptance"][0] += time.perf_counter() - clock
        phases["deferred acceptance"][1] += _cpu() - cpu
        phases["deferred acceptance"][2] += int(out[1])
        return out

    exact.Blocks.scan, kernel.deferred_acceptance_lists = timed_scan, timed_accept
    if growth is not None:
        exact.REFILL_GROWTH = growth
    if longest is not None:
        exact.LONGEST_REFILL = longest
    if segment is not None:
        segments.SEGMENT_LENGTH = segment
    if super_length is not None:
        segments.SUPER_LENGTH = super_length
    if first is not None:
        exact.FIRST_LIST = first
        exact.stable_exact.__defaults__ = (first, *exact.stable_exact.__defaults__[1:])
    tables = read_inputs(data)
    matcher = Matcher().fit(tables["placements"], tables["partnerships"])
    clock, cpu = time.perf_counter(), _cpu()
    result = matcher.allocate(tables["apprentices"], method="stable", keep_pairs=False)
    wall, used = time.perf_counter() - clock, _cpu() - cpu
    rank = result.matches["rank"].dropna().astype(float)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(tables['apprentices']):,} x {len(tables['placements']):,}, first list "
          f"{exact.FIRST_LIST}, growth {exact.REFILL_GROWTH}, longest refill "
          f"{exact.LONGEST_REFILL}, segments {segments.SEGMENT_LENGTH} x "
          f"{segments.SUPER_LENGTH}: allocate {wall:.1f} s wall, "
          f"{used:.1f} s CPU, peak RSS {peak:,.0f} MiB")
    print(f"answer: placed {len(rank):,}, rank sum {int(rank.sum()):,}, total score "
          f"{result.matches['score'].sum():,.1f}")
    print("| phase | wall s | CPU s | list entries (scans) / proposals (DA) |")
    print("| --- | ---: | ---: | ---: |")
    for name, (seconds, cpu_s, items) in phases.items():
        print(f"| {name} | {seconds:.1f} | {cpu_s:.1f} | {items:,} |")
    print(f"load at end: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", nargs="?", default="100000x50000",
                        help="APPRENTICESxPLACEMENTS of demo data (written first, not timed)")
    parser.add_argument("--data", type=Path, help="a folder of input tables instead")
    parser.add_argument("--first", type=int, help="placements in each first list")
    parser.add_argument("--growth", type=int, help="how much longer each refill's list is")
    parser.add_argument("--longest", type=int, help="the longest list one refill fetches")
    parser.add_argument("--segment", type=int, help="the most placements in one segment")
    parser.add_argument("--super", type=int, dest="super_length",
                        help="the most segments in one supersegment")
    args = parser.parse_args()
    print(f"load at start: {os.getloadavg()}", file=sys.stderr)
    if args.data is not None:
        measure(args.data, args.first, args.growth, args.longest, args.segment,
                args.super_length)
        return
    from mobility.demo import write_demo

    n_a, n_p = (int(x) for x in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        write_demo(Path(tmp), n_a, n_p, seed=0)
        measure(Path(tmp), args.first, args.growth, args.longest, args.segment,
                args.super_length)


if __name__ == "__main__":
    main()
