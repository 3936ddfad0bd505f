"""One job's path and the batch: selection, the evaluator contract, render and judge stages, the
Blender launcher, the compute coordinator."""
