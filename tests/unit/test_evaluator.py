"""The evaluator's own checks: the job's deadline and the photos, before anything renders."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from driver.pipeline.evaluator import check_deadline, check_photos
from driver.pipeline.stages import EvaluationError


def test_deadline() -> None:
    now = time.perf_counter()
    check_deadline(now, None)
    check_deadline(now, 60)
    check_deadline(now - 100, None)
    with pytest.raises(EvaluationError, match=r"^timeout: the job took longer than 2.5s$"):
        check_deadline(now - 3, 2.5)


def test_photos(tmp_path: Path) -> None:
    good = tmp_path / "a.jpg"
    Image.new("RGB", (8, 8)).save(good)
    tiny = tmp_path / "t.png"
    Image.new("RGB", (1, 1)).save(tiny)
    bad = tmp_path / "b.jpg"
    bad.write_bytes(b"<html>")
    assert check_photos((good,)) == ((good,), ())
    with pytest.raises(EvaluationError, match=r"^no reference photo given$"):
        check_photos(())
    # A bad photo among good ones is left out and named; the job goes on with the good ones.
    assert check_photos((good, bad)) == (
        (good,),
        ("reference photo 'b.jpg' is not a decodable image (UnidentifiedImageError)",),
    )
    assert check_photos((tiny, good)) == (
        (good,),
        ("reference photo 't.png' is 1x1 pixels: too small to judge (at least 8 a side)",),
    )
    assert check_photos((tmp_path / "c.jpg", good)) == (
        (good,),
        ("reference photo 'c.jpg' does not exist",),
    )
    with pytest.raises(
        EvaluationError,
        match=r"^no usable reference photo \(reference photo 'b.jpg' is not a decodable image "
        r"\(UnidentifiedImageError\); reference photo 'c.jpg' does not exist\)$",
    ):
        check_photos((bad, tmp_path / "c.jpg"))
