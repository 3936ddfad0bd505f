"""The offline judge's choice between a photo's poses: the one whose pixels agree with the photo.

A silhouette reads the same from front and back, so the render stage can hand the judge two
views for one photo; the wrong side must not count.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from blender_addon.contract.pose_match import FRAME_SIDE
from blender_addon.contract.spec import preset
from driver.config.settings import RunSettings
from driver.pipeline.stages import pose_targets
from rubric.core.definition import load_rubric
from rubric.core.judge import MatchedView
from rubric.offline.foreground import frame_sides
from rubric.offline.judge import OfflineJudge


def product(path: Path, left: tuple[int, int, int], right: tuple[int, int, int]) -> Path:
    """A two-coloured box with a little shading, on a transparent background."""
    img = np.zeros((160, 160, 4), dtype=np.uint8)
    shade = np.linspace(0.8, 1.0, 100)[:, None, None]
    img[30:130, 30:80, :3] = (np.array(left) * shade).astype(np.uint8)
    img[30:130, 80:130, :3] = (np.array(right) * shade).astype(np.uint8)
    img[30:130, 30:130, 3] = 255
    Image.fromarray(img, "RGBA").save(path)
    return path


def test_the_pose_that_looks_like_the_photo_counts_whichever_comes_first(tmp_path: Path) -> None:
    red, blue = (200, 40, 30), (30, 60, 200)
    photo = product(tmp_path / "photo.png", red, blue)
    front = product(tmp_path / "m00_ref00.png", red, blue)
    back = product(tmp_path / "m01_ref00.png", blue, red)  # the mirror image: seen from behind
    judge = OfflineJudge(load_rubric())
    views = [front]
    at_front = MatchedView(photo, front, 10.0, 5.0, 0.9)
    at_back = MatchedView(photo, back, 190.0, 5.0, 0.88)

    front_only, _, _ = judge.score([photo], views, [at_front])
    back_only, _, _ = judge.score([photo], views, [at_back])
    assert judge.rubric.overall(back_only) < judge.rubric.overall(front_only) - 10
    for order in ([at_back, at_front], [at_front, at_back]):
        sub, explanations, details = judge.score([photo], views, order)
        assert sub == front_only
        poses = {p["render"]: p for p in details["poses"]}  # type: ignore[attr-defined]
        assert poses[front.name]["chosen"] is True and poses[back.name]["chosen"] is False
        assert poses[back.name]["aligned_overall"] < poses[front.name]["aligned_overall"]
        measures = details["measures"]
        assert isinstance(measures, list) and len(measures) == 1
        assert measures[0]["weight"] == 0.9  # the chosen pose's IoU
        assert explanations["color_palette"].count("photo.png (aligned") == 1


def cut_out(path: Path, rows: slice, cols: slice) -> Path:
    """A red and blue product (split at column 35) in ``rows`` and ``cols``, transparent
    elsewhere."""
    img = np.zeros((100, 100, 4), dtype=np.uint8)
    colours = np.where(np.arange(100)[None, :, None] < 35, (200, 40, 30), (30, 60, 200))
    img[rows, cols, :3] = colours[:, cols]
    img[rows, cols, 3] = 255
    Image.fromarray(img, "RGBA").save(path)
    return path


def test_a_photo_cropped_by_its_frame_is_matched_by_a_window_and_compared_frame_to_frame(
    tmp_path: Path,
) -> None:
    # A close-up: the product runs off the bottom and the left of the frame.
    detail = cut_out(tmp_path / "detail.png", slice(40, None), slice(0, 70))
    whole = product(tmp_path / "whole.png", (200, 40, 30), (30, 60, 200))
    standing = cut_out(tmp_path / "standing.png", slice(30, None), slice(20, 80))  # still whole
    photos = [detail, whole, standing]
    judge = OfflineJudge(load_rubric())
    shapes = judge.pose_targets(photos)
    assert [[(s.reading, s.framed) for s in r] for r in shapes] == [
        [("product", True)],
        [("product", False)],
        [("product", False)],
    ]
    assert frame_sides(shapes[0][0].mask) == 2 and frame_sides(shapes[2][0].mask) == 1

    targets = pose_targets(photos, RunSettings(preset(), judge, {}))
    assert [(t.name, t.framed) for t in targets] == [
        ("ref00", True),  # named by the photo's place
        ("ref01", False),
        ("ref02", False),
    ]
    assert targets[0].signature.shape == (FRAME_SIDE, FRAME_SIDE)  # the photo's whole frame

    # The window of the model's view shows less of the product than the photo: frame to frame,
    # the colours line up; box to box, the render's red would be stretched over the photo's blue.
    window = cut_out(tmp_path / "m00_ref00.png", slice(40, None), slice(0, 50))
    framed = MatchedView(detail, window, 0.0, 0.0, 0.8, framed=True)
    sub, explanations, details = judge.score([detail], [whole], [framed])
    boxed, boxed_explanations, _ = judge.score([detail], [whole], [replace(framed, framed=False)])
    assert sub["color_palette"] >= 90 > boxed["color_palette"] + 20
    poses = details["poses"]
    assert isinstance(poses, list) and len(poses) == 1
    pose = poses[0]
    assert pose["framed"] is True and pose["reading"] == "product"
    note = "detail.png (100%) cropped by the frame: compared with the window of the matched view"
    assert note in explanations["finish"] and note not in boxed_explanations["finish"]


def test_a_cropped_photo_counts_by_the_share_of_the_product_its_window_shows(
    tmp_path: Path,
) -> None:
    red, blue = (200, 40, 30), (30, 60, 200)
    whole = product(tmp_path / "whole.png", red, blue)
    detail = cut_out(tmp_path / "detail.png", slice(40, None), slice(0, 70))
    render = product(tmp_path / "m00_ref00.png", red, blue)
    wrong = cut_out(tmp_path / "m01_ref01.png", slice(40, None), slice(0, 70))
    rgba = np.asarray(Image.open(wrong)).copy()
    rgba[..., :3] = rgba[..., ::-1][..., 1:]  # blue where the photo is red, and red for blue
    Image.fromarray(rgba, "RGBA").save(wrong)
    judge = OfflineJudge(load_rubric())
    at_whole = MatchedView(whole, render, 0.0, 0.0, 0.9)
    at_detail = MatchedView(detail, wrong, 0.0, 0.0, 0.9, framed=True)
    scores = {}
    for share in (1.0, 0.1):
        sub, explanations, details = judge.score(
            [whole, detail], [render], [at_whole, replace(at_detail, share=share)]
        )
        scores[share] = sub["color_palette"]
        measures = details["measures"]
        assert isinstance(measures, list)
        assert [m["weight"] for m in measures] == [0.9, round(0.9 * share, 4)]
        assert details["poses"][1]["share"] == share  # type: ignore[index]
        assert f"detail.png ({share:.0%}) cropped by the frame" in explanations["finish"]
    assert scores[0.1] > scores[1.0] + 20  # the close-up's wrong colours count a tenth as much


def test_a_matched_render_that_does_not_line_up_with_the_photo_falls_back_to_statistics(
    tmp_path: Path,
) -> None:
    red, blue = (200, 40, 30), (30, 60, 200)
    photo = product(tmp_path / "photo.png", red, blue)
    other = product(tmp_path / "other.png", red, blue)
    empty = tmp_path / "m00_ref00.png"
    Image.fromarray(np.zeros((64, 64, 4), dtype=np.uint8), "RGBA").save(empty)  # nothing drawn
    good = product(tmp_path / "m01_ref01.png", red, blue)
    judge = OfflineJudge(load_rubric())
    views = [MatchedView(photo, empty, 0.0, 0.0, 0.9), MatchedView(other, good, 0.0, 0.0, 0.9)]
    _, explanations, details = judge.score([photo, other], [good], views)
    poses = details["poses"]
    assert isinstance(poses, list) and poses[0]["aligned_overall"] is None
    assert poses[0]["aligned_mask_iou"] < 0.3 and "chosen" not in poses[0]
    measures = details["measures"]
    assert isinstance(measures, list)
    assert [(m["photo"], m["kind"]) for m in measures] == [
        ("other.png", "aligned"),
        ("photo.png", "statistics"),
    ]
    assert "the matched view of photo.png does not line up with the photo" in explanations["finish"]
