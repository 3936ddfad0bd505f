"""The GLB checks that run before Blender sees a file."""

from __future__ import annotations

from pathlib import Path

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
