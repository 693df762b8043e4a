"""SIGTERM handled like Ctrl-C: the run stops, is marked ``interrupted``, exit 143.

``timeout``, SLURM preemption, ``docker stop`` and systemd all send SIGTERM. Inside
``terminate_as_interrupt()`` it raises ``Terminated``, a ``KeyboardInterrupt``, so every
path that marks a folder ``interrupted`` on Ctrl-C does the same on SIGTERM. Further
SIGTERMs are ignored while the first one is being handled (the clean-up is short).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["EXIT_CODES", "Terminated", "exit_code", "terminate_as_interrupt"]

# The shell's convention: 128 + signal number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM (handled like an interrupt)."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


def exit_code(exc: BaseException) -> int:
    """The conventional exit code of an interrupt: 143 for SIGTERM, 130 for Ctrl-C."""
    return EXIT_CODES[signal.SIGTERM] if isinstance(exc, Terminated) else EXIT_CODES[signal.SIGINT]


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    signal.signal(signum, signal.SIG_IGN)  # the clean-up runs once
    raise Terminated(signum)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated``; the previous handler is restored.

    Does nothing outside the main thread, or when SIGTERM was ignored or given another
    handler by the caller (e.g. under ``nohup``-style wrappers).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
