"""Appearance measures of the offline judge: features of product pixels and their distances.

Every measure works on the foreground only, at a fixed analysis size, and is explainable by the
numbers it reports. Each distance maps to a 0-100 score as ``100 * exp(-distance / SCALE)``; the
SCALE constants below are the distances that cost a score of 63 points (100 → 37).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rubric.colour import delta_e2000, kmeans, srgb_to_lab
from rubric.foreground import Foreground

Array = npt.NDArray[np.float64]

PALETTE_COLOURS = 6
PALETTE_SAMPLE = 6000
SINKHORN_EPS = 0.5
# Score scales: the distance at which a dimension's score falls to 37.
SCALE = {
    "color_palette": 25.0,  # earth mover's distance between palettes, in ΔE2000
    "texture_identity": 0.35,  # mean chi-square distance of texture histograms, plus edge density
    "texture_scale_placement": 0.9,  # |log2 spectral-centroid ratio| + layout ΔE / 40
    "finish": 0.5,  # weighted highlight-statistics distance
}


def score_from_distance(distance: float, scale: float) -> int:
    return max(0, min(100, math.floor(100 * math.exp(-distance / scale) + 0.5)))


@dataclass(frozen=True)
class ImageView:
    """One image prepared for measuring: Lab pixels and its product mask."""

    lab: Array  # (H, W, 3)
    mask: npt.NDArray[np.bool_]

    @classmethod
    def from_rgb(cls, rgb: npt.NDArray[np.uint8], fg: Foreground) -> ImageView:
        return cls(srgb_to_lab(rgb), fg.mask)

    def pixels(self) -> Array:
        return self.lab[self.mask]

    def bbox(self) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(self.mask)
        return int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1


def _sample(points: Array, n: int) -> Array:
    if len(points) <= n:
        return points
    return points[np.linspace(0, len(points) - 1, n).astype(int)]  # type: ignore[no-any-return]


def pooled_pixels(views: Sequence[ImageView]) -> Array:
    return np.concatenate(
        [_sample(v.pixels(), PALETTE_SAMPLE // max(1, len(views))) for v in views]
    )


# ------------------------------------------------------------------------ colour palette


def palette(pixels: Array) -> tuple[Array, Array]:
    """Dominant colours (k-means in Lab) and their weights, lightness median-centred at 50.

    Centring the lightness removes global exposure differences between photos and renders.
    """
    pts = pixels.copy()
    pts[:, 0] += 50.0 - float(np.median(pts[:, 0]))
    centres = kmeans(pts, PALETTE_COLOURS)
    labels = np.argmin(((pts[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    weights = np.bincount(labels, minlength=PALETTE_COLOURS).astype(np.float64)
    keep = weights > 0
    return centres[keep], weights[keep] / weights.sum()


def earth_movers(c1: Array, w1: Array, c2: Array, w2: Array) -> float:
    """Earth mover's distance with ΔE2000 ground cost (entropic Sinkhorn, log domain)."""
    cost = delta_e2000(c1[:, None, :], c2[None, :, :])
    log_k = -cost / SINKHORN_EPS
    f, g = np.zeros(len(w1)), np.zeros(len(w2))
    for _ in range(300):
        f = np.log(w1) - _logsumexp(log_k + g[None, :], axis=1)
        g = np.log(w2) - _logsumexp(log_k + f[:, None], axis=0)
    plan = np.exp(log_k + f[:, None] + g[None, :])
    return float((plan * cost).sum())


def _logsumexp(x: Array, axis: int) -> Array:
    m = x.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.exp(x - m).sum(axis=axis))  # type: ignore[no-any-return]


# ------------------------------------------------------------------------ texture


def _lightness_patch(view: ImageView) -> tuple[Array, npt.NDArray[np.bool_]]:
    y0, y1, x0, x1 = view.bbox()
    return view.lab[y0:y1, x0:x1, 0], view.mask[y0:y1, x0:x1]


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
        lum, mask = _lightness_patch(v)
        if min(lum.shape) < 4:
            continue
        mag, ang = _gradients(lum)
        inner = mask.copy()
        inner[[0, -1], :] = False
        inner[:, [0, -1]] = False
        # Keep away from the silhouette: its edge is geometry, not texture.
        for _ in range(2):
            inner[1:, :] &= inner[:-1, :]
            inner[:-1, :] &= inner[1:, :]
            inner[:, 1:] &= inner[:, :-1]
            inner[:, :-1] &= inner[:, 1:]
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


# ------------------------------------------------------------------------ scale and placement

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
    lum, mask = _lightness_patch(view)
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


# ------------------------------------------------------------------------ finish


@dataclass(frozen=True)
class FinishFeatures:
    highlight_spread: (
        float  # p99.5 - p90 of lightness: how far highlights rise above the bright albedo
    )
    highlight_chroma: (
        float  # chroma of the brightest 2 % relative to the median chroma (metal tints)
    )
    local_contrast: float  # std of lightness minus its 5x5 box blur


def finish_features(views: Sequence[ImageView]) -> FinishFeatures:
    """Highlight statistics of the product pixels.

    The spread is taken above the 90th percentile, not the median, so that the product's colours
    (a darker print, a lighter label) move it as little as possible: glossy and metallic surfaces
    put small, much brighter highlights on top of the brightest albedo.
    """
    lum = np.concatenate([v.pixels()[:, 0] for v in views])
    chroma = np.concatenate([np.hypot(v.pixels()[:, 1], v.pixels()[:, 2]) for v in views])
    p90, p98, p995 = np.percentile(lum, [90, 98, 99.5])
    bright = lum >= p98
    contrasts = []
    for v in views:
        patch, mask = _lightness_patch(v)
        k = 5
        pad = np.pad(patch, k // 2, mode="edge")
        blur = (
            sum(
                pad[dy : dy + patch.shape[0], dx : dx + patch.shape[1]]
                for dy in range(k)
                for dx in range(k)
            )
            / k**2
        )
        contrasts.append(float(np.std((patch - blur)[mask])))
    return FinishFeatures(
        highlight_spread=float(p995 - p90),
        highlight_chroma=float(chroma[bright].mean() / max(float(np.median(chroma)), 1.0)),
        local_contrast=float(np.mean(contrasts)),
    )


def finish_distance(a: FinishFeatures, b: FinishFeatures) -> tuple[float, dict[str, float]]:
    parts = {
        "highlight_spread_diff": abs(a.highlight_spread - b.highlight_spread) / 10.0,
        "highlight_chroma_diff": abs(a.highlight_chroma - b.highlight_chroma) / 1.0,
        "local_contrast_diff": abs(a.local_contrast - b.local_contrast) / 3.0,
    }
    return float(np.mean(list(parts.values()))), parts
