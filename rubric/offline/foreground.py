"""Separating the product from the background of a photo or render, with numpy only.

Renders carry alpha, and so may photos: alpha decides when it is a matte, i.e. when a real part
of the image is transparent. A photo whose alpha is opaque but for a few soft pixels (a resize, a
premultiplied edge) or whose alpha mask is implausible (covers almost all or almost nothing) is
segmented like a photo without alpha: the background is learnt from the image border (a few
colour clusters, so a textured backdrop works too) and grown inwards from the border through
pixels that look like it; everything the growth cannot reach is the product. Only when neither
finds a plausible product does a centre crop stand in, and the caller is told which masks were
tried and why they were set aside.

A border colour the top of the frame does not show (a floor, a table, a cloth the product stands
on) is ambiguous: backdrop for a product photographed on it, part of the product for a model that
ships with its plinth or cloth. The border segmentation then also gives the *support reading*, the
mask with that colour counted as product, and the judge keeps the reading the candidate agrees
with better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rubric.offline.colour import kmeans, srgb_to_lab
from rubric.offline.masks import Mask, dilate, erode

BORDER_FRACTION = 0.04  # the outer 4 % of each side is taken as background
BACKGROUND_CLUSTERS = 4
BACKGROUND_DELTA = 8.0  # Lab distance within which a pixel "looks like" the backdrop
EDGE_BARRIER = 12.0  # Lab units per pixel; stronger edges stop the background's growth
MIN_COVERAGE, MAX_COVERAGE = 0.02, 0.95
CENTRE_CROP = 0.6
# Alpha is a matte when at least this share of the pixels is (mostly) transparent.
MIN_TRANSPARENT = 0.02
# The product runs into a side of the frame when it covers more than this share of that side: a
# few pixels there are a segmentation leak (a gradient backdrop), a product cut by the frame
# covers a good part of it.
TOUCH_SHARE = 0.05
# A backdrop colour covers at least this share of the top strip; a border colour below it (seen
# only at the sides and bottom) is a support: a floor, a table, a cloth.
TOP_SHARE = 0.05


@dataclass(frozen=True)
class Foreground:
    mask: Mask
    coverage: float
    method: str  # alpha | border | centre-crop
    warning: str | None = None  # why a mask was set aside (the caller shows it)
    # The border mask with the support (floor, table, cloth) counted as product; None where the
    # border shows no such colour or the reading is implausible.
    support: Mask | None = None


def _grow_from_border(similar: Mask) -> Mask:
    """Pixels of ``similar`` connected (4-neighbourhood) to the image border."""
    reached = np.zeros_like(similar)
    reached[0, :], reached[-1, :], reached[:, 0], reached[:, -1] = (
        similar[0, :],
        similar[-1, :],
        similar[:, 0],
        similar[:, -1],
    )
    while True:
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= similar
        if np.array_equal(grown, reached):
            return reached
        reached = grown


def _edge_strength(lab: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Lab gradient magnitude per pixel (central differences)."""
    gy, gx = np.gradient(lab, axis=(0, 1))
    return np.sqrt((gx**2).sum(-1) + (gy**2).sum(-1))  # type: ignore[no-any-return]


def centre_crop(shape: tuple[int, int]) -> Mask:
    h, w = shape
    mask = np.zeros((h, w), dtype=bool)
    dy, dx = int(h * (1 - CENTRE_CROP) / 2), int(w * (1 - CENTRE_CROP) / 2)
    mask[dy : h - dy, dx : w - dx] = True
    return mask


def _plausible(mask: Mask) -> bool:
    return MIN_COVERAGE <= float(mask.mean()) <= MAX_COVERAGE


def foreground(rgba: npt.NDArray[np.uint8]) -> Foreground:
    """The product's pixels in an (H, W, 3|4) uint8 image (see the module docstring)."""
    h, w = rgba.shape[:2]
    set_aside: list[str] = []
    if rgba.shape[2] == 4:
        alpha = rgba[..., 3]
        transparent = float((alpha < 128).mean())
        if transparent >= MIN_TRANSPARENT:
            mask = alpha >= 128
            if _plausible(mask):
                return Foreground(mask, float(mask.mean()), "alpha")
            set_aside.append(f"alpha mask covers {mask.mean():.0%}")
        elif (alpha < 250).any():
            set_aside.append(f"alpha ignored: only {transparent:.1%} of the pixels are transparent")
    mask, support = _border_masks(rgba[..., :3])
    if _plausible(mask):
        note = "; ".join(set_aside) + "; used the border segmentation" if set_aside else None
        return Foreground(mask, float(mask.mean()), "border", note, support)
    set_aside.append(f"border mask covers {mask.mean():.0%}")
    crop = centre_crop((h, w))
    warning = f"no usable foreground ({'; '.join(set_aside)}); used a centre crop"
    return Foreground(crop, float(crop.mean()), "centre-crop", warning)


def frame_sides(mask: Mask) -> int:
    """How many sides of the frame the product runs into (0 for a product shown whole)."""
    sides = (mask[0], mask[-1], mask[:, 0], mask[:, -1])
    return sum(int(side.mean() > TOUCH_SHARE) for side in sides)


def _border_masks(rgb: npt.NDArray[np.uint8]) -> tuple[Mask, Mask | None]:
    """The product as what the background, learnt from the border, cannot reach; and the support
    reading, where the background is learnt from the colours of the top strip only (None when
    every border colour shows there, or the reading adds too little or is implausible)."""
    h, w = rgb.shape[:2]
    lab = srgb_to_lab(rgb)
    b = max(1, round(min(h, w) * BORDER_FRACTION))
    top = lab[:b].reshape(-1, 3)
    border = np.concatenate(
        [top, lab[-b:].reshape(-1, 3), lab[:, :b].reshape(-1, 3), lab[:, -b:].reshape(-1, 3)]
    )
    centres = kmeans(border, BACKGROUND_CLUSTERS)
    spread = np.sqrt(((border[:, None, :] - centres[None]) ** 2).sum(-1)).min(axis=1)
    # A busy backdrop widens the tolerance to its own spread.
    tolerance = max(BACKGROUND_DELTA, float(np.percentile(spread, 95)) * 1.5)
    edges = _edge_strength(lab)
    mask = _unreached(lab, centres, tolerance, edges)
    nearest = np.argmin(((top[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    on_top = np.bincount(nearest, minlength=len(centres)) / len(top) > TOP_SHARE
    if on_top.all():
        return mask, None
    support = _unreached(lab, centres[on_top], tolerance, edges)
    # A support smaller than the smallest plausible product is a shadow or a leak, not a reading.
    if float((support & ~mask).mean()) < MIN_COVERAGE or not _plausible(support):
        return mask, None
    return mask, support


def _unreached(
    lab: npt.NDArray[np.float64],
    centres: npt.NDArray[np.float64],
    tolerance: float,
    edges: npt.NDArray[np.float64],
) -> Mask:
    """What a background of these colours, grown inwards from the border, cannot reach."""
    distance = np.sqrt(((lab[:, :, None, :] - centres[None, None]) ** 2).sum(-1)).min(axis=2)
    # Growth stops at edges too: a white product on a white backdrop still has a silhouette.
    passable = (distance < tolerance) & (edges < EDGE_BARRIER)
    # Narrowing the passable region by a pixel closes the thin gaps a leak would take.
    reached = _grow_from_border(erode(passable))
    return ~(dilate(reached) & passable | reached)  # type: ignore[no-any-return]
