"""Discrete-time linear time-invariant state-space models and controllable plants.

A continuous provision plant (CPP, docs/model.md: participants) is a MIMO DT-LTI-SS model::

    w[k+1] = A w[k] + B u[k]
    v[k]   = C w[k] + D u[k]

with ``n`` states ``w``, ``m`` inputs ``u`` and ``p`` outputs ``v``; one step lasts
``dt`` hours (the market unit). :class:`StateSpace` is the bare model;
:class:`Plant` adds what the RHPO linear program needs: input roles (input 0 is
the market input ``u*``), bounds, ramps, costs and output roles.

Sign conventions (used by every shipped plant and by the RHPO LP):

* ``u*`` (input 0) is the energy bought in the market during the unit, kWh;
  negative means sold (the plant delivers energy to the grid).
* Costly inputs are non-negative quantities with a marginal cost in currency per
  unit of input (e.g. currency/kWh of fuel).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = [
    "CostKind",
    "FloatArray",
    "InputRole",
    "OutputRole",
    "Plant",
    "StateSpace",
]


def _frozen(x: ArrayLike) -> FloatArray:
    """Return a read-only float64 copy of ``x``."""
    a = np.array(x, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


def _matrix(name: str, x: ArrayLike) -> FloatArray:
    """Return ``x`` as a read-only 2-D float array, or raise naming the matrix."""
    a = np.array(x, dtype=np.float64, copy=True)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got an array with {a.ndim} dimension(s)")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has non-finite entries")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False, init=False)
class StateSpace:
    """Discrete-time LTI state-space model ``w+ = A w + B u``, ``v = C w + D u``.

    Args:
        A: State matrix, shape (n, n).
        B: Input matrix, shape (n, m).
        C: Output matrix, shape (p, n).
        D: Feed-through matrix, shape (p, m).
        dt: Length of one step, hours (> 0).

    The matrices are stored as read-only float64 copies.

    Raises:
        ValueError: If a matrix is not 2-D, has non-finite entries or does not fit
            the others; the message starts with the offending matrix's name, e.g.
            ``"B has 2 rows but A is 3x3"``.
    """

    A: FloatArray
    B: FloatArray
    C: FloatArray
    D: FloatArray
    dt: float

    def __init__(self, A: ArrayLike, B: ArrayLike, C: ArrayLike, D: ArrayLike, dt: float) -> None:
        A_ = _matrix("A", A)
        B_ = _matrix("B", B)
        C_ = _matrix("C", C)
        D_ = _matrix("D", D)
        n = A_.shape[0]
        if A_.shape[1] != n:
            raise ValueError(f"A must be square, got {A_.shape[0]}x{A_.shape[1]}")
        if n == 0:
            raise ValueError("A must have at least one state, got 0x0")
        if B_.shape[0] != n:
            raise ValueError(f"B has {B_.shape[0]} rows but A is {n}x{n}")
        if C_.shape[1] != n:
            raise ValueError(f"C has {C_.shape[1]} columns but A is {n}x{n}")
        if D_.shape[0] != C_.shape[0]:
            raise ValueError(f"D has {D_.shape[0]} rows but C has {C_.shape[0]} rows")
        if D_.shape[1] != B_.shape[1]:
            raise ValueError(f"D has {D_.shape[1]} columns but B has {B_.shape[1]} columns")
        dt_ = float(dt)
        if not (np.isfinite(dt_) and dt_ > 0.0):
            raise ValueError(f"dt must be a positive number of hours, got {dt!r}")
        object.__setattr__(self, "A", A_)
        object.__setattr__(self, "B", B_)
        object.__setattr__(self, "C", C_)
        object.__setattr__(self, "D", D_)
        object.__setattr__(self, "dt", dt_)

    @classmethod
    def from_continuous(
        cls, A: ArrayLike, B: ArrayLike, C: ArrayLike, D: ArrayLike, dt: float
    ) -> StateSpace:
        """Discretise ``dw/dt = A w + B u``, ``v = C w + D u`` by exact zero-order hold.

        The input is held constant over each step of ``dt`` hours. With
        ``M = expm([[A, B], [0, 0]] * dt)``, the discrete matrices are
        ``Ad = M[:n, :n]`` and ``Bd = M[:n, n:]``; ``C`` and ``D`` are unchanged.

        Args:
            A: Continuous state matrix, 1/h, shape (n, n).
            B: Continuous input matrix, state units per input unit per hour, (n, m).
            C: Output matrix, (p, n).
            D: Feed-through matrix, (p, m).
            dt: Sample time, hours (> 0).

        Returns:
            The discrete-time model with step ``dt``.
        """
        # Validate shapes on the continuous matrices first (same messages).
        cont = cls(A, B, C, D, dt)
        n, m = cont.B.shape
        aug = np.zeros((n + m, n + m))
        aug[:n, :n] = cont.A
        aug[:n, n:] = cont.B
        M = scipy.linalg.expm(aug * cont.dt)
        return cls(M[:n, :n], M[:n, n:], cont.C, cont.D, cont.dt)

    @property
    def n_states(self) -> int:
        """Number of states ``n``."""
        return int(self.A.shape[0])

    @property
    def n_inputs(self) -> int:
        """Number of inputs ``m``."""
        return int(self.B.shape[1])

    @property
    def n_outputs(self) -> int:
        """Number of outputs ``p``."""
        return int(self.C.shape[0])

    def step(self, w: ArrayLike, u: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Advance one step.

        Args:
            w: State at the start of the step, shape (n,).
            u: Input held during the step, shape (m,).

        Returns:
            ``(w_next, v)``: the state at the end of the step, shape (n,), and the
            output ``v = C w + D u`` of this step, shape (p,).
        """
        w_arr = np.asarray(w, dtype=np.float64).reshape(self.n_states)
        u_arr = np.asarray(u, dtype=np.float64).reshape(self.n_inputs)
        return self.A @ w_arr + self.B @ u_arr, self.C @ w_arr + self.D @ u_arr

    def simulate(self, w0: ArrayLike, U: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Simulate ``N`` steps from ``w0`` under the input sequence ``U``.

        Args:
            w0: Initial state, shape (n,).
            U: Inputs, shape (N, m); row ``k`` is held during step ``k``.

        Returns:
            ``(W, V)``: states, shape (N + 1, n) with ``W[0] = w0`` and ``W[k+1]`` the
            state after step ``k``; outputs, shape (N, p) with ``V[k] = C W[k] + D U[k]``.
        """
        U_arr = np.asarray(U, dtype=np.float64)
        if U_arr.ndim == 1 and self.n_inputs == 1:
            U_arr = U_arr.reshape(-1, 1)
        if U_arr.ndim != 2 or U_arr.shape[1] != self.n_inputs:
            raise ValueError(f"U must have shape (N, {self.n_inputs}), got {U_arr.shape}")
        N = U_arr.shape[0]
        W = np.empty((N + 1, self.n_states))
        W[0] = np.asarray(w0, dtype=np.float64).reshape(self.n_states)
        for k in range(N):
            W[k + 1] = self.A @ W[k] + self.B @ U_arr[k]
        V = W[:N] @ self.C.T + U_arr @ self.D.T
        return W, V

    def spectral_radius(self) -> float:
        """Largest absolute eigenvalue of ``A``."""
        return float(np.max(np.abs(np.linalg.eigvals(self.A))))

    def is_stable(self) -> bool:
        """Whether the discrete model is asymptotically stable (spectral radius < 1)."""
        return self.spectral_radius() < 1.0

    def steady_state(self, u: ArrayLike) -> FloatArray:
        """Equilibrium state under a constant input: ``w = (I - A)^-1 B u``.

        Raises:
            numpy.linalg.LinAlgError: If ``I - A`` is singular (an integrator).
        """
        u_arr = np.asarray(u, dtype=np.float64).reshape(self.n_inputs)
        out = np.linalg.solve(np.eye(self.n_states) - self.A, self.B @ u_arr)
        return np.asarray(out, dtype=np.float64)


class InputRole(enum.Enum):
    """Role of one plant input in the RHPO LP.

    ``MARKET`` is input 0 only: the energy bought in the market during the unit,
    kWh (negative = sold). ``EXOGENOUS`` inputs are fixed per unit by data
    (ambient temperature, solar irradiance, a load forecast). ``COSTLY`` inputs are
    decisions outside the market with a marginal cost per unit of input (fuel,
    backup boiler, battery throughput); they must be non-negative.
    """

    MARKET = "market"
    EXOGENOUS = "exogenous"
    COSTLY = "costly"


class CostKind(enum.Enum):
    """What a ``COSTLY`` input's cost is, for the welfare account.

    ``FUEL``: fuel and variable operating cost (a gas turbine's generation).
    ``WEAR``: wear of the equipment (a battery's charge and discharge throughput).
    ``SERVICE``: a service the occupants miss, priced per unit of input (an EV's
    energy missing at departure); the welfare account counts it in the comfort term.
    ``TRANSFER``: energy moved inside one market identity (a home client's share of
    the home's grid energy, ``plants.home``); it has no resource cost (cost 0).
    """

    FUEL = "fuel"
    WEAR = "wear"
    SERVICE = "service"
    TRANSFER = "transfer"


class OutputRole(enum.Enum):
    """Role of one plant output in the RHPO LP.

    ``TRACKED`` outputs follow the request ``X`` (deviation is weighted by ``O``)
    and are bounded by ``[v_min, v_max]``. ``BOUNDED`` outputs only have bounds
    (e.g. state of charge). ``BALANCE`` outputs are pinned to zero
    (``v_min = v_max = 0``) and express an energy balance such as
    ``u* - charge + discharge = 0``.
    """

    TRACKED = "tracked"
    BOUNDED = "bounded"
    BALANCE = "balance"


def _unset() -> FloatArray:
    """Default factory: an empty vector, replaced by the field's default in checks."""
    return np.empty(0)


def _vector(name: str, x: ArrayLike | None, size: int, default: float) -> FloatArray:
    """Return ``x`` as a read-only float vector of ``size`` (``default`` if unset)."""
    a = np.array(x, dtype=np.float64, copy=True).reshape(-1)
    if a.shape[0] == 0 and size > 0:
        return _frozen(np.full(size, default))
    if a.shape[0] != size:
        raise ValueError(f"{name} has {a.shape[0]} entries but the model has {size}")
    if np.any(np.isnan(a)):
        raise ValueError(f"{name} has NaN entries")
    a.setflags(write=False)
    return a


def _names(name: str, x: Sequence[str], size: int, prefix: str) -> tuple[str, ...]:
    """Return labels as a tuple of ``size`` strings (generated when ``x`` is empty)."""
    if len(x) == 0:
        return tuple(f"{prefix}{i}" if prefix else "" for i in range(size))
    t = tuple(str(s) for s in x)
    if len(t) != size:
        raise ValueError(f"{name} has {len(t)} entries but the model has {size}")
    return t


@dataclass(frozen=True, kw_only=True, eq=False)
class Plant:
    """A controllable plant: a :class:`StateSpace` plus what the RHPO LP needs.

    All per-input vectors have ``m`` entries, per-output vectors ``p`` entries.
    Infinite bounds (``±inf``) mean "no bound". Bounds of exogenous inputs are
    ignored (their values come from data).

    Attributes:
        name: Human-readable plant name.
        model: The discrete-time model; ``model.dt`` is the unit length, hours.
        input_roles: Role per input; index 0 must be ``MARKET`` and no other.
        input_cost: Marginal cost per unit of each ``COSTLY`` input
            (currency per input unit, >= 0); must be 0 for other inputs. In the LP
            it is scaled by the weight profile ``R`` (see ``control.weights``).
        u_min: Lower input bounds, per step (e.g. kWh per unit for ``u*``).
        u_max: Upper input bounds, per step.
        u_delta: Ramp limit ``|u[k+1] - u[k]| <= u_delta`` per input, same units
            as the input; ``inf`` = no ramp limit (default).
        output_roles: Role per output.
        v_min: Lower output bounds.
        v_max: Upper output bounds.
        cost_kinds: Per input, the :class:`CostKind` of a ``COSTLY`` input (``None``
            for the others); default ``FUEL`` for every costly input.
        stored_energy: Energy stored per unit of each state, kWh (shape ``(n,)``,
            default zeros): ``stored_energy @ w`` is the energy the plant holds, valued
            at the end of a run by the welfare account (a battery: ``[1.0]``).
        input_names, input_units, output_names, output_units, state_names,
        state_units: Labels for reports and plots.

    Raises:
        ValueError: If a field is inconsistent; the message starts with the field
            name.
    """

    name: str
    model: StateSpace
    input_roles: tuple[InputRole, ...]
    output_roles: tuple[OutputRole, ...]
    input_cost: FloatArray = field(default_factory=_unset)
    u_min: FloatArray = field(default_factory=_unset)
    u_max: FloatArray = field(default_factory=_unset)
    u_delta: FloatArray = field(default_factory=_unset)
    v_min: FloatArray = field(default_factory=_unset)
    v_max: FloatArray = field(default_factory=_unset)
    cost_kinds: tuple[CostKind | None, ...] = ()
    stored_energy: FloatArray = field(default_factory=_unset)
    input_names: tuple[str, ...] = ()
    input_units: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    output_units: tuple[str, ...] = ()
    state_names: tuple[str, ...] = ()
    state_units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("name must be a non-empty string")
        if not isinstance(self.model, StateSpace):
            raise ValueError(f"model must be a StateSpace, got {type(self.model).__name__}")
        m, p, n = self.model.n_inputs, self.model.n_outputs, self.model.n_states
        set_ = object.__setattr__

        roles = tuple(InputRole(r) for r in self.input_roles)
        if len(roles) != m:
            raise ValueError(f"input_roles has {len(roles)} entries but the model has {m} inputs")
        if roles[0] is not InputRole.MARKET:
            raise ValueError("input_roles[0] must be MARKET (the market input u*)")
        if any(r is InputRole.MARKET for r in roles[1:]):
            raise ValueError("input_roles may contain MARKET only at index 0")
        set_(self, "input_roles", roles)
        oroles = tuple(OutputRole(r) for r in self.output_roles)
        if len(oroles) != p:
            raise ValueError(
                f"output_roles has {len(oroles)} entries but the model has {p} outputs"
            )
        set_(self, "output_roles", oroles)

        cost = _vector("input_cost", self.input_cost, m, 0.0)
        if np.any(~np.isfinite(cost)) or np.any(cost < 0.0):
            raise ValueError("input_cost must be finite and >= 0")
        for i, r in enumerate(roles):
            if r is not InputRole.COSTLY and cost[i] != 0.0:
                raise ValueError(f"input_cost[{i}] must be 0 for a {r.value} input")
        set_(self, "input_cost", cost)
        if len(self.cost_kinds) == 0:
            kinds = tuple(CostKind.FUEL if r is InputRole.COSTLY else None for r in roles)
        else:
            kinds = tuple(None if k is None else CostKind(k) for k in self.cost_kinds)
        if len(kinds) != m:
            raise ValueError(f"cost_kinds has {len(kinds)} entries but the model has {m} inputs")
        for i, (r, k) in enumerate(zip(roles, kinds, strict=True)):
            if (r is InputRole.COSTLY) != (k is not None):
                raise ValueError(f"cost_kinds[{i}] must be set exactly for costly inputs")
        set_(self, "cost_kinds", kinds)
        stored = _vector("stored_energy", self.stored_energy, n, 0.0)
        if not np.all(np.isfinite(stored)):
            raise ValueError("stored_energy must be finite")
        set_(self, "stored_energy", stored)

        u_min = _vector("u_min", self.u_min, m, -np.inf)
        u_max = _vector("u_max", self.u_max, m, np.inf)
        for i in range(m):
            if roles[i] is InputRole.EXOGENOUS:
                continue
            if u_min[i] > u_max[i]:
                raise ValueError(f"u_min[{i}] = {u_min[i]} exceeds u_max[{i}] = {u_max[i]}")
            if u_min[i] == np.inf or u_max[i] == -np.inf:
                raise ValueError(f"u_min[{i}]/u_max[{i}] leave no admissible value")
            if roles[i] is InputRole.COSTLY and u_min[i] < 0.0:
                raise ValueError(
                    f"u_min[{i}] must be >= 0 for a costly input (its cost is linear), "
                    f"got {u_min[i]}"
                )
        set_(self, "u_min", u_min)
        set_(self, "u_max", u_max)
        u_delta = _vector("u_delta", self.u_delta, m, np.inf)
        if np.any(u_delta < 0.0):
            raise ValueError("u_delta must be >= 0 (inf = no ramp limit)")
        set_(self, "u_delta", u_delta)

        v_min = _vector("v_min", self.v_min, p, -np.inf)
        v_max = _vector("v_max", self.v_max, p, np.inf)
        for j in range(p):
            if v_min[j] > v_max[j]:
                raise ValueError(f"v_min[{j}] = {v_min[j]} exceeds v_max[{j}] = {v_max[j]}")
            if oroles[j] is OutputRole.BALANCE and (v_min[j] != 0.0 or v_max[j] != 0.0):
                raise ValueError(f"v_min[{j}]/v_max[{j}] must both be 0 for a balance output")
        set_(self, "v_min", v_min)
        set_(self, "v_max", v_max)

        set_(self, "input_names", _names("input_names", self.input_names, m, "u"))
        set_(self, "input_units", _names("input_units", self.input_units, m, ""))
        set_(self, "output_names", _names("output_names", self.output_names, p, "v"))
        set_(self, "output_units", _names("output_units", self.output_units, p, ""))
        set_(self, "state_names", _names("state_names", self.state_names, n, "w"))
        set_(self, "state_units", _names("state_units", self.state_units, n, ""))

    # Index helpers -------------------------------------------------------------

    @property
    def dt(self) -> float:
        """Unit length, hours."""
        return self.model.dt

    @property
    def n_states(self) -> int:
        """Number of states."""
        return self.model.n_states

    @property
    def n_inputs(self) -> int:
        """Number of inputs (market, exogenous and costly)."""
        return self.model.n_inputs

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return self.model.n_outputs

    @cached_property
    def exogenous_inputs(self) -> tuple[int, ...]:
        """Indices of the exogenous inputs, in input order."""
        return tuple(i for i, r in enumerate(self.input_roles) if r is InputRole.EXOGENOUS)

    @cached_property
    def decision_inputs(self) -> tuple[int, ...]:
        """Indices of the inputs the LP decides (market and costly), in input order."""
        return tuple(i for i, r in enumerate(self.input_roles) if r is not InputRole.EXOGENOUS)

    @cached_property
    def costly_inputs(self) -> tuple[int, ...]:
        """Indices of the costly inputs."""
        return tuple(i for i, r in enumerate(self.input_roles) if r is InputRole.COSTLY)

    def inputs_of_kind(self, kind: CostKind) -> tuple[int, ...]:
        """Indices of the costly inputs whose cost is of ``kind``."""
        return tuple(i for i, k in enumerate(self.cost_kinds) if k is kind)

    @cached_property
    def tracked_outputs(self) -> tuple[int, ...]:
        """Indices of the outputs tracked against the request ``X``."""
        return tuple(j for j, r in enumerate(self.output_roles) if r is OutputRole.TRACKED)

    def is_stable(self) -> bool:
        """Whether the plant's discrete model is asymptotically stable."""
        return self.model.is_stable()

    def simulate(
        self, w0: ArrayLike, u_decision: ArrayLike, exogenous: ArrayLike | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Simulate the plant from decision inputs and exogenous data.

        Args:
            w0: Initial state, shape (n,).
            u_decision: Decision inputs (market first, then costly, in input
                order), shape (N, len(decision_inputs)).
            exogenous: Exogenous inputs in input order, shape
                (N, len(exogenous_inputs)); None if the plant has none.

        Returns:
            ``(W, V)`` as in :meth:`StateSpace.simulate`.
        """
        U = self.full_inputs(u_decision, exogenous)
        return self.model.simulate(w0, U)

    def full_inputs(self, u_decision: ArrayLike, exogenous: ArrayLike | None) -> FloatArray:
        """Assemble the full input matrix (N, m) from decision inputs and exogenous data."""
        dec = np.asarray(u_decision, dtype=np.float64)
        nd, nx = len(self.decision_inputs), len(self.exogenous_inputs)
        if dec.ndim == 1:
            dec = dec.reshape(-1, 1) if nd == 1 else dec.reshape(1, -1)
        if dec.shape[1] != nd:
            raise ValueError(f"u_decision must have {nd} columns, got shape {dec.shape}")
        N = dec.shape[0]
        U = np.zeros((N, self.n_inputs))
        U[:, list(self.decision_inputs)] = dec
        if nx:
            if exogenous is None:
                raise ValueError(f"exogenous data required for {nx} exogenous input(s)")
            ex = np.asarray(exogenous, dtype=np.float64).reshape(N, nx)
            U[:, list(self.exogenous_inputs)] = ex
        return U
