"""Texture identity on aligned pixels: the print's structure, in lightness and chroma.

Pure arrays (no renders): a checker print in Lab, its flat mean, its hue rotated, its shading
changed, compared the way the offline judge compares a photo with its matched view.
"""

from __future__ import annotations

import numpy as np

from rubric.offline.aligned import Aligned, Array, structure_distance

SIDE = 96


def pair(photo: Array, render: Array) -> Aligned:
    overlap = np.ones(photo.shape[:2], dtype=bool)
    return Aligned(photo, render, render, overlap, 1.0, 1.0)


def checker_print() -> Array:
    """Red and blue squares of 12 px on a grey product: Lab (SIDE, SIDE, 3)."""
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    squares = ((y // 12 + x // 12) % 2).astype(bool)
    lab = np.empty((SIDE, SIDE, 3))
    lab[..., 0] = np.where(squares, 45.0, 60.0)
    lab[..., 1] = np.where(squares, 60.0, 10.0)
    lab[..., 2] = np.where(squares, 40.0, -50.0)
    return lab


def test_the_same_print_is_at_distance_zero_and_its_flat_mean_far_away() -> None:
    lab = checker_print()
    same, parts = structure_distance(pair(lab, lab.copy()))
    assert same < 1e-6
    assert set(parts) == {f"ssim_{c}_scale{i}" for c in "LC" for i in range(3)}
    flat = np.broadcast_to(lab.reshape(-1, 3).mean(axis=0), lab.shape).copy()
    assert structure_distance(pair(lab, flat))[0] > 0.4


def test_a_hue_rotation_is_not_a_texture_change_but_a_lost_print_in_chroma_is() -> None:
    lab = checker_print()
    rotated = lab.copy()
    angle = np.radians(60.0)
    rotated[..., 1] = lab[..., 1] * np.cos(angle) - lab[..., 2] * np.sin(angle)
    rotated[..., 2] = lab[..., 1] * np.sin(angle) + lab[..., 2] * np.cos(angle)
    assert structure_distance(pair(lab, rotated))[0] < 1e-6
    # The lightness pattern kept but the colours flattened (a print reduced to its shading): the
    # chroma half of the measure sees it.
    grey_print = lab.copy()
    grey_print[..., 1:] = lab[..., 1:].reshape(-1, 2).mean(axis=0)
    lost, parts = structure_distance(pair(lab, grey_print))
    assert lost > 0.2
    assert min(v for k, v in parts.items() if "_L_" in k) > 0.99


def test_other_shading_costs_less_than_another_print() -> None:
    lab = checker_print()
    shaded = lab.copy()
    shaded[..., 0] *= np.linspace(0.7, 1.1, SIDE)[None, :]  # another light: a lightness ramp
    shifted = np.roll(lab, 12, axis=1)  # the print moved by one square: not the same place
    assert structure_distance(pair(lab, shaded))[0] < structure_distance(pair(lab, shifted))[0] / 3


def test_only_the_overlap_of_the_two_products_counts() -> None:
    lab = checker_print()
    other = lab.copy()
    other[:, SIDE // 2 :] = np.roll(lab, 12, axis=1)[:, SIDE // 2 :]  # another print on the right
    left = np.zeros((SIDE, SIDE), dtype=bool)
    left[:, : SIDE // 2] = True  # where both show the product: the left half only
    inside = Aligned(lab, other, other, left, 1.0, 1.0)
    assert structure_distance(inside)[0] < 0.1
    assert structure_distance(pair(lab, other))[0] > 0.3
