"""Checks of a GLB file before Blender sees it. Pure Python, no bpy.

The glTF importer's own errors on a broken file are tracebacks deep inside the importer; these
checks turn the common cases (an HTML page saved as .glb, a truncated download, an empty file, a
model without a mesh, a texture that is not there) into one specific sentence.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942


class GlbProblem(ValueError):
    """The GLB cannot be rendered; ``kind`` is ``invalid``, ``no_mesh`` or ``missing_texture``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class GlbInfo:
    """What the checks learnt about a valid GLB."""

    size: int
    n_meshes: int
    n_images: int
    generator: str
    missing_textures: list[str] = field(default_factory=list)


def _preview(head: bytes) -> str:
    text = head.decode("latin-1")
    word = text.split()[0] if text.split() else text
    return "".join(c if c.isprintable() else "?" for c in word[:12])


def inspect_glb(path: Path) -> GlbInfo:
    """Validate the container and the references of a GLB; raise :class:`GlbProblem` if broken."""
    data = path.read_bytes()
    size = len(data)
    if size == 0:
        raise GlbProblem("invalid", "file is empty (0 bytes)")
    if data[:4] != GLB_MAGIC:
        raise GlbProblem("invalid", f"not a glTF binary (file starts with {_preview(data[:16])!r})")
    if size < 20:
        raise GlbProblem("invalid", f"truncated file ({size} bytes, too short for a GLB header)")
    _, version, declared = struct.unpack_from("<4sII", data, 0)
    if version != 2:
        raise GlbProblem("invalid", f"unsupported glTF version {version} (only 2 is supported)")
    if declared > size:
        raise GlbProblem(
            "invalid", f"truncated file (header says {declared} bytes, file has {size})"
        )
    json_len, json_type = struct.unpack_from("<II", data, 12)
    if json_type != CHUNK_JSON:
        raise GlbProblem("invalid", "first chunk is not JSON")
    if 20 + json_len > size:
        raise GlbProblem(
            "invalid", f"truncated file (JSON chunk needs {20 + json_len} bytes, file has {size})"
        )
    try:
        doc: dict[str, Any] = json.loads(data[20 : 20 + json_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GlbProblem("invalid", f"JSON chunk is not valid JSON ({exc})") from None
    bin_len = 0
    offset = 20 + ((json_len + 3) & ~3)
    if offset + 8 <= size:
        bin_len, bin_type = struct.unpack_from("<II", data, offset)
        if bin_type == CHUNK_BIN and offset + 8 + bin_len > size:
            raise GlbProblem(
                "invalid",
                f"truncated file (BIN chunk needs {offset + 8 + bin_len} bytes, file has {size})",
            )
    buffers = doc.get("buffers", [])
    for i, view in enumerate(doc.get("bufferViews", [])):
        buf = view.get("buffer", 0)
        if buf < len(buffers) and "uri" not in buffers[buf]:
            end = view.get("byteOffset", 0) + view.get("byteLength", 0)
            if end > bin_len:
                raise GlbProblem(
                    "invalid",
                    f"truncated file (bufferView {i} ends at byte {end}, "
                    f"the BIN chunk has {bin_len} bytes)",
                )
    meshes = doc.get("meshes", [])
    used = [n for n in doc.get("nodes", []) if "mesh" in n]
    if not meshes or not used:
        raise GlbProblem("no_mesh", "no mesh in GLB")
    missing = []
    for i, image in enumerate(doc.get("images", [])):
        uri = image.get("uri")
        if uri and not uri.startswith("data:") and not (path.parent / unquote(uri)).is_file():
            missing.append(f"image {i} {uri!r}")
    asset = doc.get("asset", {})
    return GlbInfo(
        size=size,
        n_meshes=len(meshes),
        n_images=len(doc.get("images", [])),
        generator=str(asset.get("generator", "")),
        missing_textures=missing,
    )
