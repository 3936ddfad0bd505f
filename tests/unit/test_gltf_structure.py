"""The shape of a glTF document, named field by field before anything reads it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from blender_addon.contract.gltf_structure import StructureError, check_structure

VALID: dict[str, Any] = {
    "asset": {"version": "2.0"},
    "scene": 0,
    "scenes": [{"nodes": [0]}],
    "nodes": [{"mesh": 0, "children": []}],
    "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0,
                                "mode": 4}]}],
    "materials": [{}],
    "accessors": [{"bufferView": 0, "count": 3, "componentType": 5126, "type": "VEC3"},
                  {"bufferView": 1, "count": 3, "componentType": 5125, "type": "SCALAR"}],
    "bufferViews": [{"buffer": 0, "byteLength": 36}, {"buffer": 0, "byteOffset": 36,
                                                      "byteLength": 12}],
    "buffers": [{"byteLength": 48}],
    "images": [{"bufferView": 1, "mimeType": "image/png"}],
    "textures": [{"source": 0}],
    "extensionsUsed": ["KHR_materials_sheen"],
}  # fmt: skip


def _broken(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    *parents, last = path.split("/")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return doc


def test_a_valid_document_passes() -> None:
    check_structure(VALID)
    check_structure({})  # absent arrays are empty


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("bufferViews", [1, 2], "bufferViews[0] is a number, not an object"),
        ("nodes", {"0": {}}, "nodes is an object, not an array"),
        ("bufferViews/0/buffer", 1, "bufferViews[0].buffer = 1 points past buffers (it has 1)"),
        ("bufferViews/1/byteOffset", -4, "bufferViews[1].byteOffset = -4 is negative"),
        ("accessors/0/count", "3", "accessors[0].count is a string, not an integer"),
        ("accessors/0/count", True, "accessors[0].count is a boolean, not an integer"),
        ("accessors/1/type", 1, "accessors[1].type is a number, not a string"),
        ("nodes/0/children", 0, "nodes[0].children is a number, not an array of indices"),
        ("nodes/0/children", [0, 3], "nodes[0].children[1] = 3 points past nodes (it has 1)"),
        ("scenes/0/nodes", [None], "scenes[0].nodes[0] is null, not an integer"),
        ("textures/0/source", 2, "textures[0].source = 2 points past images (it has 1)"),
        ("images/0/uri", 5, "images[0].uri is a number, not a string"),
        ("meshes/0/primitives", {}, "meshes[0].primitives is an object, not an array"),
        ("meshes/0/primitives/0", 3, "meshes[0].primitives[0] is a number, not an object"),
        ("meshes/0/primitives/0/attributes", [], ".attributes is an array, not an object"),
        ("meshes/0/primitives/0/attributes/POSITION", 2, ".POSITION = 2 points past accessors"),
        ("meshes/0/primitives/0/indices", 1.5, ".indices is a number, not an integer"),
        ("meshes/0/primitives/0/material", 1, ".material = 1 points past materials (it has 1)"),
        ("meshes/0/primitives/0/mode", 9, ".mode = 9 is not a glTF primitive mode"),
        ("scene", 1, "scene = 1 points past scenes (it has 1)"),
        ("extensionsUsed", "KHR_x", "extensionsUsed is not an array of names"),
        ("extensionsRequired", [1], "extensionsRequired is not an array of names"),
    ],
)
def test_each_wrong_field_is_named(path: str, value: Any, message: str) -> None:
    with pytest.raises(StructureError) as err:
        check_structure(_broken(path, value))
    assert message in str(err.value)
