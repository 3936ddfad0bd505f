"""The ``archi3d.metrics_adapters`` entry point ``vfscore``: archi3D's second way in.

Duck-typed: archi3D's request has ``cand_glb, ref_images, out_dir, repeats, timeout_s,
workspace, blender_exe, algo``; the answer has ``ok, payload, tool_version, config_hash,
render_runtime_s, scoring_runtime_s, error``. VFScore does not depend on archi3D.
"""

from __future__ import annotations

from typing import Any

from driver import __version__
from driver.pipeline.evaluator import VFScoreResponse
from vfscore.evaluator import VFScoreError, evaluate_request, make_request


class VFScoreAdapter:
    """``evaluate(req)`` for archi3D's metrics-adapter protocol."""

    name = "vfscore"

    def evaluate(self, req: Any) -> VFScoreResponse:
        """Score one archi3D request; every failure is ``ok=False`` with its one-line error."""
        request = make_request(
            req.cand_glb,
            req.ref_images,
            req.out_dir,
            getattr(req, "repeats", 3),
            getattr(req, "timeout_s", None),
            getattr(req, "workspace", None),
            getattr(req, "algo", None),
        )
        try:
            blender = getattr(req, "blender_exe", None)
            quiet = bool(getattr(req, "quiet", False))
            return evaluate_request(request, str(blender) if blender else None, quiet=quiet)
        except VFScoreError as exc:
            return VFScoreResponse(False, None, __version__, "", None, None, str(exc))
