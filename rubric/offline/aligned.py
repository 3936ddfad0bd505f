"""Like with like: a photo and the model rendered from the photo's pose, compared pixel by pixel.

Both products are cropped to their masks' bounding boxes and resampled to one frame (the pose
search matched the silhouettes, so the boxes correspond), then compared inside the overlap of
the two masks. A framed match (a photo cropped by its frame, the render the window of the view it
shows) is taken frame to frame instead, and the render moved by the few pixels that make the two
masks overlap best: the search placed the window to a cell of its coarse grid. The lighting
differs by design (the photo's studio is not ours), so the render's lightness is first mapped
onto the photo's (quantile matching of L* inside the overlap: exposure and tone curve, metal
reflecting a brighter studio). Only lightness: a white-balance or colour
correction would also undo the hue errors the judge must see. Finish is measured before that
mapping (it would flatten the very highlights finish is about), after one exposure gain only.

Measures (each a distance, 0 for identical images):
- colour: CIEDE2000 of the smoothed images, lightness weighted down (kL = 2) because shading
  follows the light, not the product, and averaged with the pixels' chroma as weights;
- structure: 1 - the mean over three scales of lightness and of chroma (texture identity: the
  same print, weave or grain, in the same place): local contrast at the finer scales, SSIM at the
  coarsest (``structure_maps`` says why). Lightness carries the shading of another light as much
  as the print; chroma (C*, blind to hue, which is colour's business) carries the print;
- placement: mean CIEDE2000 between the mean colours of a grid of regions (where the colours go);
- finish: how much brighter than their surroundings the highlights are, and how much of the
  surface they cover (glossy products mirror the light's bright spots; matte ones do not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import ndimage
from skimage.color import deltaE_ciede2000, rgb2xyz, xyz2lab
from skimage.metrics import structural_similarity
from skimage.transform import resize

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Image = TypeVar("Image", Array, Mask)

ALIGN_SIDE = 192  # longer side of the common frame, pixels (capped by the photo's own)
MIN_ALIGN_SIDE = 48
SMOOTH_SIGMA = 0.01  # colour is compared after a blur of 1 % of the frame: texture grain aside
# Registration slack for colour: each pixel is compared with the closest colour within 1 % of the
# frame in the other image (a pose a degree off moves a thin stripe by a pixel or two).
SLACK = 0.01
SSIM_SCALES = 3
PLACEMENT_GRID = 4
MIN_CELL_SHARE = 0.3  # a region counts when the overlap covers this share of it
# A framed match's window is placed to one cell of the pose search's 32-cell grid (3 % of the
# frame): the alignment finishes the registration on the two masks, within that reach.
REGISTRATION = 0.03
HIGHLIGHT_SIGMA = 0.03  # surroundings of a pixel: a blur of 3 % of the frame
HIGHLIGHT_RISE = 10.0  # L* above the surroundings that makes a pixel a highlight


@dataclass(frozen=True)
class Aligned:
    """The photo and the exposure-matched render in one frame, and where both show the product."""

    photo: Array  # Lab (H, W, 3)
    render: Array  # Lab (H, W, 3), its lightness mapped onto the photo's
    exposed: Array  # Lab (H, W, 3), the render after one exposure gain (for finish)
    overlap: Mask
    gain: float  # exposure gain applied to ``exposed``
    mask_iou: float  # of the two masks in the common frame
    offset: tuple[int, int] = (0, 0)  # (rows, columns) the render was moved by (framed only)


def _crop(image: Array, mask: Mask) -> tuple[Array, Mask]:
    if not mask.any():  # nothing to crop to: an empty render aligns as a whole (mask IoU 0)
        return image, mask
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return image[box], mask[box]


def _resample(image: Array, mask: Mask, shape: tuple[int, int]) -> tuple[Array, Mask]:
    img = resize(image, (*shape, image.shape[2]), order=1, anti_aliasing=True)
    m = resize(mask.astype(np.float64), shape, order=1, anti_aliasing=True) > 0.5
    return img, m


def backdrop(photo_rgb: Array, photo_mask: Mask) -> Array:
    """The photo's background colour: the median of what lies outside the product."""
    outside = ~ndimage.binary_dilation(photo_mask, iterations=2)
    pixels = photo_rgb[outside] if outside.any() else photo_rgb.reshape(-1, 3)
    return np.median(pixels, axis=0)  # type: ignore[no-any-return]


def align(photo_rgb: Array, photo_mask: Mask, render_rgba: Array, framed: bool = False) -> Aligned:
    """Put the photo (sRGB in 0..1) and the matched render (RGBA) in one frame (module doc).
    ``framed``: the render is the window of the view the photo shows (a photo cropped by its
    frame), so the two frames correspond as they are, not the products' boxes.

    The render is composited onto the photo's backdrop colour and both masks have their holes
    filled, so see-through parts (strings, wicker, the gap under a handle) are compared as the
    photo shows them: backdrop seen through the product.
    """
    alpha = render_rgba[..., 3:4]
    behind = backdrop(photo_rgb, photo_mask)
    render_rgb = np.asarray(render_rgba[..., :3] * alpha + behind * (1.0 - alpha), dtype=np.float64)
    p_img, p_mask = photo_rgb, photo_mask
    r_img, r_mask = render_rgb, alpha[..., 0] >= 0.5
    if not framed:
        p_img, p_mask = _crop(p_img, p_mask)
        r_img, r_mask = _crop(r_img, r_mask)
    h, w = p_mask.shape
    side = max(MIN_ALIGN_SIDE, min(ALIGN_SIDE, max(h, w)))
    shape = (max(8, round(side * h / max(h, w))), max(8, round(side * w / max(h, w))))
    p_img, p_mask = _resample(p_img, ndimage.binary_fill_holes(p_mask), shape)
    r_img, r_mask = _resample(r_img, ndimage.binary_fill_holes(r_mask), shape)
    offset = (0, 0)
    if framed:
        offset = _mask_offset(p_mask, r_mask, math.ceil(REGISTRATION * max(shape)))
        r_img, r_mask = _shifted(r_img, *offset, behind), _shifted(r_mask, *offset, False)
    union = p_mask | r_mask
    overlap = ndimage.binary_erosion(p_mask & r_mask, iterations=1)
    p_xyz, r_xyz = rgb2xyz(p_img), rgb2xyz(r_img)
    ok = overlap if overlap.any() else union
    gain = float(np.median(p_xyz[..., 1][ok]) / max(np.median(r_xyz[..., 1][ok]), 1e-4))
    gain = float(np.clip(gain, 0.25, 4.0))
    photo, exposed = xyz2lab(p_xyz), xyz2lab(r_xyz * gain)
    return Aligned(
        photo,
        _match_lightness(xyz2lab(r_xyz), photo, ok),
        exposed,
        overlap,
        gain,
        float(overlap.sum() / max(1, union.sum())),
        offset,
    )


def _mask_offset(p: Mask, r: Mask, reach: int) -> tuple[int, int]:
    """The shift of ``r`` within ``reach`` pixels (a square) whose mask overlaps ``p`` best, by
    IoU where the moved ``r`` is known (a product running off the frame must not hold the shift
    back); of equals, the shortest."""
    shifts = sorted(
        ((dy, dx) for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1)),
        key=lambda s: (s[0] ** 2 + s[1] ** 2, s),
    )
    known = np.ones_like(r)
    best, found = -1.0, (0, 0)
    for dy, dx in shifts:
        moved, inside = _shifted(r, dy, dx, False), _shifted(known, dy, dx, False)
        score = np.count_nonzero(p & moved) / max(1, np.count_nonzero((p & inside) | moved))
        if score > best + 1e-12:
            best, found = score, (dy, dx)
    return found


def _match_lightness(render: Array, photo: Array, where: Mask) -> Array:
    """``render`` with its L* quantiles (inside ``where``) moved onto the photo's."""
    q = np.linspace(0.0, 1.0, 101)
    out = render.copy()
    out[..., 0] = np.interp(
        render[..., 0], np.quantile(render[..., 0][where], q), np.quantile(photo[..., 0][where], q)
    )
    return out


def _masked_blur(lab: Array, mask: Mask, sigma: float) -> Array:
    """Gaussian blur that only averages pixels of ``mask`` (normalised convolution)."""
    weight = ndimage.gaussian_filter(mask.astype(np.float64), sigma)
    out = np.empty_like(lab)
    for c in range(lab.shape[2]):
        out[..., c] = ndimage.gaussian_filter(lab[..., c] * mask, sigma) / np.maximum(weight, 1e-6)
    return out


def _shifted(a: Image, dy: int, dx: int, fill: float | bool | Array) -> Image:
    """``a[i + dy, j + dx]`` at every (i, j), ``fill`` where that falls outside ``a``."""
    h, w = a.shape[:2]
    out = np.full_like(a, fill)
    out[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)] = a[
        max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)
    ]
    return out


def _nearest_de(p: Array, r: Array, mask: Mask, reach: int) -> Array:
    """Per pixel, the least CIEDE2000 (kL = 2) to the other image's pixels of ``mask`` within
    ``reach`` pixels (a square), p against r and r against p, averaged. CIEDE2000 is symmetric,
    so one map per shift serves both ways: ΔE(p[i], r[i + s]) is also r[i + s]'s against p."""
    to_r = np.full(mask.shape, np.inf)
    to_p = np.full(mask.shape, np.inf)
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            de = deltaE_ciede2000(p, _shifted(r, dy, dx, 0.0), kL=2.0)
            to_r = np.minimum(to_r, np.where(_shifted(mask, dy, dx, False), de, np.inf))
            to_p = np.minimum(to_p, _shifted(np.where(mask, de, np.inf), -dy, -dx, np.inf))
    return (to_r + to_p) / 2  # type: ignore[no-any-return]


def colour_distance(a: Aligned) -> tuple[float, dict[str, float]]:
    """Chroma-weighted mean CIEDE2000, a print's coloured parts counting more than grey metal,
    each pixel against the closest colour within ``SLACK`` of it in the other image, both ways."""
    side = max(a.overlap.shape)
    p = _masked_blur(a.photo, a.overlap, SMOOTH_SIGMA * side)
    r = _masked_blur(a.render, a.overlap, SMOOTH_SIGMA * side)
    de = _nearest_de(p, r, a.overlap, round(SLACK * side))[a.overlap]
    chroma_p = np.hypot(p[..., 1], p[..., 2])[a.overlap]
    chroma_r = np.hypot(r[..., 1], r[..., 2])[a.overlap]
    weight = (chroma_p + chroma_r) / 2.0 + 1.0
    d = float(np.average(de, weights=weight))
    return d, {
        "weighted_de2000": d,
        "median_de2000": float(np.median(de)),
        "chroma_photo": float(np.median(chroma_p)),
        "chroma_render": float(np.median(chroma_r)),
    }


SSIM_SIGMA, SSIM_TRUNCATE = 1.5, 3.5  # skimage's Gaussian window for SSIM
SSIM_C2 = (0.03 * 100.0) ** 2  # SSIM's K2 = 0.03 on a data range of 100 (L*, C*)


def _ssim_map(a: Array, b: Array) -> Array:
    _, full = structural_similarity(
        a, b, data_range=100.0, gaussian_weights=True, sigma=SSIM_SIGMA,
        use_sample_covariance=False, full=True,
    )  # fmt: skip
    return full  # type: ignore[no-any-return]


def _contrast_map(a: Array, b: Array) -> Array:
    """SSIM's contrast term alone, (2 sd_a sd_b + C2) / (var_a + var_b + C2), in SSIM's window:
    how alike the local amount of texture is, wherever exactly its grains fall."""

    def blur(x: Array) -> Array:
        return ndimage.gaussian_filter(x, SSIM_SIGMA, truncate=SSIM_TRUNCATE)  # type: ignore[no-any-return]

    var_a = np.maximum(blur(a * a) - blur(a) ** 2, 0.0)
    var_b = np.maximum(blur(b * b) - blur(b) ** 2, 0.0)
    return (2 * np.sqrt(var_a * var_b) + SSIM_C2) / (var_a + var_b + SSIM_C2)  # type: ignore[no-any-return]


def structure_maps(p: Array, r: Array, m: Mask) -> list[tuple[str, Array, Mask]]:
    """Per scale (full size, then halved each time): the measure's name, its map of one channel
    and where it counts. The finer scales compare local contrast only, the coarsest full SSIM:
    a pose matched within a degree or two, rendered by another renderer, does not put a weave's
    or a grain's finest detail on the same pixels, so SSIM's structure term there is noise; at
    the coarsest scale the print does line up, and its structure says whether it is the same."""
    levels = []
    for _ in range(SSIM_SCALES):
        if min(p.shape) < 16 or not m.any():
            break
        levels.append((p, r, ndimage.binary_erosion(m, iterations=2)))
        shape = (p.shape[0] // 2, p.shape[1] // 2)
        p = resize(p, shape, order=1, anti_aliasing=True)
        r = resize(r, shape, order=1, anti_aliasing=True)
        m = resize(m.astype(np.float64), shape, order=1, anti_aliasing=True) > 0.75
    return [
        ("ssim", _ssim_map(p, r), m)
        if i == len(levels) - 1
        else ("contrast", _contrast_map(p, r), m)
        for i, (p, r, m) in enumerate(levels)
    ]


def structure_distance(a: Aligned) -> tuple[float, dict[str, float]]:
    """1 - the mean, over the scales, of local contrast similarity (finer scales) and SSIM
    (coarsest) of lightness and chroma (``structure_maps``)."""
    channels = {
        "L": (a.photo[..., 0], a.render[..., 0]),
        "C": (
            np.hypot(a.photo[..., 1], a.photo[..., 2]),
            np.hypot(a.render[..., 1], a.render[..., 2]),
        ),
    }
    parts: dict[str, float] = {}
    for name, (p, r) in channels.items():
        for i, (measure, s, m) in enumerate(structure_maps(p, r, a.overlap)):
            parts[f"{measure}_{name}_scale{i}"] = float(s[m].mean()) if m.any() else 0.0
    if not parts:
        return 1.0, {}
    return 1.0 - float(np.mean(list(parts.values()))), parts


def placement_distance(a: Aligned) -> tuple[float, dict[str, float]]:
    h, w = a.overlap.shape
    des = []
    for i in range(PLACEMENT_GRID):
        for j in range(PLACEMENT_GRID):
            cell = (
                slice(i * h // PLACEMENT_GRID, (i + 1) * h // PLACEMENT_GRID),
                slice(j * w // PLACEMENT_GRID, (j + 1) * w // PLACEMENT_GRID),
            )
            m = a.overlap[cell]
            if m.size and m.mean() >= MIN_CELL_SHARE:
                pm = a.photo[cell][m].mean(axis=0)
                rm = a.render[cell][m].mean(axis=0)
                des.append(float(deltaE_ciede2000(pm, rm, kL=2.0)))
    if not des:
        return 100.0, {"regions": 0.0}
    return float(np.mean(des)), {"regions": float(len(des)), "worst_region_de2000": max(des)}


def highlights(lab: Array, mask: Mask) -> tuple[float, float]:
    """(share of the product that is highlight, mean rise of the highlights in L*)."""
    sigma = HIGHLIGHT_SIGMA * max(mask.shape)
    base = _masked_blur(lab[..., :1], mask, sigma)[..., 0]
    rise = (lab[..., 0] - base)[mask]
    peak = rise > HIGHLIGHT_RISE
    return float(peak.mean()), float(rise[peak].mean()) if peak.any() else 0.0


def finish_distance(a: Aligned) -> tuple[float, dict[str, float]]:
    share_p, rise_p = highlights(a.photo, a.overlap)
    share_r, rise_r = highlights(a.exposed, a.overlap)
    d = abs(np.log((share_p + 0.01) / (share_r + 0.01))) + abs(rise_p - rise_r) / HIGHLIGHT_RISE
    return float(d), {
        "highlight_share_photo": share_p,
        "highlight_share_render": share_r,
        "highlight_rise_photo": rise_p,
        "highlight_rise_render": rise_r,
    }
