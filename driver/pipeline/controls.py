"""Running a run's controls (see control_plan) and keeping their scores apart.

Each control is a job like a candidate's: the same render stage (render cache, Dask runner,
timeout), the same judge stage (response cache, retries, repeats, rubric), the same artifacts in
its own folder, reused on a rerun when its inputs are unchanged. Its scores never touch
``generations.csv``: they go to ``tables/vfscore_controls.csv``, one row per (run, product,
control, judge), under that table's lock and with an atomic write.

A negative that changes nothing (a ground truth without textures under ``flat``; an achromatic
texture under a hue rotation) is skipped with that reason, never counted as a tie: first when its
copy is byte for byte the gt's materials, then when its views render identical to the gt's.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from blender_addon.contract.files import read_regular_bytes
from blender_addon.contract.render_job import RESULT_FILE
from driver.config.settings import RunSettings
from driver.pipeline.artifacts import JobPlace, load_finished, write_success
from driver.pipeline.control_plan import ControlJob, ControlPlan, Product
from driver.pipeline.perturb import PerturbError, perturbed_glb, repacked_glb
from driver.pipeline.stages import EvaluationError, Runner, judge_stage, render_stage
from driver.results.layout import RENDERS
from driver.results.records import record_failure
from driver.ssot.table_io import read_csv_text, update_csv_atomic
from driver.ssot.table_merge import TableFormatError
from driver.ssot.vf_columns import one_line
from driver.ssot.workspace import Workspace
from rubric import POSITIVE, ControlScore, FatalJudgeError, redact

CONTROLS_TABLE = "vfscore_controls.csv"
# product is product_id[/variant]: a key cell is never empty, and variant often is.
KEY_COLUMNS = ["run_id", "product", "control", "judge"]
IDENTICAL = "renders identical to the ground truth's"


@dataclass
class ControlContext:
    """What running the controls needs of the run."""

    ws: Workspace
    run_id: str
    settings: RunSettings
    repeats: int
    timeout_s: float | None
    redo: bool = False
    slots: int = 1
    cancel: threading.Event = field(default_factory=threading.Event)
    runner: Runner | None = None
    tick: Callable[[str], None] = lambda event: None


@dataclass
class ControlOutcome:
    rows: list[dict[str, Any]] = field(default_factory=list)
    judged: int = 0  # controls scored (reused ones included)
    reused: int = 0  # taken from an earlier run's record: no render, no call
    skip_reasons: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    fatal: FatalJudgeError | None = None
    table_error: str | None = None


def control_columns(dimensions: Sequence[str]) -> list[str]:
    """The columns of ``vfscore_controls.csv``, in order."""
    return [
        *KEY_COLUMNS, "product_id", "variant", "vfscore_overall", *[f"vf_{d}" for d in dimensions],
        "status", "error", "artifacts_dir", "source_product", "model_sha256", "photos_sha256",
        "config_hash", "rank",
    ]  # fmt: skip


def control_row(
    ctx: ControlContext, job_product: Product, control: str, judge: str, **cells: Any
) -> dict[str, Any]:
    """One row of the controls table; ``cells`` fill the columns past the key."""
    row: dict[str, Any] = dict.fromkeys(control_columns(ctx.settings.judge.rubric.names))
    row.update(
        run_id=ctx.run_id,
        product=job_product.key,
        product_id=job_product.product_id,
        variant=job_product.variant,
        control=control,
        judge=judge,
        config_hash=ctx.settings.config_hash,
        **cells,
    )
    return row


def _scored_rows(
    ctx: ControlContext, job: ControlJob, payload: dict[str, Any]
) -> list[dict[str, Any]]:
    """A row for the judge and, for a panel, one for each of its members."""
    inputs = payload.get("inputs") or {}
    shared = {
        "status": "ok",
        "artifacts_dir": ctx.ws.rel(job.out_dir),
        "source_product": job.source,
        "model_sha256": inputs.get("model_sha256"),
        "photos_sha256": ";".join(inputs.get("photos_sha256") or []),
    }
    judges = {payload.get("llm_model") or ctx.settings.judge.provenance: payload}
    judges.update(payload.get("judges") or {})
    rows = []
    for judge, scored in judges.items():
        subs = scored.get("vf_subscores_median") or {}
        dims = {f"vf_{d}": subs.get(d) for d in ctx.settings.judge.rubric.names}
        overall = scored.get("vfscore_overall_median")
        rows.append(control_row(ctx, job.product, job.control, judge, vfscore_overall=overall,
                                **dims, **shared))  # fmt: skip
    return rows


def _unscored_row(ctx: ControlContext, product: Product, control: str, status: str, why: str,
                  job: ControlJob | None = None) -> dict[str, Any]:  # fmt: skip
    return control_row(
        ctx, product, control, ctx.settings.judge.provenance, status=status,
        error=one_line(redact(why)), artifacts_dir=ctx.ws.rel(job.out_dir) if job else None,
        source_product=job.source if job else None,
    )  # fmt: skip


def _views(out_dir: Path) -> list[str]:
    """The sha256 of each standard view rendered in ``out_dir`` (none when not rendered)."""
    try:
        result = json.loads((out_dir / RENDERS / RESULT_FILE).read_text(encoding="utf-8"))
        return [str(v["sha256"]) for v in result.get("views", [])]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _write_copy(job: ControlJob) -> str | None:
    """Write the negative's model; the reason to skip it when it cannot change anything."""
    assert job.product.gt is not None and job.perturbation is not None
    data = read_regular_bytes(job.product.gt, "ground-truth model")
    folder = job.product.gt.parent
    try:
        copy = perturbed_glb(data, job.perturbation, folder)
        if copy == repacked_glb(data, folder):
            return "the ground truth has nothing this copy changes"
    except PerturbError as exc:
        return f"the ground truth cannot be copied: {exc}"
    except (ValueError, KeyError, IndexError, TypeError, OSError) as exc:
        return f"the ground truth cannot be copied: {type(exc).__name__}: {exc}"
    job.out_dir.mkdir(parents=True, exist_ok=True)
    if not job.model.is_file() or read_regular_bytes(job.model) != copy:
        job.model.write_bytes(copy)
    return None


def _judge_one(ctx: ControlContext, job: ControlJob, gt_views: list[str]) -> list[dict[str, Any]]:
    """Render (or reuse) and judge one control; its rows."""
    photos = job.product.photos
    payload = None if ctx.redo else load_finished(job.out_dir, job.model, photos, ctx.settings)
    stage = None
    if payload is None:
        stage = render_stage(
            job.model, job.out_dir, ctx.timeout_s, ctx.settings, ctx.cancel, ctx.runner, photos
        )
    if job.control != POSITIVE and gt_views and _views(job.out_dir) == gt_views:
        return [_unscored_row(ctx, job.product, job.control, "skipped", IDENTICAL, job)]
    if stage is not None:  # rendered, and different from the gt: judge it
        judged, scoring_s = judge_stage(
            photos, ctx.repeats, ctx.settings, stage.views, stage.matched
        )
        place = JobPlace(job.out_dir, photos, ctx.ws.root, None, (), "given")
        payload = write_success(place, ctx.settings, stage, judged, scoring_s)
    assert payload is not None
    return _scored_rows(ctx, job, payload)


@dataclass
class _GroundTruths:
    """What the first phase learnt of each product's gt: its views, or why it failed."""

    views: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def _one(
    ctx: ControlContext, job: ControlJob, gts: _GroundTruths, out: ControlOutcome
) -> tuple[list[dict[str, Any]], bool]:
    """One control's rows, and whether it was reused from an earlier run."""
    if ctx.cancel.is_set() or out.fatal is not None:
        return [], False
    key = job.product.key
    why = gts.failed.get(key) if job.control != POSITIVE else None
    why = why or (_write_copy(job) if job.perturbation else None)
    if why is not None:
        ctx.tick("skipped")
        return [_unscored_row(ctx, job.product, job.control, "skipped", why, job)], False
    was_done = not ctx.redo and (job.out_dir / "vfscore_result.json").is_file()
    if job.reuse is not None and not was_done:
        _offer_renders(job.reuse, job.out_dir)
    try:
        rows = _judge_one(ctx, job, gts.views.get(key, []))
    except EvaluationError as exc:
        line = record_failure(job.out_dir, str(exc))
        status = "skipped" if job.control == POSITIVE else "error"
        rows = [_unscored_row(ctx, job.product, job.control, status, line, job)]
        if job.control == POSITIVE:
            gts.failed[key] = f"the ground truth could not be judged ({line})"
    except FatalJudgeError as exc:
        out.fatal = exc
        return [], False
    if job.control == POSITIVE and rows[0]["status"] == "ok":
        gts.views[key] = _views(job.out_dir)
    ctx.tick(str(rows[0]["status"]))
    return rows, was_done and rows[0]["status"] == "ok"


def _offer_renders(donor: Path, out_dir: Path) -> None:
    """Copy the views of the same model rendered for another product, for the render stage to
    reuse when they suit this one too (same model, spec and photo poses); it re-renders if not."""
    source, target = donor / RENDERS, out_dir / RENDERS
    if (source / RESULT_FILE).is_file() and not (target / RESULT_FILE).is_file():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


ENTRANT = "control:"  # the name of a control among a tournament's entrants


def tournament_entrants(
    ctx: ControlContext, jobs: list[ControlJob], out: ControlOutcome
) -> list[tuple[ControlJob, list[Path]]]:
    """The controls of one product rendered for its tournament (``--mode pairwise``); those that
    cannot be are recorded in ``out`` as skipped or failed."""
    entrants = []
    for job in jobs:
        why = _write_copy(job) if job.perturbation else None
        if why is None:
            try:
                stage = render_stage(
                    job.model, job.out_dir, ctx.timeout_s, ctx.settings, ctx.cancel, ctx.runner
                )
            except EvaluationError as exc:
                why = record_failure(job.out_dir, str(exc))
            else:
                entrants.append((job, stage.views))
                continue
        status = "skipped" if job.perturbation else "error"
        out.rows.append(_unscored_row(ctx, job.product, job.control, status, why, job))
    return entrants


def tournament_rows(
    ctx: ControlContext, entrants: list[tuple[ControlJob, list[Path]]], record: dict[str, Any]
) -> list[dict[str, Any]]:
    """A row per control of a tournament: its Bradley-Terry strength as the overall score (and
    per dimension), its rank among every entrant, under the judge ``<judge> pairwise``."""
    rows = []
    for job, _ in entrants:
        name = ENTRANT + job.control
        fit = record["strengths"].get(name)
        if fit is None:
            continue
        dims = {
            f"vf_{d}": (record["strengths_by_dimension"].get(d) or {}).get(name, {}).get("strength")
            for d in ctx.settings.judge.rubric.names
        }
        rows.append(control_row(
            ctx, job.product, job.control, f"{record['judge']} pairwise",
            vfscore_overall=fit["strength"], **dims, status="ok", rank=fit["rank"],
            artifacts_dir=ctx.ws.rel(job.out_dir), source_product=job.source,
        ))  # fmt: skip
    return rows


def tournament_controls(
    ctx: ControlContext,
    plan: ControlPlan,
    records: list[dict[str, Any]],
    rendered: dict[str, list[tuple[ControlJob, list[Path]]]],
    out: ControlOutcome,
) -> ControlOutcome:
    """The controls' rows after the tournaments (``--mode pairwise``), upserted like
    :func:`run_controls` upserts its own."""
    rows = [_unscored_row(ctx, p, c, "skipped", why) for p, c, why in plan.skipped] + out.rows
    out.skip_reasons.update(plan.skip_reasons)
    for record in records:
        rows += tournament_rows(ctx, rendered.get(record["group"], []), record)
    out.rows = rows
    _count(out, rows)
    if rows:
        write_control_rows(ctx.ws, rows, out)
    return out


def run_controls(ctx: ControlContext, plan: ControlPlan) -> ControlOutcome:
    """Judge every control of ``plan`` and upsert their rows, skipped ones included, into
    ``tables/vfscore_controls.csv``. First every product's gt (``ctx.slots`` at a time), then the
    negatives and other products: a negative is compared with its gt's views, and another
    product's gt can reuse the views rendered as that product's own control."""
    out = ControlOutcome(skip_reasons=Counter(plan.skip_reasons))
    rows = [_unscored_row(ctx, p, c, "skipped", why) for p, c, why in plan.skipped]
    gts = _GroundTruths()
    phases = (
        [j for j in plan.jobs if j.control == POSITIVE],
        [j for j in plan.jobs if j.control != POSITIVE],
    )
    try:
        with ThreadPoolExecutor(max(1, ctx.slots), "control") as pool:
            for jobs in phases:
                for done, reused in pool.map(lambda j: _one(ctx, j, gts, out), jobs):
                    rows += done
                    out.reused += reused
    finally:
        out.rows = rows
        _count(out, rows)
        if rows:
            write_control_rows(ctx.ws, rows, out)
    return out


def _count(out: ControlOutcome, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["status"] == "ok":
            out.judged += 1
        elif row["status"] == "error":
            out.errors.append(f"{row['product_id']}/{row['control']}: {row['error']}")
        elif row["artifacts_dir"]:  # skipped after planning (the plan's skips are counted)
            why = row["error"]
            out.skip_reasons[why if row["control"] == POSITIVE else f"{row['control']}: {why}"] += 1


def write_control_rows(ws: Workspace, rows: list[dict[str, Any]], out: ControlOutcome) -> None:
    """Upsert ``rows`` into the controls table (locked, atomic); a failure is recorded in
    ``out.table_error``, never raised: every control keeps its record in its folder."""
    try:
        update_csv_atomic(ws.tables_dir / CONTROLS_TABLE, pd.DataFrame(rows), KEY_COLUMNS)
    except (OSError, TableFormatError) as exc:
        out.table_error = f"tables/{CONTROLS_TABLE} could not be written: {exc}"


def read_control_rows(ws: Workspace, run_id: str) -> list[dict[str, str]]:
    """The run's rows of the controls table, as text (none when the table does not exist)."""
    path = ws.tables_dir / CONTROLS_TABLE
    if not path.is_file():
        return []
    header, rows, _ = read_csv_text(path)
    found = (dict(zip(header, cells, strict=False)) for cells in rows)
    return [row for row in found if row.get("run_id") == run_id]


def control_scores(rows: Sequence[dict[str, str]]) -> list[ControlScore]:
    """The scored controls among ``rows`` (those with a status ``ok`` and a number)."""
    scores = []
    for row in rows:
        if row.get("status") != "ok":
            continue
        try:
            overall = float(row["vfscore_overall"])
        except (KeyError, ValueError):
            continue
        subs = {k[3:]: float(v) for k, v in row.items() if k.startswith("vf_") and _is_number(v)}
        scores.append(ControlScore(row["product"], row["control"], row["judge"], overall, subs))
    return scores


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
