"""A small GLB writer for the project's own fixtures and demo assets (textured, PBR).

Writes glTF 2.0 binaries with one mesh (a box or a cylinder, with normals and UVs), one
metallic-roughness material and an optional embedded PNG base-colour texture. Enough to make
"products" whose appearance can be varied precisely: texture, UV scale, colour, metal, roughness.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Mesh:
    positions: F32  # (n, 3)
    normals: F32  # (n, 3)
    uvs: F32  # (n, 2)
    indices: npt.NDArray[np.uint32]  # (m,)


def box_mesh(size: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> Mesh:
    """An axis-aligned box (glTF Y-up) whose every face shows the whole texture."""
    hx, hy, hz = (s / 2 for s in size)
    faces = [  # normal, u axis, v axis
        ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
        ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
        ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
        ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
        ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
        ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
    ]
    half = np.array([hx, hy, hz], dtype=np.float32)
    pos: list[F32] = []
    nor: list[F32] = []
    uv: list[tuple[float, float]] = []
    idx: list[int] = []
    for n, u, v in faces:
        n_, u_, v_ = (np.array(a, dtype=np.float32) for a in (n, u, v))
        base = len(pos)
        for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            pos.append((n_ + su * u_ + sv * v_) * half)
            nor.append(n_)
            uv.append(((su + 1) / 2, 1 - (sv + 1) / 2))
        idx += [base, base + 1, base + 2, base, base + 2, base + 3]
    return Mesh(
        np.array(pos, np.float32),
        np.array(nor, np.float32),
        np.array(uv, np.float32),
        np.array(idx, np.uint32),
    )


def cylinder_mesh(radius: float = 0.35, height: float = 1.0, segments: int = 48) -> Mesh:
    """A capped cylinder along Y; the side carries the texture once around (a label)."""
    pos, nor, uv, idx = [], [], [], []
    for i in range(segments + 1):
        a = 2 * math.pi * i / segments
        x, z = math.sin(a), math.cos(a)
        for y, v in ((-height / 2, 1.0), (height / 2, 0.0)):
            pos.append((radius * x, y, radius * z))
            nor.append((x, 0.0, z))
            uv.append((i / segments, v))
    for i in range(segments):
        b = 2 * i
        idx += [b, b + 2, b + 3, b, b + 3, b + 1]
    for y, ny in ((height / 2, 1.0), (-height / 2, -1.0)):
        centre = len(pos)
        pos.append((0.0, y, 0.0))
        nor.append((0.0, ny, 0.0))
        uv.append((0.5, 0.5))
        ring = len(pos)
        for i in range(segments):
            a = 2 * math.pi * i / segments
            pos.append((radius * math.sin(a), y, radius * math.cos(a)))
            nor.append((0.0, ny, 0.0))
            uv.append((0.5 + 0.5 * math.sin(a), 0.5 + 0.5 * math.cos(a)))
        for i in range(segments):
            j = (i + 1) % segments
            idx += [centre, ring + i, ring + j] if ny > 0 else [centre, ring + j, ring + i]
    return Mesh(
        np.array(pos, np.float32),
        np.array(nor, np.float32),
        np.array(uv, np.float32),
        np.array(idx, np.uint32),
    )


@dataclass(frozen=True)
class Material:
    base_color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    metallic: float = 0.0
    roughness: float = 0.5
    texture_png: bytes | None = None
    texture_uri: str | None = None  # an external file instead of an embedded texture
    uv_scale: float = 1.0


def _pad(b: bytes, fill: bytes) -> bytes:
    return b + fill * (-len(b) % 4)


def _accessors(mesh: Mesh) -> list[dict[str, Any]]:
    """Positions (with their bounds, as glTF requires), normals, UVs, indices."""
    lo, hi = mesh.positions.min(axis=0), mesh.positions.max(axis=0)
    return [
        {
            "bufferView": 0,
            "componentType": 5126,
            "count": len(mesh.positions),
            "type": "VEC3",
            "min": lo.tolist(),
            "max": hi.tolist(),
        },
        {"bufferView": 1, "componentType": 5126, "count": len(mesh.normals), "type": "VEC3"},
        {"bufferView": 2, "componentType": 5126, "count": len(mesh.uvs), "type": "VEC2"},
        {"bufferView": 3, "componentType": 5125, "count": len(mesh.indices), "type": "SCALAR"},
    ]


def _add_texture(
    doc: dict[str, object], views: list[dict[str, int]], binary: bytes, material: Material
) -> bytes:
    """The base colour texture: embedded in the binary chunk, or an external URI; returns the
    binary chunk."""
    if material.texture_png is not None:
        views.append(
            {"buffer": 0, "byteOffset": len(binary), "byteLength": len(material.texture_png)}
        )
        binary += _pad(material.texture_png, b"\0")
        doc["images"] = [{"bufferView": len(views) - 1, "mimeType": "image/png"}]
    else:
        doc["images"] = [{"uri": material.texture_uri}]
    doc["samplers"] = [{"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}]
    doc["textures"] = [{"source": 0, "sampler": 0}]
    return binary


def glb_bytes(
    mesh: Mesh | None, material: Material = Material(), generator: str = "vfscore glb_writer"
) -> bytes:
    """The GLB file; ``mesh=None`` gives a valid GLB with a node but no mesh."""
    doc: dict[str, object] = {
        "asset": {"version": "2.0", "generator": generator},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
    }
    if mesh is None:
        doc["nodes"] = [{"name": "empty"}]
        js = _pad(json.dumps(doc, separators=(",", ":")).encode(), b" ")
        return (
            struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(js))
            + struct.pack("<II", len(js), 0x4E4F534A)
            + js
        )
    uvs = mesh.uvs * np.float32(material.uv_scale)
    blobs = [
        mesh.positions.tobytes(),
        mesh.normals.tobytes(),
        uvs.astype(np.float32).tobytes(),
        mesh.indices.tobytes(),
    ]
    views, offset, binary = [], 0, b""
    for i, blob in enumerate(blobs):
        view: dict[str, int] = {"buffer": 0, "byteOffset": offset, "byteLength": len(blob)}
        view["target"] = 34963 if i == 3 else 34962
        views.append(view)
        binary += _pad(blob, b"\0")
        offset = len(binary)
    accessors = _accessors(mesh)
    pbr: dict[str, object] = {
        "baseColorFactor": list(material.base_color),
        "metallicFactor": material.metallic,
        "roughnessFactor": material.roughness,
    }
    if material.texture_png is not None or material.texture_uri is not None:
        binary = _add_texture(doc, views, binary, material)
        pbr["baseColorTexture"] = {"index": 0}
    doc.update(
        nodes=[{"name": "product", "mesh": 0}],
        meshes=[
            {
                "name": "product",
                "primitives": [
                    {
                        "attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2},
                        "indices": 3,
                        "material": 0,
                    }
                ],
            }
        ],
        materials=[{"name": "finish", "pbrMetallicRoughness": pbr}],
        accessors=accessors,
        bufferViews=views,
        buffers=[{"byteLength": len(binary)}],
    )
    return pack_glb(doc, binary)


def pack_glb(doc: dict[str, Any], binary: bytes) -> bytes:
    """A GLB container: the JSON chunk, then the BIN chunk (padded to 4 bytes)."""
    js = _pad(json.dumps(doc, separators=(",", ":")).encode(), b" ")
    binary = _pad(binary, b"\0")
    total = 12 + 8 + len(js) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<II", len(js), 0x4E4F534A)
        + js
        + struct.pack("<II", len(binary), 0x004E4942)
        + binary
    )


def unpack_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """(JSON document, BIN chunk) of a well-formed GLB (checked files only: no validation)."""
    js_len, _ = struct.unpack_from("<II", data, 12)
    doc = json.loads(data[20 : 20 + js_len])
    start = 20 + js_len
    binary = b""
    if start + 8 <= len(data):
        bin_len, _ = struct.unpack_from("<II", data, start)
        binary = data[start + 8 : start + 8 + bin_len]
    return doc, binary
