"""texture_identity: edge orientations, LBP codes and edge density inside the product."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rubric.offline.masks import erode
from rubric.offline.views import ImageView, lightness_patch

Array = npt.NDArray[np.float64]


def _gradients(lum: Array) -> tuple[Array, Array]:
    gy, gx = np.gradient(lum)
    return np.hypot(gx, gy), np.degrees(np.arctan2(gy, gx)) % 180.0


def _lbp(lum: Array) -> npt.NDArray[np.int64]:
    """Rotation-invariant uniform LBP codes (0..9) of the interior pixels, radius 1."""
    c = lum[1:-1, 1:-1]
    shifts = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    h, w = lum.shape
    bits = np.stack(
        [lum[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx] >= c + 1.0 for dy, dx in shifts], axis=-1
    )
    ones = bits.sum(-1)
    transitions = (bits != np.roll(bits, 1, axis=-1)).sum(-1)
    return np.where(transitions <= 2, ones, 9)


@dataclass(frozen=True)
class TextureFeatures:
    orientation: Array  # 12-bin histogram of edge orientations, magnitude weighted
    lbp: Array  # 10-bin histogram of LBP codes
    edge_density: float  # fraction of product pixels on an edge


def texture_features(views: Sequence[ImageView]) -> TextureFeatures:
    orient = np.zeros(12)
    lbp = np.zeros(10)
    edges = total = 0
    for v in views:
        lum, mask = lightness_patch(v)
        if min(lum.shape) < 4:
            continue
        mag, ang = _gradients(lum)
        inner = mask.copy()
        inner[[0, -1], :] = False
        inner[:, [0, -1]] = False
        # Keep away from the silhouette: its edge is geometry, not texture.
        inner = erode(inner, 2, square=True)
        sel = inner & (mag > 2.0)
        orient += np.histogram(ang[sel], bins=12, range=(0, 180), weights=mag[sel])[0]
        codes = _lbp(lum)[inner[1:-1, 1:-1]]
        lbp += np.bincount(codes, minlength=10)[:10]
        edges += int((mag[inner] > 4.0).sum())
        total += int(inner.sum())
    return TextureFeatures(
        orient / max(orient.sum(), 1e-9), lbp / max(lbp.sum(), 1e-9), edges / max(total, 1)
    )


def _chi2(p: Array, q: Array) -> float:
    s = p + q
    ok = s > 0
    return float(0.5 * (((p - q) ** 2)[ok] / s[ok]).sum())


def texture_distance(a: TextureFeatures, b: TextureFeatures) -> tuple[float, dict[str, float]]:
    parts = {
        "orientation_chi2": _chi2(a.orientation, b.orientation),
        "lbp_chi2": _chi2(a.lbp, b.lbp),
        "edge_density_diff": abs(a.edge_density - b.edge_density),
    }
    return parts["orientation_chi2"] + parts["lbp_chi2"] + 2.0 * parts["edge_density_diff"], parts
