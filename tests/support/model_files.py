"""Models in the other formats generators write: a .gltf folder, an .obj with .mtl and texture,
a .ply with vertex colours. Each is a 1 x 1 x 1 box."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from driver.demo.glb_writer import Material, box_mesh, glb_bytes


def write_gltf_folder(folder: Path, colour: tuple[int, int, int]) -> Path:
    """``folder/model.gltf`` with its buffer in ``model.bin`` and its texture in ``tex.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), colour).save(folder / "tex.png")
    data = glb_bytes(box_mesh(), Material(texture_uri="tex.png"))
    json_len = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20 : 20 + json_len])
    bin_len = struct.unpack_from("<I", data, 20 + json_len)[0]
    (folder / "model.bin").write_bytes(data[28 + json_len : 28 + json_len + bin_len])
    doc["buffers"][0]["uri"] = "model.bin"
    (folder / "model.gltf").write_text(json.dumps(doc))
    return folder / "model.gltf"


def _box() -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    mesh = box_mesh()
    return mesh.positions, mesh.uvs, mesh.indices.reshape(-1, 3)


def write_obj(folder: Path, colour: tuple[int, int, int], texture: str = "tex.png") -> Path:
    """``folder/model.obj`` using ``model.mtl``, whose diffuse map is ``texture``."""
    folder.mkdir(parents=True, exist_ok=True)
    if "/" not in texture:
        Image.new("RGB", (16, 16), colour).save(folder / texture)
    (folder / "model.mtl").write_text(f"newmtl skin\nKd 1 1 1\nmap_Kd {texture}\n")
    pos, uvs, tris = _box()
    lines = ["mtllib model.mtl", "o box"]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in pos]
    lines += [f"vt {u:.6f} {1 - v:.6f}" for u, v in uvs]
    lines.append("usemtl skin")
    lines += ["f " + " ".join(f"{i + 1}/{i + 1}" for i in tri) for tri in tris]
    (folder / "model.obj").write_text("\n".join(lines) + "\n")
    return folder / "model.obj"


def write_ply(path: Path, colour: tuple[int, int, int], faces: bool = True) -> Path:
    """An ASCII PLY box with one colour on every vertex (or only its vertices: a point cloud)."""
    pos, _, tris = _box()
    header = [
        "ply",
        "format ascii 1.0",
        f"element vertex {len(pos)}",
        "property float x",
        "property float y",
        "property float z",
        "property uchar red",
        "property uchar green",
        "property uchar blue",
    ]
    if faces:
        header += [f"element face {len(tris)}", "property list uchar int vertex_indices"]
    header.append("end_header")
    body = [f"{x:.6f} {y:.6f} {z:.6f} {colour[0]} {colour[1]} {colour[2]}" for x, y, z in pos]
    if faces:
        body += [f"3 {a} {b} {c}" for a, b, c in tris]
    path.write_text("\n".join(header + body) + "\n")
    return path
