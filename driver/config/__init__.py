"""``vfscore.toml``: the typed schema, its discovery, and the settings of a run built from it."""
