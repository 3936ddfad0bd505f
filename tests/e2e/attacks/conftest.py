"""Every attack ends as a named error: "internal error" means a bug in VFScore, so no row of any
table an attack test leaves behind may carry it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from driver.ssot.table_io import read_csv_text
from driver.ssot.table_merge import TableFormatError


@pytest.fixture(autouse=True)
def no_internal_error_in_any_table(tmp_path: Path) -> Iterator[None]:
    yield
    for table in tmp_path.rglob("generations.csv"):
        if not table.is_file():
            continue
        try:
            header, rows, _ = read_csv_text(table)
        except TableFormatError:  # an attack on the table itself: its own test checks it
            continue
        if "vf_error" not in header:
            continue
        col = header.index("vf_error")
        labelled = [r[col] for r in rows if col < len(r) and "internal error" in r[col]]
        assert labelled == [], f"{table}: {labelled}"
