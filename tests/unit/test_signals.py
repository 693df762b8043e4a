"""Interrupts are not lost when the signal lands in a Python callback called from C.

ctypes drops an exception raised in a callback ("Exception ignored on calling ctypes
callback function"); llvmlite calls back into Python that way while numba compiles, and
a SIGTERM there once let a run finish with exit 0. The callback here is libc's ``qsort``
comparator, a real C-to-Python callback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import time

import pytest

from rex_cli.signals import PENDING, Terminated, terminate_as_interrupt
from rex_cli.sim.engine import Engine

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SIGNALS = [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))


_COMPARE = """
def compare(a, b):  # runs as a callback from C
    if not sent:
        sent.append(sig)
        send(sig)
    return a[0] - b[0]
"""


def _kill(sig: int) -> None:
    os.kill(os.getpid(), sig)


def _kill_deeper(sig: int) -> None:
    """The signal is handled in this test module's frames, with the callback further up."""
    _kill(sig)
    for _ in range(1000):  # bytecodes here, below the callback
        pass


def _qsort_signalling(sig: int, module: str, send=_kill) -> list[int]:  # type: ignore[no-untyped-def]
    """Sort with libc's qsort; the comparator, defined in ``module``, sends ``sig`` once."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    namespace = {"__name__": module, "send": send, "sig": sig, "sent": []}
    exec(_COMPARE, namespace)
    compare = namespace["compare"]
    values = (ctypes.c_int * 6)(5, 1, 4, 2, 6, 3)
    libc.qsort(values, len(values), ctypes.sizeof(ctypes.c_int), CMP(compare))
    return list(values)


@pytest.fixture
def unraisable(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


@pytest.mark.parametrize("send", [_kill, _kill_deeper])
@pytest.mark.parametrize(("sig", "kind"), SIGNALS)
def test_a_signal_in_an_llvmlite_callback_is_raised_after_the_callback(unraisable, sig, kind, send):
    after = []
    with pytest.raises(kind) as info, terminate_as_interrupt():
        after.append(_qsort_signalling(sig, "llvmlite.binding.example", send))  # qsort finishes
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:  # the re-delivered signal raises in here
            pass
        after.append("not reached")
    assert after == [[1, 2, 3, 4, 5, 6]]  # the sort completed, nothing after it ran
    assert unraisable == []  # nothing was dropped with "Exception ignored"
    assert type(info.value) is kind
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize(("sig", "kind"), SIGNALS)
def test_an_interrupt_dropped_by_an_unknown_callback_stops_the_event_loop(unraisable, sig, kind):
    log = []

    def event(i):
        log.append(i)
        if i == 2:
            _qsort_signalling(sig, "somewhere.else")  # the exception is dropped inside qsort

    engine = Engine()
    for i in range(6):
        engine.schedule(float(i), event, i)
    with pytest.raises(kind), terminate_as_interrupt():
        engine.run()
    assert [type(u.exc_value) for u in unraisable] == [kind]  # ctypes dropped it ...
    assert log == [0, 1, 2]  # ... and the loop raised it before the next event
    assert PENDING == []


def test_a_recorded_interrupt_is_forgotten_when_the_block_ends():
    engine = Engine()
    engine.schedule(0.0, lambda: None)
    with terminate_as_interrupt():
        with pytest.raises(Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10**6):
                pass
        assert PENDING == [signal.SIGTERM]  # recorded until the block ends ...
    assert PENDING == []  # ... and forgotten after it
    assert engine.run() == 1
