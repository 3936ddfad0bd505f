"""HDRI registry, sha256 checks and the deterministic studio HDRI generator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from blender_addon.contract.digest import sha256_file
from hdri import make_studio_hdri
from hdri.registry import HDRI_DIR, HdriError, load_registry, resolve_hdri

pytestmark = pytest.mark.blender  # real Blender: deselected in mutation runs


def test_generator_reproduces_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "studio.hdr"
    make_studio_hdri.main([str(out)])
    assert out.read_bytes() == (HDRI_DIR / "vfscore_studio.hdr").read_bytes()
    assert out.stat().st_size <= 2 * 1024 * 1024


def test_studio_hdri_is_neutral_and_has_soft_boxes() -> None:
    lum = make_studio_hdri.radiance()
    assert lum.max() > 10 * lum.min()  # the soft boxes stand far above the backdrop
    data = make_studio_hdri.encode_rgbe(lum)
    px = memoryview(data).cast("B")
    assert all(px[i] == px[i + 1] == px[i + 2] for i in range(0, len(px), 4 * 97))


def test_every_entry_has_licence_and_description() -> None:
    registry = load_registry()
    assert "vfscore_studio" in registry
    for entry in registry.values():
        assert entry.license and entry.description and len(entry.sha256) == 64


def test_project_hdri_resolves_and_verifies() -> None:
    resolved = resolve_hdri("vfscore_studio", None)
    assert resolved.path == HDRI_DIR / "vfscore_studio.hdr"
    assert sha256_file(resolved.path) == resolved.entry.sha256


def test_unknown_alias_lists_known_ones() -> None:
    with pytest.raises(HdriError, match=r"unknown HDRI alias 'nope'.*vfscore_studio"):
        resolve_hdri("nope", None)


def test_blender_alias_needs_and_checks_blender_files(tmp_path: Path) -> None:
    with pytest.raises(HdriError, match="ships with Blender"):
        resolve_hdri("blender_studio", None)
    with pytest.raises(HdriError, match="not found"):
        resolve_hdri("blender_studio", tmp_path)
    shutil.copy(HDRI_DIR / "vfscore_studio.hdr", tmp_path / "studio.exr")
    with pytest.raises(HdriError, match=r"sha256 mismatch for studio\.exr"):
        resolve_hdri("blender_studio", tmp_path)


def test_blender_aliases_match_the_installed_blender() -> None:
    import bpy

    world = Path(bpy.utils.system_resource("DATAFILES", path="studiolights/world"))  # type: ignore[attr-defined]
    for alias, entry in load_registry().items():
        if entry.source == "blender":
            assert resolve_hdri(alias, world).path == world / entry.file
