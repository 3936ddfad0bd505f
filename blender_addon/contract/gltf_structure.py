"""The shape of a glTF document, checked before anything reads it: every array VFScore or
Blender's importer walks is an array of objects, and every field read from them has the type the
glTF 2.0 schema gives it, indices pointing inside their arrays.

Without this, ``"bufferViews": [1, 2]`` reaches the checks as ``'int' object has no attribute
'get'`` and the importer as a traceback; with it, the job's error names the field. Pure data, no
I/O.
"""

from __future__ import annotations

from typing import Any

# The top-level arrays of glTF 2.0 that hold objects.
ARRAYS = (
    "accessors", "animations", "buffers", "bufferViews", "cameras", "images", "materials",
    "meshes", "nodes", "samplers", "scenes", "skins", "textures",
)  # fmt: skip
# Per array, the fields read: "count" (an integer >= 0), "int", "str", or the array an index
# (or a list of indices, with "[]") points into.
FIELDS: dict[str, dict[str, str]] = {
    "accessors": {"bufferView": "bufferViews", "byteOffset": "count", "count": "count",
                  "componentType": "int", "type": "str"},
    "buffers": {"uri": "str", "byteLength": "count"},
    "bufferViews": {"buffer": "buffers", "byteOffset": "count", "byteLength": "count",
                    "byteStride": "count"},
    "images": {"uri": "str", "bufferView": "bufferViews", "mimeType": "str"},
    "meshes": {},
    "nodes": {"mesh": "meshes", "children": "nodes[]", "camera": "cameras", "skin": "skins"},
    "scenes": {"nodes": "nodes[]"},
    "textures": {"source": "images", "sampler": "samplers"},
}  # fmt: skip
PRIMITIVE = {"indices": "accessors", "material": "materials", "mode": "int"}
MAX_MODE = 6  # TRIANGLE_FAN


class StructureError(ValueError):
    """The document does not have glTF's shape; the message names the field."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
          int: "a number", float: "a number", type(None): "null"}  # fmt: skip


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), f"a {type(value).__name__}")


def _check_value(doc: dict[str, Any], where: str, value: Any, expected: str) -> None:
    if expected == "str":
        if not isinstance(value, str):
            raise StructureError(f"{where} is {_kind(value)}, not a string")
        return
    if expected.endswith("[]"):
        if not isinstance(value, list):
            raise StructureError(f"{where} is {_kind(value)}, not an array of indices")
        for i, item in enumerate(value):
            _check_value(doc, f"{where}[{i}]", item, expected[:-2])
        return
    if not _is_int(value):
        raise StructureError(f"{where} is {_kind(value)}, not an integer")
    if value < 0 and expected != "int":
        raise StructureError(f"{where} = {value} is negative")
    if expected in ("int", "count"):
        return
    size = len(doc.get(expected) or [])
    if value >= size:
        raise StructureError(f"{where} = {value} points past {expected} (it has {size})")


def _check_fields(
    doc: dict[str, Any], where: str, item: dict[str, Any], fields: dict[str, str]
) -> None:
    for name, expected in fields.items():
        if name in item:
            _check_value(doc, f"{where}.{name}", item[name], expected)


def _check_primitives(doc: dict[str, Any], where: str, mesh: dict[str, Any]) -> None:
    prims = mesh.get("primitives", [])
    if not isinstance(prims, list):
        raise StructureError(f"{where}.primitives is {_kind(prims)}, not an array")
    for j, prim in enumerate(prims):
        at = f"{where}.primitives[{j}]"
        if not isinstance(prim, dict):
            raise StructureError(f"{at} is {_kind(prim)}, not an object")
        _check_fields(doc, at, prim, PRIMITIVE)
        if not 0 <= prim.get("mode", 4) <= MAX_MODE:
            raise StructureError(f"{at}.mode = {prim['mode']} is not a glTF primitive mode")
        attributes = prim.get("attributes", {})
        if not isinstance(attributes, dict):
            raise StructureError(f"{at}.attributes is {_kind(attributes)}, not an object")
        for name, index in attributes.items():
            _check_value(doc, f"{at}.attributes.{name}", index, "accessors")


def check_structure(doc: dict[str, Any]) -> None:
    """Raise :class:`StructureError` naming the first field whose type or index is wrong.
    Every array is checked to hold objects before any index into it is followed."""
    for array in ARRAYS:
        items = doc.get(array, [])
        if not isinstance(items, list):
            raise StructureError(f"{array} is {_kind(items)}, not an array")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise StructureError(f"{array}[{i}] is {_kind(item)}, not an object")
    for array, fields in FIELDS.items():
        for i, item in enumerate(doc.get(array, [])):
            _check_fields(doc, f"{array}[{i}]", item, fields)
            if array == "meshes":
                _check_primitives(doc, f"meshes[{i}]", item)
    if "scene" in doc:
        _check_value(doc, "scene", doc["scene"], "scenes")
    for key in ("extensionsUsed", "extensionsRequired"):
        names = doc.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise StructureError(f"{key} is not an array of names")
