"""The plant as a pyomo block: the readable reference of :class:`~rex_cli.control.lp.PlantBlock`.

Written from the plant's matrices ``A, B, C, D``, bounds and ramps, term by term and
independently of the sparse block, so that the tests comparing the two backends (the
RHPO LP and the planners, on random plants) catch a bug in either. Both pyomo
references, :func:`rex_cli.control.rhpo.build_pyomo_model` and
:func:`rex_cli.welfare.planner.build_planner_model`, put their plants in such a block.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rex_cli.plants.statespace import Plant

__all__ = ["pyomo_bound", "pyomo_plant_block"]

FloatArray = NDArray[np.float64]


def pyomo_bound(x: Any) -> float | None:
    """A pyomo bound: None for an infinite value."""
    return None if math.isinf(x) else float(x)


def pyomo_plant_block(
    b: Any,
    plant: Plant,
    K: int,
    *,
    exogenous: FloatArray,
    request: FloatArray,
    w0: FloatArray,
    u_prev: FloatArray | None = None,
) -> None:
    """Fill the pyomo block ``b`` with one plant over units ``j = 0..K−1``.

    Variables: ``u[j, i]`` for decision inputs ``i`` (exogenous inputs are data),
    ``w[j, s]`` for state times ``j = 0..K`` (``w[0] = w0``), ``v[j, q]`` within the
    output bounds, ``Gp[j, t]``/``Gm[j, t]`` the deviations above/below the request of
    tracked output ``t``. Constraints: initial state, dynamics, outputs, ramps between
    consecutive units, the first ramp from ``u_prev`` (when given and not NaN), and the
    tracking inequalities where the request is not NaN.

    Args:
        b: The pyomo block to fill.
        plant: The plant.
        K: Number of units.
        exogenous: Exogenous inputs per unit, (K, n_exogenous).
        request: Requests per tracked output, NaN = none, (K, n_tracked).
        w0: State at the start of unit 0, (n,).
        u_prev: Full inputs of the unit before unit 0 (m,), or None.
    """
    import pyomo.environ as pyo

    ss = plant.model
    A, B, C, D = ss.A, ss.B, ss.C, ss.D
    ex = list(plant.exogenous_inputs)
    exo = np.asarray(exogenous, dtype=np.float64).reshape(K, len(ex))
    # Exogenous inputs are data: their contributions are constants.
    bx = exo @ B[:, ex].T if ex else np.zeros((K, plant.n_states))
    dx = exo @ D[:, ex].T if ex else np.zeros((K, plant.n_outputs))
    tracked = plant.tracked_outputs
    tpos = {t: c for c, t in enumerate(tracked)}
    req = np.asarray(request, dtype=np.float64).reshape(K, len(tracked))

    b.J = pyo.RangeSet(0, K - 1, doc="units j = 0..K−1")
    b.JW = pyo.RangeSet(0, K, doc="state times: w[j] at the start of unit j")
    b.I = pyo.Set(initialize=plant.decision_inputs, doc="decision inputs; 0 is u*")
    b.S = pyo.Set(initialize=range(plant.n_states), doc="states")
    b.P = pyo.Set(initialize=range(plant.n_outputs), doc="outputs")
    b.T = pyo.Set(initialize=tracked, doc="tracked outputs (indices into P)")
    b.u = pyo.Var(
        b.J,
        b.I,
        bounds=lambda _b, j, i: (pyomo_bound(plant.u_min[i]), pyomo_bound(plant.u_max[i])),
        doc="decision inputs: u* (kWh bought, negative = delivered) and costly inputs",
    )
    b.w = pyo.Var(b.JW, b.S, doc="states")
    b.v = pyo.Var(
        b.J,
        b.P,
        bounds=lambda _b, j, q: (pyomo_bound(plant.v_min[q]), pyomo_bound(plant.v_max[q])),
        doc="outputs, within their hard bounds",
    )
    b.Gp = pyo.Var(b.J, b.T, domain=pyo.NonNegativeReals, doc="G⁺: output above request")
    b.Gm = pyo.Var(b.J, b.T, domain=pyo.NonNegativeReals, doc="G⁻: output below request")

    def initial_state(b_: Any, s: int) -> Any:
        """The plant starts unit 0 in the state ``w0``."""
        return b_.w[0, s] == float(w0[s])

    b.initial_state = pyo.Constraint(b.S, rule=initial_state, doc=initial_state.__doc__)

    def dynamics(b_: Any, j: int, s: int) -> Any:
        """Dynamics ``w_{j+1} = A w_j + B u_j`` (exogenous part of ``B u`` is data)."""
        return b_.w[j + 1, s] == sum(A[s, r] * b_.w[j, r] for r in b_.S if A[s, r] != 0) + sum(
            B[s, i] * b_.u[j, i] for i in b_.I if B[s, i] != 0
        ) + float(bx[j, s])

    b.dynamics = pyo.Constraint(b.J, b.S, rule=dynamics, doc=dynamics.__doc__)

    def output(b_: Any, j: int, q: int) -> Any:
        """Output equation ``v_j = C w_j + D u_j`` (bounds are on ``v``)."""
        return b_.v[j, q] == sum(C[q, r] * b_.w[j, r] for r in b_.S if C[q, r] != 0) + sum(
            D[q, i] * b_.u[j, i] for i in b_.I if D[q, i] != 0
        ) + float(dx[j, q])

    b.output = pyo.Constraint(b.J, b.P, rule=output, doc=output.__doc__)

    b.R = pyo.Set(
        initialize=[i for i in plant.decision_inputs if math.isfinite(plant.u_delta[i])],
        doc="decision inputs with a ramp limit",
    )

    def ramp_first(b_: Any, i: int) -> Any:
        """First ramp ``|u_0 − u_prev| ≤ u_Δ`` (skipped when ``u_prev`` is unknown)."""
        if u_prev is None or math.isnan(u_prev[i]):
            return pyo.Constraint.Skip
        d = float(plant.u_delta[i])
        return pyo.inequality(-d, b_.u[0, i] - float(u_prev[i]), d)

    b.ramp_first = pyo.Constraint(b.R, rule=ramp_first, doc=ramp_first.__doc__)

    def ramp(b_: Any, j: int, i: int) -> Any:
        """Ramp ``|u_{j+1} − u_j| ≤ u_Δ`` for j = 0..K−2."""
        if j == K - 1:
            return pyo.Constraint.Skip
        d = float(plant.u_delta[i])
        return pyo.inequality(-d, b_.u[j + 1, i] - b_.u[j, i], d)

    b.ramp = pyo.Constraint(b.J, b.R, rule=ramp, doc=ramp.__doc__)

    def track_up(b_: Any, j: int, t: int) -> Any:
        """Deviation above the request: ``G⁺_j ≥ v_j − X_j`` (skipped without request)."""
        x = float(req[j, tpos[t]])
        return pyo.Constraint.Skip if math.isnan(x) else b_.Gp[j, t] >= b_.v[j, t] - x

    def track_down(b_: Any, j: int, t: int) -> Any:
        """Deviation below the request: ``G⁻_j ≥ X_j − v_j`` (skipped without request)."""
        x = float(req[j, tpos[t]])
        return pyo.Constraint.Skip if math.isnan(x) else b_.Gm[j, t] >= x - b_.v[j, t]

    b.track_up = pyo.Constraint(b.J, b.T, rule=track_up, doc=track_up.__doc__)
    b.track_down = pyo.Constraint(b.J, b.T, rule=track_down, doc=track_down.__doc__)
