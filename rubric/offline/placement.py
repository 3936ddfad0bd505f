"""texture_scale_placement: spectral centroid (print scale) and colour layout (placement)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from rubric.offline.colour import delta_e2000
from rubric.offline.views import ImageView, lightness_patch

Array = npt.NDArray[np.float64]

SPECTRUM_SIZE = 96
LAYOUT_GRID = 4


def _resample(a: Array, size: int) -> Array:
    ys = np.linspace(0, a.shape[0] - 1, size).round().astype(int)
    xs = np.linspace(0, a.shape[1] - 1, size).round().astype(int)
    return a[np.ix_(ys, xs)]  # type: ignore[no-any-return]


def spectral_centroid(view: ImageView) -> float:
    """Mean spatial frequency of the product's lightness, in cycles per object width.

    The product's bounding box is resampled to a fixed size, so the number is relative to the
    object's size: a texture printed twice as small doubles it.
    """
    lum, mask = lightness_patch(view)
    lum = _resample(np.where(mask, lum, lum[mask].mean()), SPECTRUM_SIZE)
    lum = lum - lum.mean()
    window = np.outer(np.hanning(SPECTRUM_SIZE), np.hanning(SPECTRUM_SIZE))
    power = np.abs(np.fft.fftshift(np.fft.fft2(lum * window))) ** 2
    yy, xx = np.indices(power.shape) - SPECTRUM_SIZE // 2
    radius = np.hypot(yy, xx)
    band = (radius >= 1) & (radius <= SPECTRUM_SIZE // 2)
    return float((radius[band] * power[band]).sum() / max(power[band].sum(), 1e-9))


def layout(view: ImageView) -> Array:
    """Mean Lab colour of each cell of a 4x4 grid over the product's bounding box."""
    y0, y1, x0, x1 = view.bbox()
    lab, mask = view.lab[y0:y1, x0:x1], view.mask[y0:y1, x0:x1]
    out = np.zeros((LAYOUT_GRID, LAYOUT_GRID, 3))
    ys = np.linspace(0, lab.shape[0], LAYOUT_GRID + 1).astype(int)
    xs = np.linspace(0, lab.shape[1], LAYOUT_GRID + 1).astype(int)
    fallback = lab[mask].mean(axis=0)
    for i in range(LAYOUT_GRID):
        for j in range(LAYOUT_GRID):
            cell, m = (
                lab[ys[i] : ys[i + 1], xs[j] : xs[j + 1]],
                mask[ys[i] : ys[i + 1], xs[j] : xs[j + 1]],
            )
            out[i, j] = cell[m].mean(axis=0) if m.any() else fallback
    return out


def scale_placement_distance(
    refs: Sequence[ImageView], cands: Sequence[ImageView]
) -> tuple[float, dict[str, float]]:
    ref_c = float(np.median([spectral_centroid(v) for v in refs]))
    cand_c = float(np.median([spectral_centroid(v) for v in cands]))
    ratio = abs(math.log2(max(cand_c, 1e-6) / max(ref_c, 1e-6)))
    cand_layouts = [layout(v) for v in cands]
    # Photos and renders need not share a viewpoint: each photo is compared with its best view.
    layout_de = float(
        np.mean([min(float(delta_e2000(layout(r), c).mean()) for c in cand_layouts) for r in refs])
    )
    return ratio + layout_de / 40.0, {
        "centroid_ref": ref_c,
        "centroid_cand": cand_c,
        "log2_ratio": ratio,
        "layout_de": layout_de,
    }
