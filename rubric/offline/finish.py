"""finish: how highlights rise above the albedo, their tint, and local contrast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rubric.offline.views import ImageView, lightness_patch


@dataclass(frozen=True)
class FinishFeatures:
    highlight_spread: (
        float  # p99.5 - p90 of lightness: how far highlights rise above the bright albedo
    )
    highlight_chroma: (
        float  # chroma of the brightest 2 % relative to the median chroma (metal tints)
    )
    local_contrast: float  # std of lightness minus its 5x5 box blur


def finish_features(views: Sequence[ImageView]) -> FinishFeatures:
    """Highlight statistics of the product pixels.

    The spread is taken above the 90th percentile, not the median, so that the product's colours
    (a darker print, a lighter label) move it as little as possible: glossy and metallic surfaces
    put small, much brighter highlights on top of the brightest albedo.
    """
    lum = np.concatenate([v.pixels()[:, 0] for v in views])
    chroma = np.concatenate([np.hypot(v.pixels()[:, 1], v.pixels()[:, 2]) for v in views])
    p90, p98, p995 = np.percentile(lum, [90, 98, 99.5])
    bright = lum >= p98
    contrasts = []
    for v in views:
        patch, mask = lightness_patch(v)
        k = 5
        pad = np.pad(patch, k // 2, mode="edge")
        blur = (
            sum(
                pad[dy : dy + patch.shape[0], dx : dx + patch.shape[1]]
                for dy in range(k)
                for dx in range(k)
            )
            / k**2
        )
        contrasts.append(float(np.std((patch - blur)[mask])))
    return FinishFeatures(
        highlight_spread=float(p995 - p90),
        highlight_chroma=float(chroma[bright].mean() / max(float(np.median(chroma)), 1.0)),
        local_contrast=float(np.mean(contrasts)),
    )


def finish_distance(a: FinishFeatures, b: FinishFeatures) -> tuple[float, dict[str, float]]:
    parts = {
        "highlight_spread_diff": abs(a.highlight_spread - b.highlight_spread) / 10.0,
        "highlight_chroma_diff": abs(a.highlight_chroma - b.highlight_chroma) / 1.0,
        "local_contrast_diff": abs(a.local_contrast - b.local_contrast) / 3.0,
    }
    return float(np.mean(list(parts.values()))), parts
