"""The evaluator contract: VFScoreRequest → VFScoreResponse, and the two stages behind it.

A job is rendered (Blender in its own process, under the timeout) and then judged. The batch runs
the two stages in separate pools; :func:`evaluate` runs them back to back for a single job.
Every artifact lands in the request's ``out_dir``:

    renders/            PNGs, render_job.json, render_result.json
    blender_stdout.txt, blender_stderr.txt
    rationales/rep_N.txt
    result.json         the canonical payload (only for a scored job)
    error.json          the error of a failed job
    config.json         the effective configuration (never a secret)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from blender_addon.render_job import RESULT_FILE, RenderJob, write_json_atomic
from blender_addon.spec import RenderSpec
from driver import __version__
from driver.render_launcher import BLENDER_ENV, RenderCancelled, RenderTimeout, run_render
from hdri.registry import load_registry, sha256_file
from rubric.errors import FatalJudgeError, JudgeError
from rubric.judge import Judge, JudgeResult
from rubric.prompt import ImageInputError

RESULT_JSON = "result.json"
ERROR_JSON = "error.json"
CONFIG_JSON = "config.json"
RENDERS = "renders"
RATIONALES = "rationales"


@dataclass(frozen=True)
class VFScoreRequest:
    cand_glb: Path
    ref_images: tuple[Path, ...]
    out_dir: Path
    repeats: int
    timeout_s: float | None
    workspace: Path | None = None


@dataclass(frozen=True)
class VFScoreResponse:
    ok: bool
    payload: dict[str, Any] | None
    tool_version: str
    config_hash: str
    render_runtime_s: float | None
    scoring_runtime_s: float | None
    error: str | None


class EvaluationError(Exception):
    """This job failed; the message is the one line that goes to ``vf_error``."""


@dataclass(frozen=True)
class EvaluatorSettings:
    """What is the same for every job of a run."""

    spec: RenderSpec
    judge: Judge
    config: dict[str, Any]  # the effective configuration, as written to config.json
    redo: bool = False

    @property
    def config_hash(self) -> str:
        canon = json.dumps(self.config, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()


def effective_config(spec: RenderSpec, judge: Judge, extra: dict[str, Any]) -> dict[str, Any]:
    """config.json: RenderSpec and hash, HDRI and sha256, rubric, judge, run settings."""
    entry = load_registry().get(spec.hdri_alias)
    judge_cfg: dict[str, Any] = {"provenance": judge.provenance}
    cfg = getattr(judge, "cfg", None)
    if cfg is not None:
        judge_cfg.update(cfg.to_dict())  # holds the NAME of the key variable, never the key
    rubric = judge.rubric
    return {
        "tool_version": __version__,
        "render_spec": spec.to_dict(),
        "spec_hash": spec.spec_hash(),
        "hdri": {"alias": spec.hdri_alias, "sha256": entry.sha256 if entry else None},
        "rubric": {**rubric.to_dict(), "hash": rubric.rubric_hash()},
        "judge": judge_cfg,
        **extra,
    }


def renderer_version() -> str:
    """What the render cache keys on: the Blender binary's path or the bpy wheel's version."""
    if os.environ.get(BLENDER_ENV):
        return f"binary:{os.environ[BLENDER_ENV]}"
    try:
        return f"bpy {package_version('bpy')}"
    except PackageNotFoundError:
        return "bpy unknown"


@dataclass(frozen=True)
class RenderStage:
    views: list[Path]
    result: dict[str, Any]
    seconds: float
    cached: bool


def _cached_render(render_dir: Path, glb_sha: str, spec: RenderSpec) -> dict[str, Any] | None:
    path = render_dir / RESULT_FILE
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        result.get("ok")
        and result.get("glb", {}).get("sha256") == glb_sha
        and result.get("spec_hash") == spec.spec_hash()
        and result.get("renderer") == renderer_version()
    ):
        return None
    for view in result.get("views", []):
        file = render_dir / view["file"]
        if not file.is_file() or sha256_file(file) != view["sha256"]:
            return None
    return result  # type: ignore[no-any-return]


def render_stage(
    req: VFScoreRequest, settings: EvaluatorSettings, cancel: threading.Event | None = None
) -> RenderStage:
    """Render the standard views, or reuse them (same GLB bytes, spec and renderer)."""
    render_dir = req.out_dir / RENDERS
    glb_sha = sha256_file(req.cand_glb)
    if not settings.redo:
        cached = _cached_render(render_dir, glb_sha, settings.spec)
        if cached is not None:
            return RenderStage([render_dir / v["file"] for v in cached["views"]], cached, 0.0, True)
    if render_dir.exists():
        shutil.rmtree(render_dir)
    job = RenderJob(req.cand_glb, render_dir, settings.spec)
    try:
        outcome = run_render(job, req.timeout_s, log_dir=req.out_dir, cancel=cancel)
    except RenderTimeout:
        raise EvaluationError(f"timeout: rendering took longer than {req.timeout_s:g}s") from None
    except RenderCancelled:
        raise EvaluationError("not evaluated: the run was interrupted") from None
    result = outcome.result
    if outcome.returncode != 0 or not result.get("ok"):
        message = (result.get("error") or {}).get("message")
        if not message:
            message = f"Blender exited with code {outcome.returncode} (see blender_stderr.txt)"
        raise EvaluationError(message)
    result["renderer"] = renderer_version()
    write_json_atomic(render_dir / RESULT_FILE, result)
    return RenderStage(
        [render_dir / v["file"] for v in result["views"]], result, outcome.seconds, False
    )


def judge_stage(
    req: VFScoreRequest, settings: EvaluatorSettings, views: list[Path]
) -> tuple[JudgeResult, float]:
    """Judge the views against the references; FatalJudgeError propagates (stop the batch)."""
    start = time.perf_counter()
    try:
        r, g, b = (round(255 * c) for c in settings.spec.background_rgb)
        result = settings.judge.judge(list(req.ref_images), views, req.repeats, (r, g, b))
    except FatalJudgeError:
        raise
    except (JudgeError, ImageInputError) as exc:
        raise EvaluationError(f"judge failed: {exc}") from None
    return result, time.perf_counter() - start


def write_success(
    req: VFScoreRequest,
    settings: EvaluatorSettings,
    render: RenderStage,
    judged: JudgeResult,
    scoring_s: float,
) -> VFScoreResponse:
    """Rationales, config.json and result.json (last, so its presence means "finished")."""
    out = req.out_dir
    rationale_dir = out / RATIONALES
    if rationale_dir.exists():
        shutil.rmtree(rationale_dir)
    rationale_dir.mkdir(parents=True)
    for i, text in enumerate(judged.rationale_texts()):
        (rationale_dir / f"rep_{i}.txt").write_text(text, encoding="utf-8")
    write_json_atomic(out / CONFIG_JSON, settings.config)
    (out / ERROR_JSON).unlink(missing_ok=True)
    spec = settings.spec
    r = render.result
    payload = judged.payload()
    payload.update(
        render_settings={
            "engine": spec.engine,
            "hdri": {
                **(r.get("hdri") or {}),
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
                "margin": spec.rig.margin,
            },
            "seed": spec.seed,
            "background_rgb": list(spec.background_rgb),
            "samples": spec.samples,
            "resolution": list(spec.resolution),
            "spec_hash": spec.spec_hash(),
        },
        renders=[f"{RENDERS}/{p.name}" for p in render.views],
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
    )
    ok = payload["vfscore_overall_median"] is not None
    if not ok:
        raise EvaluationError(
            f"judge gave no valid answer in {payload['repeats_requested']} repeat(s) "
            f"({payload['invalid_answers']} invalid answers; see {RATIONALES}/)"
        )
    write_json_atomic(out / RESULT_JSON, payload)
    return VFScoreResponse(
        True,
        payload,
        __version__,
        settings.config_hash,
        payload["render_runtime_s"],
        payload["scoring_runtime_s"],
        None,
    )


def failure(
    req: VFScoreRequest, settings: EvaluatorSettings, message: str, render_s: float | None = None
) -> VFScoreResponse:
    """Record a failed job (error.json) and answer with its one-line error."""
    line = " ".join(message.split())[:2000]
    req.out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(req.out_dir / ERROR_JSON, {"error": line, "tool_version": __version__})
    return VFScoreResponse(False, None, __version__, settings.config_hash, render_s, None, line)


def load_finished(out_dir: Path) -> dict[str, Any] | None:
    """The payload of a job that finished earlier (result.json), or None."""
    try:
        payload = json.loads((out_dir / RESULT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("vfscore_overall_median") is None:
        return None
    return payload


def evaluate(req: VFScoreRequest, settings: EvaluatorSettings) -> VFScoreResponse:
    """Render then judge one job; every failure becomes ``ok=False`` with its message.

    FatalJudgeError (credentials, quota) is raised: it concerns the run, not this job.
    """
    start = time.perf_counter()
    try:
        render = render_stage(req, settings)
        if req.timeout_s is not None and time.perf_counter() - start > req.timeout_s:
            raise EvaluationError(f"timeout: the job took longer than {req.timeout_s:g}s")
        judged, scoring_s = judge_stage(req, settings, render.views)
        return write_success(req, settings, render, judged, scoring_s)
    except EvaluationError as exc:
        return failure(req, settings, str(exc))
