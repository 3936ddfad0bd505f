"""Benchmark: 1,000 VF result rows into a 100,000-row generations.csv.

Compares the batched writer (one table rewrite per ``--flush-rows`` results) with one upsert per
result. Each mode runs in its own process so its peak RSS is its own (interpreter and pandas
included).

    python -m benchmarks.bench_upsert [--rows 100000] [--results 1000] [--per-row-sample 25]

One upsert per row rewrites the whole table 1,000 times; by default it times ``--per-row-sample``
of them and extrapolates (``--per-row-sample 1000`` measures all of it).
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

import pandas as pd

from driver.ssot.batched_upsert import BatchedUpserter
from driver.ssot.table_io import update_csv_atomic

KEYS = ["run_id", "job_id"]


def make_table(path: Path, n_rows: int) -> None:
    """A table shaped like archi3D's: 30 text columns, ids that look numeric."""
    cols: dict[str, list[str]] = {
        "run_id": ["20251122"] * n_rows,
        "job_id": [f"{i:012d}" for i in range(n_rows)],
        "status": ["completed"] * n_rows,
        "product_id": [f"{i % 5000:06d}" for i in range(n_rows)],
        "variant": ["default"] * n_rows,
        "algo": ["trellis"] * n_rows,
        "gen_object_path": [f"runs/20251122/outputs/{i:012d}/generated.glb" for i in range(n_rows)],
        "product_name": [f'Chair "model {i}", oak' for i in range(n_rows)],
    }
    for k in range(1, 7):
        cols[f"used_image_{k}_path"] = [
            f"dataset/{i % 5000:06d}/images/{k}.jpg" for i in range(n_rows)
        ]
        cols[f"source_image_{k}_path"] = [""] * n_rows
    for k in range(1, 4):
        cols[f"category_l{k}"] = ["Furniture"] * n_rows
    pd.DataFrame(cols).to_csv(path, index=False, encoding="utf-8-sig")


def result_row(i: int) -> dict[str, object]:
    return {
        "run_id": "20251122",
        "job_id": f"{i * 97:012d}",
        "vfscore_overall": 60 + i % 30,
        "vf_finish": 70,
        "vf_texture_identity": 55,
        "vf_texture_scale_placement": 61,
        "vf_repeats_n": 3,
        "vf_iqr": 2.5,
        "vf_std": 1.7,
        "vf_llm_model": "offline:appearance-1",
        "vf_status": "ok",
        "vf_error": None,
    }


def run_mode(
    mode: str, table: Path, results: int, sample: int, flush_rows: int
) -> dict[str, object]:
    start = time.perf_counter()
    rewrites = 0
    done = 0
    if mode == "batched":
        with BatchedUpserter(table, KEYS, flush_rows=flush_rows, flush_seconds=1e9) as w:
            for i in range(results):
                w.add(result_row(i))
        rewrites = w.flushes
        done = results
    else:
        for i in range(min(sample, results)):
            update_csv_atomic(table, pd.DataFrame([result_row(i)]), KEYS)
            rewrites += 1
            done += 1
    wall = time.perf_counter() - start
    return {
        "mode": mode,
        "results_written": done,
        "rewrites": rewrites,
        "wall_s": round(wall, 2),
        "wall_s_for_all_results": round(wall * results / done, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--results", type=int, default=1000)
    ap.add_argument("--per-row-sample", type=int, default=25)
    ap.add_argument("--flush-rows", type=int, default=200)
    ap.add_argument("--mode", choices=["batched", "per-row"], help=argparse.SUPPRESS)
    ap.add_argument("--table", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        stats = run_mode(args.mode, args.table, args.results, args.per_row_sample, args.flush_rows)
        print(json.dumps(stats))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("batched", "per-row"):
            table = Path(tmp) / mode / "generations.csv"
            table.parent.mkdir()
            make_table(table, args.rows)
            size_mib = table.stat().st_size / 2**20
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_upsert",
                    "--mode",
                    mode,
                    "--table",
                    str(table),
                    "--results",
                    str(args.results),
                    "--per-row-sample",
                    str(args.per_row_sample),
                    "--flush-rows",
                    str(args.flush_rows),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            stats = json.loads(out)
            stats["table_rows"] = args.rows
            stats["table_mib"] = round(size_mib, 1)
            print(json.dumps(stats))


if __name__ == "__main__":
    main()
