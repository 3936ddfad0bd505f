"""Framing: where each standard camera sits so that the model fills the frame. Pure numpy.

A view keeps its direction (azimuth, elevation) and its field of view; what changes per view is
the distance to the model and the lens shift. The distance is the one at which the model's
projected extent (its vertices through that camera, not its bounding sphere) spans ``fill`` of
the frame's side along the tighter axis; the shift centres that extent in the frame, so no part
of the model is cut off. A bounding sphere leaves a long, thin or flat product a small share of
the pixels; the judge then sees a few hundred pixels of texture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BISECTIONS = 60  # halves the distance bracket to well under a micrometre of a unit model
NEAR = 1e-3  # the nearest a vertex may be to the camera plane, in model units
# Cycles' pixel filter (Blackman-Harris, 1.5 px wide) spreads an edge's colour about a pixel
# outward; three pixels around the projected extent keep every pixel the model touches.
BORDER_MARGIN_PX = 3


@dataclass(frozen=True)
class Framing:
    """One view's camera: distance from the origin, lens shift (fractions of the frame's side
    along the sensor fit, the shorter side, as Blender's ``shift_x``/``shift_y``), and the
    extent's share of the frame's width and height."""

    distance: float
    shift_x: float
    shift_y: float
    fill_x: float
    fill_y: float
    near: float  # the nearest and farthest vertex depths: the clipping range
    far: float

    @property
    def fill(self) -> float:
        """The share of the frame's side the extent spans along the tighter axis."""
        return max(self.fill_x, self.fill_y)


def camera_axes(azimuth_deg: float, elevation_deg: float) -> tuple[FloatArray, ...]:
    """(towards the camera, right, up) unit vectors of a camera that looks at the origin from
    that direction with Z up; azimuth 0 looks along +Y, at the model's front."""
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    towards = np.array(
        [math.cos(el) * math.sin(az), -math.cos(el) * math.cos(az), math.sin(el)], np.float64
    )
    right = np.cross(-towards, [0.0, 0.0, 1.0])
    norm = float(np.linalg.norm(right))
    # Straight above or below, "up" in the image is the model's front (+Y), as Blender's track.
    right = right / norm if norm > 1e-9 else np.array([1.0, 0.0, 0.0])
    up = np.cross(right, -towards)
    return towards, right, up


def half_tangents(fov_deg: float, width: int, height: int) -> tuple[float, float]:
    """tan of half the field of view across the width and the height; ``fov_deg`` spans the
    shorter side."""
    short = math.tan(math.radians(fov_deg) / 2.0)
    if width >= height:
        return short * width / height, short
    return short, short * height / width


def _extent(
    along: FloatArray, x: FloatArray, y: FloatArray, distance: float
) -> tuple[float, float, float, float]:
    """(centre u, half width u, centre v, half height v) of the projected vertices."""
    depth = distance - along
    u, v = x / depth, y / depth
    lo_u, hi_u, lo_v, hi_v = float(u.min()), float(u.max()), float(v.min()), float(v.max())
    return (lo_u + hi_u) / 2, (hi_u - lo_u) / 2, (lo_v + hi_v) / 2, (hi_v - lo_v) / 2


def render_border(
    framing: Framing, resolution: tuple[int, int], margin_px: int = BORDER_MARGIN_PX
) -> tuple[float, float, float, float]:
    """(min x, max x, min y, max y) of the frame, as shares of its width and height (Blender's
    render border): the model's centred projected extent and ``margin_px`` around it.

    A mesh's projection lies inside the box of its projected vertices, so outside this border
    every pixel is the transparent film; Cycles then renders and denoises only inside it.
    """
    width, height = resolution
    half_x = framing.fill_x / 2.0 + margin_px / width
    half_y = framing.fill_y / 2.0 + margin_px / height
    return (
        max(0.0, 0.5 - half_x),
        min(1.0, 0.5 + half_x),
        max(0.0, 0.5 - half_y),
        min(1.0, 0.5 + half_y),
    )


def frame_view(
    vertices: FloatArray,
    azimuth_deg: float,
    elevation_deg: float,
    fov_deg: float,
    resolution: tuple[int, int],
    fill: float,
) -> Framing:
    """The camera of one view for ``vertices`` (N x 3, world space, the model centred at the
    origin): the distance at which the projected extent spans ``fill`` of the frame along the
    tighter axis, and the shift that centres it."""
    if len(vertices) == 0:
        raise ValueError("no vertices to frame")
    if not 0.0 < fill <= 1.0:
        raise ValueError(f"fill must be in (0, 1], got {fill}")
    towards, right, up = camera_axes(azimuth_deg, elevation_deg)
    along, x, y = vertices @ towards, vertices @ right, vertices @ up
    tan_x, tan_y = half_tangents(fov_deg, *resolution)

    def spans(distance: float) -> float:
        _, hu, _, hv = _extent(along, x, y, distance)
        return max(hu / tan_x, hv / tan_y)

    # The extent shrinks as the camera backs away: bracket the distance and halve the bracket.
    low = float(along.max()) + NEAR
    high = max(2.0 * low, 1.0)
    while spans(high) > fill:
        high *= 2.0
    if spans(low) < fill:  # even touching the model it looks small: a degenerate, flat model
        high = low
    for _ in range(BISECTIONS):
        mid = (low + high) / 2.0
        low, high = (mid, high) if spans(mid) > fill else (low, mid)
    distance = high
    cu, hu, cv, hv = _extent(along, x, y, distance)
    # Blender measures a shift in the side the sensor is fitted to: the shorter one here.
    fitted = min(tan_x, tan_y)
    depth = distance - along
    return Framing(
        distance=distance,
        shift_x=cu / (2.0 * fitted),
        shift_y=cv / (2.0 * fitted),
        fill_x=hu / tan_x,
        fill_y=hv / tan_y,
        near=float(depth.min()),
        far=float(depth.max()),
    )
