"""Separating the product from the background of a photo or render, with numpy only.

Renders carry alpha, and so may photos: then alpha decides. Otherwise the background is learnt
from the image border (a few colour clusters, so a textured backdrop works too) and grown inwards
from the border through pixels that look like it; everything the growth cannot reach is the
product. When that finds no plausible product, a centre crop stands in, and the caller is told.
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


@dataclass(frozen=True)
class Foreground:
    mask: Mask
    coverage: float
    method: str  # alpha | border | centre-crop
    warning: str | None = None


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


def foreground(rgba: npt.NDArray[np.uint8]) -> Foreground:
    """The product's pixels in an (H, W, 3|4) uint8 image."""
    h, w = rgba.shape[:2]
    if rgba.shape[2] == 4 and (rgba[..., 3] < 250).mean() > 0.01:
        mask = rgba[..., 3] >= 128
        method = "alpha"
    else:
        lab = srgb_to_lab(rgba[..., :3])
        b = max(1, round(min(h, w) * BORDER_FRACTION))
        border = np.concatenate(
            [
                lab[:b].reshape(-1, 3),
                lab[-b:].reshape(-1, 3),
                lab[:, :b].reshape(-1, 3),
                lab[:, -b:].reshape(-1, 3),
            ]
        )
        centres = kmeans(border, BACKGROUND_CLUSTERS)
        spread = np.sqrt(((border[:, None, :] - centres[None]) ** 2).sum(-1)).min(axis=1)
        # A busy backdrop widens the tolerance to its own spread.
        tolerance = max(BACKGROUND_DELTA, float(np.percentile(spread, 95)) * 1.5)
        distance = np.sqrt(((lab[:, :, None, :] - centres[None, None]) ** 2).sum(-1)).min(axis=2)
        # Growth stops at edges too: a white product on a white backdrop still has a silhouette.
        passable = (distance < tolerance) & (_edge_strength(lab) < EDGE_BARRIER)
        # Narrowing the passable region by a pixel closes the thin gaps a leak would take.
        reached = _grow_from_border(erode(passable))
        mask = ~(dilate(reached) & passable | reached)
        method = "border"
    coverage = float(mask.mean())
    if not MIN_COVERAGE <= coverage <= MAX_COVERAGE:
        warning = f"no usable foreground ({method} mask covers {coverage:.0%}); used a centre crop"
        crop = centre_crop((h, w))
        return Foreground(crop, float(crop.mean()), "centre-crop", warning)
    return Foreground(mask, coverage, method)
