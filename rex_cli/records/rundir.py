"""Run folders: creation, atomic writes and ``meta.json``.

A run folder is complete only when ``meta.json`` says ``"status": "complete"``; it is
written ``"running"`` first and rewritten at the end (``"complete"``, ``"failed"`` or
``"interrupted"``), always by an atomic rename, so a killed run never looks complete.

``meta.json`` of a running process records who runs it (``process``: pid, host, boot id
and the process's start time). ``read_meta`` reports a ``running`` folder whose process
is gone (killed, out of disk, machine rebooted) as ``interrupted``, so no reader takes a
dead run for a live one. A folder is claimed by creating its ``meta.json`` exclusively
(``O_EXCL``): two runs never share a folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import platform
import re
import socket
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

__all__ = [
    "RunFolderError",
    "check_out_path",
    "claim_file",
    "git_revision",
    "lock_status",
    "mark_stopped",
    "new_run_dir",
    "package_versions",
    "process_alive",
    "process_tag",
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
    "numba",
    "matplotlib",
    "typer",
)


class RunFolderError(ValueError):
    """The output folder cannot be used (one line, names the folder)."""


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S.%f")


def _folder_kind(path: Path) -> str | None:
    """``"run"`` or ``"sweep"`` if ``path`` is such a folder, else ``None``."""
    if (path / "sweep.json").is_file():
        return "sweep"
    if (path / "meta.json").is_file() or (path / "summary.json").is_file():
        return "run"
    return None


def check_out_path(out: str | Path, *, what: str = "--out") -> Path:
    """Check that ``out`` can become a new run or sweep folder (it is not created).

    Raises:
        RunFolderError: ``out`` is empty, a file, a folder already in use (not empty),
            or lies inside a run or sweep folder.
    """
    if str(out).strip() == "":
        raise RunFolderError(f"{what}: empty path; give a folder name")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"{what} {out}: exists and is not a folder")
    for parent in out.resolve().parents:
        kind = _folder_kind(parent)
        if kind is not None:
            raise RunFolderError(
                f"{what} {out}: lies inside the {kind} folder {parent}; choose a folder outside it"
            )
    if out.is_dir():
        kind = _folder_kind(out)
        if kind is not None:
            raise RunFolderError(f"{what} {out}: already holds a {kind}; choose another folder")
        if any(out.iterdir()):
            raise RunFolderError(f"{what} {out}: exists and is not empty; choose a new folder")
    return out


def claim_file(path: Path, obj: Any) -> None:
    """Create ``path`` exclusively (``O_EXCL``) holding ``obj`` as JSON.

    Raises:
        FileExistsError: Another process created it first.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)


def _os_error(what: str, path: Path, exc: OSError) -> RunFolderError:
    reason = exc.strerror or type(exc).__name__
    return RunFolderError(f"{what} {path}: cannot create ({reason})")


def new_run_dir(out: str | Path | None, *, root: Path = Path("outputs/runs")) -> Path:
    """Create and claim the run folder: ``out`` if given (new or empty), else a stamped one.

    The folder is claimed by creating its ``meta.json`` exclusively, so two runs never
    share a folder. The stamp has microsecond resolution, and a numeric suffix is added
    should two runs still collide.

    Raises:
        RunFolderError: ``out`` is not usable (see ``check_out_path``) or cannot be
            created (permissions, read-only or full file system).
    """
    claim = {"status": "running", "process": process_tag()}
    if out is not None:
        out = check_out_path(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            claim_file(out / "meta.json", claim)
        except FileExistsError:
            raise RunFolderError(
                f"--out {out}: another run claimed this folder; choose another folder"
            ) from None
        except OSError as exc:
            raise _os_error("--out", out, exc) from None
        return out
    try:
        root.mkdir(parents=True, exist_ok=True)
        base = root / _stamp()
        path, n = base, 1
        while True:
            try:
                path.mkdir()
                claim_file(path / "meta.json", claim)
                return path
            except FileExistsError:
                path = base.with_name(f"{base.name}-{n}")
                n += 1
    except OSError as exc:
        raise _os_error("run folder under", root, exc) from None


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (temporary file + rename); never leaves the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically, keys sorted, two-space indent."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n")


def _overwrite_in_place(path: Path, text: str) -> None:
    """Rewrite an existing file in place: needs no new disk block when ``text`` is no longer.

    Not atomic; only for marking a run stopped when the atomic write failed (full disk).
    """
    data = text.encode()
    with path.open("r+b") as f:
        if len(data) > os.fstat(f.fileno()).st_size:
            raise OSError(f"{path}: no room to rewrite in place")
        f.write(data)
        f.truncate()


def mark_stopped(path: Path, meta: dict[str, Any]) -> bool:
    """Write a stopped run's ``meta.json`` (failed or interrupted), even on a full disk.

    Tries the atomic write; if that fails (no space, quota), rewrites the existing file
    in place with the essential fields only. Returns whether either write succeeded;
    if neither did, readers still see ``running`` with a dead process: ``interrupted``.
    """
    try:
        write_json(path, meta)
        return True
    except OSError:
        if not path.is_file():
            return False
    short = {k: meta.get(k) for k in ("status", "reason", "seed", "overrides", "kind", "process")}
    try:
        _overwrite_in_place(path, json.dumps(short, sort_keys=True) + "\n")
        return True
    except OSError:
        return False


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _start_ticks(pid: int) -> int | None:
    """Start time of process ``pid`` (clock ticks since boot; Linux only)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def process_tag() -> dict[str, Any]:
    """Who is writing a folder: pid, host, boot id and the process's start time."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "boot_id": _boot_id(),
            "started": _start_ticks(pid)}  # fmt: skip


def process_alive(tag: Any) -> bool | None:
    """Whether the process of a ``process_tag`` still runs; ``None`` if it cannot be told.

    A process on another host cannot be checked. On this host, a reboot (other boot id),
    a missing pid, or a pid now used by a later process all mean it is gone.
    """
    if not isinstance(tag, dict) or not isinstance(tag.get("pid"), int):
        return None
    if tag.get("host") != socket.gethostname():
        return None
    boot = _boot_id()
    if boot is not None and tag.get("boot_id") not in (None, boot):
        return False
    pid = tag["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return None
    started = tag.get("started")
    now = _start_ticks(pid)
    if started is not None and now is not None and started != now:
        return False  # the pid was reused
    return True


def read_meta(run_dir: Path) -> dict[str, Any]:
    """Read ``meta.json`` of a run folder (empty dict if absent).

    A ``running`` folder whose process is gone is reported ``interrupted`` (with a
    reason); the file itself is not changed.
    """
    path = Path(run_dir) / "meta.json"
    if not path.is_file():
        return {}
    try:
        meta = dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        return {"status": "unreadable", "reason": f"meta.json: {exc}"}
    if meta.get("status") == "running" and process_alive(meta.get("process")) is False:
        tag = meta["process"]
        meta.update(
            status="interrupted",
            reason=f"its process (pid {tag.get('pid')} on {tag.get('host')}) is gone",
        )
    return meta


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
