"""The offline judge: deterministic appearance scores from image measures, no network.

Same interface and payload as the LLM judge; only the provenance (``offline:appearance-<ver>``)
tells them apart. Being deterministic, every repeat gives the same answer, computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rubric.core.definition import Rubric
from rubric.core.images import WHITE, ImageInputError, fit_within, load_image
from rubric.core.judge import JudgeResult, RepeatResult
from rubric.offline.finish import finish_distance, finish_features
from rubric.offline.foreground import foreground
from rubric.offline.palette import earth_movers, palette
from rubric.offline.placement import scale_placement_distance
from rubric.offline.scoring import SCALE, score_from_distance
from rubric.offline.texture import texture_distance, texture_features
from rubric.offline.views import ImageView, pooled_pixels

OFFLINE_VERSION = "1.0"
ANALYSIS_SIDE = 256
KNOWN_DIMENSIONS = set(SCALE)


def _load(path: Path, what: str) -> tuple[npt.NDArray[np.uint8], ImageView, dict[str, object]]:
    img = load_image(path, what)
    img = img.convert("RGBA") if img.mode in ("RGBA", "LA", "P") else img.convert("RGB")
    arr = np.asarray(fit_within(img, ANALYSIS_SIDE))
    fg = foreground(arr)
    info: dict[str, object] = {
        "file": path.name,
        "mask": fg.method,
        "coverage": round(fg.coverage, 4),
    }
    if fg.warning:
        info["warning"] = fg.warning
    return arr, ImageView.from_rgb(arr[..., :3], fg), info


class OfflineJudge:
    """Scores the rubric's dimensions from colour, texture, spectrum and highlight statistics."""

    def __init__(self, rubric: Rubric) -> None:
        unknown = sorted(set(rubric.names) - KNOWN_DIMENSIONS)
        if unknown:
            raise ValueError(
                f"the offline judge cannot score dimension(s) {', '.join(unknown)}; "
                f"it knows {', '.join(sorted(KNOWN_DIMENSIONS))}"
            )
        self.rubric = rubric
        self.provenance = f"offline:appearance-{OFFLINE_VERSION}"

    def score(
        self, refs: Sequence[Path], renders: Sequence[Path]
    ) -> tuple[dict[str, int], dict[str, str], dict[str, object]]:
        """(subscores, explanation per dimension, measurement details)."""
        if not refs:
            raise ImageInputError("no reference photos given")
        if not renders:
            raise ImageInputError("no renders given")
        loaded_refs = [_load(p, "reference photo") for p in refs]
        loaded_cands = [_load(p, "render") for p in renders]
        r_views = [v for _, v, _ in loaded_refs]
        c_views = [v for _, v, _ in loaded_cands]
        rc, rw = palette(pooled_pixels(r_views))
        cc, cw = palette(pooled_pixels(c_views))
        distances: dict[str, tuple[float, dict[str, float]]] = {
            "color_palette": (earth_movers(rc, rw, cc, cw), {}),
            "texture_identity": texture_distance(
                texture_features(r_views), texture_features(c_views)
            ),
            "texture_scale_placement": scale_placement_distance(r_views, c_views),
            "finish": finish_distance(finish_features(r_views), finish_features(c_views)),
        }
        subscores: dict[str, int] = {}
        explanations: dict[str, str] = {}
        for name in self.rubric.names:
            d, parts = distances[name]
            subscores[name] = score_from_distance(d, SCALE[name])
            numbers = ", ".join(f"{k} {v:.3g}" for k, v in parts.items())
            explanations[name] = f"distance {d:.3g} (score = 100·exp(-d/{SCALE[name]:g}))" + (
                f" — {numbers}" if numbers else ""
            )
        warnings = [i["warning"] for _, _, i in loaded_refs + loaded_cands if "warning" in i]
        if warnings:
            explanations = {
                k: v + " Masks: " + "; ".join(str(w) for w in warnings)
                for k, v in explanations.items()
            }
        details: dict[str, object] = {
            "photos": [i for _, _, i in loaded_refs],
            "renders": [i for _, _, i in loaded_cands],
            "distances": {k: round(v[0], 5) for k, v in distances.items()},
        }
        return subscores, explanations, details

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
    ) -> JudgeResult:
        """``background`` is unused: the offline judge measures the alpha-masked product only."""
        subscores, explanations, details = self.score(refs, renders)
        overall = self.rubric.overall(subscores)
        repeat_results = [
            RepeatResult(i, overall, dict(subscores), dict(explanations)) for i in range(repeats)
        ]
        return JudgeResult(
            self.rubric,
            self.provenance,
            repeat_results,
            http_calls=0,
            cost_usd=0.0,
            details={"provider": "offline", "model": f"appearance-{OFFLINE_VERSION}", **details},
        )
