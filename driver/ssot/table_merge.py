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


def merge_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    batch_columns: Sequence[str],
    batch_rows: Sequence[Mapping[str, str]],
    key_cols: Sequence[str],
) -> MergeResult:
    """Upsert ``batch_rows`` into a table, with the semantics of SSOT.md.

    Batch columns overwrite (blanks included) in rows whose key matches; every other cell keeps its
    text; unmatched batch rows are appended; new columns go at the end; the last duplicate key in
    the batch wins. A table that is empty (no header) takes the batch's columns.
    """
    key_cols = list(key_cols)
    if not key_cols:
        raise TableFormatError("no key columns given")
    for k in key_cols:
        if k not in batch_columns:
            raise TableFormatError(f"batch has no key column {k!r}")
    header = list(header)
    if header:
        if len(set(header)) != len(header):
            dup = sorted({c for c in header if header.count(c) > 1})
            raise TableFormatError(f"table has duplicate columns: {dup}")
        for k in key_cols:
            if k not in header:
                raise TableFormatError(f"table has no key column {k!r}")
    new_header = header + [c for c in dict.fromkeys(batch_columns) if c not in header]
    width = len(new_header)
    pos = {c: i for i, c in enumerate(new_header)}
    key_pos = [pos[k] for k in key_cols]

    # Rows are copied only when they must change (new columns, or a batch update): on a
    # 100,000-row table the merge is then a single pass that builds the key index.
    extra = [""] * (width - len(header))
    out: list[Row] = []
    index: dict[tuple[str, ...], list[int]] = {}
    for n, row in enumerate(rows):
        if len(row) != len(header):
            if len(row) > len(header):
                raise TableFormatError(
                    f"table row {n + 2} has {len(row)} cells but the header has {len(header)}"
                )
            row = [*row, *[""] * (len(header) - len(row))]
        if extra:
            row = [*row, *extra]
        index.setdefault(tuple([row[i] for i in key_pos]), []).append(len(out))
        out.append(row)

    latest: dict[tuple[str, ...], Mapping[str, str]] = {}
    for n, brow in enumerate(batch_rows):
        key = tuple(brow.get(k, "") for k in key_cols)
        if any(part == "" for part in key):
            named = dict(zip(key_cols, key, strict=True))
            raise TableFormatError(f"batch row {n} has an empty key {named}")
        latest[key] = brow

    inserted = updated = 0
    for key, brow in latest.items():
        targets = index.get(key)
        if targets is None:
            full = [""] * width
            for c in batch_columns:
                full[pos[c]] = brow.get(c, "")
            out.append(full)
            inserted += 1
            continue
        for t in targets:
            changed = list(out[t])
            for c in batch_columns:
                changed[pos[c]] = brow.get(c, "")
            out[t] = changed
        updated += 1
    return MergeResult(new_header, out, inserted, updated)
