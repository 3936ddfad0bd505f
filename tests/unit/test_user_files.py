"""Reading a file a user named: regular files only, and an open that never blocks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from blender_addon.contract.files import (
    NotRegularFileError,
    check_regular,
    open_regular,
    read_regular_bytes,
    read_regular_text,
)


def test_a_regular_file_and_a_link_to_one_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("héllo", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    assert read_regular_bytes(tmp_path / "a.txt") == "héllo".encode()
    assert read_regular_text(tmp_path / "link.txt") == "héllo"
    check_regular(tmp_path / "link.txt")
    with open_regular(tmp_path / "a.txt", "photo", "r", encoding="utf-8") as f:
        assert f.read(2) == "hé"


@pytest.mark.timeout(10)
def test_what_is_not_a_regular_file_is_refused_by_name_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "dir.png").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.png"))
    kinds = {"pipe.png": "a named pipe", "dir.png": "a folder", "sock.png": "a socket"}
    try:
        for name, kind in kinds.items():
            message = f"reference photo {name!r} is not a regular file ({kind})"
            for read in (read_regular_bytes, check_regular):
                with pytest.raises(NotRegularFileError) as err:
                    read(tmp_path / name, "reference photo")
                assert str(err.value) == message and err.value.kind == kind
        with pytest.raises(NotRegularFileError, match=r"\(a device\)$"):
            read_regular_bytes(Path("/dev/null"))
    finally:
        server.close()
    with pytest.raises(FileNotFoundError):
        read_regular_bytes(tmp_path / "gone")
    with pytest.raises(NotRegularFileError, match=r"log 'pipe.png' is not a regular file"):
        open_regular(tmp_path / "pipe.png", "log", "a+b")
    with open_regular(tmp_path / "new.log", "log", "a+b") as f:
        f.write(b"one\n")
    assert (tmp_path / "new.log").read_bytes() == b"one\n"
    with pytest.raises(ValueError, match="reads or appends"):
        open_regular(tmp_path / "gone", "file", "wb")
