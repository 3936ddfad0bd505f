"""Which kind of model file this is, decided by content, and the checks of the text formats
(.gltf, .obj, .ply) before Blender sees them. Pure Python (stdlib only), no bpy.

Image-to-3D generators write GLB mostly, but also a ``.gltf`` folder, an ``.obj`` with its
``.mtl`` and textures, or a ``.ply`` with vertex colours (TripoSR-style). The file type comes from
the first bytes, not only from the name: an HTML page saved as ``.glb`` is still named as such.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .files import open_regular, read_regular_bytes, read_regular_text
from .glb_check import (
    GlbInfo,
    GlbProblem,
    check_document,
    inspect_glb,
    read_glb_json,
    resolve_external,
    uris,
)

SUPPORTED = (".glb", ".gltf", ".obj", ".ply")
_OBJ_LINE = re.compile(rb"^(v|vt|vn|f|o|g|s|mtllib|usemtl|l|p)\s", re.MULTILINE)


def sniff(path: Path) -> str:
    """``glb``, ``gltf``, ``obj`` or ``ply`` from the file's first bytes; for anything else
    the GLB checks' error (a ``.glb`` name) or "unsupported model format"."""
    with open_regular(path, "model") as f:
        head = f.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:4] == b"glTF":
        return "glb"
    if text.startswith(b"{"):
        return "gltf"
    if head.startswith((b"ply\n", b"ply\r\n")):
        return "ply"
    if _OBJ_LINE.search(head) and b"\0" not in head:
        return "obj"
    suffix = path.suffix.lower()
    if suffix in ("", ".glb"):
        return "glb"  # inspect_glb names what the bytes are ("not a glTF binary ...")
    raise GlbProblem(
        "unsupported_format",
        f"unsupported model format {suffix!r} (VFScore reads {', '.join(SUPPORTED)})",
    )


def _inspect_gltf(path: Path) -> GlbInfo:
    try:
        doc = json.loads(read_regular_text(path, "model", "utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise GlbProblem("invalid", f".gltf is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise GlbProblem("invalid", ".gltf is not a glTF object")
    return check_document(path, doc, bin_len=0, size=path.stat().st_size)


def _obj_references(path: Path, found: list[Path] | None = None) -> tuple[int, int, list[str]]:
    """(vertices, faces, missing textures) of an OBJ and its material libraries; the files that
    exist are appended to ``found``."""
    found = [] if found is None else found
    vertices = faces = 0
    libraries: list[str] = []
    with open_regular(path, "model") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith(b"v "):
                vertices += 1
            elif line.startswith(b"f "):
                faces += 1
            elif line.startswith(b"mtllib "):
                libraries.append(line[7:].decode("utf-8", "replace").strip())
    missing = []
    for lib in libraries:
        mtl = resolve_external(path, lib, "material library")
        if not mtl.is_file():
            missing.append(f"material library {lib!r}")
            continue
        found.append(mtl)
        for raw in read_regular_bytes(mtl, "material library").splitlines():
            parts = raw.decode("utf-8", "replace").split()
            if parts and parts[0].lower().startswith(("map_", "bump", "disp", "refl")):
                name = parts[-1]
                # Relative to the .mtl, and it too must stay in the model's folder.
                texture = resolve_external(
                    mtl, name, f"texture of {lib!r}", root=path.resolve().parent
                )
                if not texture.is_file():
                    missing.append(f"texture {name!r} of {lib!r}")
                else:
                    found.append(texture)
    return vertices, faces, missing


def _inspect_obj(path: Path) -> GlbInfo:
    vertices, faces, missing = _obj_references(path)
    if not vertices:
        raise GlbProblem("no_mesh", "no mesh in the model (the .obj has no vertices)")
    if not faces:
        raise GlbProblem(
            "no_faces", "nothing visible to render: the .obj has vertices but no faces"
        )
    return GlbInfo(path.stat().st_size, 1, 0, "obj", missing)


def _ply_header(path: Path) -> dict[str, Any]:
    elements: dict[str, int] = {}
    fmt = ""
    with open_regular(path, "model") as f:
        for n, raw in enumerate(f):
            line = raw.decode("ascii", "replace").strip()
            if line == "end_header":
                return {"format": fmt, "elements": elements}
            words = line.split()
            if words[:1] == ["format"] and len(words) > 1:
                fmt = words[1]
            elif words[:1] == ["element"] and len(words) == 3 and words[2].isdigit():
                elements[words[1]] = int(words[2])
            if n > 10_000:
                break
    raise GlbProblem("invalid", ".ply header has no end_header")


def _inspect_ply(path: Path) -> GlbInfo:
    header = _ply_header(path)
    if header["format"] not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise GlbProblem("invalid", f".ply format {header['format']!r} is not a PLY format")
    if not header["elements"].get("vertex"):
        raise GlbProblem("no_mesh", "no mesh in the model (the .ply has no vertices)")
    if not header["elements"].get("face"):
        raise GlbProblem(
            "no_faces", "nothing visible to render: the .ply is a point cloud (no faces)"
        )
    return GlbInfo(path.stat().st_size, 1, 0, "ply", [])


def side_files(path: Path) -> list[Path]:
    """The files a model references besides itself (external buffers and images, .mtl and
    textures), each inside the model's folder: what must travel with it to another machine."""
    kind = sniff(path)
    found: list[Path] = []
    if kind == "obj":
        _obj_references(path, found)
    elif kind in ("glb", "gltf"):
        if kind == "glb":
            doc = read_glb_json(path)
        else:
            doc = json.loads(read_regular_text(path, "model", "utf-8-sig"))
        for what, uri, _ in uris(doc):
            if not uri.startswith("data:"):
                target = resolve_external(path, uri, what)
                if target.is_file():
                    found.append(target)
    return sorted(set(found))


def inspect_model(path: Path) -> tuple[str, GlbInfo]:
    """(format, what the checks learnt) of any supported model file; raises
    :class:`GlbProblem` (or FileNotFoundError) naming what is wrong."""
    if not path.exists():
        raise FileNotFoundError(path)
    if not path.is_file():  # a FIFO would block the read, a folder cannot be one
        raise GlbProblem("invalid", "not a regular file")
    kind = sniff(path)
    if kind == "glb":
        return kind, inspect_glb(path)
    if kind == "gltf":
        return kind, _inspect_gltf(path)
    if kind == "obj":
        return kind, _inspect_obj(path)
    return kind, _inspect_ply(path)
