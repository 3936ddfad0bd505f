"""The HDRIs the standard scene uses, their registry and the studio HDRI generator."""
