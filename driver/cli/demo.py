"""`vfscore demo`: build (or reuse) the demo workspace, score it, show the scores."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rich.table import Table

from driver.cli.compute import run_compute_command
from driver.cli.console import stdout_console
from driver.config.loader import parse_config
from driver.config.settings import render_spec_from
from driver.demo.workspace import DEMO_CONFIG, DEMO_RUN_ID, build_demo_workspace
from driver.ssot.table_io import read_table

SHOWN = ("product_name", "algo", "job_id", "vfscore_overall", "vf_status")


def run_demo(folder: Path) -> int:
    console = stdout_console()
    root = folder.resolve()
    if (root / "tables" / "generations.csv").is_file():
        console.print(f"Reusing the demo workspace in {root}", highlight=False)
    else:
        if root.exists() and any(root.iterdir()):
            console.print(
                f"{root} exists and is not a demo workspace; choose another --dir", style="red"
            )
            return 2
        console.print(
            f"Building the demo workspace in {root} (renders reference photos)…", highlight=False
        )
        build_demo_workspace(
            root, render_spec_from(parse_config(tomllib.loads(DEMO_CONFIG)).render)
        )
        (root / "vfscore.toml").write_text(DEMO_CONFIG, encoding="utf-8")
    status = run_compute_command(
        # Controls on: the demo shows whether its judge tells each gt from wrong copies of it.
        {
            "workspace": root,
            "run_id": DEMO_RUN_ID,
            "config": root / "vfscore.toml",
            "controls": True,
        }
    )
    table = read_table(root / "tables" / "generations.csv")
    view = Table(title=f"VFScore, run {DEMO_RUN_ID}")
    for col in SHOWN:
        view.add_column(col)
    for _, row in table.iterrows():
        view.add_row(*[str(row.get(c) or "") for c in SHOWN])
    console.print(view)
    console.print(
        f"Per-job artifacts: {root / 'runs' / DEMO_RUN_ID / 'metrics' / 'vfscore'}", highlight=False
    )
    return status
