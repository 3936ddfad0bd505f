"""Pose matching: shape signatures, IoU, the search, and the pose targets of the render job."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import ConvexHull
from skimage.draw import polygon

from blender_addon.contract.pose_match import (
    ALTERNATIVE_MARGIN,
    DISTINCT_DEG,
    MIN_IOU,
    SIGNATURE_SIDE,
    PoseTarget,
    PoseTargetError,
    bbox,
    closing,
    iou,
    search,
    signature,
    targets_key,
    view_angle,
)
from blender_addon.contract.render_job import RenderFailure, RenderJob
from blender_addon.contract.spec import preset


def ellipse(h: int, w: int, cy: float, cx: float, ry: float, rx: float) -> npt.NDArray[np.bool_]:
    y, x = np.mgrid[0:h, 0:w]
    return ((y + 0.5 - cy) / ry) ** 2 + ((x + 0.5 - cx) / rx) ** 2 <= 1.0  # type: ignore[no-any-return]


def test_signature_ignores_position_and_size_but_not_shape() -> None:
    small = ellipse(200, 300, 60, 80, 20, 40)  # a wide ellipse, top left
    large = ellipse(120, 120, 70, 55, 30, 60)  # the same shape, larger, elsewhere, cropped frame
    tall = ellipse(200, 200, 100, 100, 60, 30)
    assert iou(signature(small), signature(large)) > 0.9
    assert iou(signature(small), signature(tall)) < 0.6


def test_signature_fills_holes_and_keeps_the_aspect() -> None:
    ring = ellipse(64, 64, 32, 32, 30, 30) & ~ellipse(64, 64, 32, 32, 15, 15)
    assert signature(ring).sum() == signature(ellipse(64, 64, 32, 32, 30, 30)).sum()
    bar = np.zeros((40, 100), dtype=bool)
    bar[10:20, 5:95] = True
    sig = signature(bar)
    assert sig.shape == (SIGNATURE_SIDE, SIGNATURE_SIDE)
    top, bottom, left, right = bbox(sig) or (0, 0, 0, 0)
    assert (left, right) == (0, SIGNATURE_SIDE)  # the long side spans the square
    assert bottom - top == pytest.approx(SIGNATURE_SIDE * 10 / 90, abs=1)  # centred, 1:9


def test_empty_masks() -> None:
    empty = np.zeros((10, 10), dtype=bool)
    assert bbox(empty) is None
    assert not signature(empty).any()
    assert iou(empty, empty) == 0.0


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_targets_round_trip_through_the_job_document(seed: int) -> None:
    mask = np.random.default_rng(seed).random((SIGNATURE_SIDE, SIGNATURE_SIDE)) > 0.5
    target = PoseTarget("ref00", mask)
    again = PoseTarget.from_dict(target.to_dict())
    assert again.name == "ref00" and np.array_equal(again.signature, mask)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"name": "a"}, "must be an object"),
        ({"name": "../x", "side": SIGNATURE_SIDE, "bits": ""}, "not a plain name"),
        ({"name": "a", "side": 12, "bits": ""}, "side must be"),
        ({"name": "a", "side": SIGNATURE_SIDE, "bits": "%%%"}, "not base64"),
        (
            {"name": "a", "side": SIGNATURE_SIDE, "bits": base64.b64encode(b"xy").decode()},
            "2 bytes",
        ),
    ],
)
def test_malformed_targets_are_refused(doc: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(PoseTargetError, match=message):
        PoseTarget.from_dict(doc)


def test_the_render_job_carries_its_targets_and_refuses_bad_ones() -> None:
    target = PoseTarget("ref00", signature(ellipse(50, 80, 25, 40, 20, 35)))
    job = RenderJob(
        Path("m.glb"),
        Path("out"),
        preset(),
        match=(target,),
    )
    doc = job.to_dict()
    assert RenderJob.from_dict(doc).match[0].name == "ref00"
    assert np.array_equal(RenderJob.from_dict(doc).match[0].signature, target.signature)
    with pytest.raises(RenderFailure, match="distinct names"):
        RenderJob.from_dict({**doc, "match": [doc["match"][0], doc["match"][0]]})
    with pytest.raises(RenderFailure, match="at most"):
        RenderJob.from_dict({**doc, "match": [doc["match"][0]] * 5})
    with pytest.raises(RenderFailure, match="plain name"):
        RenderJob.from_dict({**doc, "match": [{**doc["match"][0], "name": "a/b"}]})
    assert RenderJob.from_dict({k: v for k, v in doc.items() if k != "match"}).match == ()


def test_targets_key_changes_with_the_shape() -> None:
    a = PoseTarget("ref00", signature(ellipse(50, 80, 25, 40, 20, 35)))
    b = PoseTarget("ref00", signature(ellipse(80, 50, 40, 25, 35, 20)))
    assert targets_key((a,)) == targets_key((PoseTarget("ref00", a.signature.copy()),))
    assert targets_key((a,)) != targets_key((b,))


# A stand-in model with one pose per silhouette: a bar along X with a post at its +X end and a
# fin at its -X end pointing along -Y (corners of three boxes, in model units).
def test_a_thin_frame_broken_by_sparse_rays_encloses_the_same_region_as_the_photo_s() -> None:
    # A blob inside a one-pixel frame (a hanging chair's stand): the photo's mask has the frame
    # whole, the silhouette's rays hit it only every other pixel.
    whole = np.zeros((96, 96), dtype=bool)
    whole[30:70, 30:50] = True
    whole[[10, 89], 20:80] = whole[10:90, [20, 79]] = True
    broken = whole.copy()
    broken[[10, 89], 21:79:2] = False
    broken[11:89:2, [20, 79]] = False
    assert iou(signature(whole), signature(broken)) > 0.95
    assert signature(broken).mean() > 0.7  # the region the frame encloses is filled (60 of 80)
    solid = np.zeros((60, 60), dtype=bool)
    solid[:, :30] = True  # the frame's edge does not erode the product
    assert np.array_equal(closing(solid, 3), solid)
    assert np.array_equal(closing(broken, 0), broken)


def test_view_angle() -> None:
    assert view_angle((10.0, 0.0), (350.0, 0.0)) == pytest.approx(20.0)
    assert view_angle((0.0, 90.0), (123.0, 90.0)) == pytest.approx(0.0, abs=1e-6)
    assert view_angle((0.0, 0.0), (180.0, 0.0)) == pytest.approx(180.0)


BOXES = [((-1.5, -0.4, -0.3), (1.5, 0.4, 0.3)), ((1.0, -0.4, 0.3), (1.5, 0.4, 1.5)),
         ((-1.5, -1.4, -0.3), (-1.1, -0.4, 0.1))]  # fmt: skip


def model_silhouette(az: float, el: float, rays: int) -> npt.NDArray[np.bool_]:
    """Orthographic silhouette of BOXES from the rig's pose (azimuth 0 looks along +Y, Z up)."""
    a, e = math.radians(az), math.radians(el)
    right = np.array([math.cos(a), math.sin(a), 0.0])
    to_camera = np.array([math.cos(e) * math.sin(a), -math.cos(e) * math.cos(a), math.sin(e)])
    up = np.cross(to_camera, right)
    mask = np.zeros((rays, rays), dtype=bool)
    for lo, hi in BOXES:
        corners = np.array(
            [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )
        uv = np.stack([corners @ right, corners @ up], axis=1)
        hull = uv[ConvexHull(uv).vertices]
        cols = (hull[:, 0] + 2.5) / 5 * rays
        rows = (2.5 - hull[:, 1]) / 5 * rays
        rr, cc = polygon(rows, cols, (rays, rays))  # type: ignore[no-untyped-call]
        mask[rr, cc] = True
    return mask


def test_search_finds_the_pose_of_a_photo_taken_from_the_grid_and_between_it() -> None:
    for az, el in ((0.0, 15.0), (250.0, 37.0)):
        target = PoseTarget("ref00", signature(model_silhouette(az, el, 240)))
        (match,) = search([target], model_silhouette)
        assert match.matched and match.iou > 0.85
        gap = abs((match.azimuth_deg - az + 180) % 360 - 180)
        assert gap < 6 and abs(match.elevation_deg - el) < 6, (az, el, match)
        top, bottom, left, right = match.bbox
        assert 0 <= top < bottom <= 1 and 0 <= left < right <= 1


def test_a_shape_the_model_never_shows_is_not_matched() -> None:
    y, x = np.mgrid[0:100, 0:100]
    diagonal = np.abs(y - x) < 4  # the bar never leans: the rig has no roll
    (match,) = search([PoseTarget("ref00", signature(diagonal))], model_silhouette)
    assert match.iou < MIN_IOU and not match.matched


def box_silhouette(az: float, el: float, rays: int) -> npt.NDArray[np.bool_]:
    """A centred box: it looks the same from behind (azimuth + 180°) as from the front."""
    global BOXES
    saved, BOXES = BOXES, [((-1.2, -0.5, -0.4), (1.2, 0.5, 0.4))]
    try:
        return model_silhouette(az, el, rays)
    finally:
        BOXES = saved


def test_a_pose_that_reads_the_same_from_elsewhere_comes_with_an_alternative() -> None:
    target = PoseTarget("ref00", signature(box_silhouette(40.0, 20.0, 240)))
    best, *alternatives = search([target], box_silhouette)
    assert best.rank == 0 and best.iou > 0.85
    (alt,) = alternatives
    assert alt.rank == 1 and alt.name == "ref00" and alt.matched
    assert alt.iou >= best.iou - ALTERNATIVE_MARGIN
    assert (
        view_angle((best.azimuth_deg, best.elevation_deg), (alt.azimuth_deg, alt.elevation_deg))
        >= DISTINCT_DEG
    )
