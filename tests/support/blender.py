"""Running real Blender (the bpy wheel) from tests: tiny specs, the headless entry, bpy scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import RenderSpec, preset

ROOT = Path(__file__).resolve().parents[2]
HEADLESS = ROOT / "blender_addon" / "headless.py"


def tiny_spec(**changes: object) -> RenderSpec:
    """The default preset at test size: 64x64, 4 samples."""
    return preset().with_changes(resolution=(64, 64), samples=4, **changes)


def run_headless(
    job: RenderJob, job_path: Path, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run ``python blender_addon/headless.py --job`` (bpy wheel); returns (process, result)."""
    job.write(job_path)
    proc = subprocess.run(
        [sys.executable, str(HEADLESS), "--job", str(job_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    result_file = job.out_dir / "render_result.json"
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    return proc, result


def run_bpy_script(code: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run Python code that imports bpy in a fresh process; returns stdout. Raises on failure."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout
