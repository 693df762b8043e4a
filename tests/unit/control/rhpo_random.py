"""Random RHPO instances shared by the control tests (not a test module).

Instances are drawn so that the LP is bounded (short price above the bid, long
price below the ask) and generically non-degenerate (continuous random data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rex_cli.control import TerminalCondition, Weights, WeightShape
from rex_cli.plants import (
    Plant,
    ambient_temperature_profile,
    battery,
    gas_turbine,
    heat_pump_building,
    solar_profile,
    uncontrollable,
)


@dataclass
class Instance:
    plant: Plant
    weights: Weights
    kwargs: dict[str, Any]

    @property
    def kappa(self) -> int:
        return len(self.kwargs["position"])


def random_weights(rng: np.random.Generator, terminal: bool = True) -> Weights:
    term = TerminalCondition.REQUEST if terminal and rng.random() < 0.25 else TerminalCondition.NONE
    return Weights(
        q=float(rng.uniform(0.0, 0.2)),
        o=float(rng.uniform(0.1, 3.0)),
        r=float(rng.uniform(0.5, 2.0)),
        l=float(rng.uniform(0.5, 1.5)),
        shape=WeightShape.LINEAR if rng.random() < 0.7 else WeightShape.FLAT,
        terminal=term,
        terminal_tolerance=float(rng.choice([0.0, 0.5])),
    )


def random_prices(
    rng: np.random.Generator, kappa: int, l_: float, empty_prob: float = 0.15
) -> dict[str, Any]:
    ask = rng.uniform(0.1, 0.5, kappa)
    bid = ask - rng.uniform(0.01, 0.1, kappa)
    ask[rng.random(kappa) < empty_prob] = np.nan
    bid[rng.random(kappa) < empty_prob] = np.nan
    short = rng.uniform(0.6, 1.5, kappa) * max(l_, 1.0)
    long_ = rng.uniform(0.0, 0.04, kappa)
    out: dict[str, Any] = dict(bid=bid, ask=ask, short_price=short, long_price=long_)
    if rng.random() < 0.3:
        out["ask_depth"] = rng.uniform(0.05, 2.0, kappa)
        out["bid_depth"] = rng.uniform(0.05, 2.0, kappa)
    return out


def random_instance(rng: np.random.Generator, kappa: int | None = None) -> Instance:
    K = int(rng.integers(1, 13)) if kappa is None else kappa
    weights = random_weights(rng)
    kind = rng.choice(["building", "battery", "turbine", "uc"], p=[0.4, 0.25, 0.2, 0.15])
    unit_minutes = float(rng.choice([15.0, 30.0, 60.0]))
    kw = random_prices(rng, K, weights.l)
    start = int(rng.integers(0, 96))
    if kind == "building":
        plant = heat_pump_building(
            unit_minutes=unit_minutes,
            cop=float(rng.uniform(2.0, 4.0)),
            p_max_kw=float(rng.uniform(1.5, 4.0)),
            r_ia=float(rng.uniform(3.0, 8.0)),
            c_i=float(rng.uniform(1.0, 4.0)),
            ramp_kw=float(rng.choice([np.inf, rng.uniform(0.5, 2.0)])),
        )
        ex = np.column_stack(
            [
                ambient_temperature_profile(
                    start, K, unit_minutes=unit_minutes, mean_c=float(rng.uniform(-2, 10))
                ),
                solar_profile(start, K, unit_minutes=unit_minutes),
            ]
        )
        req = rng.uniform(19.5, 23.0, K)
        req[rng.random(K) < 0.1] = np.nan
        pmax = plant.u_max[0]
        kw |= dict(
            position=rng.uniform(-0.3, 1.2, K) * pmax,
            request=req,
            w0=[float(rng.uniform(19.5, 23.0))],
            exogenous=ex,
            u_prev=[float(rng.uniform(0, pmax)), 0.0, 0.0],
        )
    elif kind == "battery":
        cap = float(rng.uniform(5.0, 20.0))
        plant = battery(
            unit_minutes=unit_minutes,
            capacity_kwh=cap,
            soc_min_kwh=0.1 * cap,
            soc_max_kwh=0.9 * cap,
            p_charge_max_kw=float(rng.uniform(1.0, 6.0)),
            p_discharge_max_kw=float(rng.uniform(1.0, 6.0)),
            eta_charge=float(rng.uniform(0.85, 1.0)),
            eta_discharge=float(rng.uniform(0.85, 1.0)),
            degradation_cost=float(rng.uniform(0.0, 0.03)),
            self_discharge_per_h=float(rng.choice([0.0, 0.01])),
        )
        kw |= dict(
            position=rng.uniform(-1.0, 1.0, K) * plant.u_max[0],
            request=None,
            w0=[float(rng.uniform(0.15, 0.85) * cap)],
        )
    elif kind == "turbine":
        pmax = float(rng.uniform(20, 200))
        plant = gas_turbine(
            unit_minutes=unit_minutes,
            p_min_kw=float(rng.choice([0.0, 0.2 * pmax])),
            p_max_kw=pmax,
            ramp_kw=float(rng.uniform(0.2, 1.0) * pmax),
            marginal_cost=float(rng.uniform(0.05, 0.4)),
        )
        g_prev = float(rng.uniform(plant.u_min[1], plant.u_max[1]))
        kw |= dict(
            position=-rng.uniform(0.0, 1.0, K) * plant.u_max[1],
            request=None,
            w0=[g_prev],
            u_prev=[-g_prev, g_prev],
        )
    else:
        plant = uncontrollable(unit_minutes=unit_minutes)
        fc = rng.normal(0.0, 2.0, K)
        kw |= dict(
            position=fc + rng.normal(0.0, 1.0, K),
            request=None,
            w0=[0.0],
            exogenous=fc.reshape(-1, 1),
        )
    return Instance(plant, weights, kw)
