"""File locks shared with archi3D (the `filelock` library, same lock files), with bounded waits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

DEFAULT_LOCK_TIMEOUT_S = 60.0


class LockTimeoutError(TimeoutError):
    """Another process held a lock longer than we were willing to wait."""


@contextmanager
def locked(lock_path: Path, timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold ``lock_path`` for the duration of the block, or raise :class:`LockTimeoutError`."""
    lock = filelock.FileLock(str(lock_path), timeout=timeout_s)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockTimeoutError(
            f"could not take lock {lock_path} within {timeout_s:g}s: another process "
            "(archi3D or another vfscore run?) holds it; retry once it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()
