"""Which mask the offline judge uses for a photo: alpha only when it is a matte, else the border
segmentation, and a centre crop only when neither finds a product."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw

from rubric.offline.foreground import foreground, frame_sides


def product_photo(alpha: str) -> npt.NDArray[np.uint8]:
    """A red disc on white, 128 x 128, with the given kind of alpha channel."""
    img = Image.new("RGBA", (128, 128), (255, 255, 255, 255))
    ImageDraw.Draw(img).ellipse([32, 32, 96, 96], (190, 40, 30, 255))
    arr = np.array(img)
    rng = np.random.default_rng(0)
    if alpha == "soft_pixels":  # 3 % of the pixels partly transparent (a resize, say)
        spots = rng.random((128, 128)) < 0.03
        arr[spots, 3] = 200
    elif alpha == "matte":  # a real cutout: the backdrop is transparent
        disc = np.zeros((128, 128), bool)
        yy, xx = np.mgrid[:128, :128]
        disc[(yy - 64) ** 2 + (xx - 64) ** 2 <= 32**2] = True
        arr[~disc, 3] = 0
    elif alpha == "all_transparent":
        arr[..., 3] = 0
    return arr


def disc_share() -> float:
    return float(np.pi * 32**2 / 128**2)


def test_a_few_soft_alpha_pixels_do_not_make_alpha_the_mask() -> None:
    fg = foreground(product_photo("soft_pixels"))
    assert fg.method == "border"
    assert fg.coverage == pytest.approx(disc_share(), abs=0.03)
    assert fg.warning is not None and fg.warning.startswith("alpha ignored: only 0.0%")


def test_a_real_matte_is_used() -> None:
    fg = foreground(product_photo("matte"))
    assert (fg.method, fg.warning) == ("alpha", None)
    assert fg.coverage == pytest.approx(disc_share(), abs=0.01)


def test_an_implausible_alpha_mask_falls_back_to_the_border_not_the_centre() -> None:
    # Everything transparent: alpha would cover nothing; the pixels still show the product.
    fg = foreground(product_photo("all_transparent"))
    assert fg.method == "border"
    assert fg.warning == "alpha mask covers 0%; used the border segmentation"


def test_no_alpha_is_segmented_from_the_border() -> None:
    fg = foreground(product_photo("none")[..., :3])
    assert (fg.method, fg.warning) == ("border", None)


def test_a_blank_photo_ends_in_a_centre_crop_that_says_what_was_tried() -> None:
    blank = np.full((64, 64, 4), 255, np.uint8)
    blank[:2, :2, 3] = 0  # a transparent corner: alpha covers almost everything
    fg = foreground(blank)
    assert fg.method == "centre-crop"
    assert fg.warning == (
        "no usable foreground (alpha ignored: only 0.1% of the pixels are transparent; "
        "border mask covers 0%); used a centre crop"
    )


def test_soft_alpha_pixels_do_not_change_the_offline_score(tmp_path: Path) -> None:
    from rubric.core.definition import load_rubric
    from rubric.offline.judge import OfflineJudge

    soft, plain, render = (tmp_path / n for n in ("soft.png", "plain.png", "render.png"))
    Image.fromarray(product_photo("soft_pixels")).save(soft)
    Image.fromarray(product_photo("none")[..., :3]).save(plain)
    Image.fromarray(product_photo("matte")).save(render)
    judge = OfflineJudge(load_rubric())
    with_alpha, _, details = judge.score([soft], [render])
    without, _, _ = judge.score([plain], [render])
    assert with_alpha == without
    assert details["photos"][0]["mask"] == "border"  # type: ignore[index]


def test_a_sliver_of_backdrop_on_the_border_is_not_a_product_running_off_the_frame() -> None:
    mask = np.zeros((100, 100), dtype=bool)
    mask[20:80, 20:80] = True  # the product, whole
    mask[10:13, 0:20] = True  # a backdrop leak reaching the left border over 3 % of its height
    mask[97:100, 40:44] = True  # and the bottom border over 4 % of its width
    assert frame_sides(mask) == 0
    mask[60:100, 0:20] = True  # the product itself running off the left and bottom edges
    assert frame_sides(mask) == 2
