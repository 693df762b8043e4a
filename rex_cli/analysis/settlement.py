"""Per-agent settlement and the run's headline summary (pure: tables -> tables/dict)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from rex_cli.records.tables import WELFARE_AGENT_COLUMNS

__all__ = [
    "WELFARE_COLUMNS",
    "agent_stats",
    "conservation",
    "summary",
    "wasted_generation_kwh",
]


# The per-agent welfare columns (one definition, in the records schema).
WELFARE_COLUMNS = WELFARE_AGENT_COLUMNS


def agent_stats(
    agents: pd.DataFrame,
    trades: pd.DataFrame,
    settlement: pd.DataFrame,
    welfare: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per agent: energy traded, trade cash, imbalance, payments and its welfare account.

    Args:
        agents: Static agent info (``agent``, ``kind`` …).
        trades: The ``trades`` table.
        settlement: The ``settlement`` table.
        welfare: Rex's per-agent welfare account (``welfare_agents``: per agent its
            fuel, wear, comfort and storage cost and its shares of the backup and
            unserved cost, from the one welfare function, warm-up cut applied); None
            = zeros.

    Returns:
        ``agents`` plus ``bought_kwh``, ``sold_kwh``, ``trade_cash`` (received − paid),
        ``realised_kwh``, ``short_kwh``, ``long_kwh``, ``imbalance_payment`` (paid to the
        operator), ``generation_kwh`` (settled), ``served_kwh`` (settled energy
        consumed), the welfare columns ``fuel_cost``, ``degradation_cost``,
        ``comfort_cost``, ``storage_cost``, ``backup_cost_share``,
        ``unserved_cost_share`` (each adds up over agents to Rex's total of that
        kind) and ``net_cost`` (what the agent pays in all: − trade_cash +
        imbalance_payment + fuel_cost), currency and kWh.
    """
    out = agents.copy().set_index("agent")
    value = trades["price"] * trades["qty_kwh"]
    bought = trades.groupby("buyer")["qty_kwh"].sum()
    sold = trades.groupby("seller")["qty_kwh"].sum()
    paid = value.groupby(trades["buyer"]).sum()
    received = value.groupby(trades["seller"]).sum()
    idx = out.index
    out["bought_kwh"] = bought.reindex(idx, fill_value=0.0)
    out["sold_kwh"] = sold.reindex(idx, fill_value=0.0)
    out["trade_cash"] = received.reindex(idx, fill_value=0.0) - paid.reindex(idx, fill_value=0.0)
    s = settlement.groupby("agent")
    out["realised_kwh"] = s["realised_kwh"].sum().reindex(idx, fill_value=0.0)
    imb = settlement["imbalance_kwh"]
    out["short_kwh"] = (
        imb.clip(lower=0).groupby(settlement["agent"]).sum().reindex(idx, fill_value=0.0)
    )
    out["long_kwh"] = (
        (-imb).clip(lower=0).groupby(settlement["agent"]).sum().reindex(idx, fill_value=0.0)
    )
    out["imbalance_payment"] = s["imbalance_payment"].sum().reindex(idx, fill_value=0.0)
    gen = (-settlement["realised_kwh"]).clip(lower=0).groupby(settlement["agent"]).sum()
    out["generation_kwh"] = gen.reindex(idx, fill_value=0.0).where(
        out["kind"] == "gas_turbine", 0.0
    )
    out["served_kwh"] = (
        settlement["realised_kwh"].clip(lower=0).groupby(settlement["agent"]).sum()
    ).reindex(idx, fill_value=0.0)
    w = welfare.set_index("agent") if welfare is not None else pd.DataFrame(index=idx)
    for col in WELFARE_COLUMNS:
        out[col] = w[col].reindex(idx, fill_value=0.0) if col in w else 0.0
    out["net_cost"] = -out["trade_cash"] + out["imbalance_payment"] + out["fuel_cost"]
    return out.reset_index()


def conservation(agents: pd.DataFrame, settlement: pd.DataFrame) -> tuple[float, float]:
    """Cash and energy conservation residuals (both 0 for a consistent run).

    Two independent accountings must agree: the exchange's live cash ledger
    (``agents.ledger_cash``, kept trade by trade in integer ticks·lots) and the cash
    recomputed from the ``trades`` table (``agents.trade_cash``).

    Returns:
        ``cash_residual``: |Σ ledger cash over participants| (every payment by a buyer
        is received by a seller) plus Σ |ledger cash − trade-table cash|, currency.
        ``energy_residual_kwh``: Σ over units of |Σ final positions| (every reservation
        bought was sold) plus Σ over rows of |realised − position − imbalance|, kWh.
    """
    ledger = agents["ledger_cash"].astype(float)
    cash_residual = abs(ledger.sum()) + (ledger - agents["trade_cash"]).abs().sum()
    pos = settlement.groupby("target_unit")["position_kwh"].sum().abs().sum()
    bal = (
        (settlement["realised_kwh"] - settlement["position_kwh"] - settlement["imbalance_kwh"])
        .abs()
        .sum()
    )
    return float(cash_residual), float(pos + bal)


def _f(x: Any) -> float | None:
    """A JSON-able float (None for NaN)."""
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def wasted_generation_kwh(
    units: pd.DataFrame, agents: pd.DataFrame, settlement: pd.DataFrame
) -> float:
    """Costly generation in units where the system spilled, kWh.

    Per unit: the generation of agents with a marginal cost (the turbines' realised
    output) that could have been avoided, ``min(costly generation, spilled energy)``
    with spilled = ``max(−system imbalance, 0)``; summed over units. Energy generated
    at a cost while the same amount was thrown away.

    Args:
        units: Per-unit table with ``target_unit`` and ``system_imbalance_kwh``.
        agents: Agent info with ``agent`` and ``marginal_cost``.
        settlement: The ``settlement`` table (``agent``, ``target_unit``, ``realised_kwh``).
    """
    costly = set(agents.loc[agents["marginal_cost"] > 0, "agent"].tolist())
    s = settlement[settlement["agent"].isin(costly)]
    gen = (-s["realised_kwh"]).clip(lower=0).groupby(s["target_unit"]).sum()
    spill = (-units.set_index("target_unit")["system_imbalance_kwh"]).clip(lower=0)
    gen = gen.reindex(spill.index, fill_value=0.0)
    return float(pd.concat([gen, spill], axis=1).min(axis=1).sum())


def summary(
    units: pd.DataFrame,
    agents: pd.DataFrame,
    trades: pd.DataFrame,
    settlement: pd.DataFrame,
    *,
    warmup_units: int = 0,
) -> dict[str, Any]:
    """Headline metrics of a run (JSON-able).

    Conservation residuals cover the whole run; market and imbalance statistics leave
    out the first ``warmup_units`` delivered units. Energies here are settlement
    energies (positions and realisations on the lot grid): ``backup_kwh_settlement``
    and ``spilled_kwh_settlement`` are the system imbalance's short and long sides.
    The physical energies of the welfare account (plants' unrounded inputs) are the
    ``*_kwh_physical`` keys of :func:`rex_cli.welfare.evaluate.welfare_summary`.
    ``fuel_cost`` is the agents' fuel of the welfare account.
    """
    cash_res, energy_res = conservation(agents, settlement)
    first = int(units["target_unit"].min()) + warmup_units if len(units) else 0
    units = units[units["target_unit"] >= first]
    trades = trades[trades["target_unit"] >= first]
    settlement = settlement[settlement["target_unit"] >= first]
    vwap = units["vwap"].dropna()
    sys_imb = units["system_imbalance_kwh"]
    return {
        "n_units": len(units),
        "n_agents": len(agents),
        "trades": len(trades),
        "volume_kwh": _f(trades["qty_kwh"].sum()),
        "vwap_mean": _f(vwap.mean()) if len(vwap) else None,
        "vwap_std": _f(vwap.std(ddof=1)) if len(vwap) > 1 else None,
        "spread_mean": _f(units["spread_twa"].mean()),
        "units_without_trade": int(units["vwap"].isna().sum()),
        "imbalance_kwh": _f(settlement["imbalance_kwh"].abs().sum()),
        "imbalance_short_kwh": _f(settlement["imbalance_kwh"].clip(lower=0).sum()),
        "imbalance_long_kwh": _f((-settlement["imbalance_kwh"]).clip(lower=0).sum()),
        "warmup_units": int(warmup_units),
        "imbalance_cost": _f(settlement["imbalance_payment"].sum()),
        "backup_kwh_settlement": _f(sys_imb.clip(lower=0).sum()),
        "spilled_kwh_settlement": _f((-sys_imb).clip(lower=0).sum()),
        "wasted_generation_kwh": _f(wasted_generation_kwh(units, agents, settlement)),
        "fuel_cost": _f(agents["fuel_cost"].sum()),
        "rhpo_solves": int(agents["rhpo_solves"].sum()),
        "rhpo_solves_per_arrival": rhpo_solves_per_arrival(agents),
        "rhpo_infeasible": int(agents["rhpo_failed"].sum()),
        "cash_residual": cash_res,
        "energy_residual_kwh": energy_res,
    }


def rhpo_solves_per_arrival(agents: pd.DataFrame) -> float | None:
    """LP solves per RHPO arrival: the plan's solve plus one-sided re-solves.

    Over the coordinators that solved an RHPO LP; gate-closure re-dispatches are not
    arrivals and are left out (they are in ``rhpo_solves``). None without any.
    """
    if "rhpo_arrival_solves" not in agents:
        return None
    solves = agents["rhpo_arrival_solves"]
    arrivals = int(agents.loc[solves > 0, "arrivals"].sum())
    return _f(solves.sum() / arrivals) if arrivals else None
