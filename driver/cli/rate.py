"""`vfscore rate`: serve the rating inspector for one run on loopback (waitress, a production
WSGI server) and open it in the browser."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser
from pathlib import Path

from waitress.server import create_server

from driver.agreement.store import RatingError, check_rater
from driver.cli.console import stderr_console, stdout_console
from driver.ratings.app import create_app
from driver.ratings.catalog import load_catalog
from driver.ssot.table_merge import TableFormatError
from driver.ssot.workspace import UnsafePathError, WorkspaceError, check_id
from driver.ssot.workspace import open_workspace as open_ws
from rubric import RubricError, load_rubric

EXIT_OK, EXIT_BAD_ARGS = 0, 2
THREADS = 8


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host header values the inspector answers: its loopback names, and the address it
    was told to bind."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    names.add(f"[{host}]" if ":" in host else host)
    return {f"{name}:{port}" for name in names}


def run_rate_command(
    workspace: Path | None,
    run_id: str,
    rubric_path: Path | None,
    host: str,
    port: int,
    rater: str | None,
    open_browser: bool,
) -> int:
    """Serve until Ctrl-C; exit 2 when the inspector cannot start."""
    err, out = stderr_console(), stdout_console()
    try:
        ws = open_ws(workspace)
        check_id(run_id, "run_id")
        if rater:
            check_rater(rater)
        rubric = load_rubric(rubric_path) if rubric_path else load_rubric()
        catalog = load_catalog(ws, run_id, rubric)
    except (WorkspaceError, UnsafePathError, RatingError, RubricError, TableFormatError,
            OSError) as exc:  # fmt: skip
        err.print(f"vfscore rate: {exc}", highlight=False)
        return EXIT_BAD_ARGS
    if not catalog.jobs:
        err.print(f"vfscore rate: run {run_id!r} has no scored job with views and photos to "
                  "rate; score it first (vfscore compute)", highlight=False)  # fmt: skip
        return EXIT_BAD_ARGS
    if not _is_loopback(host):
        err.print(f"warning: serving on {host}: anyone who can reach it can read the run and "
                  "add ratings", highlight=False)  # fmt: skip
    hosts: set[str] = set()  # filled once the port is bound (--port 0 picks one)
    app = create_app(catalog, default_rater=rater or "", allowed_hosts=hosts)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS)
    except OSError as exc:
        err.print(f"vfscore rate: cannot listen on {host}:{port}: {exc.strerror or exc} "
                  "(pass another --port, or 0 for a free one)", highlight=False)  # fmt: skip
        return EXIT_BAD_ARGS
    bound = int(server.effective_port)
    hosts.update(allowed_hosts(host, bound))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    out.print(f"inspector: {url}  ({len(catalog.jobs)} jobs of run {run_id}; Ctrl-C to stop)",
              highlight=False)  # fmt: skip
    out.print(f"ratings go to {ws.rel(ws.root / 'tables')}/vfscore_ratings.csv and "
              "vfscore_pairs.csv", highlight=False)  # fmt: skip
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        out.print("inspector stopped; every submitted rating is in the tables", highlight=False)
    finally:
        server.close()
    return EXIT_OK
