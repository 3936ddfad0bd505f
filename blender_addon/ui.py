"""The extension's settings, operators and panel (Properties ▸ Render ▸ VFScore)."""

from __future__ import annotations

import json
from pathlib import Path

import bpy
from bpy.props import EnumProperty, IntProperty, PointerProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

from .glb_check import GlbProblem, inspect_glb
from .hdri_access import HdriError, blender_world_dir, load_registry, resolve_hdri
from .render import base_result, render_views
from .render_job import RESULT_FILE, write_json_atomic
from .scene import (
    SPEC_PROP,
    build_standard_scene,
    import_glb,
    mesh_objects,
    scene_dump,
    standard_cameras,
)
from .spec import DEFAULT_PRESET, PRESETS, RenderSpec, SpecError

_DEFAULT = PRESETS[DEFAULT_PRESET]


# Static item lists: Blender keeps no reference to strings returned by an items callback.
_PRESET_ITEMS = [(name, name, f"{len(s.rig.views)} view(s)") for name, s in PRESETS.items()]
_HDRI_ITEMS = [(e.alias, e.alias, e.description) for e in load_registry().values()]


class VFScoreSettings(bpy.types.PropertyGroup):
    """The panel's choices; together with the preset they make the RenderSpec."""

    preset: EnumProperty(name="Preset", items=_PRESET_ITEMS, default=DEFAULT_PRESET)  # type: ignore[valid-type]
    hdri_alias: EnumProperty(name="HDRI", items=_HDRI_ITEMS, default=_DEFAULT.hdri_alias)  # type: ignore[valid-type]
    seed: IntProperty(name="Seed", default=_DEFAULT.seed, min=0)  # type: ignore[valid-type]
    samples: IntProperty(name="Samples", default=_DEFAULT.samples, min=1, max=65536)  # type: ignore[valid-type]
    resolution: IntProperty(
        name="Resolution", default=_DEFAULT.resolution[0], min=8, max=8192, subtype="PIXEL"
    )  # type: ignore[valid-type]
    output_dir: StringProperty(name="Output", default="//vfscore_renders", subtype="DIR_PATH")  # type: ignore[valid-type]


def settings_spec(settings: VFScoreSettings) -> RenderSpec:
    """The RenderSpec the panel describes."""
    return PRESETS[settings.preset].with_changes(
        seed=settings.seed,
        samples=settings.samples,
        resolution=(settings.resolution, settings.resolution),
        hdri_alias=settings.hdri_alias,
    )


def _build(
    operator: bpy.types.Operator, context: bpy.types.Context, objects: list[bpy.types.Object]
) -> set[str]:
    try:
        spec = settings_spec(context.scene.vfscore)
        hdri = resolve_hdri(spec.hdri_alias, blender_world_dir())
    except (SpecError, HdriError) as exc:
        operator.report({"ERROR"}, str(exc))
        return {"CANCELLED"}
    if not mesh_objects(objects):
        operator.report({"ERROR"}, "no mesh among the objects")
        return {"CANCELLED"}
    info = build_standard_scene(context.scene, objects, spec, hdri.path)
    for warning in info.warnings:
        operator.report({"WARNING"}, warning)
    operator.report(
        {"INFO"}, f"standard scene built: {len(info.cameras)} camera(s), device {info.device}"
    )
    return {"FINISHED"}


class VFSCORE_OT_import_and_build(bpy.types.Operator, ImportHelper):  # type: ignore[misc]
    """Import a GLB and build the VFScore standard scene around it"""

    bl_idname = "vfscore.import_and_build"
    bl_label = "Import GLB & Build Standard Scene"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".glb"
    filter_glob: StringProperty(default="*.glb", options={"HIDDEN"})  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        path = Path(self.filepath)
        try:
            inspect_glb(path)
        except (OSError, GlbProblem) as exc:
            self.report({"ERROR"}, f"GLB import failed: {exc}")
            return {"CANCELLED"}
        return _build(self, context, import_glb(path))


class VFSCORE_OT_build_around_selection(bpy.types.Operator):
    """Build the VFScore standard scene around the selected objects"""

    bl_idname = "vfscore.build_around_selection"
    bl_label = "Build Around Selection"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _build(self, context, list(context.selected_objects))


class VFSCORE_OT_view_camera(bpy.types.Operator):
    """Look through standard camera N"""

    bl_idname = "vfscore.view_camera"
    bl_label = "Look Through Standard Camera"
    index: IntProperty(name="View", default=0, min=0)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        cameras = standard_cameras(context.scene)
        if self.index >= len(cameras):
            self.report(
                {"ERROR"}, f"no standard camera {self.index}: build the standard scene first"
            )
            return {"CANCELLED"}
        context.scene.camera = cameras[self.index]
        space = context.space_data
        if space is not None and space.type == "VIEW_3D":
            space.region_3d.view_perspective = "CAMERA"
        return {"FINISHED"}


class VFSCORE_OT_render_views(bpy.types.Operator):
    """Render the standard views to the output folder (the same files as the batch renderer)"""

    bl_idname = "vfscore.render_views"
    bl_label = "Render Standard Views"
    directory: StringProperty(name="Folder", subtype="DIR_PATH")  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        if SPEC_PROP not in scene:
            self.report({"ERROR"}, "build the standard scene first")
            return {"CANCELLED"}
        spec = RenderSpec.from_dict(json.loads(scene[SPEC_PROP]))
        folder = Path(bpy.path.abspath(self.directory or scene.vfscore.output_dir))
        result = base_result(spec, glb=None)
        result["scene"] = scene_dump(scene)
        result["views"] = render_views(scene, standard_cameras(scene), spec, folder)
        result["ok"] = True
        write_json_atomic(folder / RESULT_FILE, result)
        self.report({"INFO"}, f"rendered {len(result['views'])} view(s) into {folder}")
        return {"FINISHED"}


class VFSCORE_PT_panel(bpy.types.Panel):
    bl_label = "VFScore Standard Scene"
    bl_idname = "VFSCORE_PT_panel"
    bl_space_type = "PROPERTIES"
    bl_region_type = "WINDOW"
    bl_context = "render"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.vfscore
        for prop in ("preset", "hdri_alias", "seed", "samples", "resolution", "output_dir"):
            layout.prop(settings, prop)
        layout.operator(VFSCORE_OT_import_and_build.bl_idname, icon="IMPORT")
        layout.operator(VFSCORE_OT_build_around_selection.bl_idname, icon="OBJECT_DATA")
        row = layout.row(align=True)
        for i, camera in enumerate(standard_cameras(context.scene)):
            op = row.operator(VFSCORE_OT_view_camera.bl_idname, text=camera.name.split("_")[-1])
            op.index = i
        layout.operator(VFSCORE_OT_render_views.bl_idname, icon="RENDER_STILL")


CLASSES = (
    VFScoreSettings,
    VFSCORE_OT_import_and_build,
    VFSCORE_OT_build_around_selection,
    VFSCORE_OT_view_camera,
    VFSCORE_OT_render_views,
    VFSCORE_PT_panel,
)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.vfscore = PointerProperty(type=VFScoreSettings)


def unregister() -> None:
    del bpy.types.Scene.vfscore
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
