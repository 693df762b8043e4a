"""SIGTERM handled like Ctrl-C: the run stops, is marked ``interrupted``, exit 143.

``timeout``, SLURM preemption, ``docker stop`` and systemd all send SIGTERM. Inside
``terminate_as_interrupt()`` it raises ``Terminated``, a ``KeyboardInterrupt``, so every
path that marks a folder ``interrupted`` on Ctrl-C does the same on SIGTERM. Further
SIGTERMs are ignored while the first one is being handled (the clean-up is short).

An exception raised inside a callback that C code calls back into Python (ctypes, as
llvmlite does while numba compiles) is printed as "Exception ignored" and dropped, and
the program goes on as if no signal had come. Two guards keep an interrupt from being
lost that way:

* When the signal lands in such a callback (a frame of ``llvmlite`` on the stack), the
  handler does not raise there; a timer thread re-delivers the signal to the main thread a
  millisecond later, by when Python is back outside the (short) callback, and the
  handler raises then.
* Every interrupt is also recorded; the event loop calls ``raise_pending()`` between
  events, which raises a recorded interrupt that some other callback swallowed.
"""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = [
    "EXIT_CODES",
    "PENDING",
    "Terminated",
    "exit_code",
    "raise_pending",
    "terminate_as_interrupt",
]

# The shell's convention: 128 + signal number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

# Signals received inside ``terminate_as_interrupt()`` whose interrupt has not been
# caught yet (a list so the event loop can test it without a call: ``if PENDING``).
PENDING: list[int] = []

# Modules whose Python frames run as callbacks from C: an exception raised there is lost.
_CALLBACK_MODULES = ("llvmlite.",)
_RETRY_S = 0.001


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM (handled like an interrupt)."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


def exit_code(exc: BaseException) -> int:
    """The conventional exit code of an interrupt: 143 for SIGTERM, 130 for Ctrl-C."""
    return EXIT_CODES[signal.SIGTERM] if isinstance(exc, Terminated) else EXIT_CODES[signal.SIGINT]


def _interrupt(signum: int) -> KeyboardInterrupt:
    return Terminated(signum) if signum == signal.SIGTERM else KeyboardInterrupt()


def raise_pending() -> None:
    """Raise the interrupt of a signal whose exception was swallowed, if there is one."""
    if PENDING:
        signum = PENDING[0]
        PENDING.clear()
        raise _interrupt(signum)


def _in_callback(frame: FrameType | None) -> bool:
    """Whether a callback frame is on the stack: an exception raised here would reach it.

    The whole stack counts, not only the innermost frame: the signal may be handled in
    a function the callback called (or, re-delivered, in the timer's start-up code run
    by the handler itself inside the callback).
    """
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if isinstance(name, str) and name.startswith(_CALLBACK_MODULES):
            return True
        frame = frame.f_back
    return False


def _handle(signum: int, frame: FrameType | None) -> None:
    if _in_callback(frame):
        # Raising here would be dropped by the C caller: ask again in a moment.
        retry = threading.Timer(_RETRY_S, _thread.interrupt_main, (signum,))
        retry.daemon = True
        retry.start()
        return
    if signum == signal.SIGTERM:
        signal.signal(signum, signal.SIG_IGN)  # the clean-up runs once
    if not PENDING:
        PENDING.append(signum)
    raise _interrupt(signum)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` and Ctrl-C ``KeyboardInterrupt``.

    The previous handlers are restored on exit. Does nothing outside the main thread; a
    signal that the caller ignored or gave its own handler (e.g. under ``nohup``-style
    wrappers) is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    defaults = ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler))
    previous = {
        signum: signal.getsignal(signum)
        for signum, default in defaults
        if signal.getsignal(signum) is default
    }
    if not previous:
        yield
        return
    PENDING.clear()
    for signum in previous:
        signal.signal(signum, _handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        PENDING.clear()  # an interrupt leaving the block is the caller's to handle
