"""The demo workspace and the project's own fixtures: textures, perturbations, the GLB writer."""
