"""The GLB checks that run before Blender sees a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blender_addon.contract.glb_check import GlbProblem, inspect_glb
from driver.demo.assets import write_textured_glb
from driver.demo.glb_writer import Material, box_mesh, glb_bytes


def test_valid_textured_glb(textured_glb: Path) -> None:
    info = inspect_glb(textured_glb)
    assert (info.n_meshes, info.n_images, info.missing_textures) == (1, 1, [])


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        (b"", "invalid", r"file is empty \(0 bytes\)"),
        (
            b"<!DOCTYPE html>\n<html><body>Not Found</body></html>",
            "invalid",
            r"not a glTF binary \(file starts with '<!DOCTYPE'\)",
        ),
        (b"glTF\x02\x00\x00\x00", "invalid", "truncated file"),
        (
            b"glTF\x01\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00JSON",
            "invalid",
            "unsupported glTF version 1",
        ),
    ],
)
def test_broken_containers(tmp_path: Path, content: bytes, kind: str, message: str) -> None:
    path = tmp_path / "x.glb"
    path.write_bytes(content)
    with pytest.raises(GlbProblem, match=message) as info:
        inspect_glb(path)
    assert info.value.kind == kind


def test_truncated_download(textured_glb: Path) -> None:
    data = textured_glb.read_bytes()
    textured_glb.write_bytes(data[: len(data) // 2])
    with pytest.raises(GlbProblem, match=r"truncated file \(header says \d+ bytes, file has \d+\)"):
        inspect_glb(textured_glb)


def test_glb_without_mesh(tmp_path: Path) -> None:
    path = tmp_path / "empty.glb"
    path.write_bytes(glb_bytes(None))
    with pytest.raises(GlbProblem, match="no mesh in GLB") as info:
        inspect_glb(path)
    assert info.value.kind == "no_mesh"


def test_missing_external_texture_is_listed(tmp_path: Path) -> None:
    path = write_textured_glb(
        tmp_path / "ext.glb", material=Material(texture_uri="textures/albedo.png")
    )
    assert inspect_glb(path).missing_textures == ["image 0 'textures/albedo.png'"]
    (tmp_path / "textures").mkdir()
    (tmp_path / "textures" / "albedo.png").write_bytes(b"x")
    assert inspect_glb(path).missing_textures == []


def test_html_sample_from_the_wild(tmp_path: Path) -> None:
    """A real broken download, if the shared samples are next to the checkout."""
    sample = Path(__file__).resolve().parents[3] / "shared" / "samples" / "not-really-a.glb"
    path = tmp_path / "page.glb"
    path.write_bytes(sample.read_bytes() if sample.exists() else b"<!DOCTYPE html><html></html>")
    with pytest.raises(GlbProblem, match="not a glTF binary"):
        inspect_glb(path)


def test_writer_box_is_inspectable(tmp_path: Path) -> None:
    path = tmp_path / "plain.glb"
    path.write_bytes(glb_bytes(box_mesh(), Material(base_color=(1, 0, 0, 1))))
    assert inspect_glb(path).n_images == 0


def test_a_2_gb_model_is_checked_without_reading_it(tmp_path: Path) -> None:
    import struct
    import subprocess
    import sys

    # A valid header and JSON, then a BIN chunk of almost 2 GiB (sparse: no disk used).
    size = 2**31
    js = b'{"asset":{"version":"2.0"},"meshes":[],"nodes":[]}  '
    js += b" " * (-len(js) % 4)
    bin_len = size - 20 - len(js) - 8
    path = tmp_path / "huge.glb"
    with open(path, "wb") as f:
        f.write(struct.pack("<4sII", b"glTF", 2, size))
        f.write(struct.pack("<II", len(js), 0x4E4F534A) + js)
        f.write(struct.pack("<II", bin_len, 0x004E4942))
        f.truncate(size)
    # With 600 MB of address space, reading the file whole fails with MemoryError.
    probe = (
        "import resource, sys; from pathlib import Path\n"
        "resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))\n"
        "from blender_addon.contract.glb_check import GlbProblem, inspect_glb\n"
        "try:\n    inspect_glb(Path(sys.argv[1]))\n"
        "except GlbProblem as p:\n    print(p.kind, p)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe, str(path)], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "no_mesh no mesh in GLB"


def _requiring(tmp_path: Path, ext: str, fallback: bool = False) -> Path:
    from tests.support.glb_edit import rewrite_glb_json

    glb = write_textured_glb(tmp_path / "m.glb")

    def edit(doc: dict[str, Any]) -> None:
        doc["extensionsUsed"] = [ext]
        doc["extensionsRequired"] = [ext]
        if fallback:  # meshopt: views point at a buffer with no bytes of its own
            doc["buffers"].append({"byteLength": 10**6, "extensions": {ext: {"fallback": True}}})
            doc["bufferViews"][0].update(buffer=1, byteLength=10**6)

    return rewrite_glb_json(glb, edit)


@pytest.mark.parametrize(
    ("ext", "hint"),
    [
        ("EXT_meshopt_compression", "decode its meshopt-compressed buffers first"),
        ("KHR_texture_basisu", "convert its KTX2 textures to PNG or JPEG"),
        ("EXT_made_up", "convert the model without it"),
    ],
)
def test_a_required_extension_the_importer_cannot_read_is_named(
    tmp_path: Path, ext: str, hint: str
) -> None:
    with pytest.raises(GlbProblem, match=f"^the model requires {ext}, .*{hint}") as info:
        inspect_glb(_requiring(tmp_path, ext, fallback="meshopt" in ext))
    assert info.value.kind == "unsupported_extension"


def test_required_extensions_the_importer_reads_pass(tmp_path: Path) -> None:
    assert inspect_glb(_requiring(tmp_path, "KHR_texture_transform")).n_meshes == 1


def test_other_formats_are_checked_before_blender(tmp_path: Path) -> None:
    from blender_addon.contract.model_format import inspect_model
    from tests.support.model_files import write_gltf_folder, write_obj, write_ply

    assert inspect_model(write_gltf_folder(tmp_path / "g", (1, 2, 3)))[0] == "gltf"
    assert inspect_model(write_obj(tmp_path / "o", (1, 2, 3)))[0] == "obj"
    assert inspect_model(write_ply(tmp_path / "p.ply", (1, 2, 3)))[0] == "ply"
    stl = tmp_path / "m.stl"
    stl.write_bytes(b"solid x\nfacet normal 0 0 1\n" + bytes(range(256)))
    with pytest.raises(
        GlbProblem, match=r"^unsupported model format '\.stl' \(VFScore reads \.glb, \.gltf"
    ):
        inspect_model(stl)
    with pytest.raises(GlbProblem, match="point cloud") as info:
        inspect_model(write_ply(tmp_path / "cloud.ply", (1, 2, 3), faces=False))
    assert info.value.kind == "no_faces"


@pytest.mark.parametrize("where", ["buffer", "texture"])
def test_a_gltf_folder_cannot_reach_outside_its_folder(tmp_path: Path, where: str) -> None:
    import json

    from blender_addon.contract.model_format import inspect_model
    from tests.support.model_files import write_gltf_folder

    gltf = write_gltf_folder(tmp_path / "g", (1, 2, 3))
    doc = json.loads(gltf.read_text())
    if where == "buffer":
        doc["buffers"][0]["uri"] = "../../etc/model.bin"
    else:
        doc["images"][0]["uri"] = "/etc/hostname"
    gltf.write_text(json.dumps(doc))
    with pytest.raises(GlbProblem) as info:
        inspect_model(gltf)
    assert info.value.kind == "unsafe_uri"


def test_an_obj_texture_cannot_reach_outside_the_model_folder(tmp_path: Path) -> None:
    from blender_addon.contract.model_format import inspect_model
    from tests.support.model_files import write_obj

    (tmp_path / "secret.png").write_bytes(b"x")
    obj = write_obj(tmp_path / "o", (1, 2, 3), texture="../secret.png")
    with pytest.raises(GlbProblem, match=r"texture of 'model\.mtl' URI '\.\./secret\.png'"):
        inspect_model(obj)


def test_blenders_error_text_becomes_the_exceptions_own_line_without_paths() -> None:
    from blender_addon.contract.render_job import error_line

    trace = (
        "Error: Python: Traceback (most recent call last):\n"
        '  File "/home/u/.venv/lib/python3.11/site-packages/bpy/imp/mesh.py", line 196, in do\n'
        "    vert_locs = np.concatenate((vert_locs, vs[unique_indices]))\n"
        "                                           ~~^^^^^^^^^^^^^^^^\n"
        "IndexError: index 4000000000 is out of bounds for axis 0 with size 24\n"
        "Location: /home/u/.venv/lib/python3.11/site-packages/bpy/4.5/modules/bpy/ops.py:109\n"
    )
    assert (
        error_line(trace) == "IndexError: index 4000000000 is out of bounds for axis 0 with size 24"
    )
    assert error_line("Error: cannot read /home/u/data/model.glb: bad\n") == (
        "cannot read model.glb: bad"
    )
    assert (
        error_line("RuntimeError: C:\\Users\\u\\m.glb is broken") == "RuntimeError: m.glb is broken"
    )
    assert error_line("first\nsecond\nLocation: /x/y.py:1\n") == "second"
    assert error_line("  \n") == "unknown error"
