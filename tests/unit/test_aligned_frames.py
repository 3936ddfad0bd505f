"""Putting a photo and its matched render in one frame: boxes for whole products, frame to frame
with a final registration on the masks for a photo cropped by its frame.

Real arrays through ``align`` (no renders): a printed product running off the left and bottom of
a 192 by 160 frame (a close-up), and the same frame drawn a few pixels off, as a window placed
to a cell of the search's coarse grid is.
"""

from __future__ import annotations

import numpy as np
import pytest

from rubric.offline import aligned
from rubric.offline.aligned import REGISTRATION, Array, Mask, align, structure_distance

H, W = 192, 160


def close_up() -> tuple[Array, Mask]:
    """(sRGB 0..1, product mask): a checker print in rows 40.. and columns ..120, white around."""
    y, x = np.mgrid[0:H, 0:W]
    product = (y >= 40) & (x < 120)
    squares = ((y // 10 + x // 10) % 2).astype(bool)
    rgb = np.ones((H, W, 3))
    rgb[product & squares] = (0.8, 0.1, 0.1)
    rgb[product & ~squares] = (0.1, 0.2, 0.8)
    return rgb, product


def moved(rgb: Array, mask: Mask, dy: int, dx: int) -> Array:
    """The frame drawn (dy, dx) pixels down and right, as RGBA (transparent where no product)."""
    rgba = np.concatenate([rgb, mask[..., None].astype(float)], axis=2)
    out: Array = np.zeros_like(rgba)
    out[max(0, dy) : H + min(0, dy), max(0, dx) : W + min(0, dx)] = rgba[
        max(0, -dy) : H - max(0, dy), max(0, -dx) : W - max(0, dx)
    ]
    return out


@pytest.mark.parametrize("dy, dx", [(3, -2), (-4, 5), (0, 0)])
def test_a_framed_render_a_few_pixels_off_is_moved_onto_the_photo(
    dy: int, dx: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rgb, mask = close_up()
    render = moved(rgb, mask, dy, dx)
    pair = align(rgb, mask, render, framed=True)
    assert pair.offset == (dy, dx)  # where the render's pixel for the photo's (i, j) lies
    assert pair.mask_iou > 0.9  # less the rows and columns the move brings in from outside
    registered = structure_distance(pair)[0]
    assert registered < 0.03  # the same print on the same pixels again
    monkeypatch.setattr(aligned, "REGISTRATION", 0.0)
    left_off = align(rgb, mask, render, framed=True)
    assert left_off.offset == (0, 0)
    if (dy, dx) != (0, 0):
        assert structure_distance(left_off)[0] > registered + 0.1


def test_the_registration_reaches_no_further_than_a_cell_of_the_search_grid() -> None:
    rgb, mask = close_up()
    reach = int(np.ceil(REGISTRATION * H))
    pair = align(rgb, mask, moved(rgb, mask, 0, 3 * reach), framed=True)
    assert pair.offset == (0, reach)  # as far as it may go, towards the photo
    assert structure_distance(pair)[0] > 0.1  # a print that far off is not made to line up
