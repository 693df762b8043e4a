"""The one HiGHS set-up: a quiet solver and the hand-over of a sparse LP.

No drift: solves are run with the C++ ``Highs.run()`` (not highspy's Python
``solve()``, which may wrap the run in a thread and an interrupt callback), with
callbacks disabled and output off.
"""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["new_highs", "pass_model"]


def new_highs(*, presolve: bool = False) -> Any:
    """A HiGHS instance with callbacks disabled, no output and (by default) no presolve.

    Presolve is off for warm-started re-solves (it would discard the basis); turn it on
    for one large cold solve.
    """
    h: Any = highspy.Highs()
    h.disableCallbacks()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    if not presolve:
        h.setOptionValue("presolve", "off")
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
