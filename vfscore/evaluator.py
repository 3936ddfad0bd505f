"""archi3D's entry into VFScore: :func:`evaluate_visual_fidelity`, one job in, its payload out.

archi3D's adapter finds this module with ``importlib.util.find_spec("vfscore")`` and calls the
function with keyword arguments; it expects a dict and turns an exception into the job's error
text. Configuration comes from the same places as the CLI's: ``$VFSCORE_CONFIG``, else
``<workspace>/vfscore.toml``, else the defaults (the offline judge).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driver.config.loader import ConfigError, load_config
from driver.config.settings import build_settings, default_cache_dir
from driver.pipeline.evaluator import VFScoreRequest, VFScoreResponse, evaluate
from rubric.core.definition import RubricError
from rubric.core.errors import FatalJudgeError
from rubric.llm.config import JudgeConfigError


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
    """A request from a caller's plain values: paths resolved, the timeout as seconds."""
    return VFScoreRequest(
        cand_glb=Path(cand_glb).resolve(),
        ref_images=tuple(Path(p).resolve() for p in ref_images),
        out_dir=Path(out_dir).resolve(),
        repeats=int(repeats),
        timeout_s=float(timeout_s) if timeout_s is not None else None,
        workspace=Path(workspace).resolve() if workspace else None,
        algo=algo,
    )


def evaluate_request(
    req: VFScoreRequest, blender_exe: str | None = None, judge: str | None = None
) -> VFScoreResponse:
    """Evaluate one request with the discovered configuration; raises :class:`VFScoreError`
    when the configuration is unusable or the judge refuses the credentials or the quota."""
    try:
        settings = build_settings(
            load_config(None, req.workspace),
            judge_spec=judge,
            cache_dir=default_cache_dir(),
            extra={"repeats": req.repeats, "timeout_s": req.timeout_s},
            blender_exe=blender_exe,
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
    ``gt_image_path``. ``blender_exe`` is the Blender binary to launch (default:
    ``$VFSCORE_BLENDER``, else the ``bpy`` wheel); ``algo`` is recorded in the payload. VFScore
    prints nothing here (Blender's output goes to files in ``out_dir``), so ``quiet`` needs no
    action; it is accepted for archi3D's signature.

    Raises :class:`VFScoreError` with the one-line reason when the job cannot be scored.
    """
    del quiet  # nothing is printed either way
    req = make_request(cand_glb, ref_images, out_dir, repeats, timeout_s, workspace, algo)
    response = evaluate_request(req, blender_exe)
    if not response.ok or response.payload is None:
        raise VFScoreError(response.error or "unknown error")
    return response.payload
