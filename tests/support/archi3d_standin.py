"""A test-only stand-in of archi3D's VFScore adapter and of its per-job step, written from its
source (github mattiaTagliente/archi3D at f8fb772: ``metrics/vfscore_adapter.py``,
``metrics/discovery.py``, ``metrics/vfscore.py``) and checked against a run of the real tool.

What it keeps of the real one, defaults included:
- ``blender_exe`` is always passed on the import path: archi3D reads it from its ``global.yaml``,
  whose default is a Windows path on every OS (:data:`ARCHI3D_BLENDER_EXE`), and ``quiet=False``;
- an exception on the import path is stored as ``VFScore error: <message>`` followed by
  archi3D's own ``Traceback:`` of it;
- the command path runs ``python -m vfscore`` resolved through PATH, with no workspace and no
  timeout argument (the timeout bounds the subprocess), ``check=True``, and reads
  ``<out_dir>/result.json``, else stdout; a failure is ``VFScore failed (exit N): <stderr[:150]>``;
- after a success it rewrites result.json with its normalised subset (no ``vfscore_overall``,
  ``version``, ``tool_version`` or ``config_hash``) and config.json with four keys of its own;
- a job whose result.json exists is read from it instead of being evaluated (its "cache").
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import shutil
import subprocess
import traceback
from pathlib import Path
from types import SimpleNamespace
from typing import Any

# archi3D's tools.blender_exe default (global.yaml and its schema), used on Linux too.
ARCHI3D_BLENDER_EXE = "C:/Program Files/Blender Foundation/Blender 4.5/blender.exe"
# The keys of archi3D's _normalize_payload, which it writes back as result.json.
NORMALISED_KEYS = (
    "vfscore_overall_median", "lpips_distance", "lpips_model", "iou", "mask_error",
    "pose_confidence", "gamma", "pose_compensation_c", "azimuth_deg", "elevation_deg", "radius",
    "fov_deg", "obj_yaw_deg", "pipeline_mode", "num_step2_candidates", "num_step4_candidates",
    "num_selected_candidates", "best_lpips_idx", "artifacts_dir", "gt_image_path",
    "render_image_path", "vf_subscores_median", "repeats_n", "scores_all", "subscores_all", "iqr",
    "std", "llm_model", "rubric_weights", "render_settings",
)  # fmt: skip


class AdapterFailure(Exception):
    """A failed job: ``str()`` is what archi3D stores in ``vf_error``; ``message`` is what
    VFScore itself said (the exception's text, or the command's stderr)."""

    def __init__(self, stored: str, message: str) -> None:
        super().__init__(stored)
        self.message = message


def call_by_import(job: dict[str, Any]) -> dict[str, Any]:
    """archi3D's ``_try_import_api``: keyword call, its defaults for what the job leaves out."""
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
            blender_exe=job.get("blender_exe", ARCHI3D_BLENDER_EXE),
            quiet=False,
            algo=job.get("algo"),
        )
    except Exception as exc:
        stored = f"VFScore error: {exc}\nTraceback:\n{traceback.format_exc()}"
        raise AdapterFailure(stored, str(exc)) from None
    assert isinstance(payload, dict)
    return payload


def call_by_entry_point(job: dict[str, Any]) -> dict[str, Any]:
    """The ``archi3d.metrics_adapters`` entry point, with archi3D's request fields."""
    (ep,) = [
        e
        for e in importlib.metadata.entry_points(group="archi3d.metrics_adapters")
        if e.name == "vfscore"
    ]
    adapter = ep.load()()
    req = SimpleNamespace(
        cand_glb=Path(job["cand_glb"]),
        ref_images=[Path(p) for p in job["ref_images"]],
        out_dir=Path(job["out_dir"]),
        repeats=job["repeats"],
        timeout_s=job.get("timeout_s"),
        workspace=Path(job["workspace"]) if job.get("workspace") else None,
        blender_exe=Path(job.get("blender_exe", ARCHI3D_BLENDER_EXE)),
        algo=job.get("algo"),
    )
    res = adapter.evaluate(req)
    for attr in ("ok", "payload", "tool_version", "config_hash", "render_runtime_s",
                 "scoring_runtime_s", "error"):  # fmt: skip
        assert hasattr(res, attr), attr
    if not res.ok:
        raise AdapterFailure(res.error, res.error)
    return dict(res.payload)


def call_by_cli(job: dict[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    """archi3D's ``_try_cli_invocation``: ``python`` from PATH, no workspace, no timeout flag."""
    python = shutil.which("python")
    assert python is not None, "archi3D runs `python` from PATH"
    out_dir = Path(job["out_dir"])
    cmd = [python, "-m", "vfscore", "--cand-glb", str(job["cand_glb"]), "--ref-images"]
    cmd += [str(p) for p in job["ref_images"]]
    cmd += ["--out-dir", str(out_dir), "--repeats", str(job["repeats"])]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=job.get("timeout_s"), check=True, cwd=cwd
        )
    except subprocess.TimeoutExpired:
        raise AdapterFailure("VFScore timeout", "") from None
    except subprocess.CalledProcessError as exc:
        stored = f"VFScore failed (exit {exc.returncode}): {exc.stderr[:150]}"
        raise AdapterFailure(stored, exc.stderr) from None
    result = out_dir / "result.json"
    doc: dict[str, Any] = json.loads(result.read_text() if result.exists() else proc.stdout)
    return doc


def archi3d_job(
    job: dict[str, Any], how: str = "import", cwd: Path | None = None
) -> dict[str, Any]:
    """archi3D's ``_process_job`` for one job: the ``vf_*`` cells it upserts.

    Reads result.json as a cache when it exists; else calls VFScore (``how``: import, cli or
    entry_point) and, on success, rewrites result.json and config.json as archi3D does.
    """
    out_dir = Path(job["out_dir"])
    result = out_dir / "result.json"
    if result.exists():
        payload = json.loads(result.read_text(encoding="utf-8"))
        return {
            "vf_status": "ok",
            "vfscore_overall": payload.get("vfscore_overall"),
            "vf_tool_version": payload.get("tool_version"),
            "vf_config_hash": payload.get("config_hash"),
            "vf_artifacts_dir": payload.get("artifacts_dir"),
            "vf_gt_image_path": payload.get("gt_image_path"),
            "vf_render_image_path": payload.get("render_image_path"),
        }
    call = {"import": call_by_import, "entry_point": call_by_entry_point}.get(how)
    try:
        raw = call(job) if call else call_by_cli(job, cwd)
    except AdapterFailure as failure:
        return {"vf_status": "error", "vf_error": str(failure), "message": failure.message}
    normalised = {k: raw.get(k) for k in NORMALISED_KEYS}
    out_dir.mkdir(parents=True, exist_ok=True)
    result.write_text(json.dumps(normalised, indent=2), encoding="utf-8")
    (out_dir / "config.json").write_text(
        json.dumps(
            {
                "render_settings": raw.get("render_settings", {}),
                "rubric_weights": raw.get("rubric_weights", {}),
                "llm_model": raw.get("llm_model"),
                "repeats": job["repeats"],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return {
        "vf_status": "ok",
        "vfscore_overall": raw.get("vfscore_overall_median"),
        "vf_tool_version": raw.get("version"),
        "vf_config_hash": raw.get("config_hash"),
        "vf_artifacts_dir": raw.get("artifacts_dir"),
        "vf_gt_image_path": raw.get("gt_image_path"),
        "vf_render_image_path": raw.get("render_image_path"),
    }
