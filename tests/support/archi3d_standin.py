"""A test-only stand-in of archi3D's VFScore adapter, written from its contract (issue 9).

Three ways in, in archi3D's order: ``import vfscore`` and ``vfscore.evaluator.
evaluate_visual_fidelity``; the ``archi3d.metrics_adapters`` entry point ``vfscore``; and
``python -m vfscore --cand-glb … --out-dir D`` reading ``D/result.json``. Then what archi3D does
with the answer: it rewrites result.json with its subset (other keys null) and config.json.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

# What archi3D reads from VFScore's dict.
READ_KEYS = (
    "vfscore_overall_median", "vf_subscores_median", "repeats_n", "scores_all", "subscores_all",
    "iqr", "std", "llm_model", "rubric_weights", "render_settings", "version", "config_hash",
    "render_runtime_s", "scoring_runtime_s", "artifacts_dir", "render_image_path", "gt_image_path",
)  # fmt: skip


class AdapterFailure(Exception):
    """What archi3D records as the job's error text."""


def call_by_import(job: dict[str, Any]) -> dict[str, Any]:
    importlib.import_module("vfscore")  # archi3D: failure → "VFScore not installed"
    assert importlib.util.find_spec("vfscore") is not None
    evaluator = importlib.import_module("vfscore.evaluator")
    try:
        payload = evaluator.evaluate_visual_fidelity(
            cand_glb=job["cand_glb"],
            ref_images=job["ref_images"],
            out_dir=job["out_dir"],
            repeats=job["repeats"],
            timeout_s=job.get("timeout_s"),
            workspace=job.get("workspace"),
            blender_exe=job.get("blender_exe"),
            quiet=True,
            algo=job.get("algo"),
        )
    except Exception as exc:
        raise AdapterFailure(str(exc)) from None
    assert isinstance(payload, dict)
    return payload


def call_by_entry_point(job: dict[str, Any]) -> dict[str, Any]:
    (ep,) = [
        e
        for e in importlib.metadata.entry_points(group="archi3d.metrics_adapters")
        if e.name == "vfscore"
    ]
    adapter = ep.load()()
    req = SimpleNamespace(
        cand_glb=job["cand_glb"],
        ref_images=job["ref_images"],
        out_dir=job["out_dir"],
        repeats=job["repeats"],
        timeout_s=job.get("timeout_s"),
        workspace=job.get("workspace"),
        blender_exe=job.get("blender_exe"),
        algo=job.get("algo"),
    )
    res = adapter.evaluate(req)
    for attr in ("ok", "payload", "tool_version", "config_hash", "render_runtime_s",
                 "scoring_runtime_s", "error"):  # fmt: skip
        assert hasattr(res, attr), attr
    if not res.ok:
        raise AdapterFailure(res.error)
    return dict(res.payload)


def call_by_cli(
    job: dict[str, Any], timeout: float = 300, cwd: Path | None = None
) -> dict[str, Any]:
    out_dir = Path(job["out_dir"])
    cmd = [sys.executable, "-m", "vfscore", "--cand-glb", job["cand_glb"]]
    cmd += ["--ref-images", *job["ref_images"], "--out-dir", job["out_dir"]]
    cmd += ["--repeats", str(job["repeats"])]
    try:
        proc = subprocess.run(
            cmd, check=True, capture_output=True, text=True, timeout=timeout, cwd=cwd
        )
    except subprocess.CalledProcessError as exc:
        raise AdapterFailure(
            f"VFScore failed (exit {exc.returncode}): {exc.stderr[:150]}"
        ) from None
    result = out_dir / "result.json"
    doc: dict[str, Any] = json.loads(result.read_text() if result.exists() else proc.stdout)
    return doc


def archi3d_rewrites(out_dir: Path, payload: dict[str, Any]) -> None:
    """archi3D's own result.json (its subset, other keys null) and config.json, over VFScore's."""
    subset = {k: payload.get(k) for k in READ_KEYS}
    subset["vfscore_overall"] = payload.get("vfscore_overall_median")
    subset["tool_version"] = payload.get("version")
    subset["gt_image_path"] = None
    (out_dir / "result.json").write_text(json.dumps(subset))
    (out_dir / "config.json").write_text(json.dumps({"written_by": "archi3d"}))


def cached(out_dir: Path) -> tuple[Any, Any] | None:
    """archi3D's cache read on a later run: (vfscore_overall, tool_version) from result.json."""
    path = out_dir / "result.json"
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    return doc["vfscore_overall"], doc["tool_version"]
