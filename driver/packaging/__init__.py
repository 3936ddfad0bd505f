"""Packaging: the installable Blender extension zip."""
