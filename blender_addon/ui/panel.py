"""The VFScore panel in Properties ▸ Render."""

from __future__ import annotations

import bpy

from ..scene.build import standard_cameras
from .operators import (
    VFSCORE_OT_build_around_selection,
    VFSCORE_OT_import_and_build,
    VFSCORE_OT_render_views,
    VFSCORE_OT_view_camera,
)


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
