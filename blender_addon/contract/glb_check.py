"""Checks of a GLB file before Blender sees it. Pure Python (stdlib only), no bpy.

The glTF importer's own errors on a broken file are tracebacks deep inside the importer; these
checks turn the common cases (an HTML page saved as .glb, a truncated download, an empty file, a
model without a mesh or without faces, a texture that is not there) into one specific sentence.

They are also the guard on what the importer may read: an external URI (texture or buffer) must
resolve inside the model's own folder, so a model cannot make Blender read ``../../secret.png``
or ``/etc/…`` and send it to a judge; a ``data:`` URI must decode, and an image one must be an
image. Only the header and the JSON chunk are read: a 2 GB file is checked in microseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from .files import open_regular
from .gltf_structure import StructureError, check_structure

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
# No generator writes a scene description this large; refusing it bounds what is read.
MAX_JSON_BYTES = 256 * 2**20
# glTF primitive modes that draw faces: TRIANGLES, TRIANGLE_STRIP, TRIANGLE_FAN (4 is the default).
FACE_MODES = (4, 5, 6)
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG (WebP is checked apart)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# What Blender 4.5's glTF importer reads (io_scene_gltf2/io/imp/gltf2_io_gltf.py,
# ``extensions_managed``); a file that *requires* anything else fails inside the importer.
IMPORTER_EXTENSIONS = frozenset(
    {
        "KHR_materials_pbrSpecularGlossiness",
        "KHR_lights_punctual",
        "KHR_materials_unlit",
        "KHR_texture_transform",
        "KHR_materials_clearcoat",
        "KHR_mesh_quantization",
        "EXT_mesh_gpu_instancing",
        "KHR_draco_mesh_compression",
        "KHR_materials_variants",
        "KHR_materials_emissive_strength",
        "KHR_materials_transmission",
        "KHR_materials_specular",
        "KHR_materials_sheen",
        "KHR_materials_ior",
        "KHR_animation_pointer",
        "KHR_materials_volume",
        "EXT_texture_webp",
        "KHR_materials_anisotropy",
    }
)
# How to turn a file that needs an unreadable extension into one Blender reads.
_CONVERSIONS = {
    "EXT_meshopt_compression": "decode its meshopt-compressed buffers first (glTF-Transform reads "
    "them: `gltf-transform copy in.glb out.glb`, or `gltfpack -i in.glb -o out.glb` without -c)",
    "KHR_meshopt_compression": "decode its meshopt-compressed buffers first (glTF-Transform or "
    "gltfpack without -c)",
    "KHR_texture_basisu": "convert its KTX2 textures to PNG or JPEG (`gltf-transform png in.glb "
    "out.glb`)",
}


class GlbProblem(ValueError):
    """The GLB cannot be rendered; ``kind`` is ``invalid``, ``no_mesh``, ``no_faces``,
    ``unsafe_uri``, ``unsupported_extension`` or ``missing_texture``."""

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


def _read_exactly(f: IO[bytes], n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise GlbProblem("invalid", "truncated file")
    return data


def _read_container(path: Path) -> tuple[dict[str, Any], int, int]:
    """(JSON document, BIN chunk length, file size), reading only the header and the JSON."""
    with open_regular(path, "model") as f:
        size = f.seek(0, 2)
        f.seek(0)
        head = f.read(20)
        if size == 0:
            raise GlbProblem("invalid", "file is empty (0 bytes)")
        if head[:4] != GLB_MAGIC:
            raise GlbProblem("invalid", f"not a glTF binary (file starts with {_preview(head)!r})")
        if size < 20:
            raise GlbProblem(
                "invalid", f"truncated file ({size} bytes, too short for a GLB header)"
            )
        _, version, declared, json_len, json_type = struct.unpack_from("<4sIIII", head, 0)
        if version != 2:
            raise GlbProblem("invalid", f"unsupported glTF version {version} (only 2 is supported)")
        if declared > size:
            raise GlbProblem(
                "invalid", f"truncated file (header says {declared} bytes, file has {size})"
            )
        if json_type != CHUNK_JSON:
            raise GlbProblem("invalid", "first chunk is not JSON")
        if 20 + json_len > size:
            raise GlbProblem(
                "invalid",
                f"truncated file (JSON chunk needs {20 + json_len} bytes, file has {size})",
            )
        if json_len > MAX_JSON_BYTES:
            raise GlbProblem(
                "invalid", f"JSON chunk of {json_len} bytes (more than {MAX_JSON_BYTES} bytes)"
            )
        try:
            doc = json.loads(_read_exactly(f, json_len).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise GlbProblem("invalid", f"JSON chunk is not valid JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise GlbProblem("invalid", "JSON chunk is not a glTF object")
        bin_len = 0
        offset = 20 + ((json_len + 3) & ~3)
        if offset + 8 <= size:
            f.seek(offset)
            bin_len, bin_type = struct.unpack("<II", _read_exactly(f, 8))
            if bin_type == CHUNK_BIN and offset + 8 + bin_len > size:
                raise GlbProblem(
                    "invalid",
                    f"truncated file (BIN chunk needs {offset + 8 + bin_len} bytes, "
                    f"file has {size})",
                )
            if bin_type != CHUNK_BIN:
                bin_len = 0
    return doc, bin_len, size


def check_extensions(doc: dict[str, Any]) -> None:
    """Name a required extension the importer cannot read, and how to convert the file."""
    required = doc.get("extensionsRequired") or []
    missing = [e for e in required if isinstance(e, str) and e not in IMPORTER_EXTENSIONS]
    if missing:
        ext = missing[0]
        how = _CONVERSIONS.get(ext, "convert the model without it")
        raise GlbProblem(
            "unsupported_extension",
            f"the model requires {ext}, which Blender's glTF importer cannot read: {how}",
        )


def _is_fallback(buffer: dict[str, Any]) -> bool:
    # A meshopt fallback buffer has no bytes of its own: its views are decoded from another.
    ext = buffer.get("extensions") or {}
    return any(isinstance(v, dict) and v.get("fallback") for k, v in ext.items() if "meshopt" in k)


def _check_buffer_views(doc: dict[str, Any], bin_len: int) -> None:
    buffers = doc.get("buffers", [])
    for i, view in enumerate(doc.get("bufferViews", [])):
        buf = view.get("buffer", 0)
        if buf < len(buffers) and "uri" not in buffers[buf] and not _is_fallback(buffers[buf]):
            end = view.get("byteOffset", 0) + view.get("byteLength", 0)
            if end > bin_len:
                raise GlbProblem(
                    "invalid",
                    f"truncated file (bufferView {i} ends at byte {end}, "
                    f"the BIN chunk has {bin_len} bytes)",
                )


def data_uri_bytes(uri: str, what: str) -> bytes:
    """The bytes of a ``data:`` URI (base64 or percent-encoded); :class:`GlbProblem` if broken."""
    header, comma, payload = uri.partition(",")
    if not comma:
        raise GlbProblem("invalid", f"{what} has a malformed data: URI (no comma)")
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise GlbProblem(
                "invalid", f"{what} has a data: URI that is not valid base64"
            ) from None
    return unquote(payload).encode("latin-1", "replace")


def _check_data_uri(uri: str, what: str, is_image: bool) -> None:
    data = data_uri_bytes(uri, what)
    if is_image and not (
        data.startswith(IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        raise GlbProblem("invalid", f"{what} has a data: URI that is not a PNG, JPEG or WebP image")


def resolve_external(referrer: Path, uri: str, what: str, root: Path | None = None) -> Path:
    """The file a URI in ``referrer`` names (relative to its folder), which must lie inside
    ``root`` (default: that folder; symlinks followed); raise :class:`GlbProblem`
    ``unsafe_uri`` naming the URI otherwise."""
    text = unquote(uri)
    if _SCHEME.match(text) or text.startswith(("/", "\\")) or "\\" in text or "\0" in text:
        raise GlbProblem(
            "unsafe_uri",
            f"{what} URI {uri!r} is not a relative path: a model's files must be next to it",
        )
    folder = referrer.resolve().parent
    target = (folder / text).resolve()
    if not target.is_relative_to((root or folder).resolve()):
        raise GlbProblem(
            "unsafe_uri",
            f"{what} URI {uri!r} points outside the model's folder: a model's files must be "
            "next to it",
        )
    return target


def uris(doc: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(``buffer 0``/``image 2``, URI, is an image) of every buffer and image with a URI."""
    for key, is_image in (("buffers", False), ("images", True)):
        for i, item in enumerate(doc.get(key, [])):
            uri = item.get("uri") if isinstance(item, dict) else None
            if isinstance(uri, str):
                yield f"{key[:-1]} {i}", uri, is_image


def _check_references(path: Path, doc: dict[str, Any]) -> list[str]:
    """Every buffer and image URI checked; returns the images that are missing."""
    missing = []
    for what, uri, is_image in uris(doc):
        if uri.startswith("data:"):
            _check_data_uri(uri, what, is_image)
        elif resolve_external(path, uri, what).is_file():
            continue
        elif is_image:
            missing.append(f"{what} {uri!r}")
        else:
            raise GlbProblem("invalid", f"{what} file {uri!r} not found next to the GLB")
    return missing


def _accessor_count(doc: dict[str, Any], index: Any) -> int:
    accessors = doc.get("accessors", [])
    if isinstance(index, int) and 0 <= index < len(accessors):
        return int(accessors[index].get("count", 0))
    return 0


def _has_faces(doc: dict[str, Any], mesh_indices: list[Any]) -> bool:
    meshes = doc.get("meshes", [])
    for m in mesh_indices:
        if not isinstance(m, int) or not 0 <= m < len(meshes):
            continue
        for prim in meshes[m].get("primitives", []):
            if prim.get("mode", 4) not in FACE_MODES:
                continue
            if "indices" in prim:
                count = _accessor_count(doc, prim["indices"])
            else:
                count = _accessor_count(doc, prim.get("attributes", {}).get("POSITION"))
            if count >= 3:
                return True
    return False


def inspect_glb(path: Path) -> GlbInfo:
    """Validate the container and the references of a GLB; raise :class:`GlbProblem` if broken."""
    if not path.exists():
        raise FileNotFoundError(path)
    if not path.is_file():  # a FIFO would block the read, a folder cannot be one
        raise GlbProblem("invalid", "not a regular file")
    doc, bin_len, size = _read_container(path)
    return check_document(path, doc, bin_len, size)


def read_glb_json(path: Path) -> dict[str, Any]:
    """The JSON document of a GLB (header and JSON chunk checked, nothing else read)."""
    return _read_container(path)[0]


def check_document(path: Path, doc: dict[str, Any], bin_len: int, size: int) -> GlbInfo:
    """The checks of a glTF document (from a GLB's JSON chunk or a .gltf file): its structure,
    extensions, buffer views, meshes and faces, external references."""
    try:
        check_structure(doc)
    except StructureError as exc:
        raise GlbProblem("invalid", f"not a valid glTF document: {exc}") from None
    check_extensions(doc)
    _check_buffer_views(doc, bin_len)
    meshes = doc.get("meshes", [])
    used = [n["mesh"] for n in doc.get("nodes", []) if isinstance(n, dict) and "mesh" in n]
    if not meshes or not used:
        raise GlbProblem("no_mesh", "no mesh in GLB")
    if not _has_faces(doc, used):
        raise GlbProblem(
            "no_faces",
            "nothing visible to render: the model's meshes have no faces (only points or lines)",
        )
    missing = _check_references(path, doc)
    asset = doc.get("asset", {})
    return GlbInfo(
        size=size,
        n_meshes=len(meshes),
        n_images=len(doc.get("images", [])),
        generator=str(asset.get("generator", "")) if isinstance(asset, dict) else "",
        missing_textures=missing,
    )
