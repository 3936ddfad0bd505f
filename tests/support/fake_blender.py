#!/usr/bin/env python3
"""A stand-in for `blender -b ... -P headless.py -- --job JOB` that renders in milliseconds.

It is a real process launched the way the driver launches Blender ($VFSCORE_BLENDER), so the
coordinator's process handling, timeouts, signals and bookkeeping are tested as they run; the
real renderer is tested elsewhere. It writes what headless.py writes: one RGBA PNG per view of
the job's spec (a coloured disc on transparency) and render_result.json. Behaviour, from the
environment:

  FAKE_BLENDER_LOG       folder: each run writes <pid>.json (start, end, TMPDIR, children)
  FAKE_BLENDER_HANG      "all" hangs every run; "after:N" renders N runs, then hangs
  FAKE_BLENDER_SLEEP_S   seconds to sleep before writing (to observe overlap)
  FAKE_BLENDER_ESCAPE    "1": the hanging run starts a child in a new session (escapes killpg)
  FAKE_BLENDER_STUBBORN  "1": the run ignores SIGTERM and SIGINT (a hung Blender)

The disc's colour is taken from the model's bytes, so different models give different renders
(FAKE_BLENDER_SAME "1": one colour for every model, as for copies that render alike).
  FAKE_BLENDER_FAIL      "CODE:MESSAGE" exits CODE after writing a failed result with MESSAGE;
                         "CODE" alone exits CODE without writing any result (a crash)
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw


def _log(entry: dict[str, object]) -> None:
    folder = os.environ.get("FAKE_BLENDER_LOG")
    if folder:
        # Atomic: tests poll these files while runs write them.
        tmp = Path(folder) / f"{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entry))
        os.replace(tmp, Path(folder) / f"{os.getpid()}.json")


def _run_number() -> int:
    """This run's number (0, 1, ...), claimed atomically: parallel runs never share one."""
    folder = Path(os.environ["FAKE_BLENDER_LOG"])
    n = 0
    while True:
        try:
            os.close(os.open(folder / f"run-{n}.claim", os.O_CREAT | os.O_EXCL))
            return n
        except FileExistsError:
            n += 1


def _should_hang() -> bool:
    mode = os.environ.get("FAKE_BLENDER_HANG", "")
    if mode == "all":
        return True
    if mode.startswith("after:"):
        return _run_number() >= int(mode.split(":")[1])
    return False


def _hang(entry: dict[str, object]) -> None:
    kwargs: dict[str, object] = {}
    if os.environ.get("FAKE_BLENDER_ESCAPE") == "1":
        kwargs["start_new_session"] = True
    child = subprocess.Popen(["sleep", "300"], **kwargs)  # type: ignore[call-overload]
    entry["children"] = [child.pid]
    _log(entry)
    child.wait()


def main(argv: list[str]) -> int:
    job_path = Path(argv[argv.index("--job") + 1])
    job = json.loads(job_path.read_text())
    out_dir = (job_path.parent / job["out_dir"]).resolve()
    glb = (job_path.parent / job["glb"]).resolve()
    scratch = tempfile.gettempdir()
    (Path(scratch) / "fake-blender-was-here").write_text("x")
    if os.environ.get("FAKE_BLENDER_STUBBORN") == "1":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    entry: dict[str, object] = {"start": time.time(), "tmpdir": scratch, "children": []}
    if _should_hang():
        _hang(entry)
        return 1
    fail = os.environ.get("FAKE_BLENDER_FAIL")
    if fail:
        code, _, message = fail.partition(":")
        if message:
            error = {"code": "render_failed", "exit_code": int(code), "message": message}
            doc = {"schema": "vfscore.render_result", "version": 1, "ok": False, "error": error}
            (out_dir / "render_result.json").write_text(json.dumps(doc))
        _log(entry)
        return int(code)
    _log(entry)
    time.sleep(float(os.environ.get("FAKE_BLENDER_SLEEP_S", "0")))
    spec = job["spec"]
    w, h = spec["resolution"]
    views = []
    for i, view in enumerate(spec["rig"]["views"]):
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        r, g, b = hashlib.sha256(
            b"same" if os.environ.get("FAKE_BLENDER_SAME") else glb.read_bytes()
        ).digest()[:3]
        ImageDraw.Draw(img).ellipse([w // 4, h // 4, 3 * w // 4, 3 * h // 4], (r, g, b, 255))
        name = f"{i:02d}_{view['name']}.png"
        img.save(out_dir / name)
        digest = hashlib.sha256((out_dir / name).read_bytes()).hexdigest()
        views.append({"name": view["name"], "file": name, "sha256": digest})
    result = {
        "schema": "vfscore.render_result",
        "version": 1,
        "ok": True,
        "error": None,
        "blender_version": "fake",
        "glb": {"name": glb.name, "sha256": hashlib.sha256(glb.read_bytes()).hexdigest()},
        "spec": spec,
        "spec_hash": hashlib.sha256(
            json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest(),  # as RenderSpec.spec_hash computes it
        "device": "CPU",
        "views": views,
        "timings": {},
        "warnings": [],
    }
    (out_dir / "render_result.json").write_text(json.dumps(result))
    entry["end"] = time.time()
    _log(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
