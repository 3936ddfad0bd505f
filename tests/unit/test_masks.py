"""Mask morphology: the cross and the box erosion, and dilation."""

from __future__ import annotations

from typing import Any

import numpy as np

from rubric.offline.masks import dilate, erode


def _dot(shape: tuple[int, int], y: int, x: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    m = np.zeros(shape, dtype=bool)
    m[y, x] = True
    return m


def test_cross_and_box_erosion_differ_at_diagonals() -> None:
    m = np.ones((7, 7), dtype=bool)
    m[2, 2] = False  # a hole: its 4 neighbours go with the cross, its 8 with the box
    cross, box = erode(m), erode(m, square=True)
    assert not cross[2, 3] and not cross[3, 2] and cross[3, 3]
    assert not box[3, 3] and not box[1, 1]
    assert box.sum() < cross.sum()
    # The image border counts as set (only holes inside erode), for both.
    assert cross[0, 0] and box[0, 6]


def test_steps_compose_and_dilation_is_the_cross() -> None:
    m = np.zeros((9, 9), dtype=bool)
    m[1:8, 1:8] = True
    assert np.array_equal(erode(m, 2), erode(erode(m)))
    assert erode(m, 2, square=True).sum() == 9  # 7x7 → 3x3
    grown = dilate(_dot((5, 5), 2, 2))
    assert grown.sum() == 5 and grown[1, 2] and not grown[1, 1]
