"""Texture identity on aligned pixels: the print's structure, in lightness and chroma.

Pure arrays (no renders): a checker print in Lab, its flat mean, its hue rotated, its shading
changed, its grain drawn again, compared the way the offline judge compares a photo with its
matched view.
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
    assert set(parts) == {
        *(f"contrast_{c}_scale{i}" for c in "LC" for i in range(2)),
        *(f"ssim_{c}_scale2" for c in "LC"),
    }
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


def grained(lab: Array, seed: int | None) -> Array:
    """The print with a pixel-fine grain in its lightness (``seed`` draws where the grains fall;
    None: no grain)."""
    out = lab.copy()
    if seed is not None:
        out[..., 0] += np.random.default_rng(seed).normal(0.0, 12.0, lab.shape[:2])
    return out


def test_the_same_grain_elsewhere_is_the_same_texture_but_no_grain_is_not() -> None:
    # Another renderer, a pose a degree off: a fine grain never lands on the same pixels, so the
    # finer scales compare how much grain there is, not where each grain is.
    photo = grained(checker_print(), seed=1)
    other_draw = structure_distance(pair(photo, grained(checker_print(), seed=2)))[0]
    smooth = structure_distance(pair(photo, grained(checker_print(), seed=None)))[0]
    assert other_draw < smooth / 3
    # The print itself must still be in its place: the coarsest scale compares its structure.
    moved = np.roll(grained(checker_print(), seed=2), 12, axis=1)
    assert structure_distance(pair(photo, moved))[0] > 0.4
