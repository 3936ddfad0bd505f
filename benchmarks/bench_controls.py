"""Benchmark: controls on real assets — what the offline judge can tell, and what controls cost.

    python -m benchmarks.bench_controls [--out DIR] [--candidates N] [--resolution PX]

Builds an archi3D workspace from ../shared/realworld: one product per asset, its model as the
ground truth (``gt_object_path``), its reference images as photos, and N candidates per product
(copies of the model: the time of a candidate job does not depend on what it shows). Then runs
``vfscore compute`` without controls and, on the same workspace, ``--controls`` alone, with the
offline judge at the default preset (or ``--resolution``), and prints: control accuracy per
negative kind with its interval and median margin, the dimensions each kind moved, the renders
per product, and the seconds the controls added. Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from benchmarks.bench_judge_v2 import ASSETS, REALWORLD
from driver.cli.app import app

RUN_ID = "bench-controls"


def build(root: Path, n_candidates: int, resolution: int | None) -> Path:
    rows = []
    for asset, photos in ASSETS.items():
        product = root / "dataset" / asset
        (product / "images").mkdir(parents=True)
        (product / "gt").mkdir()
        shutil.copy(REALWORLD / asset / f"{asset}.glb", product / "gt" / "model.glb")
        for name in photos:
            shutil.copy(REALWORLD / asset / name, product / "images" / name)
        for i in range(n_candidates):
            job_id = hashlib.sha256(f"{asset}/{i}".encode()).hexdigest()[:12]
            out = root / "runs" / RUN_ID / "outputs" / job_id / "generated.glb"
            out.parent.mkdir(parents=True)
            shutil.copy(REALWORLD / asset / f"{asset}.glb", out)
            row = {"run_id": RUN_ID, "job_id": job_id, "status": "completed",
                   "product_id": asset, "variant": "", "algo": f"copy{i}",
                   "gen_object_path": out.relative_to(root).as_posix(),
                   "gt_object_path": f"dataset/{asset}/gt/model.glb"}  # fmt: skip
            for k, name in enumerate(photos, start=1):
                row[f"used_image_{k}_path"] = f"dataset/{asset}/images/{name}"
            rows.append(row)
    (root / "tables").mkdir()
    pd.DataFrame(rows).to_csv(root / "tables" / "generations.csv", index=False,
                              encoding="utf-8-sig")  # fmt: skip
    config = "[compute]\nrepeats = 1\nmax_parallel = 2\n"
    if resolution:
        config = f"[render]\nresolution = {resolution}\n" + config
    (root / "vfscore.toml").write_text(config)
    return root


def compute(root: Path, *flags: str) -> float:
    start = time.perf_counter()
    args = ["compute", "--workspace", str(root), "--run-id", RUN_ID, "--no-report", *flags]
    result = CliRunner().invoke(app, args)
    print(result.stdout.strip())
    return time.perf_counter() - start


def report(root: Path, controls_s: float, candidates_s: float, n: int) -> None:
    from driver.ssot.workspace import Workspace

    ws = Workspace(root)
    from driver.report.build import build_report

    doc: dict[str, Any] = build_report(ws, RUN_ID)
    controls = doc["controls"]
    print(f"\n{controls['summary']}")
    for judge, f in controls["judges"].items():
        print(f"\n{judge}\n| negative | accuracy [95 %] | n | median margin | dimensions moved |")
        print("|---|---|---|---|---|")
        for kind, k in f["by_kind"].items():
            a = k["accuracy"]
            moved = ", ".join(f"{d} {'yes' if m['moved'] else 'no'}"
                              for d, m in k["expected_dimensions"].items())  # fmt: skip
            print(f"| {kind} | {a['value']} [{a['low']}, {a['high']}] | {a['n']} | "
                  f"{k['median_margin']} | {moved} |")  # fmt: skip
    renders = sum(1 for _ in (root / "runs" / RUN_ID / "metrics" / "vfscore" / "_controls").rglob(
        "renders/render_result.json"))  # fmt: skip
    print(f"\ncandidates: {candidates_s:.0f} s for {n} per product; controls added "
          f"{controls_s:.0f} s ({controls_s / len(ASSETS):.0f} s per product); control render "
          f"folders: {renders} for {len(ASSETS)} products")  # fmt: skip
    print(json.dumps(controls["ceilings"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench_controls_out"))
    parser.add_argument("--candidates", type=int, default=2)
    parser.add_argument("--resolution", type=int, default=None)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    root = build(args.out.resolve(), args.candidates, args.resolution)
    candidates_s = compute(root)
    controls_s = compute(root, "--controls")
    report(root, controls_s, candidates_s, args.candidates)


if __name__ == "__main__":
    main()
