"""How long the paperwork takes: the Beneficiary Module file for N stays, and one
Learning Agreement as .docx and .pdf.

    python benchmarks/bench_paper.py [--pairs 1000 10000] [--documents 20]

Synthetic demo data; every company and sending organisation gets a made-up OID of the
right shape (benchmark only: the product never invents one). Prints sizes, seconds and
the process's peak resident memory after each step.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd


def _measure(label: str, func):
    """Wall time of one call (no memory tracing: tracemalloc slows Python several-fold)
    and the process's peak resident memory so far."""
    began = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<48} {seconds:8.2f} s   peak RSS {peak:7.0f} MiB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--documents", type=int, default=20)
    args = parser.parse_args()

    from mobility.demo import generate_demo
    from mobility.documents.content import learning_agreement
    from mobility.documents.facts import match_facts
    from mobility.documents.render import render_bytes
    from mobility.funding.beneficiary import export_beneficiary_module

    most = max(args.pairs)
    demo = generate_demo(n_apprentices=most, n_placements=max(most // 2, 10), seed=1)
    companies = demo.companies.assign(
        oid=[f"E{90000000 + i:08d}" for i in range(len(demo.companies))]).astype(
        {"oid": "string"})
    orgs = demo.apprentices["sending_organisation"].dropna().unique()
    sending = {str(o): f"E{80000000 + i:08d}" for i, o in enumerate(orgs)}
    rng = np.random.default_rng(1)
    placement_ids = demo.placements["placement_id"].to_numpy()
    with tempfile.TemporaryDirectory() as folder:
        dictionary = Path(folder) / "dictionary.csv"
        dictionary.write_text("call_year,action_type,dictionary,key,value,verified,source\n"
                              "2024,KA121-VET,data_type,mobility,BENCH,no,benchmark\n",
                              encoding="utf-8")
        for n in args.pairs:
            pairs = pd.DataFrame({
                "apprentice_id": demo.apprentices["apprentice_id"].iloc[:n].to_numpy(),
                "placement_id": rng.choice(placement_ids, size=n)})
            result = _measure(
                f"Beneficiary Module file, {n:,} pairs (.csv)",
                lambda p=pairs: export_beneficiary_module(
                    p, demo.apprentices, demo.placements, companies, Path(folder) / "bm.csv",
                    grant_agreement="2024-1-DE02-KA121-VET-000123456", sending_oids=sending,
                    dictionary_file=dictionary))
            size = result.path.stat().st_size
            print(f"{'':<48} {len(result.activities):,} rows written, "
                  f"{len(result.skipped):,} not eligible, {size / 2**20:.1f} MiB")
        first = demo.apprentices["apprentice_id"].iat[0]
        facts = match_facts(first, placement_ids[0], demo.apprentices, demo.placements,
                            companies, sending_oids=sending)
        draft = learning_agreement(facts, "de", prepared_by="bench", today=date(2026, 11, 29))
        for suffix in (".docx", ".pdf"):
            _measure(f"{args.documents} Learning Agreements ({suffix})",
                     lambda s=suffix: [render_bytes(draft, s) for _ in range(args.documents)])


if __name__ == "__main__":
    main()
