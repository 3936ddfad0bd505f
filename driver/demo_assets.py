"""Assets VFScore generates itself, for its tests and its demo: label textures and textured GLBs."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from driver.glb_writer import Material, Mesh, box_mesh, glb_bytes

Palette = tuple[tuple[int, int, int], ...]
DEFAULT_PALETTE: Palette = ((200, 40, 40), (240, 220, 60), (30, 90, 170), (245, 245, 240))


def label_texture(
    size: int = 256, palette: Palette = DEFAULT_PALETTE, stripes: int = 6
) -> Image.Image:
    """A product-label-like texture: colour bands, a checker patch and a disc. Deterministic."""
    img = Image.new("RGB", (size, size), palette[-1])
    draw = ImageDraw.Draw(img)
    band = size / stripes
    for i in range(stripes):
        if i % 2 == 0:
            draw.rectangle(
                [0, int(i * band), size, int((i + 0.5) * band)],
                fill=palette[i // 2 % (len(palette) - 1)],
            )
    cell = max(size // 16, 1)
    for y in range(size // 2, size, cell):
        for x in range(0, size // 2, cell):
            if (x // cell + y // cell) % 2 == 0:
                draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=palette[2])
    r = size // 6
    cx, cy = 3 * size // 4, 3 * size // 4
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=palette[0])
    return img


def png_bytes(img: Image.Image) -> bytes:
    """PNG encoding with fixed settings (same image → same bytes)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def write_textured_glb(
    path: Path,
    texture: Image.Image | None = None,
    *,
    mesh: Mesh | None = None,
    material: Material | None = None,
) -> Path:
    """A textured box (or the given mesh) written to ``path``."""
    tex = label_texture() if texture is None else texture
    mat = material if material is not None else Material(roughness=0.4)
    if mat.texture_png is None and mat.texture_uri is None:
        mat = Material(
            mat.base_color, mat.metallic, mat.roughness, png_bytes(tex), None, mat.uv_scale
        )
    path.write_bytes(glb_bytes(mesh if mesh is not None else box_mesh(), mat))
    return path
