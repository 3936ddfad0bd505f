"""The rating inspector: a Flask app over one run's jobs where people rate a job (1-5 per
dimension, blind until submitted) or compare two (left / right / same), appending to the ratings
tables. Served by waitress on loopback (driver/cli/rate.py); every request that changes data must
come from the inspector's own page. The handlers are the blueprint in driver/ratings/routes.py."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from driver.agreement.store import RatingError
from driver.ratings.catalog import Catalog
from driver.ratings.routes import pages
from driver.ratings.state import EXTENSION, BadRequest, Inspector, inspector

MAX_BODY = 64 * 1024
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


def fail(status: int, message: str) -> Response:
    """A JSON error answer."""
    response = jsonify({"error": message})
    response.status_code = status
    return response


def create_app(catalog: Catalog, *, default_rater: str = "", allowed_hosts: set[str]) -> Flask:
    """The inspector for ``catalog``'s run. ``allowed_hosts`` are the Host header values the app
    answers (host:port): anything else is refused, which stops DNS-rebinding pages."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions[EXTENSION] = Inspector(catalog, default_rater, allowed_hosts)
    app.before_request(_guard)
    app.after_request(_headers)
    app.register_error_handler(BadRequest, _bad)
    app.register_error_handler(RatingError, _bad)
    app.register_error_handler(HTTPException, _http)
    app.register_blueprint(pages)
    return app


def _guard() -> Response | None:
    """Refuses another Host (DNS rebinding) and any change of data that is not a same-origin
    JSON request (a form posted by another page)."""
    if request.host not in inspector().allowed_hosts:
        return fail(403, f"unknown Host {request.host[:60]!r}: open the inspector's own URL")
    if request.method in ("GET", "HEAD"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        return fail(403, "cross-origin request refused")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return fail(403, "cross-site request refused")
    if request.mimetype != "application/json":
        # A page elsewhere can post a form without asking; it cannot post JSON without a
        # CORS preflight, which this app never grants.
        return fail(415, "send JSON (Content-Type: application/json)")
    return None


def _headers(response: Response) -> Response:
    response.headers.update(_HEADERS)
    return response


def _bad(exc: Exception) -> Response:
    return fail(400, str(exc))


def _http(exc: HTTPException) -> Response:
    return fail(exc.code or 500, exc.description or exc.name)
