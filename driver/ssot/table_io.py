"""Reading and atomically upserting archi3D CSV tables (``tables/generations.csv``).

The file on disk is always either the old or the new complete table: the new table is written to a
temporary file in the same folder, fsynced, and moved over the old one with ``os.replace`` while
holding the same lock file archi3D uses.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NamedTuple

import pandas as pd

from blender_addon.contract.atomic import atomic_writer
from blender_addon.contract.files import open_regular
from driver.ssot.locking import DEFAULT_LOCK_TIMEOUT_S, locked
from driver.ssot.table_merge import Row, TableFormatError, frame_to_rows, merge_rows

ENCODING = "utf-8-sig"

# Cells may hold long rationales or JSON; csv's default cap (128 KiB) would reject a valid table.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def lock_path_for(table: Path) -> Path:
    """``tables/generations.csv`` → ``tables/generations.lock``, the lock archi3D takes."""
    return table.with_suffix(".lock")


class Upserted(NamedTuple):
    inserted: int
    updated: int
    dropped: tuple[tuple[str, ...], ...] = ()  # keys not written: no such row (insert=False)


def read_csv_text(path: Path) -> tuple[list[str], list[list[str]], str]:
    """(header, rows, line terminator) of a CSV file, every cell as text; BOM tolerated.

    Raises :class:`TableFormatError` for a table that is not UTF-8, has duplicate column names
    or a row with more cells than the header: guessing would write the wrong cells back.
    """
    with open_regular(path, "table") as fb:
        first = fb.readline()
    terminator = "\r\n" if first.endswith(b"\r\n") else "\n"
    try:
        with open_regular(path, "table", "r", ENCODING, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            rows = [row for row in reader if row]
    except UnicodeDecodeError as exc:
        raise TableFormatError(
            f"{path.name} is not UTF-8 (byte {exc.object[exc.start : exc.start + 1]!r} at "
            f"offset {exc.start}); archi3D tables are UTF-8: convert it"
        ) from None
    except csv.Error as exc:
        raise TableFormatError(f"{path.name} is not readable CSV ({exc})") from None
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise TableFormatError(f"{path.name} has duplicate column names: {duplicated}")
    for n, row in enumerate(rows):
        if len(row) > len(header):
            raise TableFormatError(
                f"{path.name} row {n + 2} has {len(row)} cells but the header has {len(header)}"
            )
    return header, rows, terminator


def read_table(path: Path | str) -> pd.DataFrame:
    """A table with every column as text (``object`` dtype) and empty cells as missing (None).

    Column order is the file's. No value is ever converted: ``000123`` and ``20251122`` stay text.
    """
    header, rows, _ = read_csv_text(Path(path))
    width = len(header)
    padded = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    df = pd.DataFrame(padded, columns=header, dtype=object)
    return df.mask(df == "", None)


class _LineEndings:
    """Rewrites the CRLF that ends each record into the table's own line terminator.

    csv's QUOTE_MINIMAL only quotes a cell for the characters of *its* line terminator, so with
    ``"\n"`` a cell holding a bare ``"\r"`` would be written unquoted and read back as two rows.
    Writing with ``"\r\n"`` quotes both; the writer calls ``write`` once per record, so the record
    ending is always the last two characters.
    """

    def __init__(self, f: IO[str], terminator: str) -> None:
        self._f = f
        self._terminator = terminator

    def write(self, record: str) -> int:
        return self._f.write(record[:-2] + self._terminator)


def write_csv_atomic(path: Path, header: list[str], rows: Sequence[Row], terminator: str) -> None:
    """Write a whole CSV table atomically (text cells as given, ``terminator`` ending records)."""
    with atomic_writer(path, encoding=ENCODING, newline="") as f:
        writer = csv.writer(_LineEndings(f, terminator), lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _remove_stale_temps(path: Path) -> None:
    # Only a process killed between mkstemp and os.replace leaves these; we hold the lock, so none
    # of them belongs to a live writer.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def update_csv_atomic(
    path: Path | str,
    df_new: pd.DataFrame,
    key_cols: list[str],
    *,
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
    insert: bool = True,
) -> Upserted:
    """Upsert ``df_new`` into the CSV at ``path`` by ``key_cols``; returns (inserted, updated,
    dropped).

    Semantics (SSOT.md): the batch's columns overwrite matching rows, blanks included; all other
    cells keep their exact text; new rows and new columns are appended (with ``insert=False``
    they are not: their keys come back as ``dropped``); duplicate keys in the batch: the last
    wins. Values are written as text: missing → empty, whole numbers without ``.0``. A missing
    table is created. A symlinked table is written through the link (the link stays); a table
    without write permission is refused (:class:`PermissionError`), even for root.
    Raises :class:`driver.locking.LockTimeoutError` when the lock ``<table>.lock`` cannot be
    taken within ``lock_timeout_s``.
    """
    path = Path(path)
    target = path.resolve() if path.is_symlink() else path
    batch_columns, batch_rows = frame_to_rows(df_new)
    with locked(lock_path_for(path), lock_timeout_s):
        _remove_stale_temps(target)
        if target.exists() and target.stat().st_size > 0:
            _check_writable(target)
            header, rows, terminator = read_csv_text(target)
        else:
            header, rows, terminator = [], [], "\n"
        merged = merge_rows(header, rows, batch_columns, batch_rows, key_cols, insert=insert)
        write_csv_atomic(target, merged.header, merged.rows, terminator)
    return Upserted(merged.inserted, merged.updated, tuple(merged.dropped))


def _check_writable(path: Path) -> None:
    # os.replace needs only the folder to be writable; a table its owner made read-only must
    # still not be replaced.
    mode = path.stat().st_mode
    if not mode & 0o222:
        raise PermissionError(
            f"{path.name} is read-only (mode {mode & 0o777:o}): make it writable to record scores"
        )
