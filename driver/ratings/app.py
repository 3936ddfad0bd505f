"""The rating inspector: a Flask app over one run's jobs where people rate a job (1-5 per
dimension, blind until submitted) or compare two (left / right / same), appending to the ratings
tables. Served by waitress on loopback (driver/cli/rate.py); every request that changes data must
come from the inspector's own page."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from flask import Flask, Response, abort, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from driver.agreement.store import (
    PAIRS_CSV,
    RATINGS_CSV,
    Comparison,
    Rating,
    RatingError,
    append_comparisons,
    append_ratings,
    check_rater,
    current,
    read_ratings,
)
from driver.ratings.catalog import Catalog, Job, judge_scores, snapshot
from driver.ratings.queue import (
    candidate_pairs,
    job_counts,
    next_item,
    pair_counts,
    pair_key,
    progress,
)
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
# The page's own scripts and styles only; images from this server; no framing by other pages.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Session:
    """The inspector's state beyond the tables: skips, and which scores were shown before a
    rating (such a rating is recorded as not blind). Lost on restart by design: both only steer
    what is offered next."""

    skipped: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    revealed: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class BadRequest(ValueError):
    """A request the inspector refuses with 400 and this message; nothing was written."""


def _fail(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def create_app(catalog: Catalog, *, default_rater: str = "", allowed_hosts: set[str]) -> Flask:
    """The inspector for ``catalog``'s run. ``allowed_hosts`` are the Host header values the app
    answers (host:port): anything else is refused, which stops DNS-rebinding pages."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    tables = catalog.ws.root / "tables"
    ratings_csv, pairs_csv = tables / RATINGS_CSV, tables / PAIRS_CSV
    session = Session()
    dims = catalog.rubric.names

    @app.before_request
    def _guard() -> Response | None:
        if request.host not in allowed_hosts:
            return _fail(403, f"unknown Host {request.host[:60]!r}: open the inspector's own URL")
        if request.method in ("GET", "HEAD"):
            return None
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return _fail(403, "cross-origin request refused")
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return _fail(403, "cross-site request refused")
        if request.mimetype != "application/json":
            # A page elsewhere can post a form without asking; it cannot post JSON without a
            # CORS preflight, which this app never grants.
            return _fail(415, "send JSON (Content-Type: application/json)")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(_HEADERS)
        return response

    @app.errorhandler(BadRequest)
    @app.errorhandler(RatingError)
    def _bad(exc: ValueError) -> Response:
        return _fail(400, str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return _fail(exc.code or 500, exc.description or exc.name)

    for route, (name, mimetype) in _PAGES.items():
        app.add_url_rule(route, name, _asset_view(name, mimetype))

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.get("/img/<token>")
    def image(token: str) -> Response:
        img = catalog.images.get(token)
        if img is None or not img.path.is_file():
            abort(404, "no such image in this run")
        return send_file(img.path, max_age=0)

    @app.get("/api/config")
    def config() -> Response:
        return jsonify(
            run_id=catalog.run_id,
            rater=default_rater,
            rubric={"id": catalog.rubric.id, "version": catalog.rubric.version},
            dimensions=[
                {
                    "name": d.name,
                    "definition": d.definition,
                    "ignore": d.ignore,
                    "weight": d.weight,
                }
                for d in catalog.rubric.dimensions
            ],
            anchors=ANCHORS,
            jobs=len(catalog.jobs),
            pairs=len(candidate_pairs(catalog.groups)),
        )

    def _rater(value: Any) -> str:
        if not isinstance(value, str):
            raise BadRequest("name yourself first: rater is missing")
        return check_rater(value)

    def _job(job_id: Any) -> Job:
        if not isinstance(job_id, str) or job_id not in catalog.jobs:
            raise BadRequest(f"job {str(job_id)[:80]!r} is not a rateable job of run "
                             f"{catalog.run_id!r}")  # fmt: skip
        return catalog.jobs[job_id]

    def _record(job: Job) -> dict[str, Any]:
        try:
            data = json.loads(job.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BadRequest(f"job {job.job_id!r}: its stored result cannot be read") from exc
        return data if isinstance(data, dict) else {}

    def _scores(job: Job) -> dict[str, Any]:
        record = _record(job)
        return {"judges": judge_scores(record),
                "rationales": read_rationales(job.record_path.parent)}  # fmt: skip

    def _mine(rows: list[Mapping[str, Any]], rater: str, job_id: str) -> dict[str, Any] | None:
        for r in reversed(rows):
            if r["rater"] == rater and r["job_id"] == job_id:
                values = {d: int(r[f"r_{d}"]) for d in dims if r.get(f"r_{d}")}
                return {"rating_id": r["rating_id"], "note": r["note"], "values": values}
        return None

    def _job_view(job: Job, rater: str, reveal: bool, own: bool = True) -> dict[str, Any]:
        """A job as shown: with the rater's own rating and the judge's scores when they have
        rated it (``own``: not in a comparison, which stays blind), or in review mode."""
        rows = current(read_ratings(ratings_csv))
        mine = _mine(rows, rater, job.job_id) if own else None
        if reveal and mine is None:
            with session.lock:
                session.revealed.add((rater, job.job_id))
        return {
            "job_id": job.job_id,
            "group": job.group,
            "photos": [f"/img/{i.token}" for i in job.photos],
            "views": [f"/img/{i.token}" for i in job.views],
            "mine": mine,
            "scores": _scores(job) if (mine or reveal) else None,
        }

    def _progress_rate(rater: str) -> tuple[str | None, dict[str, int]]:
        rows = current(read_ratings(ratings_csv))
        rows = [r for r in rows if r["run_id"] == catalog.run_id and r["job_id"] in catalog.jobs]
        counts = job_counts(rows)
        done = {str(r["job_id"]) for r in rows if r["rater"] == rater}
        items = sorted(catalog.jobs)
        with session.lock:
            skipped = set(session.skipped.get((rater, "rate"), set()))
        nxt = next_item(items, counts, done, skipped, rater)
        return nxt, progress(len(done), len(items), [counts.get(i, 0) for i in items])

    def _progress_pairs(rater: str) -> tuple[tuple[str, str] | None, dict[str, int]]:
        pairs = candidate_pairs(catalog.groups)
        rows = [r for r in current(read_ratings(pairs_csv)) if r["run_id"] == catalog.run_id]
        counts = pair_counts(rows)
        done = {pair_key(str(r["job_left"]), str(r["job_right"])) for r in rows
                if r["rater"] == rater}  # fmt: skip
        with session.lock:
            skipped = set(session.skipped.get((rater, "compare"), set()))
        nxt = next_item(pairs, counts, done, skipped, rater)
        return nxt, progress(len(done & set(pairs)), len(pairs), [counts.get(p, 0) for p in pairs])

    @app.get("/api/next")
    def next_job() -> Response:
        rater = _rater(request.args.get("rater"))
        reveal = request.args.get("reveal") == "1"
        if request.args.get("mode") == "compare":
            pair, prog = _progress_pairs(rater)
            if pair is None:
                return jsonify(item=None, progress=prog)
            # Sides are drawn for every showing, so a position bias cannot follow the pair.
            left, right = pair if secrets.randbelow(2) else pair[::-1]
            sides = {"left": _job_view(catalog.jobs[left], rater, reveal, own=False),
                     "right": _job_view(catalog.jobs[right], rater, reveal, own=False)}  # fmt: skip
            return jsonify(item=sides, progress=prog)
        job_id, prog = _progress_rate(rater)
        one = _job_view(catalog.jobs[job_id], rater, reveal) if job_id else None
        return jsonify(item=one, progress=prog)

    @app.get("/api/job/<job_id>")
    def job_view(job_id: str) -> Response:
        rater = _rater(request.args.get("rater"))
        return jsonify(item=_job_view(_job(job_id), rater, request.args.get("reveal") == "1"))

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

    @app.post("/api/skip")
    def skip() -> Response:
        body = _body()
        rater = _rater(body.get("rater"))
        if body.get("mode") == "compare":
            a, b = _job(body.get("job_left")).job_id, _job(body.get("job_right")).job_id
            key: tuple[str, str] = (rater, "compare")
            item: Any = pair_key(a, b)
        else:
            key, item = (rater, "rate"), _job(body.get("job_id")).job_id
        with session.lock:
            session.skipped.setdefault(key, set()).add(item)
        return jsonify(skipped=True)

    @app.post("/api/ratings")
    def rate() -> Response:
        body = _body()
        rater = _rater(body.get("rater"))
        job = _job(body.get("job_id"))
        values = _values(body)
        with session.lock:
            blind = (rater, job.job_id) not in session.revealed
        shown = snapshot(catalog, [job], [_record(job)], blind)
        rating = Rating(
            run_id=catalog.run_id, job_id=job.job_id, rater=rater, time_utc=utc_timestamp(),
            values=values, note=_note(body), snapshot=json.dumps(shown, sort_keys=True),
            supersedes=_supersedes(body, read_ratings(ratings_csv), rater),
        )  # fmt: skip
        (rating_id,) = append_ratings(ratings_csv, [rating], dims)
        return jsonify(rating_id=rating_id, scores=_scores(job))

    @app.post("/api/pairs")
    def compare() -> Response:
        body = _body()
        rater = _rater(body.get("rater"))
        left, right = _job(body.get("job_left")), _job(body.get("job_right"))
        if left.group != right.group:
            raise BadRequest(f"jobs {left.job_id!r} and {right.job_id!r} are candidates of "
                             "different products")  # fmt: skip
        with session.lock:
            blind = not {(rater, left.job_id), (rater, right.job_id)} & session.revealed
        shown = snapshot(catalog, [left, right], [_record(left), _record(right)], blind)
        shown["sides"] = {"left": left.job_id, "right": right.job_id, "randomised": True}
        # Rating a job shows its judge's scores: a comparison of jobs the rater had rated is
        # not blind to them, whatever the page showed.
        rated = {r["job_id"] for r in current(read_ratings(ratings_csv)) if r["rater"] == rater}
        shown["rated_before"] = sorted(rated & {left.job_id, right.job_id})
        comparison = Comparison(
            run_id=catalog.run_id, job_left=left.job_id, job_right=right.job_id, rater=rater,
            time_utc=utc_timestamp(), values=_values(body), note=_note(body),
            snapshot=json.dumps(shown, sort_keys=True),
            supersedes=_supersedes(body, read_ratings(pairs_csv), rater),
        )  # fmt: skip
        (rating_id,) = append_comparisons(pairs_csv, [comparison], dims)
        return jsonify(rating_id=rating_id, scores={"left": _scores(left),
                                                    "right": _scores(right)})  # fmt: skip

    return app


def _asset_view(name: str, mimetype: str) -> Any:
    def view() -> Response:
        return Response((ASSETS / name).read_text(encoding="utf-8"), mimetype=mimetype)

    view.__name__ = f"asset_{name.replace('.', '_')}"
    return view
