"""The project's hashes: a file's bytes (a regular file only, opened without blocking) and the
canonical JSON of a document (sorted keys, no spaces), for render specs, rubrics, configurations
and cache keys. Stdlib only: it runs inside Blender too, where the extension bundles it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .files import open_regular


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes (see :func:`files.open_regular`)."""
    h = hashlib.sha256()
    with open_regular(path) as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def canonical_json(doc: Any) -> str:
    """``doc`` as JSON with sorted keys and no spaces: equal documents, equal text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def canonical_sha256(doc: Any) -> str:
    """Hex sha256 of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
