"""Thumbnails of renders and photos for the report: small JPEGs next to the images they show,
made once (a thumbnail newer than its image is kept)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from blender_addon.contract.files import check_regular
from driver.results.layout import THUMBS

THUMB_SIDE = 192


def thumbnail_path(image: Path) -> Path:
    """``renders/00_az000.png`` → ``renders/thumbs/00_az000.jpg``."""
    return image.parent / THUMBS / f"{image.stem}.jpg"


def ensure_thumbnail(image: Path, target: Path | None = None) -> Path | None:
    """The thumbnail of ``image`` (made if missing or older than the image); None when the image
    cannot be read. Transparency is shown on white, as the judge sees it."""
    out = target or thumbnail_path(image)
    try:
        if out.exists() and out.stat().st_mtime >= image.stat().st_mtime:
            return out
        check_regular(image, "image")
        with Image.open(image) as img:
            img.draft("RGB", (THUMB_SIDE, THUMB_SIDE))  # JPEG photos decode at a fraction
            img.thumbnail((THUMB_SIDE, THUMB_SIDE))
            rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        out.parent.mkdir(parents=True, exist_ok=True)
        flat.save(out, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return out
