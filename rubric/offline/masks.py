"""Binary mask morphology with numpy only (4-neighbourhood)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]


def erode(m: Mask, steps: int = 1, *, square: bool = False) -> Mask:
    """``m`` shrunk by ``steps`` pixels. A pixel stays only if its four neighbours are set
    (a cross), or, with ``square``, its eight (a 3x3 box: the vertical pass, then the horizontal
    pass on its result)."""
    out = m
    for _ in range(steps):
        src = out
        out = out.copy()
        out[1:, :] &= src[:-1, :]
        out[:-1, :] &= src[1:, :]
        if square:
            src = out.copy()
        out[:, 1:] &= src[:, :-1]
        out[:, :-1] &= src[:, 1:]
    return out


def dilate(m: Mask) -> Mask:
    """``m`` grown by one pixel (4-neighbourhood)."""
    out = m.copy()
    out[1:, :] |= m[:-1, :]
    out[:-1, :] |= m[1:, :]
    out[:, 1:] |= m[:, :-1]
    out[:, :-1] |= m[:, 1:]
    return out
