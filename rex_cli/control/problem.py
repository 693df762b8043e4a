"""The RHPO LP's per-arrival data and its result, shared by both backends.

:func:`prepare_data` validates one arrival's data into :class:`RhpoData`; the fast
path (:class:`rex_cli.control.highs.RhpoSolver`) and the pyomo reference
(:mod:`rex_cli.control.rhpo`) both return :class:`RhpoResult`. The model itself is
described in :mod:`rex_cli.control.rhpo`.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rex_cli.control.lp.status import LpStatus
from rex_cli.plants.statespace import Plant

__all__ = [
    "Backend",
    "PriceLike",
    "RhpoData",
    "RhpoResult",
    "prepare_data",
    "prepared_data",
]

FloatArray = NDArray[np.float64]
PriceLike = ArrayLike | Sequence[float | None] | float | None


class Backend(enum.Enum):
    """LP backend: ``HIGHS`` (highspy, fast) or ``PYOMO`` (reference model)."""

    HIGHS = "highs"
    PYOMO = "pyomo"


@dataclass(frozen=True, kw_only=True, eq=False)
class RhpoResult:
    """Solution of one RHPO LP. Row ``k`` of every array is open unit ``k+1``.

    Attributes:
        status: Solve outcome; arrays are ``NaN`` unless ``OPTIMAL``.
        objective: Optimal value of the maximised objective, currency.
        buy: ``E⁺``, energy to buy at the best ask, kWh, shape (κ,).
        sell: ``E⁻``, energy to sell at the best bid, kWh, shape (κ,).
        surplus: ``H``, surplus reservation, kWh, shape (κ,).
        shortfall: ``S``, shortfall (unreserved consumption), kWh, shape (κ,).
        u: Planned inputs (exogenous ones = data), shape (κ, m); ``u[:, 0]`` is
            the market input ``u*`` in kWh.
        v: Planned outputs, shape (κ, p).
        w: Planned states, shape (κ + 1, n); ``w[0] = w0``, ``w[κ]`` after the
            last unit.
        dual_balance: ``λ_k = ∂objective/∂Y_k``, currency/kWh, shape (κ,).
        backend: ``"highs"`` or ``"pyomo"``.
    """

    status: LpStatus
    objective: float
    buy: FloatArray
    sell: FloatArray
    surplus: FloatArray
    shortfall: FloatArray
    u: FloatArray
    v: FloatArray
    w: FloatArray
    dual_balance: FloatArray
    backend: str

    @property
    def ok(self) -> bool:
        """Whether the solve is optimal."""
        return self.status is LpStatus.OPTIMAL

    @property
    def net_trade(self) -> FloatArray:
        """``E = E⁺ − E⁻``, kWh per unit (positive = net buy)."""
        return self.buy - self.sell

    @property
    def market_input(self) -> FloatArray:
        """Planned market input ``u*`` per unit, kWh."""
        return self.u[:, 0]

    @classmethod
    def failed(cls, plant: Plant, kappa: int, status: LpStatus, backend: str) -> RhpoResult:
        """A non-optimal result with ``NaN`` arrays of the right shapes."""
        nan = np.full(kappa, np.nan)
        return cls(
            status=status,
            objective=math.nan,
            buy=nan.copy(),
            sell=nan.copy(),
            surplus=nan.copy(),
            shortfall=nan.copy(),
            u=np.full((kappa, plant.n_inputs), np.nan),
            v=np.full((kappa, plant.n_outputs), np.nan),
            w=np.full((kappa + 1, plant.n_states), np.nan),
            dual_balance=nan.copy(),
            backend=backend,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class RhpoData:
    """Validated per-arrival data of the LP (all arrays float64, row = unit).

    Attributes:
        kappa: Number of open units κ.
        bid: Best bid ``B_k``, currency/kWh; ``NaN`` = empty side, (κ,).
        ask: Best ask ``A_k``, currency/kWh; ``NaN`` = empty side, (κ,).
        bid_depth: Cap on ``E⁻_k``, kWh (``inf`` = none), (κ,).
        ask_depth: Cap on ``E⁺_k``, kWh (``inf`` = none), (κ,).
        position: ``Y_k``, kWh reserved (+ bought), (κ,).
        request: ``X_k`` per tracked output, ``NaN`` = no request, (κ, n_tracked).
        exogenous: Exogenous inputs per unit, (κ, n_exogenous).
        w0: State at the start of the first open unit, (n,).
        u_prev: Inputs of the unit before the first open one, ``NaN`` = unknown,
            (m,).
        short_price: ``π_k``, currency/kWh, (κ,).
        long_price: ``ρ_k``, currency/kWh paid for surplus, (κ,).
        stored_value: ``σ``, currency/kWh: the value of the energy the plant holds
            after the last open unit (``stored_energy · w_{κ+1}``); 0 = none.
    """

    kappa: int
    bid: FloatArray
    ask: FloatArray
    bid_depth: FloatArray
    ask_depth: FloatArray
    position: FloatArray
    request: FloatArray
    exogenous: FloatArray
    w0: FloatArray
    u_prev: FloatArray
    short_price: FloatArray
    long_price: FloatArray
    stored_value: float = 0.0


def _per_unit(name: str, x: PriceLike, kappa: int, *, default: float | None = None) -> FloatArray:
    """Broadcast a scalar or sequence (None entries -> NaN) to shape (κ,)."""
    if x is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(kappa, default)
    a = np.array(x, dtype=np.float64)
    if a.ndim == 0:
        return np.full(kappa, float(a))
    a = a.reshape(-1)
    if a.shape[0] != kappa:
        raise ValueError(f"{name} has {a.shape[0]} entries but kappa is {kappa}")
    return a


def prepare_data(
    plant: Plant,
    kappa: int,
    *,
    bid: PriceLike,
    ask: PriceLike,
    position: ArrayLike,
    request: ArrayLike | None,
    w0: ArrayLike,
    u_prev: ArrayLike | None = None,
    exogenous: ArrayLike | None = None,
    short_price: ArrayLike | float,
    long_price: ArrayLike | float | None = None,
    bid_depth: PriceLike = None,
    ask_depth: PriceLike = None,
    stored_value: float = 0.0,
) -> RhpoData:
    """Validate and normalise one arrival's data (see :func:`solve_rhpo`).

    Raises:
        ValueError: On wrong shapes or invalid values (a programming error, not
            an infeasibility); the message starts with the argument's name.
    """
    K = int(kappa)
    bid_a = _per_unit("bid", bid, K, default=math.nan)  # None: the whole side is empty
    ask_a = _per_unit("ask", ask, K, default=math.nan)
    for name, arr in (("bid", bid_a), ("ask", ask_a)):
        if np.isinf(arr).any():
            raise ValueError(f"{name} must be finite or NaN (empty side)")
    bd = _per_unit("bid_depth", bid_depth, K, default=math.inf)
    ad = _per_unit("ask_depth", ask_depth, K, default=math.inf)
    for name, arr in (("bid_depth", bd), ("ask_depth", ad)):
        arr[np.isnan(arr)] = math.inf
        if (arr < 0).any():
            raise ValueError(f"{name} must be >= 0 (inf or NaN = uncapped)")
    pos = _per_unit("position", np.asarray(position, dtype=np.float64), K)
    if not np.isfinite(pos).all():
        raise ValueError("position must be finite")
    pi = _per_unit("short_price", short_price, K)
    rho = _per_unit("long_price", long_price, K, default=0.0)
    for name, arr in (("short_price", pi), ("long_price", rho)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite")

    sigma = float(stored_value)
    if not math.isfinite(sigma):
        raise ValueError("stored_value must be finite")

    nt = len(plant.tracked_outputs)
    if request is None:
        req = np.full((K, nt), np.nan)
    else:
        req = np.array(request, dtype=np.float64)
        if req.ndim == 1 and nt == 1:
            req = req.reshape(-1, 1)
        if req.ndim == 0 or req.shape != (K, nt):
            raise ValueError(f"request must have shape ({K}, {nt}), got {req.shape}")
    if np.isinf(req).any():
        raise ValueError("request must be finite or NaN (no request)")

    nx = len(plant.exogenous_inputs)
    if nx == 0:
        exo = np.zeros((K, 0))
        if exogenous is not None and np.asarray(exogenous).size != 0:
            raise ValueError("exogenous given but the plant has no exogenous inputs")
    else:
        if exogenous is None:
            raise ValueError(f"exogenous is required: the plant has {nx} exogenous input(s)")
        exo = np.array(exogenous, dtype=np.float64)
        if exo.ndim == 1 and nx == 1:
            exo = exo.reshape(-1, 1)
        if exo.shape != (K, nx):
            raise ValueError(f"exogenous must have shape ({K}, {nx}), got {exo.shape}")
        if not np.isfinite(exo).all():
            raise ValueError("exogenous must be finite")

    w0_a = np.array(w0, dtype=np.float64).reshape(-1)
    if w0_a.shape[0] != plant.n_states or not np.isfinite(w0_a).all():
        raise ValueError(f"w0 must be {plant.n_states} finite value(s), got {w0_a}")
    if u_prev is None:
        up = np.full(plant.n_inputs, np.nan)
    else:
        up = np.array(u_prev, dtype=np.float64).reshape(-1)
        if up.shape[0] != plant.n_inputs:
            raise ValueError(f"u_prev must have {plant.n_inputs} entries, got {up.shape[0]}")
    return RhpoData(
        kappa=K,
        bid=bid_a,
        ask=ask_a,
        bid_depth=bd,
        ask_depth=ad,
        position=pos,
        request=req,
        exogenous=exo,
        w0=w0_a,
        u_prev=up,
        short_price=pi,
        long_price=rho,
        stored_value=sigma,
    )


def prepared_data(
    plant: Plant,
    kappa: int,
    *,
    bid: FloatArray,
    ask: FloatArray,
    bid_depth: FloatArray,
    ask_depth: FloatArray,
    position: FloatArray,
    request: FloatArray,
    exogenous: FloatArray,
    w0: ArrayLike,
    u_prev: ArrayLike | None,
    short_price: float,
    long_price: float,
    stored_value: float,
) -> RhpoData:
    """:class:`RhpoData` from arrays a coordinator built itself, without the checks.

    For the coordinators' own arrivals (their data is valid by construction), it skips
    what :func:`prepare_data` checks and copies. The caller vouches that ``bid``/``ask``
    are float64 (κ,) with ``NaN`` for an empty side (never infinite), the depths float64
    (κ,) ``>= 0`` and not ``NaN``, ``position`` float64 (κ,) finite, ``request`` float64
    (κ, n_tracked) finite or ``NaN``, ``exogenous`` float64 (κ, n_exogenous) finite, ``w0``
    finite and the prices finite scalars; for such inputs the data equals
    :func:`prepare_data`'s. The arrays (``w0`` and ``u_prev`` too when they are float64
    vectors) are used as given and must not be changed afterwards.
    """
    K = int(kappa)
    w0_a = _as_vector(w0)
    up = np.full(plant.n_inputs, np.nan) if u_prev is None else _as_vector(u_prev)
    exo = np.asarray(exogenous, dtype=np.float64) if plant.exogenous_inputs else np.zeros((K, 0))
    return RhpoData(
        kappa=K,
        bid=bid,
        ask=ask,
        bid_depth=bid_depth,
        ask_depth=ask_depth,
        position=position,
        request=np.asarray(request, dtype=np.float64),
        exogenous=exo,
        w0=w0_a,
        u_prev=up,
        short_price=_per_unit_constant(K, float(short_price).hex()),
        long_price=_per_unit_constant(K, float(long_price).hex()),
        stored_value=float(stored_value),
    )


def _as_vector(x: ArrayLike) -> FloatArray:
    """``x`` as a float64 vector: itself if it is one, else a flattened float64 copy.

    Used as given, the solver sees the very array of its last solve while a
    coordinator's state stands still.
    """
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1:
        return x
    return np.array(x, dtype=np.float64).reshape(-1)


@functools.lru_cache(maxsize=64)
def _per_unit_constant(kappa: int, value_hex: str) -> FloatArray:
    """A read-only (κ,) array of one price (``float.hex`` keeps ``-0.0`` apart from ``0.0``).

    Shared by every solve with that κ and price: the solver sees the very array of its
    last solve and does not compare the prices again.
    """
    out = np.full(kappa, float.fromhex(value_hex))
    out.setflags(write=False)
    return out
