"""What the driver and Blender agree on, in pure Python (no bpy, no sibling sub-packages).

RenderSpec and its presets, the render job and render result documents with their exit codes,
the checks of a GLB before Blender sees it, the PNG metadata filter and the atomic file write.
"""
