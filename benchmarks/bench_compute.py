"""Benchmark: 20 demo jobs through `compute` with a loopback LLM judge whose latency is about one
render, to measure how much rendering and judging overlap.

    python -m benchmarks.bench_compute [--jobs 20] [--latency-s auto] [--size 128]

Reports the wall time against Σrender and Σjudge (overlap ratio = (Σrender + Σjudge) / wall; 2.0
would be perfect overlap of two equal stages, 1.0 none) and the per-job overhead outside Cycles
(process start, import, scene set-up, PNG hashing: render_runtime_s minus the views' render time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from driver.config.schema import ComputeRequest
from driver.demo.workspace import DEMO_RUN_ID, build_demo_workspace
from driver.pipeline.compute import run_compute
from driver.ssot.workspace import open_workspace
from rubric.core.definition import load_rubric
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply
from tests.support.settings import settings_from, spec_from


def grow_to(root: Path, n_jobs: int) -> None:
    """Duplicate the demo's rows (with new job ids and GLB copies) until there are n_jobs."""
    path = root / "tables" / "generations.csv"
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = []
    for i in range(n_jobs):
        row = df.iloc[i % len(df)].copy()
        job_id = f"{i:012x}"
        src = root / row["gen_object_path"]
        dst = root / "runs" / DEMO_RUN_ID / "outputs" / job_id / "generated.glb"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
        row["job_id"], row["gen_object_path"] = job_id, dst.relative_to(root).as_posix()
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument(
        "--latency-s", type=float, default=None, help="judge latency (default: one render)"
    )
    args = ap.parse_args()
    rubric = load_rubric()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        config = Path(tmp) / "vfscore.toml"
        config.write_text(f"[render]\nresolution = {args.size}\nsamples = 8\n")
        build_demo_workspace(root, spec_from({"resolution": args.size, "samples": 8}))
        grow_to(root, args.jobs)
        ws = open_workspace(root)
        latency = args.latency_s
        if latency is None:
            # Calibrate: one job rendered with the offline judge.
            probe = ComputeRequest(run_id=DEMO_RUN_ID, repeats=1, jobs=f"{0:012x}")
            settings = settings_from(config)
            run_compute(ws, probe, settings)
            result = json.loads(
                (ws.job_metrics_dir(DEMO_RUN_ID, f"{0:012x}") / "result.json").read_text()
            )
            latency = float(result["render_runtime_s"])
            shutil.rmtree(ws.run_dir(DEMO_RUN_ID) / "metrics")
            shutil.copy(root / "tables" / "generations.csv", Path(tmp) / "t.csv")
            df = pd.read_csv(
                Path(tmp) / "t.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
            )
            df[[c for c in df.columns if c.startswith("vf")]] = ""
            df.to_csv(root / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
        with ScriptedServer() as server:
            reply = ok_reply("openai", answer_json(rubric.names, 70))
            reply.delay_s = latency
            server.script = [reply] * args.jobs
            judge = f"openai-compatible:{server.url}/v1#bench"
            # No response cache: duplicated jobs would share answers and skip the latency.
            settings = settings_from(config, judge)
            opts = ComputeRequest(run_id=DEMO_RUN_ID, repeats=1, max_parallel=1)
            start = time.perf_counter()
            summary = run_compute(ws, opts, settings)
            wall = time.perf_counter() - start
        results = [
            json.loads(p.read_text())
            for p in (ws.run_dir(DEMO_RUN_ID) / "metrics" / "vfscore").glob("*/result.json")
        ]
        render = sum(r["render_runtime_s"] for r in results)
        judge_s = sum(r["scoring_runtime_s"] for r in results)
        overhead = [r["render_runtime_s"] - sum(r["render_timings"]["views_s"]) for r in results]
        print(
            json.dumps(
                {
                    "jobs": summary.ok,
                    "errors": summary.error,
                    "judge_latency_s": round(latency, 2),
                    "wall_s": round(wall, 1),
                    "sum_render_s": round(render, 1),
                    "sum_judge_s": round(judge_s, 1),
                    "overlap_ratio": round((render + judge_s) / wall, 2),
                    "per_job_overhead_outside_cycles_s": {
                        "median": round(statistics.median(overhead), 2),
                        "max": round(max(overhead), 2),
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
