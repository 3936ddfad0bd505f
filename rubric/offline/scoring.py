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


def score_from_distance(distance: float, scale: float) -> int:
    """``round_half_up(100 * exp(-distance / scale))``, clamped to 0..100."""
    return max(0, min(100, round_half_up(100 * math.exp(-distance / scale))))
