"""Rewriting a GLB's JSON and BIN chunks, to build hostile or unusual models from a valid one."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy.typing as npt


def _split(data: bytes) -> tuple[dict[str, Any], bytearray]:
    json_len = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20 : 20 + json_len])
    binary = bytearray()
    offset = 20 + json_len
    if offset + 8 <= len(data):
        bin_len = struct.unpack_from("<I", data, offset)[0]
        binary = bytearray(data[offset + 8 : offset + 8 + bin_len])
    return doc, binary


def _join(doc: dict[str, Any], binary: bytes | bytearray) -> bytes:
    js = json.dumps(doc, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 4)
    body = struct.pack("<II", len(js), 0x4E4F534A) + js
    if binary:
        padded = bytes(binary) + b"\0" * (-len(binary) % 4)
        body += struct.pack("<II", len(padded), 0x004E4942) + padded
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def rewrite_glb_json(path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Apply ``edit`` to the GLB's JSON document in place; the BIN chunk is kept as it is."""
    doc, binary = _split(path.read_bytes())
    edit(doc)
    path.write_bytes(_join(doc, binary))
    return path


def add_accessor(
    doc: dict[str, Any], binary: bytearray, array: npt.NDArray[Any], component: int, kind: str
) -> int:
    """Append ``array`` to the BIN chunk as a new bufferView and accessor; returns its index."""
    while len(binary) % 4:
        binary.append(0)
    data = array.tobytes()
    doc.setdefault("bufferViews", []).append(
        {"buffer": 0, "byteOffset": len(binary), "byteLength": len(data)}
    )
    binary.extend(data)
    doc["buffers"][0]["byteLength"] = len(binary)
    doc.setdefault("accessors", []).append(
        {
            "bufferView": len(doc["bufferViews"]) - 1,
            "componentType": component,
            "count": len(array),
            "type": kind,
        }
    )
    return len(doc["accessors"]) - 1


def rewrite_glb(path: Path, edit: Callable[[dict[str, Any], bytearray], None]) -> Path:
    """Apply ``edit`` to the GLB's JSON document and BIN chunk (both changed in place)."""
    doc, binary = _split(path.read_bytes())
    edit(doc, binary)
    path.write_bytes(_join(doc, binary))
    return path
