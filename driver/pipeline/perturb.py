"""Perturbed copies of a real GLB: the appearance faults a judge must rank below the original
(hue shift, blurred or flat base colour, a matte finish), geometry untouched. The benchmarks use
:data:`PERTURBATIONS`; a run's negative controls use :data:`CONTROL_PERTURBATIONS`.

Each perturbation edits materials only. Images the model keeps in files next to it are embedded
in the copy (it is written elsewhere). A changed texture is a new image appended to the BIN
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

from blender_addon.contract.files import read_regular_bytes
from blender_addon.contract.glb_check import GlbProblem, data_uri_bytes, resolve_external
from driver.demo.glb_writer import pack_glb, unpack_glb

PERTURBATIONS = ("hue60", "blur2", "flat", "matte")
# The negative controls (issue 31): hue rotated half-way round, 1 % blur, mean colour, and every
# finish extension stripped (roughness 1, metallic 0).
CONTROL_PERTURBATIONS = {
    "gt_hue": "hue180",
    "gt_flat": "flat",
    "gt_matte": "bare",
    "gt_blur": "blur1",
}
HUE_DEG = {"hue60": 60.0, "hue180": 180.0}
# Gaussian sigma, as a share of the texture's longer side.
BLUR_FRACTION = {"blur2": 0.02, "blur1": 0.01}
FINISH_EXTENSIONS = ("KHR_materials_clearcoat", "KHR_materials_sheen", "KHR_materials_specular")


class PerturbError(ValueError):
    """The model cannot be copied with a perturbation (an external buffer, a broken image)."""


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

    def __init__(self, data: bytes, folder: Path | None = None) -> None:
        self.doc, binary = unpack_glb(data)
        self.binary = bytearray(binary)
        if any("uri" in b for b in self.doc.get("buffers", [])):
            raise PerturbError("the model keeps its geometry in an external buffer")
        for image in self.doc.get("images", []):
            if "uri" in image:
                image.update(self._embedded(image.pop("uri"), folder))

    def _embedded(self, uri: str, folder: Path | None) -> dict[str, Any]:
        """An image kept in a file (or a data: URI) moved into the BIN chunk."""
        if uri.startswith("data:"):
            try:
                data = data_uri_bytes(uri, "image")
            except GlbProblem as exc:
                raise PerturbError(str(exc)) from None
        elif folder is None:
            raise PerturbError(f"image {uri!r} is a file next to the model, and no folder given")
        else:
            path = resolve_external(folder / "model.glb", uri, "image")
            try:
                data = read_regular_bytes(path, "image")
            except OSError as exc:
                raise PerturbError(f"image {uri!r} cannot be read: {exc}") from None
        return {"bufferView": self._append(data), "mimeType": _mime(data)}

    def _append(self, data: bytes) -> int:
        self.binary += b"\0" * (-len(self.binary) % 4)
        views = self.doc.setdefault("bufferViews", [])
        views.append({"buffer": 0, "byteOffset": len(self.binary), "byteLength": len(data)})
        self.binary += data
        return len(views) - 1

    def image(self, texture_index: int) -> Image.Image:
        source = self.doc["textures"][texture_index]["source"]
        view = self.doc["bufferViews"][self.doc["images"][source]["bufferView"]]
        start = view.get("byteOffset", 0)
        return Image.open(io.BytesIO(bytes(self.binary[start : start + view["byteLength"]])))

    def add_texture(self, like: int, img: Image.Image) -> int:
        """A new texture (same sampler as texture ``like``) showing ``img``; its index."""
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        images = self.doc["images"]
        images.append({"bufferView": self._append(buf.getvalue()), "mimeType": "image/png"})
        texture = copy.deepcopy(self.doc["textures"][like])
        texture.pop("extensions", None)  # e.g. KHR_texture_basisu: the new image is a PNG
        texture["source"] = len(images) - 1
        self.doc["textures"].append(texture)
        return len(self.doc["textures"]) - 1

    def finish(self) -> bytes:
        buffers = self.doc.setdefault("buffers", [{}])
        buffers[0]["byteLength"] = len(self.binary)
        return pack_glb(self.doc, bytes(self.binary))


def _mime(data: bytes) -> str:
    return "image/jpeg" if data[:3] == b"\xff\xd8\xff" else "image/png"


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


def _hue(img: Image.Image, degrees: float) -> Image.Image:
    hsv = np.asarray(img.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(256 * degrees / 360)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def _blur(img: Image.Image, fraction: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(fraction * max(img.size)))


def _flat(img: Image.Image) -> Image.Image:
    # The mean in linear light: the colour the texture averages to when seen from afar.
    linear = (np.asarray(img, dtype=np.float64) / 255.0) ** 2.2
    mean = (linear.reshape(-1, 3).mean(axis=0) ** (1 / 2.2) * 255.0).round().astype(np.uint8)
    return Image.new("RGB", img.size, tuple(int(c) for c in mean))


def _hue_factor(factor: list[float], degrees: float) -> list[float]:
    h, s, v = colorsys.rgb_to_hsv(*factor[:3])
    if s == 0:  # a grey has no hue to turn
        return factor
    return [*colorsys.hsv_to_rgb((h + degrees / 360) % 1.0, s, v), *factor[3:]]


def _colour(
    glb: _Glb, fn: Callable[[Image.Image], Image.Image], hue_deg: float | None = None
) -> None:
    for material in glb.doc.get("materials", []):
        for where, key in COLOUR_SLOTS:
            slot = _slot(material, where)
            if slot is not None and key in slot:
                index = slot[key]["index"]
                before = glb.image(index)
                after = _map_rgb(before, fn)
                # A grey texture turned by a hue, a plain one blurred: nothing to add.
                if not np.array_equal(np.asarray(before.convert("RGBA")), np.asarray(after)):
                    slot[key] = {**slot[key], "index": glb.add_texture(index, after)}
        if hue_deg is not None:
            for where, key in COLOUR_FACTORS:
                slot = _slot(material, where)
                if slot is not None and key in slot:
                    slot[key] = _hue_factor(slot[key], hue_deg)


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


def _bare(glb: _Glb) -> None:
    """No finish at all: fully rough, not metallic, no clearcoat, sheen or specular layer."""
    for material in glb.doc.get("materials", []):
        pbr = material.setdefault("pbrMetallicRoughness", {})
        pbr.update(roughnessFactor=1.0, metallicFactor=0.0)
        pbr.pop("metallicRoughnessTexture", None)
        extensions = material.get("extensions") or {}
        for name in FINISH_EXTENSIONS:
            extensions.pop(name, None)


def perturbed_glb(data: bytes, kind: str, folder: Path | None = None) -> bytes:
    """A copy of the GLB ``data`` with the perturbation ``kind`` (one of :data:`PERTURBATIONS`
    or a value of :data:`CONTROL_PERTURBATIONS`); ``folder`` is where the model's image files
    are. Raises :class:`PerturbError` for a model that cannot be copied."""
    glb = _Glb(data, folder)
    if kind in HUE_DEG:
        _colour(glb, lambda img: _hue(img, HUE_DEG[kind]), hue_deg=HUE_DEG[kind])
    elif kind in BLUR_FRACTION:
        _colour(glb, lambda img: _blur(img, BLUR_FRACTION[kind]))
    elif kind == "flat":
        _colour(glb, _flat)
    elif kind == "matte":
        _matte(glb)
    elif kind == "bare":
        _bare(glb)
    else:
        known = [*PERTURBATIONS, *CONTROL_PERTURBATIONS.values()]
        raise ValueError(f"unknown perturbation {kind!r}; expected one of {', '.join(known)}")
    return glb.finish()


def repacked_glb(data: bytes, folder: Path | None = None) -> bytes:
    """The GLB ``data`` as :func:`perturbed_glb` writes it, with nothing perturbed: a copy equal to
    this one changed nothing."""
    return _Glb(data, folder).finish()


def write_perturbed(source: Path, kind: str, target: Path) -> Path:
    """Write the perturbed copy of the GLB ``source`` to ``target``."""
    data = perturbed_glb(read_regular_bytes(source, "model"), kind, source.parent)
    target.write_bytes(data)
    return target
