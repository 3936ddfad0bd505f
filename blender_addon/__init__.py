"""VFScore's Blender extension.

Only ``register()`` imports the bpy-using modules, so the driver can import the pure modules of this
package (the RenderSpec) without Blender.
"""
