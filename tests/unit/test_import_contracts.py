"""The house's import contracts (pyproject [tool.importlinter]) hold, and catch planted breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("vfscore", "driver", "rubric", "hdri", "blender_addon", "tests", "benchmarks")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True
    )


def test_the_tree_keeps_every_contract() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "BROKEN" not in proc.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("rubric/offline/masks.py", "import requests", "the offline judge never loads the LLM"),
        ("driver/pipeline/selection.py", "import argparse", "driver.cli is the only importer"),
        ("driver/config/settings.py", "import driver.cli.app", "core code never imports a CLI"),
        ("driver/ssot/locking.py", "import rubric.core.errors", "driver.ssot imports nothing"),
        ("blender_addon/contract/spec.py", "import bpy", "bpy and mathutils only in"),
        ("driver/pipeline/stages.py", "import tests.support.llm_server", "production code never"),
        ("driver/pipeline/cost.py", "import rubric.llm.estimate", "the driver imports rubric's"),
        ("driver/ratings/catalog.py", "import driver.report.build", "the driver's layers"),
        ("driver/report/build.py", "import driver.ratings.app", "the driver's layers"),
        ("driver/results/jobs.py", "import driver.report.model", "the driver's layers"),
        ("driver/pipeline/stages.py", "import driver.agreement.store", "the driver's layers"),
    ],
)
def test_a_planted_violation_breaks_its_contract(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}  # planted\n")
    proc = lint_imports(tmp_path)
    assert proc.returncode != 0
    broken = [line for line in proc.stdout.splitlines() if " BROKEN" in line]
    assert len(broken) >= 1 and any(line.startswith(contract) for line in broken), proc.stdout
