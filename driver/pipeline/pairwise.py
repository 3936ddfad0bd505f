"""`vfscore compute --mode pairwise`: render every selected job, then one tournament per product
(the candidates sharing product_id/variant), and the pairwise columns of each row.

The coordinator stays the only writer of the table: this module hands it rows through
``ok``/``failed`` callbacks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from blender_addon.contract.atomic import write_json_atomic
from driver.pipeline.selection import Candidate
from driver.pipeline.stages import EvaluationError
from driver.results.layout import tournament_file
from rubric import Entrant, FatalJudgeError, ImageInputError, JudgeError, PairJudge


def pairwise_pass(
    candidates: list[Candidate],
    render: Callable[[Candidate], list[Path]],
    judge: PairJudge,
    *,
    max_parallel: int,
    max_pairs: int,
    folder: Path,
    ok: Callable[[Candidate, dict[str, Any], Path], None],
    failed: Callable[[Candidate, str], None],
    extras: Callable[[str], list[Entrant]] = lambda group: [],
) -> list[dict[str, Any]]:
    """Render, group, run the tournaments; returns their records. ``extras(group)`` are more
    entrants of a product's tournament (its controls), whose strengths are in the record only.
    A FatalJudgeError (credentials, quota) propagates: no later comparison could succeed."""
    rendered: dict[str, list[Path]] = {}
    with ThreadPoolExecutor(max_parallel, "render") as pool:
        futures = {c.job_id: pool.submit(render, c) for c in candidates}
        for c in candidates:
            try:
                rendered[c.job_id] = futures[c.job_id].result()
            except EvaluationError as exc:
                failed(c, str(exc))
            except Exception as exc:  # one job's bug or OS error must not stop the others
                failed(c, f"internal error: {exc!r}")
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.job_id in rendered:
            groups[c.group].append(c)
    records = []
    for group, members in sorted(groups.items()):
        if not group:
            for c in members:
                failed(c, "pairwise: the row has no product_id to group candidates by")
            continue
        if len(members) < 2:
            failed(members[0], f"pairwise: no other rendered candidate of product {group!r}")
            continue
        entrants = [Entrant(c.job_id, tuple(rendered[c.job_id])) for c in members]
        entrants += extras(group)
        try:
            record = judge.tournament(group, members[0].refs, entrants, max_pairs)
        except FatalJudgeError:
            raise
        except (JudgeError, ImageInputError) as exc:
            for c in members:
                failed(c, f"pairwise tournament of {group!r} failed: {exc}")
            continue
        path = tournament_file(folder, group)
        write_json_atomic(path, record)
        for c in members:
            ok(c, record["strengths"][c.job_id], path)
        records.append(record)
    return records
