"""House rules that keep the project consistent: layout, CI = README, import boundaries."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_cmd = [c for c in readme_commands() if "pytest" in c]
    assert len(test_cmd) == 1
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_cmd[0] in ci_lines


def test_top_level_layout() -> None:
    for name in ("blender_addon", "driver", "rubric", "hdri", "tests"):
        assert (ROOT / name / "__init__.py").is_file(), name
    for name in ("blender_manifest.toml", "pyproject.toml", "README.md", ".ci/run"):
        assert (ROOT / name).is_file(), name


def _imports(folder: str, pattern: str) -> list[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return [
        str(p.relative_to(ROOT))
        for p in (ROOT / folder).rglob("*.py")
        if rx.search(p.read_text("utf-8"))
    ]


def test_bpy_is_imported_only_in_blender_addon() -> None:
    for folder in ("driver", "rubric", "hdri"):
        assert _imports(folder, r"^\s*(import bpy|from bpy)") == []


def test_rubric_never_imports_driver() -> None:
    assert _imports("rubric", r"^\s*(import driver|from driver)") == []


MAX_FUNCTION_LINES = 60  # a function longer than a screen hides what it does


def test_no_production_function_is_longer_than_a_screen() -> None:
    import ast

    long = []
    for package in ("vfscore", "driver", "rubric", "hdri", "blender_addon"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > MAX_FUNCTION_LINES:
                        long.append(f"{path.relative_to(ROOT)}:{node.name} ({lines} lines)")
    assert long == []
