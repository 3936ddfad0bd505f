"""Stripping PNG text chunks keeps the pixels and drops the metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from blender_addon.contract.png_meta import strip_text_chunks


def test_text_chunks_are_removed_and_pixels_kept() -> None:
    img = Image.new("RGBA", (8, 8), (10, 20, 30, 255))
    meta = PngImagePlugin.PngInfo()
    meta.add_text("cycles.ViewLayer.render_time", "00:01.23")
    meta.add_itxt("comment", "über", zip=True)
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=meta)
    stripped = strip_text_chunks(buf.getvalue())
    assert b"tEXt" in buf.getvalue() and b"tEXt" not in stripped and b"iTXt" not in stripped
    again = Image.open(io.BytesIO(stripped))
    assert again.info.get("cycles.ViewLayer.render_time") is None and "comment" not in again.info
    assert again.tobytes() == img.tobytes()


def test_not_a_png() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        strip_text_chunks(b"GIF89a")
