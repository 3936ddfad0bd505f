"""bpy: the standard scene: import, normalise, world and HDRI, cameras, render settings, dump."""
