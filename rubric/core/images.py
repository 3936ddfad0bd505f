"""Loading the images a judge compares: decode with a specific error, flatten alpha, downscale.

Every image VFScore reads (reference photos, renders) goes through :func:`open_image`, the one
place that turns a missing file, a folder or FIFO, a non-image, an image too small to judge and a
decompression bomb (a PNG declaring 50000 x 50000 pixels) into :class:`ImageInputError` naming
the file.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from blender_addon.contract.files import check_regular

WHITE = (255, 255, 255)
# The smallest render the spec allows; a photo smaller than that shows nothing to compare.
MIN_SIDE = 8


class ImageInputError(ValueError):
    """A reference photo or render cannot be used (missing, not an image, too large)."""


def open_image(path: Path, what: str) -> Image.Image:
    """Open an image lazily (header only), or raise :class:`ImageInputError` naming it."""
    name = path.name
    try:
        check_regular(path, what)  # a FIFO would block the read; a folder cannot be decoded
    except FileNotFoundError:
        raise ImageInputError(f"{what} {name!r} does not exist") from None
    except OSError as exc:
        raise ImageInputError(str(exc)) from None
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageInputError(f"{what} {name!r} is too large to decode safely ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageInputError(
            f"{what} {name!r} is not a decodable image ({exc.__class__.__name__})"
        ) from None
    width, height = img.size
    if min(width, height) < MIN_SIDE:
        img.close()
        raise ImageInputError(
            f"{what} {name!r} is {width}x{height} pixels: too small to judge (at least "
            f"{MIN_SIDE} a side)"
        )
    return img


def load_image(path: Path, what: str) -> Image.Image:
    """Open and decode an image, or raise :class:`ImageInputError` naming it."""
    img = open_image(path, what)
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        img.close()
        raise ImageInputError(
            f"{what} {path.name!r} is not a decodable image ({exc.__class__.__name__})"
        ) from None
    return img


def check_image(path: Path, what: str) -> None:
    """Raise :class:`ImageInputError` unless ``path`` is a readable image (structure verified,
    pixels not decoded: cheap enough for every row of a table)."""
    img = open_image(path, what)
    try:
        img.verify()
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageInputError(
            f"{what} {path.name!r} is not a decodable image ({exc.__class__.__name__})"
        ) from None
    finally:
        img.close()


def flatten(img: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """RGB image; transparency (renders have alpha) composited onto ``background``."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*background, 255))
        base.alpha_composite(rgba)
        return base.convert("RGB")
    return img.convert("RGB")


def fit_within(img: Image.Image, max_side: int) -> Image.Image:
    """``img`` downscaled (Lanczos) so that its longer side is at most ``max_side``."""
    if max(img.size) <= max_side:
        return img
    scale = max_side / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS)
