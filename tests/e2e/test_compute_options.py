"""Every `vfscore compute` option is declared once (a field of ComputeRequest, the [compute]
keys among them): this walks the fields and checks that each has a flag with help, that the flag
reaches the request, and that a named test fails when the option is ignored."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from driver.cli.app import app
from driver.cli.options import command_from, flag, merged
from driver.config.schema import ComputeRequest, ComputeTable
from tests.support.compute_cli import vfscore
from tests.support.fast_workspace import RUN_ID, build, log_records, table

ROOT = Path(__file__).resolve().parents[2]

# The test that fails when the option is ignored, for every field of ComputeRequest.
OPTION_TESTS = {
    "repeats": "tests/e2e/test_compute_faults.py::test_repeats_from_flag_and_from_table",
    "timeout_s": "tests/e2e/test_compute.py::test_timeout_kills_a_hung_blender",
    "max_parallel": (
        "tests/e2e/test_compute_faults.py::test_max_parallel_runs_that_many_blenders_at_once"
    ),
    "only_status": "tests/e2e/test_compute_faults.py::test_selection_flags_in_a_dry_run",
    "use_images_from": (
        "tests/e2e/test_compute_faults.py::test_use_images_from_source_reads_the_source_columns"
    ),
    "flush_rows": "tests/e2e/test_compute_faults.py::test_the_table_is_written_in_batches",
    "flush_seconds": "tests/e2e/test_compute_faults.py::test_the_table_is_written_in_batches",
    "mode": "tests/e2e/test_pairwise.py::test_a_consistent_judge_has_its_order_recovered",
    "max_pairs": (
        "tests/e2e/test_pairwise.py::test_max_pairs_bounds_a_tournament_above_a_round_robin"
    ),
    "scheduler": "tests/e2e/test_cluster.py::test_a_cluster_run_equals_the_local_run_cell_for_cell",
    "controls": (
        "tests/e2e/test_controls.py::test_controls_leave_generations_alone_and_a_rerun_costs_nothing"
    ),
    "run_id": "tests/e2e/test_compute_options.py::test_run_id_and_config_decide_what_is_read",
    "workspace": "tests/e2e/test_compute_faults.py::test_repeats_from_flag_and_from_table",
    "config": "tests/e2e/test_compute_options.py::test_run_id_and_config_decide_what_is_read",
    "jobs": "tests/e2e/test_compute_faults.py::test_selection_flags_in_a_dry_run",
    "limit": "tests/e2e/test_compute_faults.py::test_selection_flags_in_a_dry_run",
    "redo": "tests/e2e/test_compute_faults.py::test_repeats_from_flag_and_from_table",
    "dry_run": "tests/e2e/test_compute.py::test_dry_run_writes_nothing_then_real_run_scores",
    "judge": (
        "tests/e2e/test_controls.py::test_a_judge_that_gives_everything_one_score_is_at_chance_and_gated"
    ),
    "preset": (
        "tests/e2e/test_compute_faults.py::test_preset_flag_and_render_table_reach_the_renderer"
    ),
    "no_report": "tests/e2e/test_report.py::test_no_report_writes_none",
    "fail_under": "tests/e2e/test_report.py::test_fail_under_gates_like_a_test_suite",
    "fail_under_controls": (
        "tests/e2e/test_controls.py::test_a_judge_that_gives_everything_one_score_is_at_chance_and_gated"
    ),
}

# A value unlike the default for each field, as typed on a command line, and as the request
# must then hold it.
GIVEN: dict[str, tuple[list[str], Any]] = {
    "repeats": (["7"], 7),
    "timeout_s": (["2.5"], 2.5),
    "max_parallel": (["3"], 3),
    "only_status": (["failed,running"], ["failed", "running"]),
    "use_images_from": (["source"], "source"),
    "flush_rows": (["5"], 5),
    "flush_seconds": (["0"], 0.0),
    "mode": (["pairwise"], "pairwise"),
    "max_pairs": (["9"], 9),
    "scheduler": (["local"], "local"),
    "controls": ([], True),
    "run_id": (["R2"], "R2"),
    "workspace": (["/ws"], Path("/ws")),
    "config": (["/c.toml"], Path("/c.toml")),
    "jobs": (["re:^0"], "re:^0"),
    "limit": (["4"], 4),
    "redo": ([], True),
    "dry_run": ([], True),
    "judge": (["openai:a", "--judge", "gemini:b"], ["openai:a", "gemini:b"]),
    "preset": (["hero"], "hero"),
    "no_report": ([], True),
    "fail_under": (["50"], 50.0),
    "fail_under_controls": (["0.8"], 0.8),
}


def _test_exists(node_id: str) -> bool:
    path, _, name = node_id.partition("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def _probe(seen: list[dict[str, Any]]) -> typer.Typer:
    """`vfscore compute`'s flags, built now (the app's own were built at import), recording
    what each call is given instead of running."""

    def record(**given: Any) -> None:
        seen.append(given)

    probe = typer.Typer(rich_markup_mode=None)
    probe.command()(command_from(ComputeRequest, ComputeTable, "compute", record))
    return probe


def test_every_option_has_a_flag_help_and_a_test_that_fails_when_it_is_ignored() -> None:
    shipped = CliRunner().invoke(app, ["compute", "--help"], terminal_width=400).stdout
    probe = CliRunner().invoke(_probe([]), ["--help"], terminal_width=400).stdout
    fields = ComputeRequest.model_fields
    assert set(fields) >= set(ComputeTable.model_fields)  # every [compute] key is a flag
    for name, field in fields.items():
        assert f"{flag(name)} " in shipped, name
        assert field.description and " ".join(field.description.split()) in " ".join(
            probe.split()
        ), name
    assert "[default: completed, or [compute] only_status]" in probe
    assert "[default: false, or [compute] controls]" in probe
    assert "[default: none, or [compute] timeout_s]" in probe
    assert "--controls / --no-controls" in probe and "--no-redo" not in probe
    assert set(OPTION_TESTS) == set(fields) == set(GIVEN)
    missing = [t for t in set(OPTION_TESTS.values()) if not _test_exists(t)]
    assert missing == []


def _request_from(argv: list[str]) -> ComputeRequest:
    """The request `vfscore compute ARGV` makes (typer parses; nothing runs)."""
    seen: list[dict[str, Any]] = []
    result = CliRunner().invoke(_probe(seen), argv)
    assert result.exit_code == 0, result.output
    return merged(ComputeRequest, seen[0], ComputeTable())


def test_flags_are_parsed_as_their_fields_type() -> None:
    for argv in (["--repeats", "two"], ["--timeout-s", "soon"], ["--limit", "1.5"]):
        result = CliRunner().invoke(_probe([]), ["--run-id", "R", *argv])
        assert result.exit_code == 2, argv
    assert CliRunner().invoke(_probe([]), []).exit_code == 2  # --run-id is required


@pytest.mark.parametrize("name", sorted(GIVEN))
def test_each_flag_reaches_the_request(name: str) -> None:
    words, expected = GIVEN[name]
    argv = [] if name == "run_id" else ["--run-id", "R"]
    argv += [flag(name), *words]
    assert getattr(_request_from(argv), name) == expected
    default = _request_from(["--run-id", "R"])
    if name != "run_id":
        assert getattr(default, name) == ComputeRequest.model_fields[name].default


def test_a_flag_not_given_leaves_the_table_value_and_a_given_one_wins() -> None:
    table = ComputeTable(repeats=5, controls=True)
    assert merged(ComputeRequest, {"run_id": "R", "repeats": None}, table).repeats == 5
    assert merged(ComputeRequest, {"run_id": "R", "controls": False}, table).controls is False


def test_run_id_and_config_decide_what_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.compute_cli import use_fake_blender

    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=2)
    other = CliRunner().invoke(
        app, ["compute", "--workspace", str(ws), "--run-id", "another-run", "--dry-run"]
    )
    assert other.exit_code == 0 and log_records(ws)[-1]["n_selected"] == 0
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text("[render]\nresolution = 32\n\n[compute]\nrepeats = 1\n")
    assert vfscore(ws, "--config", str(elsewhere)).returncode == 0
    assert set(table(ws)["vf_repeats_n"]) == {"1"}  # the workspace's vfscore.toml says 2
    assert log_records(ws)[-1]["run_id"] == RUN_ID
