"""Weights of the RHPO objective (docs/model.md: RHPO).

The objective of the RHPO LP (maximised) is::

    − Σ_k Q_k H_k − Σ_k O_k (G⁺_k + G⁻_k) − Σ_k Σ_i R_k,i u#_k,i
    + l Σ_k (B_k E⁻_k − A_k E⁺_k) − Σ_k π_k S_k

Linear damping (``WeightShape.LINEAR``) makes near units weigh more:
``damping_k = (κ − k + 1)/κ`` for ``k = 1..κ`` (1, (κ−1)/κ, ..., 1/κ), and
``Q_k = q·damping_k``, ``O_k = o·damping_k``. ``WeightShape.FLAT`` uses
``damping_k = 1``. The plant's marginal cost of each costly input ``i`` multiplies
``R``: ``R_k,i = r · cost_i`` (currency per unit of input when ``r = 1``).

Money is not a risk weight: cash (``l``) and the shortfall price ``π`` are never
damped, and the costs of costly inputs (fuel, wear) are damped only when
``damp_costs`` is set (``R_k = r·damping_k``, the seeds' choice). Damped costs make a
turbine offer far units far below its fuel cost (at lead ``k`` it sees fuel at
``damping_k`` of its price) and burn fuel into spilled wind; undamped is the default
(decided by the ``cost_damping`` study).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["TerminalCondition", "WeightShape", "Weights"]


class WeightShape(enum.Enum):
    """Shape of the weights over the horizon."""

    LINEAR = "linear"
    FLAT = "flat"


class TerminalCondition(enum.Enum):
    """Condition on the last planned unit.

    ``NONE``: no condition (the damped plan may coast to its bounds at the end of
    the horizon). ``REQUEST``: every tracked output of the last unit must meet
    the request: ``|v_κ − X_κ| ≤ terminal_tolerance`` (a hard constraint; the LP
    can become infeasible when the request is out of reach).
    """

    NONE = "none"
    REQUEST = "request"


@dataclass(frozen=True, kw_only=True)
class Weights:
    """Weights of the RHPO objective.

    Attributes:
        q: Penalty on surplus reservation ``H``, currency/kWh (>= 0).
        o: Penalty on tracking deviation ``G⁺ + G⁻``, currency per output unit
            per market unit (e.g. per °C·unit) (>= 0).
        r: Multiplier on the plants' marginal costs of costly inputs
            (dimensionless, >= 0; 1 = use the plant's costs as they are).
        l: Weight on market cash (dimensionless, >= 0; 1 = currency as is).
        shape: ``LINEAR`` damping or ``FLAT`` (of the risk weights ``Q``, ``O``).
        damp_costs: Damp ``R`` (the costly inputs' marginal costs) with the same
            shape as ``Q`` and ``O``; ``False`` keeps ``R_k = r`` on every unit.
        terminal: Terminal condition on the last unit.
        terminal_tolerance: Half-width of the terminal band around the request,
            output units (>= 0; 0 = equality).

    Raises:
        ValueError: If a field is out of range; the message starts with its name.
    """

    q: float = 0.01
    o: float = 1.0
    r: float = 1.0
    l: float = 1.0  # noqa: E741 (the seed's symbol)
    shape: WeightShape = WeightShape.LINEAR
    damp_costs: bool = False
    terminal: TerminalCondition = TerminalCondition.NONE
    terminal_tolerance: float = 0.0

    def __post_init__(self) -> None:
        for name in ("q", "o", "r", "l", "terminal_tolerance"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not isinstance(self.damp_costs, bool):
            raise ValueError(f"damp_costs must be true or false, got {self.damp_costs!r}")
        try:
            object.__setattr__(self, "shape", WeightShape(self.shape))
        except ValueError:
            raise ValueError(f"shape must be one of linear, flat; got {self.shape!r}") from None
        try:
            object.__setattr__(self, "terminal", TerminalCondition(self.terminal))
        except ValueError:
            raise ValueError(
                f"terminal must be one of none, request; got {self.terminal!r}"
            ) from None

    def damping(self, kappa: int) -> NDArray[np.float64]:
        """Damping factors ``d_k``, ``k = 1..κ``: ``(κ − k + 1)/κ`` or all ones.

        Args:
            kappa: Number of open units κ (>= 1).

        Returns:
            Shape (κ,), in (0, 1].
        """
        if isinstance(kappa, bool) or not isinstance(kappa, int | np.integer) or kappa < 1:
            raise ValueError(f"kappa must be a positive integer, got {kappa!r}")
        if self.shape is WeightShape.FLAT:
            return np.ones(int(kappa))
        k = np.arange(1, int(kappa) + 1, dtype=np.float64)
        return np.asarray((kappa - k + 1.0) / kappa, dtype=np.float64)

    def profile(
        self, kappa: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Per-unit weights ``(Q, O, R)``, each of shape (κ,).

        ``Q = q·d``, ``O = o·d`` with ``d`` = :meth:`damping`; ``R = r·d`` when
        ``damp_costs`` is set, else ``R = r`` on every unit. The LP multiplies ``R``
        by each costly input's marginal cost.
        """
        d = self.damping(kappa)
        r = self.r * d if self.damp_costs else np.full(len(d), self.r)
        return self.q * d, self.o * d, r
