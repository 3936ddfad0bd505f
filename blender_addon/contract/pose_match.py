"""Pose matching: which camera pose makes the model's silhouette look like a photo's product.

Pure numpy (no bpy, no scipy: real Blender ships numpy only). Blender supplies silhouettes (a
boolean mask of the square camera frame per pose, from ray casts); the driver supplies each
photo's product mask. Both are reduced to the same *shape signature* — cropped to their bounding
box, centred on a square, resampled to ``SIGNATURE_SIDE`` and with their holes filled — so the
comparison ignores where and how large the product is in the frame and which renderer drew it.
Before that, a small closing bridges the gaps that sparse rays leave in thin parts (a pole, a
frame): otherwise a region the thin part encloses is filled in the photo's mask and not in the
silhouette.

The search scores a coarse grid of azimuths and elevations by the signatures' IoU, then refines
the best few distinct poses by a shrinking pattern search. A silhouette cannot tell front from
back (the view from behind is nearly the mirror image, and many products are symmetric), so a
distinct pose whose IoU comes close to the best is kept as an *alternative*: both are rendered
and the judge keeps the one whose pixels agree with the photo.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
# Bump when the search, the grid or the signature changes: it keys the render cache.
POSE_SEARCH_VERSION = 2
SIGNATURE_SIDE = 48
COARSE_RAYS = 48  # ray grid per side of the coarse silhouettes
FINE_RAYS = 96  # ... and of the refined ones
AZIMUTHS = tuple(float(a) for a in range(0, 360, 15))
ELEVATIONS = (-15.0, 0.0, 15.0, 30.0, 45.0, 60.0)
SEEDS = 3  # the best coarse poses refined per photo (the global optimum is usually among them)
DISTINCT_SEEDS = 3  # ... and the best mutually distinct ones (the other side of the product)
# Poses closer than this (angle between the view directions) are one pose: seeds and alternatives
# are at least this far apart.
DISTINCT_DEG = 30.0
# An alternative pose is kept when its IoU is within this of the best one's (WickerChair's front
# and back differ by 0.05), at most ALTERNATIVES of them.
ALTERNATIVE_MARGIN = 0.06
ALTERNATIVES = 1
# The closing before the signature: its radius is this share of the product's longer side, so
# the photo's mask (hundreds of pixels) and a silhouette (tens of rays) are closed alike.
CLOSING_SHARE = 0.03
REFINE_STEPS = (7.5, 3.75, 1.875)
ELEVATION_LIMITS = (-30.0, 75.0)
# Below this IoU the best pose does not show the photo's view: no matched render is made and the
# judge falls back to view-independent statistics for that photo.
MIN_IOU = 0.6
MAX_TARGETS = 4  # photos matched per job (each costs one or two renders the size of a view)
# A matched render is cropped to the product plus this margin (frame fractions), and its longer
# side has min(the spec's longer side, MATCH_SIDE) pixels: enough for the judge, which compares at
# a fixed size anyway, and about the cost of one standard view.
MATCH_MARGIN = 0.03
MATCH_SIDE = 320


class PoseTargetError(ValueError):
    """A pose target in a render job is malformed."""


@dataclass(frozen=True)
class PoseTarget:
    """One photo's product shape, as the render job carries it (``name`` names the photo)."""

    name: str
    signature: Mask  # (SIGNATURE_SIDE, SIGNATURE_SIDE)

    def to_dict(self) -> dict[str, Any]:
        packed = np.packbits(self.signature.astype(np.uint8).ravel())
        return {
            "name": self.name,
            "side": int(self.signature.shape[0]),
            "bits": base64.b64encode(packed.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, doc: Any) -> PoseTarget:
        """Parse one target; raises :class:`PoseTargetError` naming the problem."""
        if not isinstance(doc, dict) or set(doc) != {"name", "side", "bits"}:
            raise PoseTargetError("a pose target must be an object with name, side and bits")
        name, side = doc["name"], doc["side"]
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise PoseTargetError(f"pose target name {name!r} is not a plain name")
        if side != SIGNATURE_SIDE:
            raise PoseTargetError(f"pose target side must be {SIGNATURE_SIDE}, got {side!r}")
        try:
            raw = base64.b64decode(str(doc["bits"]), validate=True)
        except ValueError:
            raise PoseTargetError(f"pose target {name!r}: bits are not base64") from None
        if len(raw) != (side * side + 7) // 8:
            raise PoseTargetError(f"pose target {name!r}: {len(raw)} bytes for a {side}² mask")
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[: side * side]
        return cls(name, bits.reshape(side, side).astype(bool))


@dataclass(frozen=True)
class PoseMatch:
    """A pose found for one target, and where the product sits in that view's frame."""

    name: str
    azimuth_deg: float
    elevation_deg: float
    iou: float
    bbox: tuple[float, float, float, float]  # (top, bottom, left, right) as frame fractions
    evaluated: int  # silhouettes compared for this target
    rank: int = 0  # 0: the best pose; 1, 2...: alternatives (distinct poses nearly as good)

    @property
    def matched(self) -> bool:
        return self.iou >= MIN_IOU


def targets_key(targets: tuple[PoseTarget, ...]) -> str:
    """What matched views are reused on: the targets and the search that matched them."""
    doc = {"search": POSE_SEARCH_VERSION, "targets": [t.to_dict() for t in targets]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _fill_holes(mask: Mask) -> Mask:
    """``mask`` with every region the outside cannot reach (4-neighbourhood) set."""
    outside = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=bool)
    free = np.pad(~mask, 1, constant_values=True)
    outside[0, :] = outside[-1, :] = outside[:, 0] = outside[:, -1] = True
    while True:
        grown = outside.copy()
        grown[1:, :] |= outside[:-1, :]
        grown[:-1, :] |= outside[1:, :]
        grown[:, 1:] |= outside[:, :-1]
        grown[:, :-1] |= outside[:, 1:]
        grown &= free
        if np.array_equal(grown, outside):
            return ~outside[1:-1, 1:-1]
        outside = grown


def bbox(mask: Mask) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), bottom and right exclusive; None for an empty mask."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _dilate(mask: Mask, radius: int) -> Mask:
    """``mask`` grown by a (2r+1)² square (rows, then columns); outside the frame is background."""
    h, w = mask.shape
    rows = np.pad(mask, ((radius, radius), (0, 0)))
    tall = mask.copy()
    for d in range(2 * radius + 1):
        tall |= rows[d : d + h]
    cols = np.pad(tall, ((0, 0), (radius, radius)))
    out = tall.copy()
    for d in range(2 * radius + 1):
        out |= cols[:, d : d + w]
    return out


def closing(mask: Mask, radius: int) -> Mask:
    """Morphological closing by a (2r+1)² square; the frame's edge does not erode the product."""
    return ~_dilate(~_dilate(mask, radius), radius)


def signature(mask: Mask, side: int = SIGNATURE_SIDE) -> Mask:
    """The shape signature of a product mask (see the module docstring); empty in, empty out."""
    box = bbox(mask)
    if box is None:
        return np.zeros((side, side), dtype=bool)
    top, bottom, left, right = box
    mask = closing(mask, max(1, round(CLOSING_SHARE * max(bottom - top, right - left))))
    crop = mask[top:bottom, left:right]
    h, w = crop.shape
    extent = max(h, w)
    # Sample the square around the crop at pixel centres; outside the crop is background.
    centres = (np.arange(side) + 0.5) * extent / side
    rows = np.floor(centres - (extent - h) / 2).astype(int)
    cols = np.floor(centres - (extent - w) / 2).astype(int)
    inside = (rows[:, None] >= 0) & (rows[:, None] < h) & (cols[None] >= 0) & (cols[None] < w)
    sampled = crop[np.clip(rows, 0, h - 1)[:, None], np.clip(cols, 0, w - 1)[None]] & inside
    return _fill_holes(sampled)


def iou(a: Mask, b: Mask) -> float:
    """Intersection over union of two same-shaped masks (0 when both are empty)."""
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 0.0


Silhouette = Callable[[float, float, int], Mask]  # (azimuth, elevation, rays per side) → mask


def _wrap(azimuth: float) -> float:
    return float(azimuth % 360.0)


def view_angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees between the view directions of two (azimuth, elevation) poses."""
    (a1, e1), (a2, e2) = (np.radians(a), np.radians(b))
    cos = np.sin(e1) * np.sin(e2) + np.cos(e1) * np.cos(e2) * np.cos(a1 - a2)
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _distinct(
    poses: list[tuple[float, float]], limit: int, keep: list[tuple[float, float]] | None = None
) -> list[tuple[float, float]]:
    """The first ``limit`` of ``poses`` (in order) at least DISTINCT_DEG from each other."""
    chosen: list[tuple[float, float]] = list(keep or [])
    start = len(chosen)
    for pose in poses:
        if len(chosen) - start >= limit:
            break
        if all(view_angle(pose, c) >= DISTINCT_DEG for c in chosen):
            chosen.append(pose)
    return chosen[start:]


def search(targets: list[PoseTarget], silhouette: Silhouette) -> list[PoseMatch]:
    """Per target, in target order: the best pose (rank 0), then its alternatives (see the
    module docstring). A coarse grid, then a pattern search from the best distinct poses."""
    cache: dict[tuple[float, float, int], Mask] = {}

    def shape(az: float, el: float, rays: int) -> Mask:
        key = (_wrap(az), el, rays)
        if key not in cache:
            cache[key] = silhouette(key[0], el, rays)
        return cache[key]

    coarse = [(az, el) for el in ELEVATIONS for az in AZIMUTHS]
    signatures = {pose: signature(shape(*pose, COARSE_RAYS)) for pose in coarse}
    matches = []
    for target in targets:
        ranked = sorted(coarse, key=lambda p: (-iou(signatures[p], target.signature), p))
        evaluated = len(coarse)
        found: list[tuple[float, float, float]] = []
        seeds = ranked[:SEEDS] + _distinct(ranked, DISTINCT_SEEDS)
        for az, el in dict.fromkeys(seeds):
            refined, n = _refine(target, az, el, lambda a, e: signature(shape(a, e, FINE_RAYS)))
            evaluated += n
            found.append(refined)
        found.sort(key=lambda f: (-f[0], f[1], f[2]))
        best = found[0]
        near = [(a, e) for s, a, e in found[1:] if s >= max(MIN_IOU, best[0] - ALTERNATIVE_MARGIN)]
        poses = [(best[1], best[2]), *_distinct(near, ALTERNATIVES, [(best[1], best[2])])]
        by_pose = {(a, e): s for s, a, e in found}
        for rank, (az, el) in enumerate(poses):
            frame = shape(az, el, FINE_RAYS)
            box = bbox(frame) or (0, frame.shape[0], 0, frame.shape[1])
            side = frame.shape[0]
            fractions = (box[0] / side, box[1] / side, box[2] / side, box[3] / side)
            score = round(by_pose[(az, el)], 4)
            matches.append(PoseMatch(target.name, az, el, score, fractions, evaluated, rank))
    return matches


def _refine(
    target: PoseTarget, az: float, el: float, sig: Callable[[float, float], Mask]
) -> tuple[tuple[float, float, float], int]:
    """Pattern search from (az, el): ((IoU, az, el) of the best pose, silhouettes compared)."""
    best = (iou(sig(az, el), target.signature), _wrap(az), el)
    n = 1
    for step in REFINE_STEPS:
        improved = True
        while improved:
            improved = False
            _, a0, e0 = best
            for da, de in ((-step, 0), (step, 0), (0, -step), (0, step)):
                e = e0 + de
                if not ELEVATION_LIMITS[0] <= e <= ELEVATION_LIMITS[1]:
                    continue
                candidate = (iou(sig(a0 + da, e), target.signature), _wrap(a0 + da), e)
                n += 1
                if candidate[0] > best[0] + 1e-9:
                    best, improved = candidate, True
    return best, n
