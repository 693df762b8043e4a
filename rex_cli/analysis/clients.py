"""How a home's procurement is shared among its clients (pure: tables -> tables).

The **sharing rule** (docs/model.md: homes). A home's procurement cost of unit ``j`` is
``K_j`` = what it paid for its trades of ``j`` minus what it received, plus its
imbalance payment for ``j`` (currency). Each client ``c`` has a grid energy ``e_cj``
(kWh, consumption positive; records/clients.parquet), and ``Σ_c e_cj`` is the home's
energy ``E_j``. With the unit's reference price ``p_j`` (the VWAP of every trade of
``j``; the mean of its short and long imbalance prices when ``j`` had no trade),
client ``c`` pays::

    s_cj = p_j e_cj + (K_j − p_j E_j) · |e_cj| / Σ_c |e_cj|

(the residual in equal parts when every ``e_cj`` is 0): its energy at the market
price, plus a part of what the home did better or worse than the market (trading
spread, imbalance) pro rata to its gross energy. Consumers pay, PV is paid, and
``Σ_c s_cj = K_j`` exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rex_cli.records.tables import WELFARE_AGENT_COLUMNS

__all__ = ["client_accounts", "client_residuals", "procurement_shares"]


def procurement_shares(
    clients: pd.DataFrame,
    trades: pd.DataFrame,
    settlement: pd.DataFrame,
    unit_prices: pd.DataFrame,
) -> pd.DataFrame:
    """Every client's share of its home's procurement cost per unit (module docstring).

    Returns:
        ``clients`` plus ``reference_price`` (currency/kWh), ``home_cost`` (``K_j``) and
        ``procurement_cost`` (``s_cj``), currency.
    """
    df = clients.copy()
    value = trades["price"] * trades["qty_kwh"]
    vol = trades.groupby("target_unit")["qty_kwh"].sum()
    vwap = value.groupby(trades["target_unit"]).sum() / vol.where(vol > 0)
    up = unit_prices.set_index("target_unit")
    fallback = 0.5 * (up["short_price"] + up["long_price"])
    price = vwap.reindex(fallback.index).fillna(fallback)
    paid = value.groupby([trades["buyer"], trades["target_unit"]]).sum()
    got = value.groupby([trades["seller"], trades["target_unit"]]).sum()
    imb = settlement.set_index(["agent", "target_unit"])["imbalance_payment"]
    key = pd.MultiIndex.from_arrays([df["agent"], df["target_unit"]])
    cost = (
        paid.reindex(key, fill_value=0.0).to_numpy()
        - got.reindex(key, fill_value=0.0).to_numpy()
        + imb.reindex(key, fill_value=0.0).to_numpy()
    )
    p = price.reindex(df["target_unit"]).to_numpy()
    e = df["energy_kwh"].to_numpy()
    grp = [df["agent"], df["target_unit"]]
    home_e = df.groupby(grp)["energy_kwh"].transform("sum").to_numpy()
    gross = np.abs(e)
    home_gross = pd.Series(gross, index=df.index).groupby(grp).transform("sum").to_numpy()
    n = df.groupby(grp)["energy_kwh"].transform("size").to_numpy()
    weight = np.where(home_gross > 0, gross / np.where(home_gross > 0, home_gross, 1.0), 1.0 / n)
    df["reference_price"] = p
    df["home_cost"] = cost
    df["procurement_cost"] = p * e + (cost - p * home_e) * weight
    return df


def client_accounts(shares: pd.DataFrame, welfare: pd.DataFrame | None) -> pd.DataFrame:
    """Per home and client: energy, procurement cost and the welfare account.

    Args:
        shares: :func:`procurement_shares`.
        welfare: ``records/welfare_clients.parquet`` (None = zeros).

    Returns:
        One row per (``agent``, ``client``): ``energy_kwh``, ``procurement_cost`` and
        the welfare columns.
    """
    g = shares.groupby(["agent", "client"], sort=False)
    out = g[["energy_kwh", "procurement_cost"]].sum().reset_index()
    if welfare is not None:
        out = out.merge(welfare, on=["agent", "client"], how="left")
    for col in WELFARE_AGENT_COLUMNS:
        out[col] = out[col].fillna(0.0) if col in out else 0.0
    return out


def client_residuals(accounts: pd.DataFrame, agents: pd.DataFrame) -> dict[str, float]:
    """How far the homes' clients are from adding up to their homes (0 = exactly).

    Returns:
        ``homes_procurement_residual``: the largest |Σ clients' procurement cost − the
        home's (− trade cash + imbalance payment)| over homes, currency;
        ``homes_welfare_residual``: the largest |Σ clients − home| over homes and
        welfare columns, currency; ``homes_energy_residual_kwh``: the largest |Σ
        clients' energy − the home's settled energy| over homes, kWh (≤ half a lot per
        unit: the settlement rounds to lots).
    """
    sums = accounts.groupby("agent").sum(numeric_only=True)
    home = agents.set_index("agent").loc[sums.index]
    proc = (sums["procurement_cost"] - (home["imbalance_payment"] - home["trade_cash"])).abs()
    welfare = max(
        (float((sums[c] - home[c]).abs().max()) for c in WELFARE_AGENT_COLUMNS if c in home),
        default=0.0,
    )
    energy = (sums["energy_kwh"] - home["realised_kwh"]).abs()
    return {
        "homes_procurement_residual": float(proc.max()),
        "homes_welfare_residual": welfare,
        "homes_energy_residual_kwh": float(energy.max()),
    }
