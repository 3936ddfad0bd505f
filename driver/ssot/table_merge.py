"""Pure upsert logic for archi3D tables: cell formatting and key-based merging, no I/O.

Tables are handled as lists of text cells, never as typed columns, so nothing a type guess could
do (blank an id, drop a leading zero, turn ``20251122`` into a float) can happen here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

Row = Sequence[str]


class TableFormatError(ValueError):
    """A table or batch cannot be merged as given (missing key column, empty key, ragged row)."""


def format_cell(value: Any) -> str:
    """The text written for one cell: missing is empty, whole numbers have no ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return ""
        if math.isfinite(f) and f.is_integer():
            return str(int(f))
        return repr(f)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    return str(value)


def frame_to_rows(df: pd.DataFrame) -> tuple[list[str], list[dict[str, str]]]:
    """A batch DataFrame as (column names, rows of formatted text)."""
    columns = [str(c) for c in df.columns]
    if len(set(columns)) != len(columns):
        dup = sorted({c for c in columns if columns.count(c) > 1})
        raise TableFormatError(f"batch has duplicate columns: {dup}")
    rows = [
        {col: format_cell(v) for col, v in zip(columns, values, strict=True)}
        for values in df.itertuples(index=False, name=None)
    ]
    return columns, rows


@dataclass(frozen=True)
class MergeResult:
    header: list[str]
    rows: list[Row]
    inserted: int
    updated: int
    dropped: list[tuple[str, ...]]  # keys of batch rows not written (no such row, insert=False)


def _check_keys(header: list[str], batch_columns: Sequence[str], key_cols: list[str]) -> None:
    if not key_cols:
        raise TableFormatError("no key columns given")
    for k in key_cols:
        if k not in batch_columns:
            raise TableFormatError(f"batch has no key column {k!r}")
    if not header:
        return
    if len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        raise TableFormatError(f"table has duplicate columns: {dup}")
    for k in key_cols:
        if k not in header:
            raise TableFormatError(f"table has no key column {k!r}")


def _widened_rows(
    rows: Iterable[Sequence[str]], width_before: int, width: int, key_pos: list[int]
) -> tuple[list[Row], dict[tuple[str, ...], list[int]]]:
    """The table's rows at the new width, and the row numbers of each key.

    Rows are copied only when they must change (new columns, or a short row): on a 100,000-row
    table this is a single pass that builds the key index.
    """
    extra = [""] * (width - width_before)
    out: list[Row] = []
    index: dict[tuple[str, ...], list[int]] = {}
    for n, row in enumerate(rows):
        if len(row) != width_before:
            if len(row) > width_before:
                raise TableFormatError(
                    f"table row {n + 2} has {len(row)} cells but the header has {width_before}"
                )
            row = [*row, *[""] * (width_before - len(row))]
        if extra:
            row = [*row, *extra]
        index.setdefault(tuple([row[i] for i in key_pos]), []).append(len(out))
        out.append(row)
    return out, index


def _latest_by_key(
    batch_rows: Sequence[Mapping[str, str]], key_cols: list[str]
) -> dict[tuple[str, ...], Mapping[str, str]]:
    """The batch's rows by key; of duplicate keys, the last wins. Empty keys are refused."""
    latest: dict[tuple[str, ...], Mapping[str, str]] = {}
    for n, brow in enumerate(batch_rows):
        key = tuple(brow.get(k, "") for k in key_cols)
        if any(part == "" for part in key):
            named = dict(zip(key_cols, key, strict=True))
            raise TableFormatError(f"batch row {n} has an empty key {named}")
        latest[key] = brow
    return latest


def merge_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    batch_columns: Sequence[str],
    batch_rows: Sequence[Mapping[str, str]],
    key_cols: Sequence[str],
    *,
    insert: bool = True,
) -> MergeResult:
    """Upsert ``batch_rows`` into a table, with the semantics of SSOT.md.

    Batch columns overwrite (blanks included) in rows whose key matches (every one of them, when
    the table repeats a key); every other cell keeps its text; unmatched batch rows are appended,
    or with ``insert=False`` left out and listed in ``dropped`` (a results writer must not
    re-create a row its owner deleted); new columns go at the end; the last duplicate key in the
    batch wins. A table that is empty (no header) takes the batch's columns.
    """
    key_cols, header = list(key_cols), list(header)
    _check_keys(header, batch_columns, key_cols)
    new_header = header + [c for c in dict.fromkeys(batch_columns) if c not in header]
    pos = {c: i for i, c in enumerate(new_header)}
    out, index = _widened_rows(rows, len(header), len(new_header), [pos[k] for k in key_cols])
    inserted = updated = 0
    dropped: list[tuple[str, ...]] = []
    for key, brow in _latest_by_key(batch_rows, key_cols).items():
        targets = index.get(key)
        if targets is None and not insert:
            dropped.append(key)
            continue
        if targets is None:
            targets = [len(out)]
            out.append([""] * len(new_header))
            inserted += 1
        else:
            updated += 1
        for t in targets:
            changed = list(out[t])
            for c in batch_columns:
                changed[pos[c]] = brow.get(c, "")
            out[t] = changed
    return MergeResult(new_header, out, inserted, updated, dropped)
