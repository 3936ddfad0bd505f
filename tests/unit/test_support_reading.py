"""The support reading: a border colour the top of the frame does not show (a cloth, a floor, a
plinth) is backdrop for one candidate and part of the model for another, and the offline judge's
statistics keep the reading the candidate agrees with better."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from rubric.core.definition import load_rubric
from rubric.core.judge import MatchedView
from rubric.offline.foreground import foreground, frame_sides
from rubric.offline.judge import OfflineJudge

GREY, RED, GREEN = (120, 120, 125), (150, 20, 30), (40, 140, 60)
H, W = 160, 200


def scene(cloth_rows: int = 60, cloth_on_top: int = 0) -> npt.NDArray[np.uint8]:
    """A green box standing on a red cloth that runs off the left, right and bottom of the frame,
    against a grey backdrop; ``cloth_on_top`` red pixels also on the top row's left end."""
    rng = np.random.default_rng(1)
    img = np.empty((H, W, 3), dtype=np.float64)
    img[:] = GREY
    img[H - cloth_rows :] = RED
    img[H - cloth_rows - 50 : H - cloth_rows, 60:140] = GREEN
    img[:3, :cloth_on_top] = RED
    img += rng.normal(0, 2, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def box_share() -> float:
    return 50 * 80 / (H * W)


def test_a_cloth_seen_only_below_is_backdrop_in_the_mask_and_product_in_the_support() -> None:
    fg = foreground(scene())
    assert abs(fg.coverage - box_share()) < 0.02
    assert fg.support is not None
    assert abs(float(fg.support.mean()) - (box_share() + 60 * W / (H * W))) < 0.02
    assert (fg.support | ~fg.mask).all()  # the support reading holds the whole mask
    assert frame_sides(fg.mask) == 0 and frame_sides(fg.support) == 3


def test_a_few_cloth_pixels_on_the_top_row_do_not_make_the_cloth_a_backdrop() -> None:
    # 3 % of the top strip: a stray leak, below the share a backdrop colour covers there.
    assert foreground(scene(cloth_on_top=18)).support is not None
    # Half the top strip: the colour is a backdrop after all, and there is no support reading.
    assert foreground(scene(cloth_on_top=W // 2)).support is None


def test_a_uniform_backdrop_or_a_thin_strip_below_gives_no_support_reading() -> None:
    assert foreground(scene(cloth_rows=0)).support is None
    # Two rows of another colour at the bottom (1.3 % of the frame): a shadow, not a support.
    assert foreground(scene(cloth_rows=2)).support is None
    assert foreground(scene(cloth_rows=8)).support is not None


def render(path: Path, with_cloth: bool) -> Path:
    """The candidate on a transparent background: the box, and the cloth when the model has it."""
    img = np.zeros((H, W, 4), dtype=np.uint8)
    img[..., :3] = scene()
    img[H - 110 : H - 60, 60:140, 3] = 255
    if with_cloth:
        img[H - 60 :, 20:180, 3] = 255
    Image.fromarray(img, "RGBA").save(path)
    return path


def test_the_judge_reads_the_photo_the_way_the_candidate_agrees_with(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    Image.fromarray(scene()).save(photo)
    judge = OfflineJudge(load_rubric())
    for with_cloth in (True, False):
        candidate = render(tmp_path / f"cloth_{with_cloth}.png", with_cloth)
        sub, explanations, details = judge.score([photo], [candidate])
        if with_cloth:  # the photo, read with its cloth, is this model's own picture
            assert judge.rubric.overall(sub) >= 90
        measures = details["measures"]
        assert isinstance(measures, list) and measures[0]["support"] is with_cloth
        assert ("photo.png read with what the product stands on" in explanations["finish"]) is (
            with_cloth
        )
        photos = details["photos"]
        assert isinstance(photos, list) and photos[0]["support_coverage"] > 0.45


def test_only_the_photos_read_with_their_support_are_named(tmp_path: Path) -> None:
    near, far = tmp_path / "near.png", tmp_path / "far.png"
    for photo in (near, far):
        Image.fromarray(scene()).save(photo)
    candidate = render(tmp_path / "m00_ref00.png", with_cloth=True)
    judge = OfflineJudge(load_rubric())
    # near.png has a matched view, so its pixels are compared aligned, whatever its readings;
    # far.png has none and counts through the statistics, read with its cloth.
    _, explanations, details = judge.score(
        [near, far], [candidate], [MatchedView(near, candidate, 0.0, 10.0, 0.8)]
    )
    measures = details["measures"]
    assert isinstance(measures, list)
    assert [(m["photo"], m["kind"], m["support"]) for m in measures] == [
        ("near.png", "aligned", False),
        ("far.png", "statistics", True),
    ]
    assert "Notes: far.png read with what the product stands on" in explanations["finish"]


def test_a_support_reading_that_covers_almost_the_whole_frame_is_dropped() -> None:
    # A red room with a grey ceiling strip: read with its "support", the product is 96 % of it.
    img = scene(cloth_rows=H - 7)
    img[60:100, 80:120] = GREEN
    fg = foreground(img)
    assert fg.method == "border" and fg.support is None
