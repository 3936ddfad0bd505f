"""The archi3D workspace: paths, the generations table (read, merge, atomic locked upsert), the
batched writer, the locks and the metrics log. Imports nothing from pipeline, rubric or Blender."""
