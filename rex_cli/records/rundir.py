"""Run folders: creation, atomic writes and ``meta.json``.

A run folder is complete only when ``meta.json`` says ``"status": "complete"``; it is
written ``"running"`` first and rewritten at the end (``"complete"``, ``"failed"`` or
``"interrupted"``), always by an atomic rename, so a killed run never looks complete.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import platform
import re
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

__all__ = [
    "RunFolderError",
    "git_revision",
    "lock_status",
    "new_run_dir",
    "package_versions",
    "read_meta",
    "write_json",
    "write_text",
]

_PACKAGES = (
    "rex-cli",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "hydra-core",
    "omegaconf",
    "pyomo",
    "highspy",
    "matplotlib",
    "typer",
)


class RunFolderError(ValueError):
    """The output folder cannot be used (one line, names the folder)."""


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S.%f")


def new_run_dir(out: Path | None, *, root: Path = Path("outputs/runs")) -> Path:
    """Create the run folder: ``out`` if given (must not hold a run), else a stamped one.

    The stamp has microsecond resolution, and a numeric suffix is added should two
    runs still collide, so two runs never share a folder.

    Raises:
        RunFolderError: ``out`` already holds a run or is a file.
    """
    if out is not None:
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise RunFolderError(f"--out {out}: exists and is not a folder")
        if (out / "meta.json").exists() or (out / "summary.json").exists():
            raise RunFolderError(f"--out {out}: already holds a run; choose another folder")
        out.mkdir(parents=True, exist_ok=True)
        return out
    root.mkdir(parents=True, exist_ok=True)
    base = root / _stamp()
    path, n = base, 1
    while True:
        try:
            path.mkdir()
            return path
        except FileExistsError:
            path = base.with_name(f"{base.name}-{n}")
            n += 1


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically, keys sorted, two-space indent."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n")


def read_meta(run_dir: Path) -> dict[str, Any]:
    """Read ``meta.json`` of a run folder (empty dict if absent)."""
    path = Path(run_dir) / "meta.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape a run's results."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(text: str) -> dict[str, str]:
    """``{package: version}`` of a pip-compile lock (``name==version`` lines)."""
    out = {}
    for line in text.splitlines():
        spec = line.split("#", 1)[0].strip()
        if "==" in spec and not spec.startswith("-"):
            name, version = spec.split("==", 1)
            out[_canonical(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return out


@functools.cache
def lock_status() -> dict[str, Any]:
    """Whether the installed packages are the locked set (``rex_cli/lock.txt``).

    ``locked`` is true when every runtime dependency of Rex is in the lock and every
    locked package that is installed has exactly the locked version; ``differs`` lists
    the packages that break that, as ``{name: "installed (lock: version)"}``.
    """
    try:
        lock = read_lock(resources.files("rex_cli").joinpath("lock.txt").read_text("utf-8"))
    except OSError:
        return {"locked": None, "differs": {}, "note": "rex_cli/lock.txt not found"}
    differs = {}
    for name, version in lock.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        if installed != version:
            differs[name] = f"{installed} (lock: {version})"
    try:
        requires = metadata.requires("rex-cli") or []
    except metadata.PackageNotFoundError:
        requires = []
    for req in requires:
        if "extra ==" in req:
            continue
        name = _canonical(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])
        if name not in lock:
            differs[name] = "not in the lock"
    return {"locked": not differs, "differs": differs}


def git_revision() -> dict[str, Any]:
    """The git commit of the Rex source (and whether it had local changes), if known."""
    src = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": rev, "dirty": bool(dirty)}
