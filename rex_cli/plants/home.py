"""A home: several clients behind one market identity, as one MIMO plant (docs/model.md: homes).

A home coordinator trades for a base load, rooftop PV and any of a heat pump, a home
battery and an electric vehicle. Its plant is the block-diagonal combination of the
controllable clients' state-space models plus one energy balance::

    w = [w_1; …; w_C],  A = diag(A_c),  C = diag(C_c)
    u = [u*, x, g⁺_1, (g⁻_1), ũ_1, …, g⁺_C, (g⁻_C), ũ_C]
    u* − x − Σ_c (g⁺_c − g⁻_c) = 0                        (the home's BALANCE output)

where ``u*`` is the home's market input (kWh bought in the unit, the RHPO market
input), ``x`` the uncontrollable net load (base load minus PV, kWh, EXOGENOUS: the
forecast in force when planning, the realisation when delivered), ``g_c = g⁺_c − g⁻_c``
client ``c``'s grid energy (its own market input, now an internal decision: COSTLY at
cost 0 with cost kind ``TRANSFER``; split into two non-negative parts only for a
client that can deliver energy, the battery) and ``ũ_c`` client ``c``'s other inputs
(exogenous and costly, with their roles, costs and bounds). Client ``c``'s columns
of ``B`` and ``D`` are its own, the market column moved to ``g⁺_c`` (and negated on
``g⁻_c``). So the home's one RHPO LP is exactly the clients' LPs coupled only by the
balance, and its plan is the planner's on the clients when prices are fixed.

A home without controllable clients keeps one dummy state (``A = 0``) so the model
is never empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rex_cli.plants.statespace import (
    CostKind,
    FloatArray,
    InputRole,
    OutputRole,
    Plant,
    StateSpace,
)

__all__ = ["ClientBlock", "HomePlant", "combine_home"]

_INF = np.inf


@dataclass(frozen=True, kw_only=True)
class ClientBlock:
    """Where one controllable client sits in its home's plant.

    Attributes:
        name: The client's label in the home (``heat_pump``, ``battery``, ``ev``).
        plant: The client's own plant (input 0 = its grid energy ``g``).
        grid_plus: Home input index of ``g⁺`` (all of ``g`` when it cannot be negative).
        grid_minus: Home input index of ``g⁻``, or -1 when ``g ≥ 0``.
        inputs: Home input index of each of the client's inputs 1..m−1.
        states: Home state indices of the client's states.
        outputs: Home output indices of the client's outputs.
        exogenous: Column indices, in the home's exogenous data, of the client's
            exogenous inputs (in the client's input order).
        tracked: Column indices, in the home's request data, of the client's tracked
            outputs.
    """

    name: str
    plant: Plant
    grid_plus: int
    grid_minus: int
    inputs: tuple[int, ...]
    states: tuple[int, ...]
    outputs: tuple[int, ...]
    exogenous: tuple[int, ...]
    tracked: tuple[int, ...]


@dataclass(frozen=True, kw_only=True, eq=False)
class HomePlant(Plant):
    """A :class:`Plant` made of a home's clients (see the module docstring).

    Attributes:
        clients: The controllable clients' blocks, in home order.
    """

    clients: tuple[ClientBlock, ...] = field(default_factory=tuple)

    def client_inputs(self, U: np.ndarray) -> list[FloatArray]:
        """Each client's full input matrix ``(N, m_c)`` from the home's ``(N, m)``.

        Column 0 is the client's grid energy ``g = g⁺ − g⁻``, kWh.
        """
        U = np.asarray(U, dtype=np.float64).reshape(-1, self.n_inputs)
        out = []
        for b in self.clients:
            g = U[:, b.grid_plus] - (U[:, b.grid_minus] if b.grid_minus >= 0 else 0.0)
            out.append(np.column_stack([g, U[:, list(b.inputs)]]))
        return out

    def client_grid_kwh(self, U: np.ndarray) -> FloatArray:
        """Grid energy per client and unit, ``(C, N)`` kWh (consumption positive)."""
        ins = self.client_inputs(U)
        if not ins:
            return np.zeros((0, np.asarray(U).reshape(-1, self.n_inputs).shape[0]))
        return np.asarray([u[:, 0] for u in ins], dtype=np.float64)


def combine_home(
    clients: Sequence[tuple[str, Plant]], *, unit_minutes: float, name: str = "home"
) -> HomePlant:
    """The home plant of a base load, PV and the controllable ``clients`` (module docstring).

    Args:
        clients: ``(label, plant)`` per controllable client, in home order; every
            plant's input 0 is its market input (grid energy, kWh) and they share
            one unit length.
        unit_minutes: Market unit length, minutes (the dummy state's ``dt`` and a check).
        name: The plant's name.

    Returns:
        The combined plant. Its exogenous data columns are ``[x, then every client's
        exogenous inputs in client order]``; its request columns every client's
        tracked outputs in client order.

    Raises:
        ValueError: If the clients' unit lengths differ from ``unit_minutes`` or a
            client that can deliver energy has a finite ramp on its market input.
    """
    dt = unit_minutes / 60.0
    for label, p in clients:
        if not np.isclose(p.dt, dt, rtol=1e-12):
            raise ValueError(f"client {label!r} has dt = {p.dt} h but the home's unit is {dt} h")
    n = sum(p.n_states for _, p in clients) or 1
    p_out = sum(p.n_outputs for _, p in clients) + 1
    # Per home input: (role, cost, cost kind, lower, upper, ramp, name, unit).
    inputs: list[tuple[InputRole, float, CostKind | None, float, float, float, str, str]] = [
        (InputRole.MARKET, 0.0, None, -_INF, _INF, _INF, "market_energy", "kWh"),
        (InputRole.EXOGENOUS, 0.0, None, -_INF, _INF, _INF, "net_load", "kWh"),
    ]
    # Columns of B and D per home input, filled client by client.
    bcols: list[np.ndarray] = [np.zeros(n), np.zeros(n)]
    dcols: list[np.ndarray] = [np.zeros(p_out), np.zeros(p_out)]
    balance = p_out - 1
    dcols[0][balance] = 1.0
    dcols[1][balance] = -1.0
    A = np.zeros((n, n))
    C = np.zeros((p_out, n))
    oroles: list[OutputRole] = []
    vmin: list[float] = []
    vmax: list[float] = []
    onames: list[str] = []
    ounits: list[str] = []
    snames: list[str] = []
    sunits: list[str] = []
    stored: list[float] = []
    blocks: list[ClientBlock] = []
    s0 = o0 = 0
    n_exo = 1  # column 0 of the exogenous data is x
    n_req = 0
    for label, p in clients:
        ss = p.model
        st = tuple(range(s0, s0 + p.n_states))
        ou = tuple(range(o0, o0 + p.n_outputs))
        A[np.ix_(st, st)] = ss.A
        C[np.ix_(ou, st)] = ss.C

        def add(col_b: np.ndarray, col_d: np.ndarray, st=st, ou=ou) -> int:
            b = np.zeros(n)
            b[list(st)] = col_b
            d = np.zeros(p_out)
            d[list(ou)] = col_d
            bcols.append(b)
            dcols.append(d)
            return len(bcols) - 1

        g_lo, g_hi = float(p.u_min[0]), float(p.u_max[0])
        two_way = g_lo < 0.0
        if two_way and np.isfinite(p.u_delta[0]):
            raise ValueError(f"client {label!r}: a ramp on a two-way grid input is unsupported")
        plus = add(ss.B[:, 0], ss.D[:, 0])
        dcols[plus][balance] = -1.0
        ramp_in = _INF if two_way else float(p.u_delta[0])
        inputs.append((InputRole.COSTLY, 0.0, CostKind.TRANSFER, 0.0, max(g_hi, 0.0), ramp_in,
                       f"{label}.grid_energy_in", "kWh"))  # fmt: skip
        minus = -1
        if two_way:
            minus = add(-ss.B[:, 0], -ss.D[:, 0])
            dcols[minus][balance] = 1.0
            inputs.append((InputRole.COSTLY, 0.0, CostKind.TRANSFER, 0.0, -g_lo, _INF,
                           f"{label}.grid_energy_out", "kWh"))  # fmt: skip
        other: list[int] = []
        exo_cols: list[int] = []
        for i in range(1, p.n_inputs):
            other.append(add(ss.B[:, i], ss.D[:, i]))
            inputs.append((p.input_roles[i], float(p.input_cost[i]), p.cost_kinds[i],
                           float(p.u_min[i]), float(p.u_max[i]), float(p.u_delta[i]),
                           f"{label}.{p.input_names[i]}", p.input_units[i]))  # fmt: skip
            if p.input_roles[i] is InputRole.EXOGENOUS:
                exo_cols.append(n_exo)
                n_exo += 1
        nt = len(p.tracked_outputs)
        blocks.append(
            ClientBlock(
                name=label,
                plant=p,
                grid_plus=plus,
                grid_minus=minus,
                inputs=tuple(other),
                states=st,
                outputs=ou,
                exogenous=tuple(exo_cols),
                tracked=tuple(range(n_req, n_req + nt)),
            )
        )
        n_req += nt
        oroles += list(p.output_roles)
        vmin += [float(v) for v in p.v_min]
        vmax += [float(v) for v in p.v_max]
        onames += [f"{label}.{x}" for x in p.output_names]
        ounits += list(p.output_units)
        snames += [f"{label}.{x}" for x in p.state_names]
        sunits += list(p.state_units)
        stored += [float(x) for x in p.stored_energy]
        s0 += p.n_states
        o0 += p.n_outputs
    if not clients:
        snames, sunits, stored = ["dummy"], [""], [0.0]
    oroles.append(OutputRole.BALANCE)
    vmin.append(0.0)
    vmax.append(0.0)
    onames.append("energy_balance")
    ounits.append("kWh")
    B = np.column_stack(bcols)
    D = np.column_stack(dcols)
    roles, cost, kinds, lo, hi, ramp, names, units = zip(*inputs, strict=True)
    return HomePlant(
        name=name,
        model=StateSpace(A, B, C, D, dt),
        input_roles=roles,
        output_roles=tuple(oroles),
        input_cost=np.asarray(cost),
        u_min=np.asarray(lo),
        u_max=np.asarray(hi),
        u_delta=np.asarray(ramp),
        v_min=np.asarray(vmin),
        v_max=np.asarray(vmax),
        cost_kinds=kinds,
        stored_energy=np.asarray(stored),
        input_names=names,
        input_units=units,
        output_names=tuple(onames),
        output_units=tuple(ounits),
        state_names=tuple(snames),
        state_units=tuple(sunits),
        clients=tuple(blocks),
    )
