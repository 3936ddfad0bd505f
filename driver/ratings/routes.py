"""The inspector's pages and API, as a Flask blueprint: what to rate next, a job as shown, a
skip, a rating, a comparison. Each handler reads the run's :class:`Inspector`."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, send_file

from driver.agreement.store import (
    Comparison,
    Rating,
    append_comparisons,
    append_ratings,
    check_rater,
    current,
    read_ratings,
)
from driver.ratings.catalog import Job, judge_scores, snapshot
from driver.ratings.queue import (
    candidate_pairs,
    job_counts,
    next_item,
    pair_counts,
    pair_key,
    progress,
)
from driver.ratings.state import BadRequest, Inspector, inspector
from driver.results.records import read_rationales
from driver.ssot.metrics_log import utc_timestamp

ANCHORS = {
    1: "nothing in common",
    2: "a few things right",
    3: "recognisably similar, clear differences",
    4: "close, minor differences",
    5: "indistinguishable",
}
ASSETS = files("driver.ratings") / "assets"
_PAGES = {
    "/": ("inspector.html", "text/html"),
    "/inspector.js": ("inspector.js", "text/javascript"),
    "/inspector.css": ("inspector.css", "text/css"),
}

pages = Blueprint("inspector", __name__)


def _asset_view(name: str, mimetype: str) -> Any:
    def view() -> Response:
        return Response((ASSETS / name).read_text(encoding="utf-8"), mimetype=mimetype)

    view.__name__ = f"asset_{name.replace('.', '_')}"
    return view


for _route, (_name, _mimetype) in _PAGES.items():
    _view = _asset_view(_name, _mimetype)
    pages.add_url_rule(_route, _view.__name__, _view)


@pages.get("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)


@pages.get("/img/<token>")
def image(token: str) -> Response:
    """An image of the run, by the token the catalog gave it (never by a path)."""
    img = inspector().catalog.images.get(token)
    if img is None or not img.path.is_file():
        abort(404, "no such image in this run")
    return send_file(img.path, max_age=0)


@pages.get("/api/config")
def config() -> Response:
    """The run, the rubric's dimensions and anchors, how many jobs and pairs there are."""
    catalog = inspector().catalog
    dimensions = [
        {"name": d.name, "definition": d.definition, "ignore": d.ignore, "weight": d.weight}
        for d in catalog.rubric.dimensions
    ]
    return jsonify(
        run_id=catalog.run_id,
        rater=inspector().default_rater,
        rubric={"id": catalog.rubric.id, "version": catalog.rubric.version},
        dimensions=dimensions,
        anchors=ANCHORS,
        jobs=len(catalog.jobs),
        pairs=len(candidate_pairs(catalog.groups)),
    )


def _rater(value: Any) -> str:
    if not isinstance(value, str):
        raise BadRequest("name yourself first: rater is missing")
    return check_rater(value)


def _job(ins: Inspector, job_id: Any) -> Job:
    if not isinstance(job_id, str) or job_id not in ins.catalog.jobs:
        raise BadRequest(f"job {str(job_id)[:80]!r} is not a rateable job of run "
                         f"{ins.catalog.run_id!r}")  # fmt: skip
    return ins.catalog.jobs[job_id]


def _record(job: Job) -> dict[str, Any]:
    try:
        data = json.loads(job.record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadRequest(f"job {job.job_id!r}: its stored result cannot be read") from exc
    return data if isinstance(data, dict) else {}


def _scores(job: Job) -> dict[str, Any]:
    return {"judges": judge_scores(_record(job)),
            "rationales": read_rationales(job.record_path.parent)}  # fmt: skip


def _mine(ins: Inspector, rows: list[Mapping[str, Any]], rater: str, job_id: str) -> Any:
    """The rater's current rating of the job, or None."""
    for r in reversed(rows):
        if r["rater"] == rater and r["job_id"] == job_id:
            values = {d: int(r[f"r_{d}"]) for d in ins.dimensions if r.get(f"r_{d}")}
            return {"rating_id": r["rating_id"], "note": r["note"], "values": values}
    return None


def _job_view(ins: Inspector, job: Job, rater: str, reveal: bool, own: bool = True) -> Any:
    """A job as shown: with the rater's own rating and the judge's scores when they have
    rated it (``own``: not in a comparison, which stays blind), or in review mode."""
    rows = current(read_ratings(ins.ratings_csv))
    mine = _mine(ins, rows, rater, job.job_id) if own else None
    if reveal and mine is None:
        with ins.session.lock:
            ins.session.revealed.add((rater, job.job_id))
    return {
        "job_id": job.job_id,
        "group": job.group,
        "photos": [f"/img/{i.token}" for i in job.photos],
        "views": [f"/img/{i.token}" for i in job.views],
        "mine": mine,
        "scores": _scores(job) if (mine or reveal) else None,
    }


def _skipped(ins: Inspector, rater: str, mode: str) -> set[Any]:
    with ins.session.lock:
        return set(ins.session.skipped.get((rater, mode), set()))


def _progress_rate(ins: Inspector, rater: str) -> tuple[str | None, dict[str, int]]:
    catalog = ins.catalog
    rows = current(read_ratings(ins.ratings_csv))
    rows = [r for r in rows if r["run_id"] == catalog.run_id and r["job_id"] in catalog.jobs]
    counts = job_counts(rows)
    done = {str(r["job_id"]) for r in rows if r["rater"] == rater}
    items = sorted(catalog.jobs)
    nxt = next_item(items, counts, done, _skipped(ins, rater, "rate"), rater)
    return nxt, progress(len(done), len(items), [counts.get(i, 0) for i in items])


def _progress_pairs(ins: Inspector, rater: str) -> tuple[tuple[str, str] | None, dict[str, int]]:
    pairs = candidate_pairs(ins.catalog.groups)
    rows = [r for r in current(read_ratings(ins.pairs_csv)) if r["run_id"] == ins.catalog.run_id]
    counts = pair_counts(rows)
    done = {pair_key(str(r["job_left"]), str(r["job_right"])) for r in rows
            if r["rater"] == rater}  # fmt: skip
    nxt = next_item(pairs, counts, done, _skipped(ins, rater, "compare"), rater)
    return nxt, progress(len(done & set(pairs)), len(pairs), [counts.get(p, 0) for p in pairs])


@pages.get("/api/next")
def next_job() -> Response:
    """The next job to rate, or the next pair to compare (``mode=compare``), and progress."""
    ins = inspector()
    rater = _rater(request.args.get("rater"))
    reveal = request.args.get("reveal") == "1"
    if request.args.get("mode") == "compare":
        pair, prog = _progress_pairs(ins, rater)
        if pair is None:
            return jsonify(item=None, progress=prog)
        # Sides are drawn for every showing, so a position bias cannot follow the pair.
        left, right = pair if secrets.randbelow(2) else pair[::-1]
        jobs = ins.catalog.jobs
        sides = {"left": _job_view(ins, jobs[left], rater, reveal, own=False),
                 "right": _job_view(ins, jobs[right], rater, reveal, own=False)}  # fmt: skip
        return jsonify(item=sides, progress=prog)
    job_id, prog = _progress_rate(ins, rater)
    one = _job_view(ins, ins.catalog.jobs[job_id], rater, reveal) if job_id else None
    return jsonify(item=one, progress=prog)


@pages.get("/api/job/<job_id>")
def job_view(job_id: str) -> Response:
    """One job as shown to this rater."""
    ins = inspector()
    rater = _rater(request.args.get("rater"))
    reveal = request.args.get("reveal") == "1"
    return jsonify(item=_job_view(ins, _job(ins, job_id), rater, reveal))


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the request body is not a JSON object")
    return body


def _note(body: Mapping[str, Any]) -> str:
    note = body.get("note", "")
    if not isinstance(note, str):
        raise BadRequest("note must be text")
    return note


def _values(body: Mapping[str, Any]) -> dict[str, Any]:
    values = body.get("values")
    if not isinstance(values, dict):
        raise BadRequest("values must be an object: dimension → rating")
    return values


def _supersedes(body: Mapping[str, Any], table_rows: list[dict[str, str]], rater: str) -> str:
    old = body.get("supersedes") or ""
    if not old:
        return ""
    mine = {r["rating_id"] for r in table_rows if r["rater"] == rater}
    if old not in mine:
        raise BadRequest(f"rating {str(old)[:40]!r} is not one of {rater}'s ratings")
    return str(old)


@pages.post("/api/skip")
def skip() -> Response:
    """Offer this job (or pair) to this rater later than the others, for this session."""
    ins, body = inspector(), _body()
    rater = _rater(body.get("rater"))
    if body.get("mode") == "compare":
        a, b = _job(ins, body.get("job_left")).job_id, _job(ins, body.get("job_right")).job_id
        key: tuple[str, str] = (rater, "compare")
        item: Any = pair_key(a, b)
    else:
        key, item = (rater, "rate"), _job(ins, body.get("job_id")).job_id
    with ins.session.lock:
        ins.session.skipped.setdefault(key, set()).add(item)
    return jsonify(skipped=True)


@pages.post("/api/ratings")
def rate() -> Response:
    """Append a rating (with the snapshot of what was shown); answer the judge's scores."""
    ins, body = inspector(), _body()
    rater = _rater(body.get("rater"))
    job = _job(ins, body.get("job_id"))
    values = _values(body)
    with ins.session.lock:
        blind = (rater, job.job_id) not in ins.session.revealed
    shown = snapshot(ins.catalog, [job], [_record(job)], blind)
    rating = Rating(
        run_id=ins.catalog.run_id, job_id=job.job_id, rater=rater, time_utc=utc_timestamp(),
        values=values, note=_note(body), snapshot=json.dumps(shown, sort_keys=True),
        supersedes=_supersedes(body, read_ratings(ins.ratings_csv), rater),
    )  # fmt: skip
    (rating_id,) = append_ratings(ins.ratings_csv, [rating], ins.dimensions)
    return jsonify(rating_id=rating_id, scores=_scores(job))


def _pair_snapshot(ins: Inspector, rater: str, left: Job, right: Job) -> dict[str, Any]:
    """What was shown for a comparison, and whether the rater had seen the judge's scores."""
    with ins.session.lock:
        blind = not {(rater, left.job_id), (rater, right.job_id)} & ins.session.revealed
    shown = snapshot(ins.catalog, [left, right], [_record(left), _record(right)], blind)
    shown["sides"] = {"left": left.job_id, "right": right.job_id, "randomised": True}
    # Rating a job shows its judge's scores: a comparison of jobs the rater had rated is
    # not blind to them, whatever the page showed.
    rated = {r["job_id"] for r in current(read_ratings(ins.ratings_csv)) if r["rater"] == rater}
    shown["rated_before"] = sorted(rated & {left.job_id, right.job_id})
    return shown


@pages.post("/api/pairs")
def compare() -> Response:
    """Append a comparison of two candidates of one product; answer both judges' scores."""
    ins, body = inspector(), _body()
    rater = _rater(body.get("rater"))
    left, right = _job(ins, body.get("job_left")), _job(ins, body.get("job_right"))
    if left.group != right.group:
        raise BadRequest(f"jobs {left.job_id!r} and {right.job_id!r} are candidates of "
                         "different products")  # fmt: skip
    shown = _pair_snapshot(ins, rater, left, right)
    comparison = Comparison(
        run_id=ins.catalog.run_id, job_left=left.job_id, job_right=right.job_id, rater=rater,
        time_utc=utc_timestamp(), values=_values(body), note=_note(body),
        snapshot=json.dumps(shown, sort_keys=True),
        supersedes=_supersedes(body, read_ratings(ins.pairs_csv), rater),
    )  # fmt: skip
    (rating_id,) = append_comparisons(ins.pairs_csv, [comparison], ins.dimensions)
    return jsonify(rating_id=rating_id, scores={"left": _scores(left),
                                                "right": _scores(right)})  # fmt: skip
