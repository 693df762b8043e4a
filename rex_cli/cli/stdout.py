"""Keep stdout for the one result line: everything else a command prints goes to stderr.

``rex run`` prints exactly the run folder on stdout and ``rex sweep`` the sweep folder,
so ``dir=$(rex run ...)`` works. Libraries print too: HiGHS writes its banner from C++
straight to file descriptor 1, Hydra's multirun logs through Python. ``to_stderr``
points both Python's ``sys.stdout`` and descriptor 1 at stderr for the duration of the
work (child processes started inside inherit it), and flushes the C library's buffers
before it restores them, so nothing written during the work can surface on stdout later.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator

__all__ = ["to_stderr"]


def _flush_c_stdio() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to ask (not a POSIX libc)
        pass


@contextlib.contextmanager
def to_stderr() -> Iterator[None]:
    """Send everything printed to stdout, by Python or by native code, to stderr."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 (a closed stdout): Python-level redirect only
        saved = -1
    try:
        if saved >= 0:
            os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        _flush_c_stdio()
        if saved >= 0:
            os.dup2(saved, 1)
            os.close(saved)
