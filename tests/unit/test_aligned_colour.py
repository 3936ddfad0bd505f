"""Colour on aligned pixels: a pose a degree off moves thin stripes by a pixel or two, which must
not read as another colour; a hue change must, and so must stripes out of place."""

from __future__ import annotations

import numpy as np

from rubric.offline.aligned import Aligned, Array, colour_distance

SIDE = 192  # the judge's common frame: 1 % of it is 2 px of slack


def pair(photo: Array, render: Array) -> Aligned:
    overlap = np.ones(photo.shape[:2], dtype=bool)
    return Aligned(photo, render, render, overlap, 1.0, 1.0)


def stripes(shift: int = 0, period: int = 16) -> Array:
    """Blue stripes 4 px wide every ``period`` px on a light grey product, moved ``shift`` px:
    Lab."""
    x = (np.arange(SIDE) - shift) % period < 4
    lab = np.empty((SIDE, SIDE, 3))
    lab[...] = (80.0, 0.0, 0.0)
    lab[:, x] = (35.0, 20.0, -60.0)
    return lab


def test_stripes_a_pixel_or_two_off_are_the_same_colour() -> None:
    same = colour_distance(pair(stripes(), stripes()))[0]
    assert same < 1e-9
    assert colour_distance(pair(stripes(), stripes(shift=2)))[0] < 1.0


def test_stripes_out_of_place_or_of_another_hue_are_not() -> None:
    moved = colour_distance(pair(stripes(), stripes(shift=8)))[0]  # half a period: wrong place
    assert moved > 10.0
    hue = stripes()
    angle = np.radians(60.0)
    a, b = hue[..., 1].copy(), hue[..., 2].copy()
    hue[..., 1], hue[..., 2] = (
        a * np.cos(angle) - b * np.sin(angle),
        a * np.sin(angle) + b * np.cos(angle),
    )
    assert colour_distance(pair(stripes(), hue))[0] > 10.0


def test_stripes_one_image_lacks_count_whichever_image_has_them() -> None:
    # Every stripe of the sparse print has a twin in the dense one, but not the other way round:
    # the slack must look both ways, or the extra stripes would go unseen.
    sparse, dense = stripes(period=16), stripes(period=8)
    one_way = colour_distance(pair(sparse, dense))[0]
    assert one_way > 5.0
    assert abs(colour_distance(pair(dense, sparse))[0] - one_way) < 1e-9
