"""Perturbed copies of a real GLB: the appearance faults the offline judge must rank below the
original (hue shift, blurred or flat base colour, a matte finish), geometry untouched.

Each perturbation edits materials only. A changed texture is a new image appended to the BIN
chunk (PNG), and the material points at a new texture using it, so an image the model shares
with another slot (a normal map, an emission map) is left as it was. Alpha stays the original's:
an alpha-masked product keeps its cut-outs.
"""

from __future__ import annotations

import colorsys
import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from driver.demo.glb_writer import pack_glb, unpack_glb

PERTURBATIONS = ("hue60", "blur2", "flat", "matte")
HUE_SHIFT_DEG = 60.0
BLUR_FRACTION = 0.02  # Gaussian sigma, as a share of the texture's longer side
COLOUR_SLOTS = (
    ("pbrMetallicRoughness", "baseColorTexture"),
    ("KHR_materials_sheen", "sheenColorTexture"),
)
COLOUR_FACTORS = (
    ("pbrMetallicRoughness", "baseColorFactor"),
    ("KHR_materials_sheen", "sheenColorFactor"),
)


class _Glb:
    """A GLB being edited: its document, its BIN chunk, and images appended to it."""

    def __init__(self, data: bytes) -> None:
        self.doc, binary = unpack_glb(data)
        self.binary = bytearray(binary)

    def image(self, texture_index: int) -> Image.Image:
        source = self.doc["textures"][texture_index]["source"]
        view = self.doc["bufferViews"][self.doc["images"][source]["bufferView"]]
        start = view.get("byteOffset", 0)
        return Image.open(io.BytesIO(bytes(self.binary[start : start + view["byteLength"]])))

    def add_texture(self, like: int, img: Image.Image) -> int:
        """A new texture (same sampler as texture ``like``) showing ``img``; its index."""
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        data = buf.getvalue()
        self.binary += b"\0" * (-len(self.binary) % 4)
        views = self.doc["bufferViews"]
        views.append({"buffer": 0, "byteOffset": len(self.binary), "byteLength": len(data)})
        self.binary += data
        images = self.doc["images"]
        images.append({"bufferView": len(views) - 1, "mimeType": "image/png"})
        texture = copy.deepcopy(self.doc["textures"][like])
        texture.pop("extensions", None)  # e.g. KHR_texture_basisu: the new image is a PNG
        texture["source"] = len(images) - 1
        self.doc["textures"].append(texture)
        return len(self.doc["textures"]) - 1

    def finish(self) -> bytes:
        self.doc["buffers"][0]["byteLength"] = len(self.binary)
        return pack_glb(self.doc, bytes(self.binary))


def _slot(material: dict[str, Any], where: str) -> dict[str, Any] | None:
    if where == "pbrMetallicRoughness":
        return material.get(where)
    return (material.get("extensions") or {}).get(where)


def _map_rgb(img: Image.Image, fn: Callable[[Image.Image], Image.Image]) -> Image.Image:
    """``fn`` applied to the colour channels; the alpha channel kept."""
    rgba = img.convert("RGBA")
    out = fn(rgba.convert("RGB")).convert("RGBA")
    out.putalpha(rgba.getchannel("A"))
    return out


def _hue(img: Image.Image) -> Image.Image:
    hsv = np.asarray(img.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(256 * HUE_SHIFT_DEG / 360)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def _blur(img: Image.Image) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(BLUR_FRACTION * max(img.size)))


def _flat(img: Image.Image) -> Image.Image:
    # The mean in linear light: the colour the texture averages to when seen from afar.
    linear = (np.asarray(img, dtype=np.float64) / 255.0) ** 2.2
    mean = (linear.reshape(-1, 3).mean(axis=0) ** (1 / 2.2) * 255.0).round().astype(np.uint8)
    return Image.new("RGB", img.size, tuple(int(c) for c in mean))


def _hue_factor(factor: list[float]) -> list[float]:
    h, s, v = colorsys.rgb_to_hsv(*factor[:3])
    return [*colorsys.hsv_to_rgb((h + HUE_SHIFT_DEG / 360) % 1.0, s, v), *factor[3:]]


def _colour(glb: _Glb, fn: Callable[[Image.Image], Image.Image], hue: bool) -> None:
    for material in glb.doc.get("materials", []):
        for where, key in COLOUR_SLOTS:
            slot = _slot(material, where)
            if slot is not None and key in slot:
                index = slot[key]["index"]
                slot[key] = {
                    **slot[key],
                    "index": glb.add_texture(index, _map_rgb(glb.image(index), fn)),
                }
        if hue:
            for where, key in COLOUR_FACTORS:
                slot = _slot(material, where)
                if slot is not None and key in slot:
                    slot[key] = _hue_factor(slot[key])


def _matte(glb: _Glb) -> None:
    for material in glb.doc.get("materials", []):
        pbr = material.setdefault("pbrMetallicRoughness", {})
        pbr["roughnessFactor"] = 1.0
        info = pbr.get("metallicRoughnessTexture")
        if info is not None:
            rgb = np.asarray(glb.image(info["index"]).convert("RGB")).copy()
            rgb[..., 1] = 255  # glTF keeps roughness in the green channel
            new = glb.add_texture(info["index"], Image.fromarray(rgb))
            pbr["metallicRoughnessTexture"] = {**info, "index": new}
        clearcoat = (material.get("extensions") or {}).get("KHR_materials_clearcoat")
        if clearcoat is not None:
            clearcoat["clearcoatRoughnessFactor"] = 1.0
            clearcoat.pop("clearcoatRoughnessTexture", None)


def perturbed_glb(data: bytes, kind: str) -> bytes:
    """A copy of the GLB ``data`` with the perturbation ``kind`` (one of :data:`PERTURBATIONS`)."""
    glb = _Glb(data)
    if kind == "hue60":
        _colour(glb, _hue, hue=True)
    elif kind == "blur2":
        _colour(glb, _blur, hue=False)
    elif kind == "flat":
        _colour(glb, _flat, hue=False)
    elif kind == "matte":
        _matte(glb)
    else:
        raise ValueError(
            f"unknown perturbation {kind!r}; expected one of {', '.join(PERTURBATIONS)}"
        )
    return glb.finish()


def write_perturbed(source: Path, kind: str, target: Path) -> Path:
    """Write the perturbed copy of the GLB ``source`` to ``target``."""
    target.write_bytes(perturbed_glb(source.read_bytes(), kind))
    return target
