"""Collect result rows and upsert them into the SSOT in batches.

A 10,000-job run must not rewrite ``generations.csv`` 10,000 times: rows are held in memory and
flushed every ``flush_rows`` rows, when ``flush_seconds`` have passed since the last flush (checked
whenever a row is added), and on exit from the ``with`` block (errors included).

Crash recovery: rows that were collected but not yet flushed when the process died are not lost,
because every job writes its ``result.json`` before its row is handed here. A rerun of
``vfscore compute`` finds those files and rebuilds the rows without re-rendering or re-judging.

A flush that fails (the table is locked too long, read-only, unreadable) keeps its rows pending:
the next flush retries them, and only the last one, on leaving the ``with`` block, raises
:class:`TableWriteError`. With ``insert=False`` rows whose key is no longer in the table are not
written (their owner deleted them); their keys are collected in ``dropped``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from driver.ssot.locking import LockTimeoutError
from driver.ssot.table_io import update_csv_atomic
from driver.ssot.table_merge import TableFormatError


class TableWriteError(Exception):
    """The table could not be written; the message says why and how many rows wait."""


class BatchedUpserter:
    """Buffered, keyed upserts into one CSV table; the coordinator's only way to write it."""

    def __init__(
        self,
        path: Path,
        key_cols: list[str],
        *,
        flush_rows: int,
        flush_seconds: float,
        insert: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if flush_rows < 1:
            raise ValueError("flush_rows must be at least 1")
        self.path = path
        self.key_cols = key_cols
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self._clock = clock
        self._pending: list[dict[str, Any]] = []
        self._last_flush = clock()
        self.insert = insert
        self.flushes = 0
        self.inserted = 0
        self.updated = 0
        self.dropped: list[tuple[str, ...]] = []
        self.failure: str | None = None  # why the last flush failed, while rows wait

    @property
    def pending(self) -> int:
        """Rows added but not yet written."""
        return len(self._pending)

    def add(self, row: Mapping[str, Any]) -> None:
        """Queue one row (a mapping column → value that includes the key columns)."""
        missing = [k for k in self.key_cols if k not in row]
        if missing:
            raise ValueError(f"row has no key column(s) {missing}")
        self._pending.append(dict(row))
        due = self._clock() - self._last_flush >= self.flush_seconds
        if len(self._pending) >= self.flush_rows or due:
            # On failure the rows stay pending; the next flush tries again.
            with contextlib.suppress(TableWriteError):
                self.flush()

    def flush(self) -> None:
        """Write every pending row now (one table rewrite); a no-op when nothing is pending.
        Raises :class:`TableWriteError` (rows kept pending) when the table cannot be written."""
        self._last_flush = self._clock()
        if not self._pending:
            return
        batch = pd.DataFrame(self._pending, dtype=object)
        try:
            done = update_csv_atomic(self.path, batch, self.key_cols, insert=self.insert)
        except (OSError, LockTimeoutError, TableFormatError) as exc:
            self.failure = f"{self.path.name} could not be written: {exc}"
            raise TableWriteError(f"{self.failure} ({len(self._pending)} rows wait)") from None
        self._pending.clear()
        self.failure = None
        self.flushes += 1
        self.inserted += done.inserted
        self.updated += done.updated
        self.dropped.extend(done.dropped)

    def __enter__(self) -> BatchedUpserter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.flush()
