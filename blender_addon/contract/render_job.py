"""The two documents between the driver and Blender: the render job and the render result.

Pure Python, no bpy. Both are versioned JSON. The exit codes of the headless entry are defined here
so the driver can read them without importing Blender code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .atomic import write_json_atomic
from .glb_check import GlbInfo, GlbProblem
from .keys import reject_unknown_keys
from .model_format import inspect_model
from .pose_match import MAX_TARGETS, READINGS, PoseTarget, PoseTargetError
from .spec import RenderSpec, SpecError

JOB_SCHEMA = "vfscore.render_job"
RESULT_SCHEMA = "vfscore.render_result"
DOC_VERSION = 1
RESULT_FILE = "render_result.json"

# Exit codes of blender_addon/headless.py, one per kind of failure; README lists them.
EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "internal": 1,
    "bad_job": 2,
    "glb_import_failed": 3,
    "no_mesh": 4,
    "missing_texture": 5,
    "hdri": 6,
    "render_failed": 7,
    "no_faces": 8,
    "unsafe_uri": 9,
    "unsupported_extension": 10,
    "unsupported_format": 11,
    "no_bpy": 12,
    "orphaned": 13,
}
_PREFIX = {
    "internal": "internal error",
    "bad_job": "bad job file",
    "glb_import_failed": "GLB import failed",
    "missing_texture": "missing texture",
    "hdri": "HDRI error",
    "render_failed": "render failed",
    "unsafe_uri": "model refused",
    "unsupported_extension": "unsupported glTF extension",
    "no_bpy": "the bpy module cannot be imported",
    "orphaned": "stopped: the process that launched the render is gone",
}
# Codes whose detail is the whole line.
_BARE = ("no_mesh", "no_faces", "unsupported_format")


_JOB_KEYS = (
    "schema",
    "version",
    "glb",
    "out_dir",
    "spec",
    "allow_missing_textures",
    "launched_at",
    "match",
    "owner",
)


# The line of a Python traceback that says what went wrong: "IndexError: index 4 is out of ...".
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Warning|Exit)\b[^:]*: \S")
# An absolute path (POSIX or Windows): a message in the table names files, never this machine.
_ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+([^\s/\\'\":,]+)")


def error_line(text: str) -> str:
    """One line for a job's error out of Blender's error text, which may be a whole traceback
    followed by ``Location: <file>:<line>``: the exception's own line, else the last line that
    is not a location, with every absolute path cut to its file name."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Location:", "File ", "Traceback"))]
    said = [ln for ln in lines if _EXCEPTION_LINE.match(ln)]
    line = said[-1] if said else (lines[-1] if lines else "unknown error")
    line = re.sub(r"^Error: (Python: )?", "", line)
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), line)


class RenderFailure(Exception):
    """A render job that cannot complete; ``code`` is a key of :data:`EXIT_CODES`."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(self.line)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.code]

    @property
    def line(self) -> str:
        """One specific line, e.g. ``GLB import failed: file is empty (0 bytes)``."""
        if self.code in _BARE:
            return self.detail or self.code
        first = self.detail.strip().splitlines()[0] if self.detail.strip() else ""
        return f"{_PREFIX[self.code]}: {first}" if first else _PREFIX[self.code]

    def document(self) -> dict[str, Any]:
        """The render result's ``error`` object."""
        return {"code": self.code, "exit_code": self.exit_code, "message": self.line}


@dataclass(frozen=True)
class RenderJob:
    """Render ``glb`` with ``spec`` into ``out_dir``; for each of ``match`` (a photo's product
    shape), also find the pose that matches it and render the model from there."""

    glb: Path
    out_dir: Path
    spec: RenderSpec
    allow_missing_textures: bool = False
    launched_at: float | None = None  # time.time() when the driver started Blender
    match: tuple[PoseTarget, ...] = ()
    owner: dict[str, Any] | None = None  # the driver process (owner.identity): watched

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": JOB_SCHEMA,
            "version": DOC_VERSION,
            "glb": str(self.glb),
            "out_dir": str(self.out_dir),
            "spec": self.spec.to_dict(),
            "allow_missing_textures": self.allow_missing_textures,
            "launched_at": self.launched_at,
            "match": [t.to_dict() for t in self.match],
            "owner": self.owner,
        }

    @classmethod
    def from_dict(cls, doc: Any) -> RenderJob:
        """Parse a job document; raises ``RenderFailure('bad_job', ...)`` naming the problem."""
        if not isinstance(doc, dict):
            raise RenderFailure("bad_job", "the job is not a JSON object")
        if doc.get("schema") != JOB_SCHEMA or doc.get("version") != DOC_VERSION:
            raise RenderFailure(
                "bad_job",
                f"expected schema {JOB_SCHEMA} version {DOC_VERSION}, "
                f"got {doc.get('schema')!r} version {doc.get('version')!r}",
            )
        reject_unknown_keys(doc, _JOB_KEYS, "the job", lambda m: RenderFailure("bad_job", m))
        for key in ("glb", "out_dir", "spec"):
            if key not in doc:
                raise RenderFailure("bad_job", f"missing key {key!r}")
        try:
            spec = RenderSpec.from_dict(doc["spec"])
        except (SpecError, KeyError, TypeError, ValueError) as exc:
            raise RenderFailure("bad_job", f"invalid spec: {exc}") from None
        launched = doc.get("launched_at")
        match = _match_targets(doc.get("match", []))
        owner = doc.get("owner")
        if owner is not None and not (
            isinstance(owner, dict) and isinstance(owner.get("pid"), int)
        ):
            raise RenderFailure("bad_job", "owner must be an object with an integer pid")
        return cls(
            glb=Path(doc["glb"]),
            out_dir=Path(doc["out_dir"]),
            spec=spec,
            allow_missing_textures=bool(doc.get("allow_missing_textures", False)),
            launched_at=float(launched) if launched is not None else None,
            match=match,
            owner=owner,
        )

    @classmethod
    def read(cls, path: Path) -> RenderJob:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RenderFailure("bad_job", f"{path} does not exist") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RenderFailure("bad_job", f"{path} is not readable JSON ({exc})") from None
        job = cls.from_dict(doc)
        # Relative paths in a job file are relative to the job file's folder.
        base = path.resolve().parent
        return replace(job, glb=base / job.glb, out_dir=base / job.out_dir)

    def write(self, path: Path) -> None:
        write_json_atomic(path, self.to_dict())


def _match_targets(doc: Any) -> tuple[PoseTarget, ...]:
    if not isinstance(doc, list) or len(doc) > MAX_TARGETS * len(READINGS):
        raise RenderFailure("bad_job", f"match must be a list of at most {MAX_TARGETS} photos")
    try:
        targets = tuple(PoseTarget.from_dict(t) for t in doc)
    except PoseTargetError as exc:
        raise RenderFailure("bad_job", str(exc)) from None
    if len({(t.name, t.reading) for t in targets}) != len(targets):
        raise RenderFailure("bad_job", "match targets must have distinct names and readings")
    if len({t.name for t in targets}) > MAX_TARGETS:
        raise RenderFailure("bad_job", f"match must be a list of at most {MAX_TARGETS} photos")
    return targets


def check_glb(path: Path) -> GlbInfo:
    """:func:`inspect_model` (any supported format) with its problems as :class:`RenderFailure`
    (the codes of :data:`EXIT_CODES`), for the driver before launch and the render job before
    import."""
    try:
        return inspect_model(path)[1]
    except FileNotFoundError:
        raise RenderFailure("glb_import_failed", f"file not found: {path}") from None
    except OSError as exc:
        raise RenderFailure("glb_import_failed", f"cannot read the file ({exc.strerror})") from None
    except GlbProblem as problem:
        code = problem.kind if problem.kind in EXIT_CODES else "glb_import_failed"
        raise RenderFailure(code, str(problem)) from None
