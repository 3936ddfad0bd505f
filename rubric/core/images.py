"""Loading the images a judge compares: decode with a specific error, flatten alpha, downscale."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

WHITE = (255, 255, 255)


class ImageInputError(ValueError):
    """A reference photo or render cannot be used (missing, not an image)."""


def load_image(path: Path, what: str) -> Image.Image:
    """Open and decode an image, or raise :class:`ImageInputError` naming it."""
    try:
        img = Image.open(path)
        img.load()
    except FileNotFoundError:
        raise ImageInputError(f"{what} {path.name!r} does not exist") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageInputError(
            f"{what} {path.name!r} is not a decodable image ({exc.__class__.__name__})"
        ) from None
    return img


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
