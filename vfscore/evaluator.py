"""archi3D's entry into VFScore: :func:`evaluate_visual_fidelity`, one job in, its payload out.

archi3D's adapter finds this module with ``importlib.util.find_spec("vfscore")`` and calls the
function with keyword arguments; it expects a dict and turns an exception into the job's error
text. Configuration comes from the same places as the CLI's: ``$VFSCORE_CONFIG``, else
``<workspace>/vfscore.toml``, else the defaults (the offline judge).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from driver.config.loader import ConfigError, load_config
from driver.config.settings import build_settings, default_cache_dir, job_limits
from driver.pipeline.evaluator import VFScoreRequest, VFScoreResponse, evaluate
from driver.pipeline.launcher import usable_blender
from driver.ssot.workspace import locate_workspace
from rubric import FatalJudgeError, JudgeConfigError, RubricError


class VFScoreError(RuntimeError):
    """A job VFScore could not score; the message is the one-line reason (no traceback)."""


def make_request(
    cand_glb: str | Path,
    ref_images: list[str] | list[Path],
    out_dir: str | Path,
    repeats: int = 3,
    timeout_s: int | float | None = None,
    workspace: str | Path | None = None,
    algo: str | None = None,
) -> VFScoreRequest:
    """A request from a caller's plain values: paths resolved, the timeout as seconds, the
    workspace as given or inferred from ``out_dir`` (see :func:`locate_workspace`)."""
    out = Path(out_dir).resolve()
    root, found = locate_workspace(Path(workspace) if workspace else None, out)
    return VFScoreRequest(
        cand_glb=Path(cand_glb).resolve(),
        ref_images=tuple(Path(p).resolve() for p in ref_images),
        out_dir=out,
        repeats=int(repeats),
        timeout_s=float(timeout_s) if timeout_s is not None else None,
        workspace=root,
        algo=algo,
        workspace_from=found,
    )


def evaluate_request(
    req: VFScoreRequest,
    blender_exe: str | None = None,
    judge: str | None = None,
    quiet: bool = False,
) -> VFScoreResponse:
    """Evaluate one request with the discovered configuration; raises :class:`VFScoreError`
    when the configuration is unusable or the judge refuses the credentials or the quota.

    A ``blender_exe`` that cannot be launched here is treated as not given: the warning goes
    into the payload's ``input_warnings`` and, unless ``quiet``, to stderr."""
    blender, warning = usable_blender(blender_exe)
    if warning and not quiet:
        print(f"vfscore: warning: {warning}", file=sys.stderr)
    try:
        settings = build_settings(
            load_config(None, req.workspace),
            judge_spec=judge,
            cache_dir=default_cache_dir(),
            extra=job_limits(req.repeats, req.timeout_s),
            blender_exe=blender,
            warnings=(warning,) if warning else (),
        )
        return evaluate(req, settings)
    except (ConfigError, JudgeConfigError, RubricError, FatalJudgeError) as exc:
        raise VFScoreError(" ".join(str(exc).split())) from None


def evaluate_visual_fidelity(
    cand_glb: str,
    ref_images: list[str],
    out_dir: str,
    repeats: int = 3,
    timeout_s: int | float | None = None,
    workspace: str | None = None,
    blender_exe: str | None = None,
    quiet: bool = False,
    algo: str | None = None,
) -> dict[str, Any]:
    """Render ``cand_glb`` in the standard scene, judge it against ``ref_images`` ``repeats``
    times, write the job's artifacts into ``out_dir`` and return the payload.

    The payload is result.json's: the medians (``vfscore_overall_median``,
    ``vf_subscores_median``), ``vfscore_overall``, every repeat, IQR and std, the judge, rubric
    and render settings, ``version``/``tool_version``, ``config_hash``, the runtimes and, with a
    ``workspace``, the workspace-relative ``artifacts_dir``, ``render_image_path`` and
    ``gt_image_path``. Without a ``workspace``, an ``out_dir`` of archi3D's shape
    (``<ws>/runs/<run>/metrics/vfscore/<job>``) names it; ``workspace_from`` says which.
    ``blender_exe`` is the Blender binary to launch (default: ``$VFSCORE_BLENDER``, else the
    ``bpy`` wheel); one that cannot be launched here (archi3D's Windows default on Linux, say) is
    ignored with a warning in ``input_warnings``, also printed to stderr unless ``quiet``
    (Blender's own output goes to files in ``out_dir``). ``algo`` is recorded in the payload.

    Raises :class:`VFScoreError` with the one-line reason when the job cannot be scored.
    """
    req = make_request(cand_glb, ref_images, out_dir, repeats, timeout_s, workspace, algo)
    response = evaluate_request(req, blender_exe, quiet=quiet)
    if not response.ok or response.payload is None:
        raise VFScoreError(response.error or "unknown error")
    return response.payload
