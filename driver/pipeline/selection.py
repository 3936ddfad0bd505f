"""Which rows of generations.csv a compute run evaluates, and why the others are left alone.

Filter skips (other run, other status, --jobs, already scored) are counted by reason and never
written. Rows that pass the filters but whose inputs are unusable become error rows with a
specific reason: the user asked for them, so the table says why they have no score.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import regex

from driver.ssot.workspace import UnsafePathError, Workspace, check_id
from rubric import ImageInputError, check_image

IMAGE_SLOTS = 6
# A --jobs expression that backtracks catastrophically must not hang the selection.
MATCH_TIMEOUT_S = 1.0
DUPLICATE = "duplicate (run_id, job_id): scored once, written to every copy"


class SelectionError(ValueError):
    """The selection options cannot be applied (a bad --jobs expression)."""


@dataclass(frozen=True)
class Candidate:
    """A row to evaluate, its inputs resolved inside the workspace."""

    run_id: str
    job_id: str
    glb: Path
    refs: tuple[Path, ...]
    warnings: tuple[str, ...] = ()
    group: str = ""  # product_id[/variant]: the candidates a pairwise tournament compares


@dataclass(frozen=True)
class InputError:
    """A row that was asked for but cannot be evaluated."""

    run_id: str
    job_id: str
    reason: str


@dataclass
class Selection:
    candidates: list[Candidate] = field(default_factory=list)
    input_errors: list[InputError] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    duplicate_keys: dict[str, int] = field(default_factory=dict)  # job_id → rows with its key

    @property
    def n_selected(self) -> int:
        return len(self.candidates) + len(self.input_errors)


def job_matcher(pattern: str | None) -> Callable[[str], bool] | None:
    """``--jobs``: ``re:REGEX``, a glob with ``*``/``?``, or a plain substring. Matching one
    job_id takes at most :data:`MATCH_TIMEOUT_S`, else :class:`SelectionError`."""
    if not pattern:
        return None
    if pattern.startswith("re:"):
        try:
            compiled = regex.compile(pattern[3:])
        except regex.error as exc:
            raise SelectionError(
                f"--jobs {pattern!r} is not a valid regular expression: {exc}"
            ) from None
    elif any(c in pattern for c in "*?["):
        # fnmatch anchors only the end; a glob names the whole job_id, so anchor the start too.
        compiled = regex.compile(r"\A" + fnmatch.translate(pattern))
    else:
        compiled = regex.compile(re.escape(pattern))

    def matches(job_id: str) -> bool:
        try:
            return compiled.search(job_id, timeout=MATCH_TIMEOUT_S) is not None
        except TimeoutError:
            raise SelectionError(
                f"--jobs {pattern!r} took more than {MATCH_TIMEOUT_S:g}s on job_id "
                f"{job_id[:40]!r}: the expression backtracks catastrophically; simplify it"
            ) from None

    return matches


def is_done(row: pd.Series, mode: str = "absolute") -> bool:
    """Whether the row already has the score this mode writes."""
    if mode == "pairwise":
        return row.get("vf_pairwise_status") == "ok"
    return row.get("vf_status") == "ok" or bool(row.get("vfscore_overall"))


def product_group(row: pd.Series) -> str:
    """``product_id`` or ``product_id/variant``: the candidates compared with each other."""
    product = str(row.get("product_id") or "")
    variant = str(row.get("variant") or "")
    return f"{product}/{variant}" if product and variant else product


def resolve_model(
    ws: Workspace, value: object, column: str = "gen_object_path", what: str = "generated model"
) -> Path | str:
    """The model a table cell names, inside the workspace; else why it cannot be used."""
    if not isinstance(value, str) or not value.strip():
        return f"{column} is empty"
    try:
        path = ws.resolve(value)
    except UnsafePathError as exc:
        return f"{column} rejected: {exc}"
    if not path.is_file():
        return f"{what} {value!r} does not exist"
    if path.stat().st_size == 0:
        return f"{what} {value!r} is empty (0 bytes)"
    return path


def resolve_refs(ws: Workspace, row: pd.Series, use: str) -> tuple[list[Path], list[str]]:
    """The usable photos of a row's ``{use}_image_*_path`` cells, and why each other is not."""
    refs: list[Path] = []
    problems: list[str] = []
    for k in range(1, IMAGE_SLOTS + 1):
        value = row.get(f"{use}_image_{k}_path")
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            path = ws.resolve(value)
        except UnsafePathError as exc:
            problems.append(str(exc))
            continue
        if not path.exists():
            problems.append(f"{value!r} does not exist")
            continue
        try:
            check_image(path, "reference photo")
        except ImageInputError as exc:
            problems.append(str(exc))
        else:
            refs.append(path)
    return refs, problems


def select_jobs(
    ws: Workspace,
    table: pd.DataFrame,
    run_id: str,
    *,
    only_status: set[str],
    use_images_from: str,
    jobs: str | None,
    redo: bool,
    limit: int | None = None,
    mode: str = "absolute",
) -> Selection:
    """Apply the filters of SSOT.md and the issue, in order, to every row."""
    matcher = job_matcher(jobs)
    sel = Selection()
    seen: Counter[str] = Counter()
    for _, row in table.iterrows():
        if row.get("run_id") != run_id:
            continue
        job_id = str(row.get("job_id") or "")
        seen[job_id] += 1
        if job_id and seen[job_id] > 1:
            # archi3D's table repeats a key: the upsert writes every copy, so one job serves all.
            sel.duplicate_keys[job_id] = seen[job_id]
            sel.skip_reasons[DUPLICATE] += 1
            continue
        status = row.get("status")
        if status not in only_status:
            reason: str | None = f"status {status or 'empty'}"
        elif matcher is not None and not matcher(job_id):
            reason = "--jobs does not match"
        elif not redo and is_done(row, mode):
            reason = "already scored"
        elif limit is not None and sel.n_selected >= limit:
            reason = "--limit reached"
        else:
            reason = None if job_id else "empty job_id"
        if reason is not None:
            sel.skip_reasons[reason] += 1
            continue
        found = _candidate(ws, row, run_id, job_id, use_images_from)
        if isinstance(found, InputError):
            sel.input_errors.append(found)
        else:
            sel.candidates.append(found)
    return sel


def _candidate(
    ws: Workspace, row: pd.Series, run_id: str, job_id: str, use_images_from: str
) -> Candidate | InputError:
    """The job of a selected row, or why its inputs cannot be used."""
    try:
        check_id(job_id, "job_id")
    except UnsafePathError as exc:
        return InputError(run_id, job_id, str(exc))
    glb = resolve_model(ws, row.get("gen_object_path"))
    if isinstance(glb, str):
        return InputError(run_id, job_id, glb)
    refs, problems = resolve_refs(ws, row, use_images_from)
    if not refs:
        why = "; ".join(problems) if problems else f"no {use_images_from}_image_*_path is set"
        return InputError(run_id, job_id, f"no usable reference image ({why})")
    return Candidate(run_id, job_id, glb, tuple(refs), tuple(problems), product_group(row))
