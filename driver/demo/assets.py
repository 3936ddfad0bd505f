"""Assets VFScore generates itself, for its tests and its demo: label textures and textured GLBs."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from driver.demo.glb_writer import Material, Mesh, box_mesh, glb_bytes

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


# ------------------------------------------------------------------ perturbations and photos

PERTURBATIONS = ("hue_shift", "blur", "scale", "mean_colour", "finish")
# Three strengths per perturbation, mildest first.
STRENGTHS: dict[str, tuple[float, ...]] = {
    "hue_shift": (15.0, 35.0, 60.0),  # degrees of hue rotation
    "blur": (5.0, 10.0, 20.0),  # Gaussian radius in texels of a 256 px texture
    "scale": (1.5, 2.5, 4.0),  # texture repeats this many times more
    "mean_colour": (0.33, 0.66, 1.0),  # blend towards the texture's mean colour
    "finish": (0.33, 0.66, 1.0),  # towards metallic 1, roughness 0.1
}


def perturbed_texture(tex: Image.Image, kind: str, strength: float) -> Image.Image:
    """The texture changed by one perturbation (scale and finish leave the texture as is)."""
    from PIL import ImageFilter

    if kind == "hue_shift":
        h, s, v = tex.convert("HSV").split()
        shifted = h.point(lambda x: int(x + strength / 360 * 256) % 256)
        return Image.merge("HSV", (shifted, s, v)).convert("RGB")
    if kind == "blur":
        return tex.filter(ImageFilter.GaussianBlur(strength))
    if kind == "mean_colour":
        mean = tuple(
            round(c) for c in np.asarray(tex, dtype=np.float64).reshape(-1, 3).mean(axis=0)
        )
        return Image.blend(tex, Image.new("RGB", tex.size, mean), strength)
    return tex


def perturbed_material(base: Material, kind: str, strength: float) -> Material:
    """Material changes: UV scale for ``scale``, metal/roughness for ``finish``."""
    if kind == "scale":
        return replace(base, uv_scale=base.uv_scale * strength)
    if kind == "finish":
        return replace(
            base,
            metallic=base.metallic + (1.0 - base.metallic) * strength,
            roughness=base.roughness + (0.1 - base.roughness) * strength,
        )
    return base


def photo_from_render(render: Path, backdrop: str, seed: int = 0) -> Image.Image:
    """A "product photo": an RGBA render composited on a plain or a textured backdrop."""
    rgba = Image.open(render).convert("RGBA")
    w, h = rgba.size
    if backdrop == "plain":
        base = Image.new("RGBA", (w, h), (236, 232, 226, 255))
    else:
        rng = np.random.default_rng(seed)
        noise = rng.normal(0, 10, (h // 4 + 1, w // 4 + 1, 1)).repeat(4, 0).repeat(4, 1)[:h, :w]
        wood = np.array([150, 110, 80]) + noise + 12 * np.sin(np.arange(w) / 3.0)[None, :, None]
        base = Image.fromarray(np.clip(wood, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    base.alpha_composite(rgba)
    return base.convert("RGB")
