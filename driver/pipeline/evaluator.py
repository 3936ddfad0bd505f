"""The evaluator contract: VFScoreRequest → VFScoreResponse, for one job.

A job is rendered (Blender in its own process, under the timeout) and then judged; the batch runs
the two stages in separate pools (driver.pipeline.compute), :func:`evaluate` runs them back to back.
Every artifact lands in the request's ``out_dir`` (see driver.pipeline.artifacts).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driver import __version__
from driver.config.settings import RunSettings
from driver.pipeline.artifacts import JobPlace, write_success
from driver.pipeline.stages import EvaluationError, judge_stage, render_stage
from driver.results.records import record_failure
from rubric import ImageInputError, check_image


@dataclass(frozen=True)
class VFScoreRequest:
    """One job: the model, its reference photos, where its artifacts go, and its limits."""

    cand_glb: Path
    ref_images: tuple[Path, ...]
    out_dir: Path
    repeats: int
    timeout_s: float | None
    workspace: Path | None = None
    algo: str | None = None
    workspace_from: str | None = None  # "given", or "out_dir" when inferred from its shape


@dataclass(frozen=True)
class VFScoreResponse:
    """The answer for one job: the canonical payload, or the one-line error."""

    ok: bool
    payload: dict[str, Any] | None
    tool_version: str
    config_hash: str
    render_runtime_s: float | None
    scoring_runtime_s: float | None
    error: str | None


def check_deadline(start: float, timeout_s: float | None) -> None:
    """Raise the job's timeout error once ``timeout_s`` have passed since ``start``."""
    if timeout_s is not None and time.perf_counter() - start > timeout_s:
        raise EvaluationError(f"timeout: the job took longer than {timeout_s:g}s")


def check_photos(refs: tuple[Path, ...]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """(usable photos, why each other one is left out), checked before anything is rendered;
    :class:`EvaluationError` when none is usable."""
    if not refs:
        raise EvaluationError("no reference photo given")
    usable: list[Path] = []
    problems: list[str] = []
    for path in refs:
        try:
            check_image(path, "reference photo")
        except ImageInputError as exc:
            problems.append(str(exc))
        else:
            usable.append(path)
    if not usable:
        raise EvaluationError(f"no usable reference photo ({'; '.join(problems)})")
    return tuple(usable), tuple(problems)


def evaluate(req: VFScoreRequest, settings: RunSettings) -> VFScoreResponse:
    """Render then judge one job; every failure of this job becomes ``ok=False`` with its message.

    FatalJudgeError (credentials, quota) is raised: it concerns the run, not this job.
    """
    start = time.perf_counter()
    render_s: float | None = None
    try:
        refs, left_out = check_photos(req.ref_images)
        render = render_stage(req.cand_glb, req.out_dir, req.timeout_s, settings, refs=refs)
        render_s = render.seconds
        check_deadline(start, req.timeout_s)
        judged, scoring_s = judge_stage(refs, req.repeats, settings, render.views, render.matched)
        warnings = (*settings.warnings, *left_out)
        place = JobPlace(req.out_dir, refs, req.workspace, req.algo, warnings, req.workspace_from)
        payload = write_success(place, settings, render, judged, scoring_s)
    except EvaluationError as exc:
        line = record_failure(req.out_dir, str(exc))
        return VFScoreResponse(False, None, *_versions(settings), render_s, None, line)
    return VFScoreResponse(
        True,
        payload,
        *_versions(settings),
        payload["render_runtime_s"],
        payload["scoring_runtime_s"],
        None,
    )


def _versions(settings: RunSettings) -> tuple[str, str]:
    return __version__, settings.config_hash
