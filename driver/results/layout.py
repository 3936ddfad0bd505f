"""Where a run's results are: the names in a job folder and the run's own folders beside the job
folders (``runs/<run>/metrics/vfscore/``)."""

from __future__ import annotations

import re
from pathlib import Path

from driver.ssot.workspace import Workspace

RECORD_JSON = "vfscore_result.json"  # VFScore's own record; its presence means "finished"
RESULT_JSON = "result.json"  # archi3D's copy (archi3D rewrites it)
ERROR_JSON = "error.json"
CONFIG_JSON = "config.json"
RATIONALES = "rationales"  # rep_N.txt, one per repeat
RENDERS = "renders"
THUMBS = "thumbs"  # inside renders/, and inside the report folder for photos
HISTORY = "_history"  # a --redo moves the earlier artifacts here, per timestamp
TOURNAMENTS = "_tournaments"  # pairwise mode: one record per product
RUNS = "_runs"  # one manifest per invocation of compute
CONTROLS = "_controls"  # _controls/<product>/<control>/: a job folder per control
AGREEMENT_JSON = "agreement.json"
REPORT = "report"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def results_dir(ws: Workspace, run_id: str) -> Path:
    """``runs/<run>/metrics/vfscore/``: the job folders and the run's own folders."""
    return ws.run_dir(run_id) / "metrics" / "vfscore"


def report_dir(ws: Workspace, run_id: str) -> Path:
    """``runs/<run>/metrics/vfscore/report/``."""
    return results_dir(ws, run_id) / REPORT


def tournament_file(folder: Path, group: str) -> Path:
    """``_tournaments/<group>.json`` with the group's name made safe as a file name."""
    return folder / f"{_UNSAFE.sub('_', group) or 'no-product'}.json"
