"""The two stages of a job: render (or reuse) the standard views, then judge them."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from blender_addon.contract.digest import sha256_file
from blender_addon.contract.pose_match import (
    MAX_TARGETS,
    PoseTarget,
    frame_signature,
    signature,
    targets_key,
)
from blender_addon.contract.render_job import RESULT_FILE, RenderFailure, RenderJob, check_glb
from driver.config.settings import RunSettings
from driver.pipeline.launcher import (
    RenderLaunchError,
    RenderOutcome,
    RenderTimeout,
    blender_binary,
    run_render,
)
from driver.results.layout import RENDERS
from driver.results.thumbs import ensure_thumbnail
from rubric import FatalJudgeError, ImageInputError, JudgeError, JudgeResult, MatchedView


class EvaluationError(Exception):
    """This job failed; the message is the one line that goes to ``vf_error``."""


@dataclass(frozen=True)
class RenderStage:
    views: list[Path]
    result: dict[str, Any]
    seconds: float
    cached: bool
    matched: tuple[MatchedView, ...] = ()


def renderer_version(blender: str | None = None) -> str:
    """What the render cache keys on: the Blender binary's path or the bpy wheel's version."""
    binary = blender_binary(blender)
    if binary:
        return f"binary:{binary}"
    try:
        return f"bpy {package_version('bpy')}"
    except PackageNotFoundError:
        return "bpy unknown"


def _reusable(
    result: dict[str, Any], glb_sha: str, settings: RunSettings, match_key: str | None
) -> bool:
    if not (
        result.get("ok")
        and result.get("glb", {}).get("sha256") == glb_sha
        and result.get("spec_hash") == settings.spec.spec_hash()
        and result.get("renderer") == renderer_version(settings.blender)
        and result.get("match_key") == match_key
    ):
        return False
    # Renders made while missing textures were allowed are not valid once they are not.
    return settings.allow_missing_textures or not any(
        str(w).startswith("missing texture") for w in result.get("warnings", [])
    )


def cached_render(
    render_dir: Path, glb_sha: str, settings: RunSettings, match_key: str | None = None
) -> dict[str, Any] | None:
    """The render result in ``render_dir`` if its views can be reused for this model and spec
    (and, with ``match_key``, the same photos' poses)."""
    try:
        result = json.loads((render_dir / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict) or not _reusable(result, glb_sha, settings, match_key):
        return None
    made = [v for v in result.get("matched", []) if v.get("file")]
    for view in [*result.get("views", []), *made]:
        file = render_dir / view["file"]
        if not file.is_file() or sha256_file(file) != view["sha256"]:
            return None
    return result


# Runs one render job: (job, timeout_s, log folder, cancel) → outcome. Locally a Blender process
# (run_render); on a cluster a Dask task (driver.pipeline.cluster).
Runner = Callable[[RenderJob, float | None, Path, threading.Event | None], RenderOutcome]


def pose_targets(refs: Sequence[Path], settings: RunSettings) -> tuple[PoseTarget, ...]:
    """The photos' shapes to match, when the judge compares like with like (else none)."""
    shapes = settings.judge.pose_targets(list(refs)) if refs else []
    named = [(_target_name(i), s) for i, s in enumerate(shapes) if s][:MAX_TARGETS]
    return tuple(
        PoseTarget(
            name,
            frame_signature(s.mask) if s.framed else signature(s.mask),
            s.framed,
            s.reading,
        )
        for name, readings in named
        for s in readings
    )


def _target_name(index: int) -> str:
    """The pose target of the photo at ``index``: what the render result's ``matched`` names."""
    return f"ref{index:02d}"


def matched_views(
    result: dict[str, Any], refs: Sequence[Path], render_dir: Path
) -> tuple[MatchedView, ...]:
    """The render result's matched views, paired with the photos they match."""
    by_name = {_target_name(i): p for i, p in enumerate(refs)}
    return tuple(
        MatchedView(
            by_name[m["name"]],
            render_dir / m["file"] if m.get("file") else None,
            float(m["azimuth_deg"]),
            float(m["elevation_deg"]),
            float(m["iou"]),
            str(m.get("reading", "product")),
            bool(m.get("framed", False)),
            float(m.get("share", 1.0)),
        )
        for m in result.get("matched", [])
        if m.get("name") in by_name
    )


def render_stage(
    glb: Path,
    out_dir: Path,
    timeout_s: float | None,
    settings: RunSettings,
    cancel: threading.Event | None = None,
    runner: Runner | None = None,
    refs: Sequence[Path] = (),
) -> RenderStage:
    """Render the standard views into ``out_dir/renders``, or reuse them (same GLB bytes, spec,
    renderer and texture policy) unless the run is a redo. ``runner`` runs the render job
    (default: Blender here). With ``refs`` and a pose-matching judge, also the views that match
    the photos' poses."""
    render_dir = out_dir / RENDERS
    try:
        # Before hashing or launching anything: a broken or hostile file costs microseconds.
        check_glb(glb)
    except RenderFailure as failure:
        raise EvaluationError(failure.line) from None
    glb_sha = sha256_file(glb)
    try:
        targets = pose_targets(refs, settings)
    except ImageInputError as exc:  # a photo whose header passed the check but not its pixels
        raise EvaluationError(str(exc)) from None
    key = targets_key(targets) if targets else None
    if not settings.redo:
        cached = cached_render(render_dir, glb_sha, settings, key)
        if cached is not None:
            views = [render_dir / v["file"] for v in cached["views"]]
            matched = matched_views(cached, refs, render_dir)
            return RenderStage(views, cached, 0.0, True, matched)
    if render_dir.exists():
        shutil.rmtree(render_dir)
    job = RenderJob(glb, render_dir, settings.spec, settings.allow_missing_textures, match=targets)
    try:
        if runner is None:
            outcome = run_render(job, timeout_s, out_dir, cancel, settings.blender)
        else:
            outcome = runner(job, timeout_s, out_dir, cancel)
    except RenderTimeout:
        raise EvaluationError(f"timeout: rendering took longer than {timeout_s:g}s") from None
    except RenderLaunchError as exc:
        raise EvaluationError(str(exc)) from None
    result = outcome.result
    if outcome.returncode != 0 or not result.get("ok"):
        message = (result.get("error") or {}).get("message")
        if not message:
            message = f"Blender exited with code {outcome.returncode} (see blender_stderr.txt)"
        raise EvaluationError(message)
    result["renderer"] = renderer_version(settings.blender)
    result["match_key"] = key
    write_json_atomic(render_dir / RESULT_FILE, result)
    views = [render_dir / v["file"] for v in result["views"]]
    for view in views:  # for the report: milliseconds now, minutes for 10,000 jobs later
        ensure_thumbnail(view)
    matched = matched_views(result, refs, render_dir)
    return RenderStage(views, result, outcome.seconds, False, matched)


def judge_stage(
    refs: Sequence[Path],
    repeats: int,
    settings: RunSettings,
    views: list[Path],
    matched: Sequence[MatchedView] = (),
) -> tuple[JudgeResult, float]:
    """Judge the views (and the matched views, for a judge that uses them) against the
    references; FatalJudgeError propagates (stop the batch)."""
    start = time.perf_counter()
    judge = settings.judge
    try:
        r, g, b = (round(255 * c) for c in settings.spec.background_rgb)
        result = judge.judge(list(refs), views, repeats, (r, g, b), matched)
    except FatalJudgeError:
        raise
    except (JudgeError, ImageInputError) as exc:
        raise EvaluationError(f"judge failed: {exc}") from None
    return result, time.perf_counter() - start
