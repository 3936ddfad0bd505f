"""Framing by projected extent: each view's distance and shift make the model span the chosen
share of the frame, whatever its shape."""

from __future__ import annotations

import math

import numpy as np
import pytest

from blender_addon.contract.framing import (
    FloatArray,
    Framing,
    camera_axes,
    frame_view,
    half_tangents,
    render_border,
)

FOV = 39.6
CUBE = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
ROD = np.array([[-0.5, -0.02, -0.02], [0.5, 0.02, 0.02], [0.5, -0.02, 0.02], [-0.5, 0.02, -0.02]])


def projected(vertices: FloatArray, az: float, el: float, f: Framing) -> FloatArray:
    """The vertices in the frame's coordinates: -1..1 across width and height after the shift."""
    towards, right, up = camera_axes(az, el)
    depth = f.distance - vertices @ towards
    tan_x, tan_y = half_tangents(FOV, 512, 512)
    u = (vertices @ right) / depth / tan_x - 2 * f.shift_x
    v = (vertices @ up) / depth / tan_y - 2 * f.shift_y
    return np.stack([u, v], axis=1)


@pytest.mark.parametrize(("az", "el"), [(0, 20), (90, 20), (225, 35), (30, 89.9), (0, -40)])
@pytest.mark.parametrize("fill", [0.5, 0.9, 1.0])
def test_the_extent_spans_the_fill_and_is_centred(az: float, el: float, fill: float) -> None:
    f = frame_view(CUBE, az, el, FOV, (512, 512), fill)
    uv = projected(CUBE, az, el, f)
    span = (uv.max(axis=0) - uv.min(axis=0)) / 2
    assert max(span) == pytest.approx(fill, abs=1e-6) and f.fill == pytest.approx(fill)
    assert np.abs(uv.max(axis=0) + uv.min(axis=0)) == pytest.approx([0, 0], abs=1e-9)
    assert np.abs(uv).max() <= 1.0 + 1e-9  # nothing is cut off
    assert 0 < f.near <= f.far


def test_a_product_is_framed_by_its_own_extent_not_its_bounding_sphere() -> None:
    sphere = math.sqrt(3) / 2 * 1.1 / math.sin(math.radians(FOV) / 2)  # the old rule, a cube
    assert frame_view(CUBE, 0, 0, FOV, (512, 512), 0.9).distance < 0.75 * sphere
    rod = frame_view(ROD, 0, 20, FOV, (512, 512), 0.9)  # a rod across the frame fills its width
    assert rod.fill_x == pytest.approx(0.9) and rod.fill_y < 0.2
    end_on = frame_view(ROD, 90, 0, FOV, (512, 512), 0.9)  # and seen end-on, its section
    assert end_on.fill == pytest.approx(0.9) and end_on.near > 0


def test_an_off_centre_extent_is_shifted_into_the_middle() -> None:
    lopsided = np.vstack([CUBE * [1, 1, 0.2] + [0, 0, -0.4], [[0, 0, 0.5]]])
    f = frame_view(lopsided, 0, 0, FOV, (512, 512), 0.9)
    assert f.shift_y != pytest.approx(0, abs=1e-3)
    uv = projected(lopsided, 0, 0, f)
    assert uv[:, 1].max() + uv[:, 1].min() == pytest.approx(0, abs=1e-9)


def test_a_wide_frame_fits_the_height_and_measures_shifts_in_it() -> None:
    assert half_tangents(FOV, 1024, 512)[0] == pytest.approx(2 * half_tangents(FOV, 1024, 512)[1])
    assert half_tangents(FOV, 512, 1024)[1] == pytest.approx(2 * half_tangents(FOV, 512, 1024)[0])
    f = frame_view(CUBE, 0, 20, FOV, (1024, 512), 0.9)
    assert f.fill_y == pytest.approx(0.9) and f.fill_x < 0.9


def test_what_cannot_be_framed_is_refused() -> None:
    with pytest.raises(ValueError, match="no vertices"):
        frame_view(np.empty((0, 3)), 0, 0, FOV, (64, 64), 0.9)
    with pytest.raises(ValueError, match="fill must be in"):
        frame_view(CUBE, 0, 0, FOV, (64, 64), 1.5)


@pytest.mark.parametrize(("az", "el"), [(0, 20), (90, 20), (30, 60)])
def test_the_render_border_holds_the_extent_and_a_margin(az: float, el: float) -> None:
    f = frame_view(ROD, az, el, FOV, (512, 256), 0.9)
    min_x, max_x, min_y, max_y = render_border(f, (512, 256), margin_px=3)
    uv = projected_wide(ROD, az, el, f, (512, 256))  # -1..1 across the frame
    lo, hi = (uv.min(axis=0) + 1) / 2, (uv.max(axis=0) + 1) / 2  # 0..1, as the border
    assert lo[0] - min_x == pytest.approx(3 / 512) and max_x - hi[0] == pytest.approx(3 / 512)
    assert lo[1] - min_y == pytest.approx(3 / 256) and max_y - hi[1] == pytest.approx(3 / 256)


def test_the_render_border_stays_inside_the_frame() -> None:
    full = frame_view(ROD, 0, 0, FOV, (64, 64), 1.0)  # the rod spans the width, edge to edge
    min_x, max_x, min_y, max_y = render_border(full, (64, 64))
    assert (min_x, max_x) == (0.0, 1.0) and 0.0 < min_y < max_y < 1.0
    face_on = frame_view(CUBE, 0, 0, FOV, (64, 64), 1.0)  # a square face, edge to edge both ways
    assert render_border(face_on, (64, 64)) == (0.0, 1.0, 0.0, 1.0)
    half = frame_view(ROD, 0, 0, FOV, (64, 64), 0.5)
    assert render_border(half, (64, 64), margin_px=0)[:2] == pytest.approx((0.25, 0.75))


def projected_wide(
    vertices: FloatArray, az: float, el: float, f: Framing, resolution: tuple[int, int]
) -> FloatArray:
    """As :func:`projected`, for any frame: -1..1 across its width and height."""
    towards, right, up = camera_axes(az, el)
    depth = f.distance - vertices @ towards
    tan_x, tan_y = half_tangents(FOV, *resolution)
    fitted = min(tan_x, tan_y)
    u = ((vertices @ right) / depth - 2 * f.shift_x * fitted) / tan_x
    v = ((vertices @ up) / depth - 2 * f.shift_y * fitted) / tan_y
    return np.stack([u, v], axis=1)
