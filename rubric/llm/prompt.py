"""Building the judge's prompt: prepared images (once per job) and labelled, ordered content."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from rubric.core.definition import Rubric
from rubric.core.images import WHITE, ImageInputError, fit_within, flatten, load_image


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to send: label, JPEG bytes (base64 cached) and their sha256."""

    label: str
    jpeg: bytes
    sha256: str
    size: tuple[int, int]
    role: str = "reference"  # reference | render | tiled

    @property
    def b64(self) -> str:
        return base64.b64encode(self.jpeg).decode("ascii")

    mime = "image/jpeg"


@dataclass(frozen=True)
class Prompt:
    """Provider-neutral content: a system text and user parts (text or image), in order."""

    system: str
    parts: tuple[str | PreparedImage, ...]

    @property
    def images(self) -> list[PreparedImage]:
        return [p for p in self.parts if isinstance(p, PreparedImage)]


def encode(img: Image.Image, label: str, max_side: int, role: str = "reference") -> PreparedImage:
    """Downscale so the longer side is at most ``max_side`` and encode as JPEG (quality 90)."""
    img = fit_within(img, max_side)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, optimize=False)
    data = buf.getvalue()
    return PreparedImage(label, data, hashlib.sha256(data).hexdigest(), img.size, role)


def _label(role: str, k: int, n: int) -> str:
    if role == "reference":
        return f"Reference photo {k} of {n}"
    return f"Candidate render {k} of {n}"


def shuffled(images: Sequence[PreparedImage], seed: int) -> tuple[list[PreparedImage], list[int]]:
    """The images with the photos reordered among themselves and the renders among themselves
    (references still first), relabelled by their new position; and the order, as indices
    into ``images``. Vision judges favour what they see first: a repeat-dependent order spreads
    that bias over the repeats instead of fixing it on one view."""
    rng = random.Random(seed)
    order: list[int] = []
    for role in ("reference", "render", "tiled"):
        group = [i for i, img in enumerate(images) if img.role == role]
        rng.shuffle(group)
        order += group
    out = []
    for role in ("reference", "render"):
        members = [images[i] for i in order if images[i].role == role]
        out += [dataclasses.replace(m, label=_label(role, k + 1, len(members))) for k, m in
                enumerate(members)]  # fmt: skip
    out += [images[i] for i in order if images[i].role == "tiled"]
    return out, order


def tile(images: Sequence[Image.Image], background: tuple[int, int, int]) -> Image.Image:
    """Candidate views side by side in a grid (2 columns), each numbered in its corner."""
    cols = 1 if len(images) == 1 else 2
    rows = (len(images) + cols - 1) // cols
    w = max(i.width for i in images)
    h = max(i.height for i in images)
    grid = Image.new("RGB", (cols * w, rows * h), background)
    draw = ImageDraw.Draw(grid)
    for k, img in enumerate(images):
        x, y = (k % cols) * w, (k // cols) * h
        grid.paste(img, (x, y))
        draw.text((x + 4, y + 4), f"view {k + 1}", fill=(0, 0, 0))
    return grid


def prepare_images(
    refs: Sequence[Path],
    renders: Sequence[Path],
    *,
    max_side: int,
    background: tuple[int, int, int] = WHITE,
    tile_renders: bool = False,
) -> list[PreparedImage]:
    """Load, flatten, downscale and encode every image once; references first, then renders."""
    if not refs:
        raise ImageInputError("no reference photos given")
    if not renders:
        raise ImageInputError("no renders given")
    prepared = [
        encode(
            flatten(load_image(p, "reference photo"), background),
            _label("reference", i + 1, len(refs)),
            max_side,
        )
        for i, p in enumerate(refs)
    ]
    views = [flatten(load_image(p, "render"), background) for p in renders]
    if tile_renders and len(views) > 1:
        grid = tile(views, background)
        label = f"Candidate model: {len(views)} views tiled in one image"
        prepared.append(encode(grid, label, max_side * 2, "tiled"))
    else:
        prepared += [
            encode(v, _label("render", i + 1, len(views)), max_side, "render")
            for i, v in enumerate(views)
        ]
    return prepared


def build_prompt(rubric: Rubric, images: Sequence[PreparedImage], nonce: str) -> Prompt:
    """The labelled prompt: instructions, dimensions, then each image after its label.

    ``nonce`` makes each repeat a distinct request so no provider-side cache collapses repeats.
    """
    dims = "\n".join(
        f"- {d.name}: {d.definition}" + (f" Ignore: {d.ignore}" if d.ignore else "")
        for d in rubric.dimensions
    )
    keys = ", ".join(f'"{n}"' for n in rubric.names)
    head = (
        f"{rubric.instructions}\n\nDimensions:\n{dims}\n\n"
        f"Answer with a JSON object with exactly the keys {keys}; each value is "
        '{"score": <integer 0-100>, "rationale": "<short text>"}.\n'
        f"Evaluation id: {nonce}"
    )
    parts: list[str | PreparedImage] = [head]
    for img in images:
        parts.append(f"{img.label}:")
        parts.append(img)
    return Prompt(rubric.system, tuple(parts))
