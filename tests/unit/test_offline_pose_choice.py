"""The offline judge's choice between a photo's poses: the one whose pixels agree with the photo.

A silhouette reads the same from front and back, so the render stage can hand the judge two
views for one photo; the wrong side must not count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

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


def test_a_photo_cropped_by_its_frame_is_not_pose_matched_and_the_explanation_says_so(
    tmp_path: Path,
) -> None:
    whole = product(tmp_path / "whole.png", (200, 40, 30), (30, 60, 200))
    detail = np.zeros((100, 100, 4), dtype=np.uint8)  # cut-outs: the backdrop is transparent
    detail[40:, :70] = (200, 40, 30, 255)  # a close-up: the product runs off the bottom and left
    Image.fromarray(detail, "RGBA").save(tmp_path / "detail.png")
    one_side = np.zeros((100, 100, 4), dtype=np.uint8)
    one_side[30:, 20:80] = (200, 40, 30, 255)  # standing on the frame's bottom edge: still whole
    Image.fromarray(one_side, "RGBA").save(tmp_path / "standing.png")
    photos = [tmp_path / "detail.png", whole, tmp_path / "standing.png"]
    judge = OfflineJudge(load_rubric())
    masks = judge.photo_masks(photos)
    assert masks[0] is None and masks[1] is not None and masks[2] is not None
    assert frame_sides(masks[1]) == 0 and frame_sides(masks[2]) == 1

    targets = pose_targets(photos, RunSettings(preset(), judge, {}))
    assert [t.name for t in targets] == ["ref01", "ref02"]  # named by the photo's place

    _, explanations, _ = judge.score(photos, [whole], [MatchedView(whole, whole, 0.0, 0.0, 0.9)])
    assert "detail.png cropped by the frame, not pose-matched" in explanations["finish"]
    assert "whole.png cropped" not in explanations["finish"]
