"""Remove text metadata from PNG files. Pure Python, no bpy.

Cycles stores per-render statistics (``cycles.ViewLayer.render_time`` and the like) as PNG text
chunks whatever the stamp settings say, so two renders of the same scene differ in those bytes.
Dropping the text and time chunks makes identical pixels give identical files.
"""

from __future__ import annotations

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DROPPED_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt", b"tIME"})


def strip_text_chunks(data: bytes) -> bytes:
    """The PNG ``data`` without text and time chunks; raises ValueError if it is not a PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    out = [PNG_SIGNATURE]
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("truncated PNG chunk header")
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"truncated PNG chunk {kind!r}")
        if kind not in DROPPED_CHUNKS:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


def strip_png_file(path: Path) -> None:
    """Rewrite ``path`` in place without its text and time chunks."""
    data = path.read_bytes()
    cleaned = strip_text_chunks(data)
    if cleaned != data:
        path.write_bytes(cleaned)
