"""Element-wise transcendental functions that give the same bits on every CPU.

NumPy picks its float64 ``exp``, ``log``, ``log1p``, ``expm1``, ``power``, ``sin`` and
``cos`` loops at import time from the CPU's features: on a processor with AVX-512 it
runs vectorised kernels (Intel SVML) whose results differ from the scalar C library in
the last bits; elsewhere it calls the C library. A last-bit difference in a forecast's
jump lead time moves an event across a tick or a minute boundary, and the run's bytes
then depend on the machine (measured: the reference scenario's trades, quotes and order
events changed between an AVX2 and an AVX-512 machine with identical packages).

Rex promises the same bytes for the same config and seed, so every transcendental
function on the simulation's path goes through this module, which applies Python's
``math`` functions (the platform C library, scalar, no CPU dispatch) element by element.
The cost is about 0.1 µs per element; the simulation calls these on arrays of at most a
few hundred thousand elements per run. Arithmetic (+ − × ÷, sqrt) is correctly rounded
by IEEE 754 on every CPU and needs no such care; nor do ``x ** 2`` (an exact multiply).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["cos", "exp", "expm1", "log", "log1p", "power", "sin"]

FloatArray = npt.NDArray[np.float64]


def _map(fn: Callable[[float], float], x: npt.ArrayLike, out: FloatArray | None) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    res = np.fromiter(map(fn, a.ravel().tolist()), dtype=np.float64, count=a.size)
    res = res.reshape(a.shape)
    if out is None:
        return res
    out[...] = res
    return out


def _inf_on_overflow(fn: Callable[[float], float]) -> Callable[[float], float]:
    """``fn`` with NumPy's answer to overflow (``inf``) instead of ``OverflowError``."""

    def f(v: float) -> float:
        try:
            return fn(v)
        except OverflowError:
            return math.inf

    return f


_exp, _expm1 = _inf_on_overflow(math.exp), _inf_on_overflow(math.expm1)


def exp(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """``e**x`` element-wise (C library ``exp``); overflow gives ``inf`` as in NumPy."""
    return _map(_exp, x, out)


def expm1(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """``e**x - 1`` element-wise (C library ``expm1``); overflow gives ``inf``."""
    return _map(_expm1, x, out)


def log(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """Natural logarithm element-wise; ``log(0) = -inf`` and ``nan`` below 0, as in NumPy."""

    def f(v: float) -> float:
        if v > 0.0:
            return math.log(v)
        return -math.inf if v == 0.0 else math.nan

    return _map(f, x, out)


def log1p(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """``log(1 + x)`` element-wise; ``-inf`` at ``x = -1`` and ``nan`` below, as in NumPy."""

    def f(v: float) -> float:
        if v > -1.0:
            return math.log1p(v)
        return -math.inf if v == -1.0 else math.nan

    return _map(f, x, out)


def power(base: npt.ArrayLike, exponent: npt.ArrayLike) -> FloatArray:
    """``base ** exponent`` element-wise with broadcasting (C library ``pow``)."""
    b, e = np.broadcast_arrays(np.asarray(base, np.float64), np.asarray(exponent, np.float64))

    def f(u: float, v: float) -> float:
        try:
            return math.pow(u, v)
        except ValueError:  # a negative base to a non-integer power
            return math.nan
        except OverflowError:  # ±inf, signed as NumPy signs it
            return (
                math.copysign(math.inf, u)
                if u < 0 and float(v).is_integer() and v % 2
                else math.inf
            )

    res = np.fromiter(map(f, b.ravel().tolist(), e.ravel().tolist()), np.float64, count=b.size)
    return res.reshape(b.shape)


def sin(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """Sine element-wise (C library ``sin``)."""
    return _map(math.sin, x, out)


def cos(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """Cosine element-wise (C library ``cos``)."""
    return _map(math.cos, x, out)
