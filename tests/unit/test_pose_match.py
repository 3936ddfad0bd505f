"""Pose matching: shape signatures, IoU, the search, and the pose targets of the render job."""

from __future__ import annotations

import base64
import math
from dataclasses import replace
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
    FRAME_SIDE,
    MIN_IOU,
    SIGNATURE_SIDE,
    PoseTarget,
    PoseTargetError,
    bbox,
    closing,
    fft_size,
    fit_window,
    frame_signature,
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


@given(st.integers(0, 2**32 - 1), st.booleans())
@settings(max_examples=40, deadline=None)
def test_targets_round_trip_through_the_job_document(seed: int, framed: bool) -> None:
    shape = (FRAME_SIDE, 9) if framed else (SIGNATURE_SIDE, SIGNATURE_SIDE)
    mask = np.random.default_rng(seed).random(shape) > 0.5
    target = PoseTarget("ref00", mask, framed, "support")
    again = PoseTarget.from_dict(target.to_dict())
    assert again == replace(again, name="ref00", framed=framed, reading="support")
    assert np.array_equal(again.signature, mask)


WHOLE = {"name": "a", "reading": "product", "framed": False, "rows": SIGNATURE_SIDE,
         "cols": SIGNATURE_SIDE, "bits": base64.b64encode(bytes(288)).decode()}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"side": 48}, "must be an object with bits, cols, framed, name, reading, rows"),
        ({"name": "../x"}, "not a plain name"),
        ({"reading": "floor"}, "reading must be one of"),
        ({"framed": 1}, "framed must be true or false"),
        ({"rows": 12, "cols": 12}, "12x12, expected 48x48"),
        ({"rows": 48.0}, "expected 48x48"),
        ({"framed": True}, f"longer side of {FRAME_SIDE}"),
        ({"framed": True, "rows": FRAME_SIDE, "cols": 3}, "shorter one of at least 4"),
        ({"bits": "%%%"}, "not base64"),
        ({"bits": base64.b64encode(b"xy").decode()}, "2 bytes for a 48x48 mask"),
    ],
)
def test_malformed_targets_are_refused(change: dict, message: str) -> None:  # type: ignore[type-arg]
    PoseTarget.from_dict(WHOLE)  # the unchanged document is fine
    with pytest.raises(PoseTargetError, match=message):
        PoseTarget.from_dict({**WHOLE, **change})


def test_the_render_job_carries_its_targets_and_refuses_bad_ones() -> None:
    target = PoseTarget("ref00", signature(ellipse(50, 80, 25, 40, 20, 35)))
    job = RenderJob(
        Path("m.glb"),
        Path("out"),
        preset(),
        match=(target, replace(target, reading="support")),
    )
    doc = job.to_dict()
    assert [t.reading for t in RenderJob.from_dict(doc).match] == ["product", "support"]
    assert np.array_equal(RenderJob.from_dict(doc).match[0].signature, target.signature)
    with pytest.raises(RenderFailure, match="distinct"):
        RenderJob.from_dict({**doc, "match": [doc["match"][0], doc["match"][0]]})
    five = [{**doc["match"][0], "name": f"ref{i}"} for i in range(5)]
    with pytest.raises(RenderFailure, match="at most 4 photos"):
        RenderJob.from_dict({**doc, "match": five})
    assert len(RenderJob.from_dict({**doc, "match": five[:4]}).match) == 4
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
        assert match.share == 1.0 and not match.framed  # a whole view shows all of the model


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


# A close-up of the stand-in model seen from (250°, 37°): the window of the frame a photo taken
# nearer would show, running off the right-hand side and the bottom (frame fractions).
CLOSE_UP = (0.3125, 0.8125, 0.125, 1.0)


def close_up(rays: int = 480) -> npt.NDArray[np.bool_]:
    top, bottom, left, right = (round(f * rays) for f in CLOSE_UP)
    return model_silhouette(250.0, 37.0, rays)[top:bottom, left:right]


def test_fit_window_finds_where_a_close_up_sits_in_the_frame() -> None:
    target = frame_signature(close_up())
    assert target.shape == (18, FRAME_SIDE)  # the photo's aspect, 240 by 420
    score, window = fit_window(model_silhouette(250.0, 37.0, 96), target)
    assert score > 0.9
    assert window == pytest.approx(CLOSE_UP, abs=0.03)
    # Elsewhere in the frame, or in another view, the window shows something else.
    other, _ = fit_window(model_silhouette(250.0, 37.0, 96), np.flipud(target))
    assert other < score - 0.1
    # A window never leaves the frame, even where a larger one would fit better.
    _, (top, bottom, left, right) = fit_window(model_silhouette(250.0, 37.0, 96), target, (1.0,))
    assert 0.0 <= top < bottom <= 1.0 and (left, right) == (0.0, 1.0)


def test_search_matches_a_cropped_photo_with_a_window_of_the_right_view() -> None:
    target = PoseTarget("ref00", frame_signature(close_up()), framed=True)
    (match, *_) = search([target], model_silhouette)
    assert match.framed and match.matched and match.iou > 0.9
    gap = abs((match.azimuth_deg - 250.0 + 180) % 360 - 180)
    assert gap < 8 and abs(match.elevation_deg - 37.0) < 8, match
    assert match.bbox == pytest.approx(CLOSE_UP, abs=0.04)
    # The share of the model the window shows: the close-up's share of the whole silhouette.
    sil = model_silhouette(250.0, 37.0, 480)
    top, bottom, left, right = (round(f * 480) for f in CLOSE_UP)
    expected = np.count_nonzero(sil[top:bottom, left:right]) / np.count_nonzero(sil)
    assert 0.2 < expected < 0.8 and match.share == pytest.approx(expected, abs=0.05)


def test_framed_photos_searched_together_match_as_each_does_alone() -> None:
    """The window terms a pose shares among targets, and each target's own, stay apart."""
    near = PoseTarget("ref00", frame_signature(close_up()), framed=True)
    far = model_silhouette(40.0, 10.0, 480)
    wide = PoseTarget("ref01", frame_signature(far[60:420, 30:300]), framed=True)
    together = search([near, wide], model_silhouette)
    alone = search([near], model_silhouette) + search([wide], model_silhouette)
    assert together == alone
    assert {m.name for m in together} == {"ref00", "ref01"}


def test_evaluated_counts_the_silhouettes_the_search_drew() -> None:
    calls: list[tuple[float, float, int]] = []

    def counted(az: float, el: float, rays: int) -> npt.NDArray[np.bool_]:
        calls.append((az, el, rays))
        return model_silhouette(az, el, rays)

    (match, *_) = search([PoseTarget("ref00", frame_signature(close_up()), framed=True)], counted)
    assert len(calls) == len(set(calls)) == match.evaluated


def test_the_reading_the_model_matches_best_is_the_one_kept() -> None:
    y, x = np.mgrid[0:100, 0:100]
    never = PoseTarget("ref00", signature(np.abs(y - x) < 4))  # a leaning bar: no pose shows it
    cloth = PoseTarget("ref00", frame_signature(close_up()), framed=True, reading="support")
    (alone, *_), (on_cloth, *_) = (
        search([never], model_silhouette),
        search([cloth], model_silhouette),
    )
    for order in ([never, cloth], [cloth, never]):
        matches = search(order, model_silhouette)
        assert {m.reading for m in matches} == {"support"} and all(m.framed for m in matches)
        assert matches[0].iou == on_cloth.iou
        assert matches[0].evaluated == alone.evaluated + on_cloth.evaluated  # both searched
    # A tie goes to the reading that comes first.
    twin = replace(cloth, reading="product")
    assert search([twin, cloth], model_silhouette)[0].reading == "product"


def _smooth(n: int) -> bool:
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


@pytest.mark.parametrize("n", [1, 2, 7, 96, 97, 101, 127, 241, 481, 997])
def test_fft_size_is_the_smallest_5_smooth_size_at_or_above(n: int) -> None:
    size = fft_size(n)
    assert size >= n and _smooth(size)
    assert not any(_smooth(m) for m in range(n, size))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(5, 23), st.integers(2, 9), st.integers(2, 9))
def test_fit_window_scores_every_position_as_a_brute_force_search_does(
    seed: int, side: int, rows: int, cols: int
) -> None:
    """The FFT correlation, padded to a fast size, gives the IoU of every window position."""
    rng = np.random.default_rng(seed)
    frame = rng.random((side, side)) < 0.4
    target = rng.random((rows, cols)) < 0.5
    rows, cols = min(rows, side), min(cols, side)
    target = target[:rows, :cols]
    score, (top, _, left, _) = fit_window(frame, target, (max(rows, cols) / side,))
    best = max(
        (iou(frame[r : r + rows, c : c + cols], target), -r, -c)
        for r in range(side - rows + 1)
        for c in range(side - cols + 1)
    )
    assert score == pytest.approx(best[0], abs=1e-9)
    assert (round(top * side), round(left * side)) == (-best[1], -best[2])
