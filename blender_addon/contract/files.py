"""Reading a file that a user named (a photo, a model and its side files, a config, a table, a
ratings file) or appending to a shared log: only a regular file, and the open never blocks.

A named pipe in a photo column would block ``open()`` until some writer appears (forever, and a
thread blocked there cannot be cancelled); a folder or a device has no bytes to read. The one way
to read such a path is :func:`open_regular`, which opens without blocking (``O_NONBLOCK``), asks
the open file what it is (``fstat``: no race with a swap after a check) and refuses anything but
a regular file. :func:`check_regular` is for libraries that open by name themselves (PIL).

Here, in the add-on's contract, because Blender may import only the extension's own modules and
the GLB checks run inside Blender too (the same reason as for ``atomic``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


_FLAGS = {
    "rb": os.O_RDONLY,
    "r": os.O_RDONLY,
    "a+b": os.O_RDWR | os.O_APPEND | os.O_CREAT,
}


class NotRegularFileError(OSError):
    """The path names something other than a regular file; the message names it and ``kind``
    says what it is (``a folder``, ``a named pipe``, ...)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.args[0])


def _refusal(path: Path | str, mode: int, what: str) -> NotRegularFileError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return NotRegularFileError(f"{what} {Path(path).name!r} is not a regular file ({kind})", kind)


def check_regular(path: Path | str, what: str = "file") -> None:
    """Raise :class:`NotRegularFileError` unless ``path`` (symlinks followed) is a regular file;
    a missing one raises ``FileNotFoundError`` as ``open`` would."""
    refusal = _refusal(path, os.stat(path).st_mode, what)
    if refusal is not None:
        raise refusal


def open_regular(
    path: Path | str,
    what: str = "file",
    mode: str = "rb",
    encoding: str | None = None,
    newline: str | None = None,
) -> IO[Any]:
    """Open a regular file for reading (``rb``, ``r``) or appending (``a+b``, created if
    missing) without ever blocking on the open; :class:`NotRegularFileError` for anything else
    (folder, named pipe, socket, device)."""
    if mode not in _FLAGS:
        raise ValueError(f"open_regular reads or appends, not mode {mode!r}")
    flags = _FLAGS[mode] | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except (FileNotFoundError, PermissionError):
        raise
    except OSError:  # a socket cannot be opened at all (ENXIO): say what it is
        check_regular(path, what)
        raise
    try:
        refusal = _refusal(path, os.fstat(fd).st_mode, what)
        if refusal is not None:
            raise refusal
        if getattr(os, "O_NONBLOCK", 0):  # reads block as usual from here on
            os.set_blocking(fd, True)
        return open(fd, mode, encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        raise


def read_regular_bytes(path: Path | str, what: str = "file") -> bytes:
    """The bytes of a regular file (see :func:`open_regular`)."""
    with open_regular(path, what) as f:
        data: bytes = f.read()
    return data


def read_regular_text(path: Path | str, what: str = "file", encoding: str = "utf-8") -> str:
    """The text of a regular file (see :func:`open_regular`)."""
    with open_regular(path, what, "r", encoding=encoding) as f:
        text: str = f.read()
    return text
