"""The archi3D workspace: where things live, and the rules for paths inside it.

Every path VFScore stores is workspace-relative POSIX; every path it reads from the table goes
through :func:`resolve_in_workspace`, which refuses anything that could land outside the root.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

WORKSPACE_ENV = "ARCHI3D_WORKSPACE"

# run ids and job ids become folder names; anything else could smuggle a separator into a path.
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
# File systems cap a name at 255 bytes; keep room for the suffixes of temporary files.
MAX_ID_BYTES = 200


class WorkspaceError(ValueError):
    """The workspace root is missing or not usable."""


class UnsafePathError(ValueError):
    """A path read from the table or given by a user would leave the workspace."""


@dataclass(frozen=True)
class Workspace:
    """An archi3D workspace root and the locations SSOT.md defines inside it."""

    root: Path

    @property
    def tables_dir(self) -> Path:
        return self.root / "tables"

    @property
    def generations_csv(self) -> Path:
        return self.tables_dir / "generations.csv"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def metrics_log(self) -> Path:
        return self.logs_dir / "metrics.log"

    def run_dir(self, run_id: str) -> Path:
        """`runs/<run_id>/`."""
        return self.root / "runs" / check_id(run_id, "run_id")

    def job_outputs_dir(self, run_id: str, job_id: str) -> Path:
        """`runs/<run_id>/outputs/<job_id>/`, where archi3D puts the generated model."""
        return self.run_dir(run_id) / "outputs" / check_id(job_id, "job_id")

    def job_metrics_dir(self, run_id: str, job_id: str) -> Path:
        """`runs/<run_id>/metrics/vfscore/<job_id>/`, VFScore's artifacts for one job."""
        return self.run_dir(run_id) / "metrics" / "vfscore" / check_id(job_id, "job_id")

    def response_cache_dir(self, run_id: str) -> Path:
        """`runs/<run_id>/metrics/vfscore/.cache/responses/`: the run's judge answers; the dot
        keeps it apart from job folders (ids never start with one)."""
        return self.run_dir(run_id) / "metrics" / "vfscore" / ".cache" / "responses"

    def rel(self, path: Path | str) -> str:
        """Shorthand for :func:`rel_to_workspace` on this root."""
        return rel_to_workspace(self.root, path)

    def resolve(self, rel: str) -> Path:
        """Shorthand for :func:`resolve_in_workspace` on this root."""
        return resolve_in_workspace(self.root, rel)


def check_id(value: str, what: str) -> str:
    """Return ``value`` if it is safe as a single folder name, else raise naming it."""
    if not _ID_RE.match(value) or value in {".", ".."} or ".." in value:
        raise UnsafePathError(f"{what} {value!r} is not usable as a folder name")
    if len(value.encode()) > MAX_ID_BYTES:
        raise UnsafePathError(
            f"{what} {value[:40]!r}… is {len(value.encode())} bytes long: a folder name holds at "
            f"most {MAX_ID_BYTES}"
        )
    return value


def open_workspace(cli_value: str | os.PathLike[str] | None) -> Workspace:
    """The workspace from ``--workspace`` or, failing that, ``$ARCHI3D_WORKSPACE``."""
    raw = os.fspath(cli_value) if cli_value is not None else os.environ.get(WORKSPACE_ENV)
    if not raw:
        raise WorkspaceError(f"no workspace given: pass --workspace PATH or set {WORKSPACE_ENV}")
    root = Path(raw).expanduser()
    if not root.exists():
        raise WorkspaceError(f"workspace {raw!r} does not exist")
    if not root.is_dir():
        raise WorkspaceError(f"workspace {raw!r} is not a directory")
    return Workspace(root.resolve())


def rel_to_workspace(root: Path, path: Path | str) -> str:
    """``path`` as a workspace-relative POSIX string; raises if it is outside ``root``."""
    real_root = Path(root).resolve()
    p = Path(path)
    if not p.is_absolute():
        p = real_root / p
    real = p.resolve()
    try:
        rel = real.relative_to(real_root)
    except ValueError:
        raise UnsafePathError(
            f"path {str(path)!r} is outside the workspace {str(real_root)!r}"
        ) from None
    return rel.as_posix()


def resolve_in_workspace(root: Path, rel: str) -> Path:
    """The absolute path of a workspace-relative POSIX path read from the table.

    Refuses, naming the value: empty strings, absolute paths, drive letters and UNC paths,
    backslashes (stored paths are POSIX, so a backslash is either a Windows path or a trick),
    NUL bytes, ``..`` components, and symlinks whose target leaves the workspace.
    """
    if not isinstance(rel, str) or not rel.strip():
        raise UnsafePathError(f"empty path {rel!r}")
    if "\x00" in rel:
        raise UnsafePathError(f"path {rel!r} contains a NUL byte")
    if "\\" in rel:
        raise UnsafePathError(f"path {rel!r} contains a backslash; stored paths must be POSIX")
    if _DRIVE_RE.match(rel):
        raise UnsafePathError(f"path {rel!r} has a drive letter; stored paths must be relative")
    if rel.startswith("/"):
        raise UnsafePathError(f"path {rel!r} is absolute; stored paths must be workspace-relative")
    parts = PurePosixPath(rel).parts
    if ".." in parts:
        raise UnsafePathError(f"path {rel!r} contains '..'")
    real_root = Path(root).resolve()
    real = (real_root / PurePosixPath(rel)).resolve()
    if real != real_root and real_root not in real.parents:
        raise UnsafePathError(f"path {rel!r} resolves outside the workspace (symlink?)")
    return real


def locate_workspace(given: Path | None, out_dir: Path) -> tuple[Path | None, str | None]:
    """(the workspace of a single job, how it was found): ``given`` as is (``"given"``), else
    the ``<ws>`` of an ``out_dir`` of archi3D's shape ``<ws>/runs/<run_id>/metrics/vfscore/<job>``
    when ``<ws>/tables/generations.csv`` exists (``"out_dir"``), else ``(None, None)``.

    archi3D's command path passes no workspace; inferring it keeps that path's artifact paths
    and workspace config the same as the import path's.
    """
    if given is not None:
        return given.resolve(), "given"
    job = out_dir.resolve()
    if len(job.parents) < 5:
        return None, None
    metrics, runs = job.parents[1], job.parents[3]
    shape = (job.parent.name, metrics.name, runs.name) == ("vfscore", "metrics", "runs")
    root = job.parents[4]
    if shape and Workspace(root).generations_csv.is_file():
        return root, "out_dir"
    return None, None
