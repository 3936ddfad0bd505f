"""Benchmark: jobs per minute rendering here and on a Dask LocalCluster, and what Dask adds.

    python -m benchmarks.bench_cluster [--jobs 8] [--size 128]

Runs the demo's jobs (real Blender, the offline judge) four ways: here with --max-parallel 1
and 2, and on a LocalCluster of 1 and 2 worker processes (`--scheduler local`). Reports wall
time, jobs per minute, the scaling efficiency of two slots over one, and Dask's per-job
overhead (cluster wall minus local wall, per job, at one slot).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from benchmarks.bench_compute import grow_to
from driver.cli.app import app
from driver.demo.workspace import DEMO_RUN_ID, build_demo_workspace


def timed_run(root: Path, size: int, *args: str) -> float:
    (root / "vfscore.toml").write_text(
        f"[render]\nresolution = {size}\nsamples = 8\n\n[compute]\nrepeats = 1\n"
    )
    start = time.perf_counter()
    result = CliRunner().invoke(
        app, ["compute", "--workspace", str(root), "--run-id", DEMO_RUN_ID, "--redo", *args]
    )
    wall = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"run {args} failed:\n{result.stdout}\n{result.stderr}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--size", type=int, default=128)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template"
        build_demo_workspace(template)
        grow_to(template, args.jobs)
        walls = {}
        for name, flags in {
            "here, 1 slot": ["--max-parallel", "1"],
            "here, 2 slots": ["--max-parallel", "2"],
            "cluster, 1 worker": ["--scheduler", "local", "--max-parallel", "1"],
            "cluster, 2 workers": ["--scheduler", "local", "--max-parallel", "2"],
        }.items():
            root = Path(tmp) / name.replace(" ", "_").replace(",", "")
            shutil.copytree(template, root)
            walls[name] = timed_run(root, args.size, *flags)
            print(json.dumps({"run": name, "wall_s": round(walls[name], 1),
                              "jobs_per_min": round(60 * args.jobs / walls[name], 1)}),
                  flush=True)  # fmt: skip
        summary = {
            "jobs": args.jobs,
            "efficiency_here_2_over_1": round(
                walls["here, 1 slot"] / walls["here, 2 slots"] / 2, 3
            ),
            "efficiency_cluster_2_over_1": round(
                walls["cluster, 1 worker"] / walls["cluster, 2 workers"] / 2, 3
            ),
            "dask_overhead_s_per_job": round(
                (walls["cluster, 1 worker"] - walls["here, 1 slot"]) / args.jobs, 2
            ),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
