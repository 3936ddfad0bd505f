"""The one rounding rule of VFScore's scores: half up, never banker's rounding."""

from __future__ import annotations

import math


def round_half_up(x: float) -> int:
    """71.5 → 72 and 70.5 → 71 (Python's ``round`` gives 70 for 70.5)."""
    return math.floor(x + 0.5)
