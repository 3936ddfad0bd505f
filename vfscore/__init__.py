"""VFScore's public face: what archi3D and other callers import.

    import vfscore
    payload = vfscore.evaluator.evaluate_visual_fidelity(cand_glb=..., ref_images=[...], ...)
    response = vfscore.evaluate(vfscore.VFScoreRequest(...), settings)

The work is done by the packages of the house (``driver``, ``rubric``, ``blender_addon``,
``hdri``); this package names the entry points they offer.
"""

from driver import __version__
from driver.pipeline.evaluator import VFScoreRequest, VFScoreResponse, evaluate
from vfscore import evaluator
from vfscore.evaluator import VFScoreError, evaluate_visual_fidelity

__all__ = [
    "VFScoreError",
    "VFScoreRequest",
    "VFScoreResponse",
    "__version__",
    "evaluate",
    "evaluate_visual_fidelity",
    "evaluator",
]
