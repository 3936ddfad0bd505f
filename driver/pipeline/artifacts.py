"""A job's artifacts in its folder (``runs/<run>/metrics/vfscore/<job>/``):

renders/            PNGs, render_job.json, render_result.json
blender_stdout.txt, blender_stderr.txt
rationales/rep_N.txt
vfscore_result.json VFScore's complete record of a scored job (written last: its presence means
                    "finished"); callers such as archi3D never overwrite it
result.json         the same payload, for callers: archi3D reads it back, then rewrites it with
                    its own subset
error.json          the error of a failed job
config.json         the effective configuration (never a secret)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from blender_addon.contract.digest import sha256_file
from blender_addon.contract.spec import RenderSpec
from driver import __version__
from driver.config.settings import RunSettings
from driver.pipeline.stages import EvaluationError, RenderStage
from driver.results.layout import (
    CONFIG_JSON,
    ERROR_JSON,
    RATIONALES,
    RECORD_JSON,
    RENDERS,
    RESULT_JSON,
)
from driver.results.records import write_rationales
from driver.ssot.workspace import UnsafePathError, rel_to_workspace
from rubric import JudgeResult


def render_settings(spec: RenderSpec, render_result: dict[str, Any]) -> dict[str, Any]:
    """What result.json records of the standard render."""
    return {
        "engine": "CYCLES",
        "hdri": {
            **(render_result.get("hdri") or {}),
            "strength": spec.hdri_strength,
            "rotation_deg": spec.hdri_rotation_deg,
        },
        "camera": {
            "preset": spec.preset,
            "views": [
                {"name": v.name, "azimuth_deg": v.azimuth_deg, "elevation_deg": v.elevation_deg}
                for v in spec.rig.views
            ],
            "fov_deg": spec.rig.fov_deg,
            "fill": spec.rig.fill,
        },
        "seed": spec.seed,
        "background_rgb": list(spec.background_rgb),
        "samples": spec.samples,
        "resolution": list(spec.resolution),
        "spec_hash": spec.spec_hash(),
    }


@dataclass(frozen=True)
class JobPlace:
    """Where a job's inputs and artifacts are, and who asked for it."""

    out_dir: Path
    refs: tuple[Path, ...]
    workspace: Path | None = None  # artifact paths are recorded relative to it
    algo: str | None = None  # the generator, as the caller names it (provenance)
    warnings: tuple[str, ...] = ()  # inputs left out (an unusable second photo, say)
    workspace_from: str | None = None  # how the workspace was found (see locate_workspace)


def _workspace_path(workspace: Path | None, path: Path) -> str | None:
    if workspace is None:
        return None
    try:
        return rel_to_workspace(workspace, path)
    except UnsafePathError:
        return None


def artifact_paths(place: JobPlace, render: RenderStage) -> dict[str, str | None]:
    """Workspace-relative paths of the job folder, its first render and its first photo."""
    ws = place.workspace
    return {
        "artifacts_dir": _workspace_path(ws, place.out_dir),
        "render_image_path": _workspace_path(ws, render.views[0]) if render.views else None,
        "gt_image_path": _workspace_path(ws, place.refs[0]) if place.refs else None,
    }


def job_inputs(model_sha256: str, refs: tuple[Path, ...], settings: RunSettings) -> dict[str, Any]:
    """The fingerprint of what a job is made from: model bytes, photo bytes, spec, judge, rubric.
    A finished result is reused only for the same fingerprint (a regenerated model at the same
    path, a new photo or another judge means the old score no longer applies)."""
    return {
        "model_sha256": model_sha256,
        "photos_sha256": [sha256_file(p) for p in refs],
        **settings.input_hashes(),
    }


def build_payload(
    place: JobPlace,
    settings: RunSettings,
    render: RenderStage,
    judged: JudgeResult,
    scoring_s: float,
) -> dict[str, Any]:
    """The canonical payload: the judge's aggregate plus render provenance and timings, and the
    keys callers read back (``vfscore_overall``, ``version``, artifact paths)."""
    r = render.result
    payload = judged.payload()
    payload.update(
        vfscore_overall=payload["vfscore_overall_median"],
        version=__version__,
        algo=place.algo,
        **artifact_paths(place, render),
        workspace_from=place.workspace_from,
        render_settings=render_settings(settings.spec, r),
        renders=[f"{RENDERS}/{p.name}" for p in render.views],
        matched_views=[
            {
                "photo": _workspace_path(place.workspace, m.photo) or m.photo.name,
                "render": f"{RENDERS}/{m.render.name}" if m.render is not None else None,
                "azimuth_deg": m.azimuth_deg,
                "elevation_deg": m.elevation_deg,
                "iou": m.iou,
                "reading": m.reading,
                "framed": m.framed,
            }
            for m in render.matched
        ],
        rationales_dir=RATIONALES,
        blender_version=r.get("blender_version"),
        device=r.get("device"),
        render_warnings=r.get("warnings", []),
        render_timings=r.get("timings", {}),
        render_cached=render.cached,
        tool_version=__version__,
        config_hash=settings.config_hash,
        render_runtime_s=round(render.seconds, 3),
        scoring_runtime_s=round(scoring_s, 3),
        input_warnings=list(place.warnings),
        inputs=job_inputs(str((r.get("glb") or {}).get("sha256")), place.refs, settings),
    )
    return payload


def write_success(
    place: JobPlace,
    settings: RunSettings,
    render: RenderStage,
    judged: JudgeResult,
    scoring_s: float,
) -> dict[str, Any]:
    """Rationales, config.json, result.json, and last the record (its presence means
    "finished"). Raises :class:`EvaluationError` when no repeat gave a valid answer.
    """
    out_dir = place.out_dir
    payload = build_payload(place, settings, render, judged, scoring_s)
    write_rationales(out_dir, judged.rationale_texts())
    write_json_atomic(out_dir / CONFIG_JSON, settings.config)
    (out_dir / ERROR_JSON).unlink(missing_ok=True)
    if payload["vfscore_overall_median"] is None:
        raise EvaluationError(
            f"judge gave no valid answer in {payload['repeats_requested']} repeat(s) "
            f"({payload['invalid_answers']} invalid answers; see {RATIONALES}/)"
        )
    write_json_atomic(out_dir / RESULT_JSON, payload)
    write_json_atomic(out_dir / RECORD_JSON, payload)
    return payload


def load_finished(
    out_dir: Path, glb: Path, refs: tuple[Path, ...], settings: RunSettings
) -> dict[str, Any] | None:
    """The payload of a job that finished earlier from these very inputs, or None.

    Only VFScore's own record counts (a result.json alone may be archi3D's rewrite of it, with a
    subset of the keys), and only if its fingerprint (:func:`job_inputs`) is this job's: same
    model bytes, photos, spec, judge and rubric.
    """
    record = out_dir / RECORD_JSON
    if not record.is_file():
        return None
    try:
        payload = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("vfscore_overall_median") is None:
        return None
    try:
        expected = job_inputs(sha256_file(glb), refs, settings)
    except OSError:
        return None
    return payload if payload.get("inputs") == expected else None
