"""The stationary Gaussian AR(1) recursion shared by the wind and load models.

Written as a plain loop over time (vectorised over the other axes) rather than with
``scipy.signal.lfilter``: importing ``scipy.signal`` costs about half a second, paid
by every ``rex`` command and every sweep worker, for series that are a few hundred
steps long.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["ar1"]


def ar1(eta: npt.ArrayLike, phi: float) -> npt.NDArray[np.float64]:
    """Apply ``z[0] = eta[0]``, ``z[t] = phi·z[t−1] + sqrt(1 − phi²)·eta[t]`` along axis 0.

    With standard normal innovations ``eta`` the result is a stationary AR(1) with unit
    variance and lag-1 autocorrelation ``phi``.

    Args:
        eta: Innovations, shape ``(n_steps, ...)``.
        phi: Lag-1 autocorrelation, in ``[0, 1)``.

    Returns:
        Array of the same shape as ``eta``.
    """
    e = np.asarray(eta, dtype=np.float64)
    z = np.empty_like(e)
    if e.shape[0] == 0:
        return z
    se = math.sqrt(1.0 - phi * phi) * e
    z[0] = e[0]
    if e.ndim == 1:
        prev = float(z[0])
        out = z  # write scalars: faster than numpy item assignment of 0-d views
        for t in range(1, e.shape[0]):
            prev = phi * prev + float(se[t])
            out[t] = prev
        return z
    for t in range(1, e.shape[0]):
        np.multiply(z[t - 1], phi, out=z[t])
        z[t] += se[t]
    return z
