"""Headless render entry: one render job in, PNGs and ``render_result.json`` out.

    blender -b --factory-startup -P blender_addon/headless.py -- --job render_job.json
    python blender_addon/headless.py --job render_job.json          (with the bpy wheel)

Exit codes: 0 ok, 1 internal error, 2 bad job file, 3 GLB import failed, 4 no mesh in GLB,
5 missing texture, 6 HDRI error (unknown alias, missing file, sha256 mismatch), 7 render failed,
12 the bpy module cannot be imported, 13 the driver that launched the render is gone (see
render_job.EXIT_CODES for the others).
Codes 3-12 are also recorded in ``render_result.json`` (``error.exit_code`` and a one-line
message). Codes 1 and 2 are not: with an unreadable job there is no output folder to write to,
and an internal error writes only its traceback, to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

SCRIPT_START = time.time()
# Run as a script (not as a package module), so make the source tree importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blender_addon.contract.atomic import write_json_atomic  # noqa: E402
from blender_addon.contract.owner import watch  # noqa: E402
from blender_addon.contract.render_job import (  # noqa: E402
    DOC_VERSION,
    EXIT_CODES,
    RESULT_FILE,
    RESULT_SCHEMA,
    RenderFailure,
    RenderJob,
)


def _args(argv: list[str]) -> argparse.Namespace:
    # Inside `blender -b -P`, our arguments follow "--"; as a plain script they are argv[1:].
    ours = argv[argv.index("--") + 1 :] if "--" in argv else argv[1:]
    parser = argparse.ArgumentParser(prog="headless.py", description=__doc__.splitlines()[0])
    parser.add_argument("--job", required=True, type=Path, help="render job JSON file")
    return parser.parse_args(ours)


def main(argv: list[str]) -> int:
    args = _args(argv)
    try:
        job = RenderJob.read(args.job)
    except RenderFailure as failure:
        print(f"vfscore: {failure.line}", file=sys.stderr)
        return failure.exit_code
    if job.owner is not None:
        watch(job.owner, _orphaned)
    try:
        import bpy  # noqa: F401
    except ImportError as exc:  # the wheel is missing, or a system library it needs
        return _fail(job, RenderFailure("no_bpy", _bpy_hint(exc)))
    try:
        from blender_addon.render.job import run_job

        result = run_job(job, SCRIPT_START)
    except Exception:
        traceback.print_exc()
        print("vfscore: internal error (traceback above)", file=sys.stderr)
        return EXIT_CODES["internal"]
    if result["ok"]:
        print(f"vfscore: rendered {len(result['views'])} view(s) into {job.out_dir}")
        return 0
    print(f"vfscore: {result['error']['message']}", file=sys.stderr)
    return int(result["error"]["exit_code"])


def _orphaned() -> None:
    """The driver is gone (killed, crashed): nobody will read this render; end it now."""
    print(f"vfscore: {RenderFailure('orphaned').line}", file=sys.stderr, flush=True)
    os._exit(EXIT_CODES["orphaned"])


def _bpy_hint(exc: ImportError) -> str:
    return (
        f"{type(exc).__name__}: {exc} (install VFScore's [render] extra in this Python, or set "
        "$VFSCORE_BLENDER to a Blender 4.2+ binary)"
    )


def _fail(job: RenderJob, failure: RenderFailure) -> int:
    """Record a failure that happened before the render could start; its exit code."""
    doc = {"schema": RESULT_SCHEMA, "version": DOC_VERSION, "ok": False}
    job.out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(job.out_dir / RESULT_FILE, {**doc, "error": failure.document()})
    print(f"vfscore: {failure.line}", file=sys.stderr)
    return failure.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
