"""From a distance to a 0-100 score: ``100 * exp(-distance / SCALE)``, rounded half up.

The SCALE constants are the distances that cost a score of 63 points (100 → 37).
"""

from __future__ import annotations

import math

from rubric.core.rounding import round_half_up

# Score scales: the distance at which a dimension's score falls to 37.
SCALE = {
    "color_palette": 25.0,  # earth mover's distance between palettes, in ΔE2000
    "texture_identity": 0.35,  # mean chi-square distance of texture histograms, plus edge density
    "texture_scale_placement": 0.9,  # |log2 spectral-centroid ratio| + layout ΔE / 40
    "finish": 0.5,  # weighted highlight-statistics distance
}


# Aligned measures (rubric.offline.aligned), per dimension: (tolerance, scale). A photo and a
# faithful model never coincide pixel for pixel (another renderer, another light), so the distance
# first loses a tolerance. Calibrated on the real assets of ../shared/realworld
# (benchmarks/bench_judge_v2.py), never on the tests' fixtures.
ALIGNED: dict[str, tuple[float, float]] = {
    "color_palette": (6.0, 6.0),  # chroma-weighted mean CIEDE2000 (kL = 2), smoothed images
    "texture_identity": (0.30, 0.04),  # 1 - mean local contrast (fine) / SSIM (coarse), L* and C*
    "texture_scale_placement": (5.0, 8.0),  # mean CIEDE2000 of the region means
    "finish": (0.6, 1.0),  # highlight share (log ratio) and rise (/ 10 L*) differences
}


def score_from_distance(distance: float, scale: float) -> int:
    """``round_half_up(100 * exp(-distance / scale))``, clamped to 0..100."""
    return max(0, min(100, round_half_up(100 * math.exp(-distance / scale))))
