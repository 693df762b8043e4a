"""The one HiGHS set-up: a quiet solver and the hand-over of a sparse LP.

No drift: solves are run with the C++ ``Highs.run()`` (not highspy's Python
``solve()``, which may wrap the run in a thread and an interrupt callback), with
callbacks disabled and output off.

**One thread.** Every ``run()`` of HiGHS 1.16 initialises its task scheduler and, with
the default ``threads = 0``, counts the physical cores to size it: twice per run, each
time a ``sysconf`` and two ``/sys/devices/system/cpu/cpuN/topology`` files per CPU
opened and read. On the coordinators' small warm-started LPs (about a hundred rows, a
few simplex iterations) that was the largest single cost of a run: about 70% of the
CPU time of a run that makes no iteration (perf). With ``threads = 1`` one of the two
counts is skipped (the other is unconditional in HiGHS): 0.85x the CPU time of a
median run, 0.7x that of a run without iterations (``tests/benchmarks/bench_highs.py``).
The LP solvers Rex uses (serial dual simplex, LP presolve) do not use the scheduler's
workers (HiGHS picks the simplex variant independently of the thread count), so the
results are the same bytes.

The scheduler belongs to the calling thread and its size is fixed by the first run
in it; a later run asking for another size fails. So :func:`new_highs` asks for one
thread only where that is what the thread's scheduler has or will have: a probe run
on an empty model with ``threads = 1`` (once per thread) succeeds unless a HiGHS
instance with another setting (pyomo's, say) ran first in the thread, and then the
default ``threads = 0`` is kept.
"""

from __future__ import annotations

import threading
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["new_highs", "pass_model", "scheduler_threads"]

_local = threading.local()


def scheduler_threads() -> int:
    """The ``threads`` option for this thread's HiGHS instances: 1 if possible, else 0.

    1 when this thread's HiGHS scheduler has one worker, or had none and now has one
    (the probe created it); 0 (the HiGHS default) when another size was fixed before
    by a run with other settings. Probed once per thread (module docstring).
    """
    threads: int | None = getattr(_local, "threads", None)
    if threads is None:
        probe: Any = highspy.Highs()
        probe.disableCallbacks()
        probe.setOptionValue("output_flag", False)
        probe.setOptionValue("log_to_console", False)
        probe.setOptionValue("threads", 1)
        threads = 1 if probe.run() == highspy.HighsStatus.kOk else 0
        _local.threads = threads
    return threads


def new_highs(*, presolve: bool = False) -> Any:
    """A HiGHS instance with callbacks disabled, no output and (by default) no presolve.

    Presolve is off for warm-started re-solves (it would discard the basis); turn it on
    for one large cold solve. It runs with one thread where the calling thread's HiGHS
    scheduler allows it (:func:`scheduler_threads`): the same results, less set-up per
    run.
    """
    h: Any = highspy.Highs()
    h.disableCallbacks()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    if not presolve:
        h.setOptionValue("presolve", "off")
    h.setOptionValue("threads", scheduler_threads())
    return h


def pass_model(
    h: Any,
    matrix: sp.csc_matrix,
    cost: NDArray[np.float64],
    col_lower: NDArray[np.float64],
    col_upper: NDArray[np.float64],
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
    *,
    what: str = "LP",
) -> None:
    """Hand ``min cost·x, row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper`` to ``h``.

    ``matrix`` must be CSC with sorted indices (the column-wise format HiGHS takes).

    Raises:
        RuntimeError: If HiGHS rejects the model (``what`` names it).
    """
    n_rows, n_cols = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    status = h.passModel(lp)
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS rejected the {what}: {status}")
