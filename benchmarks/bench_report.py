"""Benchmark: building the run report for a synthetic run of many jobs.

    python -m benchmarks.bench_report [--jobs 10000]

Writes a workspace whose run has --jobs scored rows (3 algorithms per product), each job folder
holding what a run leaves (the record, four 512 px views and their thumbnails, three rationale
files), then times `build_report` twice (cold: photo thumbnails made; warm) and reports the
report's size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from PIL import Image

from blender_addon.contract.spec import preset
from driver.config.settings import RunSettings
from driver.pipeline.artifacts import JobPlace, build_payload
from driver.pipeline.stages import RenderStage
from driver.report.build import build_report
from driver.results.layout import RECORD_JSON, report_dir
from driver.results.thumbs import ensure_thumbnail, thumbnail_path
from driver.ssot.workspace import Workspace
from rubric.core.definition import load_rubric
from rubric.core.judge import JudgeResult, RepeatResult
from rubric.offline.judge import OfflineJudge

RUN = "bench-run"
ALGOS = ("gen-a", "gen-b", "gen-c")


def synthesize(root: Path, n_jobs: int) -> None:
    rubric = load_rubric()
    settings = RunSettings(preset(), OfflineJudge(rubric), {"bench": True})
    photo = root / "dataset" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    Image.new("RGB", (1024, 768), (200, 180, 160)).save(photo)
    # One view and its thumbnail, copied into every job (a run makes them as it renders).
    view = root / "view.png"
    img = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    img.paste((180, 60, 40, 255), (128, 128, 384, 384))
    img.save(view)
    view_thumb = ensure_thumbnail(view)
    assert view_thumb is not None
    rows = []
    for i in range(n_jobs):
        job = f"{i:012x}"
        out = root / "runs" / RUN / "metrics" / "vfscore" / job
        renders = out / "renders"
        renders.mkdir(parents=True)
        views = []
        for k in range(4):
            png = renders / f"{k:02d}_az{k * 90:03d}.png"
            shutil.copyfile(view, png)
            thumb = thumbnail_path(png)
            thumb.parent.mkdir(exist_ok=True)
            shutil.copyfile(view_thumb, thumb)
            views.append(png)
        subs = {d: 40 + (i * 7 + k * 13) % 55 for k, d in enumerate(rubric.names)}
        repeats = [RepeatResult(r, rubric.overall(subs), subs, dict.fromkeys(subs, "why"))
                   for r in range(3)]  # fmt: skip
        judged = JudgeResult(rubric, "offline:appearance-1.0", repeats, 0, 0.0, {})
        stage = RenderStage(views, {"glb": {"sha256": "0" * 64}}, 16.0, False)
        place = JobPlace(out, (photo,), root, ALGOS[i % 3])
        payload = build_payload(place, settings, stage, judged, 0.3)
        (out / RECORD_JSON).write_text(json.dumps(payload))
        (out / "rationales").mkdir()
        for r, text in enumerate(judged.rationale_texts()):
            (out / "rationales" / f"rep_{r}.txt").write_text(text)
        rows.append({
            "run_id": RUN, "job_id": job, "status": "completed", "product_id": f"p{i // 3:05d}",
            "algo": ALGOS[i % 3], "gen_object_path": f"runs/{RUN}/outputs/{job}/generated.glb",
            "used_image_1_path": "dataset/photo.jpg", "vf_status": "ok",
            "vfscore_overall": payload["vfscore_overall"],
        })  # fmt: skip
    (root / "tables").mkdir()
    pd.DataFrame(rows).to_csv(
        root / "tables" / "generations.csv", index=False, encoding="utf-8-sig"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        synthesize(root, args.jobs)
        print(
            json.dumps({"synthesized_jobs": args.jobs, "s": round(time.perf_counter() - start, 1)})
        )
        ws = Workspace(root)
        for label in ("cold", "warm"):
            start = time.perf_counter()
            report = build_report(ws, RUN)
            wall = time.perf_counter() - start
            sizes = {p.name: p.stat().st_size for p in report_dir(ws, RUN).iterdir() if p.is_file()}
            mib = {k: round(v / 2**20, 2) for k, v in sizes.items()}
            status = report["aggregate_status"]
            line = {"build": label, "s": round(wall, 1), "status": status, "MiB": mib}
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
