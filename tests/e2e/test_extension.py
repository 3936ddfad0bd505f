"""The Blender extension: zip build and validation, isolated install, register cycle, parity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from blender_addon.contract.render_job import RenderJob
from driver.packaging.extension_zip import build_extension_zip, manifest_version
from tests.support.blender import ROOT, run_bpy_script, run_headless, tiny_spec

pytestmark = pytest.mark.blender  # real Blender: deselected in mutation runs


def _blender_ext_cli() -> Path:
    import bpy

    scripts = Path(bpy.utils.resource_path("LOCAL")) / "scripts"
    return scripts / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"


def test_zip_is_reproducible_and_validated_by_blender(tmp_path: Path) -> None:
    first = build_extension_zip(tmp_path / "a")
    second = build_extension_zip(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    names = zipfile.ZipFile(first).namelist()
    assert {
        "blender_manifest.toml",
        "__init__.py",
        "ui/__init__.py",
        "contract/spec.py",
        "scene/build.py",
        "hdri/registry.json",
        "hdri/vfscore_studio.hdr",
    } <= set(names)
    assert "headless.py" not in names
    proc = subprocess.run(
        [sys.executable, str(_blender_ext_cli()), "validate", str(first)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # A broken manifest is caught by the same validator, so the check above can fail.
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(first) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "blender_manifest.toml":
                data = data.replace(b'type = "add-on"', b'type = "bogus"')
            dst.writestr(name, data)
    bad = subprocess.run(
        [sys.executable, str(_blender_ext_cli()), "validate", str(broken)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0


def test_manifest_version_matches_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{manifest_version()}"' in text


INSTALL_AND_BUILD = """
import bpy, json, sys
bpy.ops.wm.read_factory_settings(use_empty=True)
r = bpy.ops.extensions.package_install_files(
    filepath=sys.argv[1], repo="user_default", enable_on_install=True
)
assert r == {"FINISHED"}
assert "bl_ext.user_default.vfscore" in bpy.context.preferences.addons
s = bpy.context.scene.vfscore
s.samples = 4; s.resolution = 64
assert bpy.ops.vfscore.import_and_build(filepath=sys.argv[2]) == {"FINISHED"}
assert bpy.ops.vfscore.view_camera(index=1) == {"FINISHED"}
print(json.dumps({"camera": bpy.context.scene.camera.name,
                  "cameras": sorted(o.name for o in bpy.context.scene.objects
                                    if o.type == "CAMERA")}))
bpy.ops.preferences.addon_disable(module="bl_ext.user_default.vfscore")
"""


def test_installs_into_isolated_user_resources_and_runs(tmp_path: Path, textured_glb: Path) -> None:
    zip_path = build_extension_zip(tmp_path / "dist")
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    code = INSTALL_AND_BUILD.replace("sys.argv[1]", repr(str(zip_path))).replace(
        "sys.argv[2]", repr(str(textured_glb))
    )
    out = json.loads(run_bpy_script(code, env=env).strip().splitlines()[-1])
    assert out["camera"] == "VFScore_Cam_01_az090"
    assert len(out["cameras"]) == 4
    assert (
        tmp_path / "user" / "extensions" / "user_default" / "vfscore" / "ui" / "operators.py"
    ).is_file()


REGISTER_CYCLE = """
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
import blender_addon
before = set(dir(bpy.types))
blender_addon.register()
assert hasattr(bpy.types.Scene, "vfscore") and hasattr(bpy.ops.vfscore, "render_views")
blender_addon.unregister()
assert not hasattr(bpy.types.Scene, "vfscore")
leftovers = sorted(set(dir(bpy.types)) - before)
assert leftovers == [], leftovers
blender_addon.register()
assert bpy.context.scene.vfscore.samples == 16
blender_addon.unregister()
print("clean")
"""


def test_register_unregister_register_is_clean() -> None:
    assert run_bpy_script(REGISTER_CYCLE).strip().endswith("clean")


PARITY = """
import bpy, json
bpy.ops.wm.read_factory_settings(use_empty=EMPTY)
start = sorted(o.name for o in bpy.context.scene.objects)
import blender_addon
from blender_addon.scene.dump import scene_dump
blender_addon.register()
s = bpy.context.scene.vfscore
s.samples = 4; s.resolution = 64; s.seed = 3
assert bpy.ops.vfscore.import_and_build(filepath=GLB) == {"FINISHED"}
assert bpy.ops.vfscore.render_views(directory=OUT) == {"FINISHED"}
print(json.dumps({"start": start, "dump": scene_dump(bpy.context.scene)}))
blender_addon.unregister()
"""


@pytest.mark.parametrize("empty", [True, False], ids=["empty-scene", "default-startup-scene"])
def test_addon_scene_and_renders_equal_headless(
    tmp_path: Path, textured_glb: Path, empty: bool
) -> None:
    """From an empty scene and from Blender's default one (Cube, Light, Camera), the extension
    renders exactly what the batch renders: nothing but the model, the rig and the world."""
    job = RenderJob(textured_glb, tmp_path / "headless", tiny_spec(seed=3))
    proc, result = run_headless(job, tmp_path / "job.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    code = (
        PARITY.replace("GLB", repr(str(textured_glb)))
        .replace("OUT", repr(str(tmp_path / "addon")))
        .replace("EMPTY", repr(empty))
    )
    out = json.loads(run_bpy_script(code).strip().splitlines()[-1])
    assert out["start"] == ([] if empty else ["Camera", "Cube", "Light"])
    addon_dump = out["dump"]
    assert addon_dump == result["scene"]
    assert addon_dump["cycles"]["seed"] == 3
    for view in result["views"]:
        assert (tmp_path / "addon" / view["file"]).read_bytes() == (
            tmp_path / "headless" / view["file"]
        ).read_bytes()


def test_the_packaged_hdri_registry_needs_nothing_outside_the_extension(tmp_path: Path) -> None:
    """Inside Blender the extension is all there is: its hdri/ and contract/ must import with no
    top-level blender_addon (or any site package) on the path."""
    with zipfile.ZipFile(build_extension_zip(tmp_path / "dist")) as zf:
        zf.extractall(tmp_path / "ext" / "vfscore_ext")
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path / 'ext')!r}); "
        "import vfscore_ext.hdri.registry as r, vfscore_ext.contract.glb_check; "
        "print(len(r.load_registry()), r.sha256_file.__module__)"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    count, module = proc.stdout.split()
    assert int(count) >= 2 and module == "vfscore_ext.contract.digest"
