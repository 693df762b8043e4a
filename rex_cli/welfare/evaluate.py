"""Welfare of a simulated world: Rex, the baselines, the per-agent account, the summary.

:func:`evaluate_world` takes the world the run simulated (its plants with their data,
their committed decisions, the realisations, the forecasts and the settlement) and
scores, with the one account of :mod:`rex_cli.welfare.accounting`:

* ``rex``: the market run's physical outcome (each plant re-simulated from its
  committed decision inputs, the uncontrollable net from the realisations);
* ``no_market``: :func:`rex_cli.welfare.no_market.no_market_baseline`;
* ``planner``: the perfect-foresight planner (:func:`rex_cli.welfare.planner.solve_planner`);
* ``same_info``: the same-information planner (:mod:`rex_cli.welfare.same_info`).

It returns a table with one row per scenario and Rex's per-agent account (each
plant's fuel, wear, comfort and storage cost, and every agent's share of the backup
and unserved cost), whose columns add up to Rex's row. :func:`welfare_summary`
turns the scenario table into the ``summary.json`` entries (pure: table -> dict), so
``rex report`` re-derives them from the saved table.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rex_cli.agents.home import HomeCoordinator
from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.records.tables import WELFARE_AGENT_COLUMNS
from rex_cli.scenario.world import World
from rex_cli.welfare.accounting import (
    COST_TERMS,
    WelfareBreakdown,
    WelfareCosts,
    account,
    feasibility_violation,
    simulate_outcome,
)
from rex_cli.welfare.clients import client_energy_kwh, client_welfare
from rex_cli.welfare.no_market import no_market_baseline
from rex_cli.welfare.planner import solve_planner
from rex_cli.welfare.same_info import forecasts_in_force, same_info_planner, window_units

__all__ = [
    "AGENT_COLUMNS",
    "BaselineOptions",
    "WelfareEvaluation",
    "allocate",
    "evaluate_world",
    "welfare_summary",
]

# Rex's per-agent welfare account (records/welfare_agents.parquet), currency.
AGENT_COLUMNS = WELFARE_AGENT_COLUMNS


@dataclass(frozen=True, kw_only=True)
class BaselineOptions:
    """Which baselines to score and how.

    Attributes:
        enabled: Score the no-market baseline and the perfect-foresight planner.
        same_info: Also score the same-information planner (needs ``enabled``).
        lead_minutes: Its decision lead ``L`` before each unit's delivery, minutes.
        tariff: The no-market flat tariff (cash only), currency/kWh; None = backup cost.
        efficiency_min_share: Efficiencies are reported only when their denominator
            is at least this share of the no-market baseline's resource costs.
    """

    enabled: bool = True
    same_info: bool = True
    lead_minutes: float = 15.0
    tariff: float | None = None
    efficiency_min_share: float = 0.05


@dataclass(frozen=True, kw_only=True, eq=False)
class WelfareEvaluation:
    """What :func:`evaluate_world` returns.

    Attributes:
        table: One row per scenario: ``scenario``, ``status``, the breakdown's fields,
            ``constraint_violation`` (plants' model, 0 = feasible), ``first_unit``.
        agents: Rex's per-agent account: ``agent`` and :data:`AGENT_COLUMNS`.
        seconds: Wall time per scenario, s.
        clients: Rex's per-client account of the homes: ``agent``, ``client`` and
            :data:`AGENT_COLUMNS` (:mod:`rex_cli.welfare.clients`); each home's clients
            add up to its row of ``agents``. None without homes.
    """

    table: pd.DataFrame
    agents: pd.DataFrame
    seconds: dict[str, float]
    clients: pd.DataFrame | None = None


def allocate(cost_per_unit: np.ndarray, short: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Split each unit's system cost over agents; the shares add up to the cost exactly.

    In each unit the cost goes to the agents short in it (settlement imbalance > 0),
    pro rata to their shortfall; in a unit where nobody is short (the physical need
    and the settled positions differ by rounding) to the agents drawing energy, pro
    rata to their draw.

    Args:
        cost_per_unit: System cost per unit, currency, (N,).
        short: Shortfall per agent and unit, >= 0, (A, N).
        draw: Energy drawn per agent and unit, >= 0, (A, N).

    Returns:
        Share per agent and unit, (A, N); columns sum to ``cost_per_unit`` wherever
        some agent is short or draws energy.
    """
    s_tot = short.sum(axis=0)
    d_tot = draw.sum(axis=0)
    weights = np.where(
        s_tot > 0,
        short / np.where(s_tot > 0, s_tot, 1.0),
        draw / np.where(d_tot > 0, d_tot, 1.0),
    )
    return np.asarray(weights * cost_per_unit, dtype=np.float64)


def _row(scenario: str, status: str, w: WelfareBreakdown, violation: float, first: int) -> dict:
    return {
        "scenario": scenario,
        "status": status,
        **w.as_dict(),
        "constraint_violation": float(violation),
        "first_unit": int(first),
    }


def evaluate_world(
    world: World,
    costs: WelfareCosts,
    *,
    baselines: BaselineOptions | None = None,
    first_unit: int = 0,
) -> WelfareEvaluation:
    """Score the simulated world and its baselines (see the module docstring).

    Args:
        world: The world after ``run()``.
        costs: Resource prices.
        baselines: Which baselines; None = Rex only.
        first_unit: First unit scored (``analysis.warmup_units``).

    Returns:
        The scenario table, Rex's per-agent account and the wall times.
    """
    N, lot = world.n_units, world.lot_kwh
    f = min(int(first_unit), N - 1)
    plants = [c for c in world.coordinators if isinstance(c, PlantCoordinator)]
    plant_ids = {c.agent_id for c in plants}
    unc = [a.agent_id for a in world.agents if a.agent_id not in plant_ids]
    real_lots = np.asarray(world.realised_lots[unc], dtype=np.int64)
    net = real_lots.sum(axis=0).astype(np.float64) * lot
    specs = [(c.plant, c.data) for c in plants]
    decisions = []
    for c in plants:
        if len(c.committed) == N:  # the decision inputs committed at each gate closure
            decisions.append(np.vstack([c.committed[j] for j in range(N)]))
            continue
        t = c.trajectory
        md = len(c.plant.decision_inputs)
        cols = [t["input_market_kwh"], t["input_other"], t["input_other2"]][:md]
        order = np.argsort(np.asarray(t["target_unit"]), kind="stable")
        decisions.append(np.column_stack([np.asarray(x, dtype=float)[order] for x in cols]))
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    outcome, _ = simulate_outcome(net, specs, decisions)
    acc = account(outcome, specs, costs)
    rex = acc.breakdown(f)
    rows = [_row("rex", "simulated", rex, feasibility_violation(outcome, specs), f)]
    seconds["rex"] = time.perf_counter() - t0

    # Rex's per-agent account.
    A = len(world.agents)
    s = world.settlement
    imb = np.zeros((A, N))
    imb[np.asarray(s["agent"]), np.asarray(s["target_unit"])] = np.asarray(
        s["imbalance_lots"], dtype=float
    )
    draw = np.zeros((A, N))
    draw[unc] = np.maximum(real_lots * lot, 0.0)
    for c, u in zip(plants, outcome.inputs, strict=True):
        draw[c.agent_id] = np.maximum(u[:, 0], 0.0)
    weights_short = np.maximum(imb, 0.0)
    backup = allocate(costs.backup_cost * acc.backup_kwh, weights_short, draw)
    unserved = allocate(costs.value_of_lost_load * acc.unserved_kwh, weights_short, draw)
    agents = pd.DataFrame({"agent": [a.agent_id for a in world.agents]})
    for col in AGENT_COLUMNS:
        agents[col] = 0.0
    per_plant = acc.plant_costs(f)
    ids = [c.agent_id for c in plants]
    for key, values in per_plant.items():
        agents.loc[ids, key] = values
    agents["backup_cost_share"] = backup[:, f:].sum(axis=1)
    agents["unserved_cost_share"] = unserved[:, f:].sum(axis=1)
    clients = None
    homes = [
        (c, u)
        for c, u in zip(plants, outcome.inputs, strict=True)
        if isinstance(c, HomeCoordinator)
    ]
    if homes:
        parts = []
        for c, u in homes:
            energy = client_energy_kwh(c.home, u, c.base_load_kwh, c.pv_kwh, "pv" in c.clients)
            part = client_welfare(
                c.home, c.data, u, energy, c.clients, costs,
                backup[c.agent_id], unserved[c.agent_id], f,
            )  # fmt: skip
            part.insert(0, "agent", c.agent_id)
            parts.append(part)
        clients = pd.concat(parts, ignore_index=True)

    if baselines is not None and baselines.enabled:
        t0 = time.perf_counter()
        nm = no_market_baseline(net, specs, costs, N, tariff=baselines.tariff, first_unit=f)
        rows.append(_row("no_market", "rule", nm.welfare, 0.0, f))
        seconds["no_market"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pl = solve_planner(net, specs, costs, N, first_unit=f)
        viol = feasibility_violation(pl.outcome, specs) if pl.outcome is not None else math.nan
        rows.append(_row("planner", pl.status.value, pl.welfare, viol, f))
        seconds["planner"] = time.perf_counter() - t0
        if baselines.same_info and world.forecasts is not None:
            t0 = time.perf_counter()
            K = window_units(world.horizon_units, world.unit_minutes, baselines.lead_minutes)
            fc = forecasts_in_force(
                world.forecasts,
                lot_kwh=lot,
                lead_minutes=baselines.lead_minutes,
                n_units=N,
                window=K,
            )
            si = same_info_planner(fc, net, specs, costs, first_unit=f)
            viol = feasibility_violation(si.outcome, specs) if si.outcome is not None else math.nan
            rows.append(_row("same_info", si.status.value, si.welfare, viol, f))
            seconds["same_info"] = time.perf_counter() - t0
    return WelfareEvaluation(
        table=pd.DataFrame(rows), agents=agents, seconds=seconds, clients=clients
    )


def _value(table: pd.DataFrame, scenario: str, ok: tuple[str, ...]) -> float | None:
    rows = table[table["scenario"] == scenario]
    if not len(rows) or str(rows["status"].iloc[0]) not in ok:
        return None
    v = float(rows["total"].iloc[0])
    return None if math.isnan(v) else v


def welfare_summary(table: pd.DataFrame, *, efficiency_min_share: float) -> dict[str, Any]:
    """The ``summary.json`` entries of a scenario table (see :func:`evaluate_world`).

    Welfare per scenario (``welfare_rex``, ``welfare_no_market``, ``welfare_planner``,
    ``welfare_same_info``), Rex's costs by kind (``welfare_rex_<term>``) and physical
    energies (``backup_kwh_physical``, ``spilled_kwh_physical``,
    ``unserved_kwh_physical``, ``stored_change_kwh_physical``), and:

    * ``efficiency = (rex − no market)/(planner − no market)``;
    * ``efficiency_same_info = (rex − no market)/(same-info − no market)``;
    * ``information_loss = planner − same-info`` and ``strategy_loss = same-info −
      rex`` (currency; they add up to ``planner − rex``).

    An efficiency is null, and ``efficiency_note`` says why, when its baseline failed
    or its denominator is below ``efficiency_min_share`` × the no-market baseline's
    resource costs (``−welfare_no_market``), or is not positive: a ratio of two
    small differences would mislead. The currency gaps are still reported.
    """
    out: dict[str, Any] = {}
    rex_rows = table[table["scenario"] == "rex"]
    if not len(rex_rows):
        return out
    r = rex_rows.iloc[0]
    rex = float(r["total"])
    out["welfare_rex"] = rex
    for term in COST_TERMS:
        if term in r:
            out[f"welfare_rex_{term}"] = float(r[term])
    for name, col in (
        ("backup_kwh_physical", "backup_kwh"),
        ("spilled_kwh_physical", "spilled_kwh"),
        ("unserved_kwh_physical", "unserved_kwh"),
        ("stored_change_kwh_physical", "stored_change_kwh"),
    ):
        if col in r:
            out[name] = float(r[col])
    out["plant_constraint_violation"] = float(r.get("constraint_violation", math.nan))
    if "first_unit" in r:
        out["welfare_first_unit"] = int(r["first_unit"])
    statuses = dict(zip(table["scenario"], table["status"].astype(str), strict=True))
    if "no_market" not in statuses:
        return out
    nm = _value(table, "no_market", ("rule",))
    planner = _value(table, "planner", ("optimal",))
    out["welfare_no_market"] = nm
    out["welfare_planner"] = planner
    out["planner_status"] = statuses.get("planner")
    same = None
    if "same_info" in statuses:
        same = _value(table, "same_info", ("optimal",))
        out["welfare_same_info"] = same
        out["same_info_status"] = statuses["same_info"]
    notes = []

    def ratio(top: float | None, name: str) -> float | None:
        if top is None or nm is None:
            notes.append(f"efficiency{name}: baseline not available")
            return None
        gap = top - nm
        floor = efficiency_min_share * max(-nm, 0.0)
        if not gap > 0.0 or gap < floor:
            notes.append(
                f"efficiency{name}: denominator {gap:.4g} is below {efficiency_min_share:g} "
                f"of the no-market resource costs ({-nm:.4g})"
            )
            return None
        return (rex - nm) / gap

    out["efficiency"] = ratio(planner, "")
    if "same_info" in statuses:
        out["efficiency_same_info"] = ratio(same, "_same_info")
        out["information_loss"] = None if planner is None or same is None else planner - same
        out["strategy_loss"] = None if same is None else same - rex
    out["efficiency_note"] = "; ".join(notes) if notes else None
    return out
