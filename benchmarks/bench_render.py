"""Benchmark: the standard render on a real product GLB, time per phase.

    python -m benchmarks.bench_render [GLB] [--out DIR]

Runs the headless entry (the bpy wheel, as the driver does) for:
1. the default preset (4 views) as it ships;
2. one view at 256 samples and 1024x1024, the high-quality reference;
3. the default preset at a few sample counts, to see time against noise.
Prints one JSON line per run (phases from render_result.json plus the process wall time) and keeps
the PNGs in --out so they can be looked at.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import CameraRig, RenderSpec, preset

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "white-claw-can.glb"


def headless(glb: Path, out: Path, name: str, job_spec: RenderSpec) -> tuple[int, float, Any]:
    """Render ``glb`` into ``out/name`` with the headless entry, as the driver launches it:
    (exit code, wall seconds, render_result.json)."""
    job = RenderJob(glb, out / name, job_spec, launched_at=time.time())
    job_path = out / f"{name}.json"
    job.write(job_path)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "blender_addon" / "headless.py"), "--job", str(job_path)],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return proc.returncode, wall, json.loads((out / name / "render_result.json").read_text())


def run(glb: Path, out: Path, name: str, job_spec: RenderSpec) -> dict[str, object]:
    returncode, wall, result = headless(glb, out, name, job_spec)
    return {
        "run": name,
        "exit": returncode,
        "wall_s": round(wall, 2),
        "samples": job_spec.samples,
        "resolution": job_spec.resolution,
        "views": len(job_spec.rig.views),
        **result["timings"],
        "warnings": result["warnings"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("glb", type=Path, nargs="?", default=SAMPLE)
    ap.add_argument("--out", type=Path, default=Path("bench_render_out"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    default = preset()
    hero = CameraRig(default.rig.views[:1], default.rig.fov_deg, default.rig.fill)
    runs = [
        ("default", default),
        (
            "reference_1view_256spp_1024",
            default.with_changes(rig=hero, samples=256, resolution=(1024, 1024)),
        ),
        ("default_16spp", default.with_changes(samples=16)),
        ("default_128spp", default.with_changes(samples=128)),
    ]
    for name, spec in runs:
        print(json.dumps(run(args.glb.resolve(), args.out.resolve(), name, spec)), flush=True)


if __name__ == "__main__":
    main()
