"""Price statistics per target unit, from the record tables only (pure: table -> table)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rex_cli.sim import portable

__all__ = ["time_weighted_spread", "unit_stats"]


def time_weighted_spread(quotes: pd.DataFrame, gate: pd.DataFrame, *, tick: float) -> pd.Series:
    """Time-weighted mean bid-ask spread per target unit, currency/kWh.

    The top of book is a step function of time (a row of ``quotes`` holds until the
    next row of the same unit, the last one until gate closure). Only the time during
    which both sides are present counts; units that never had both sides get NaN.

    Args:
        quotes: The ``quotes`` table.
        gate: The ``gate`` table (gate-closure time per unit).
        tick: currency/kWh per tick.

    Returns:
        A series indexed by ``target_unit``.
    """
    if quotes.empty:
        return pd.Series(dtype="float64", name="spread_twa")
    q = quotes.sort_values(["target_unit", "time_min"], kind="stable")
    close = gate.set_index("target_unit")["time_min"]
    nxt = q.groupby("target_unit")["time_min"].shift(-1)
    end = q["target_unit"].map(close)
    nxt = nxt.fillna(end)
    dur = (nxt - q["time_min"]).clip(lower=0.0)
    both = (q["bid_ticks"] > 0) & (q["ask_ticks"] > 0)
    spread = (q["ask_ticks"] - q["bid_ticks"]) * tick
    w = dur.where(both, 0.0)
    num = (spread.where(both, 0.0) * w).groupby(q["target_unit"]).sum()
    den = w.groupby(q["target_unit"]).sum()
    out = num / den.replace(0.0, np.nan)
    out.name = "spread_twa"
    return out


def unit_stats(
    trades: pd.DataFrame,
    quotes: pd.DataFrame,
    gate: pd.DataFrame,
    unit_prices: pd.DataFrame,
    settlement: pd.DataFrame,
    *,
    tick: float,
    lot_kwh: float,
) -> pd.DataFrame:
    """Per delivered target unit: prices, volume, spread, depth, volatility, imbalance.

    Columns: ``vwap``, ``first_price``, ``last_price``, ``high``, ``low`` (currency/kWh),
    ``volume_kwh``, ``trades``, ``auction_price``, ``auction_kwh``, ``spread_twa``,
    ``bid_depth_kwh``/``ask_depth_kwh`` at gate closure, ``volatility`` (std of log
    price changes between consecutive trades), ``short_price``, ``long_price``,
    ``system_imbalance_kwh`` and ``abs_imbalance_kwh`` (Σ over agents of |x − y|).
    """
    units = unit_prices[["target_unit", "short_price", "long_price"]].copy()
    units["system_imbalance_kwh"] = unit_prices["system_imbalance_lots"] * lot_kwh
    if not trades.empty:
        t = trades.sort_values(["target_unit", "time_min"], kind="stable")
        g = t.groupby("target_unit")
        value = (t["price"] * t["qty_kwh"]).groupby(t["target_unit"]).sum()
        vol = g["qty_kwh"].sum()
        logp = portable.log(t["price"].to_numpy())
        dlog = pd.Series(logp, index=t.index).groupby(t["target_unit"]).diff()
        per = pd.DataFrame(
            {
                "vwap": value / vol,
                "first_price": g["price"].first(),
                "last_price": g["price"].last(),
                "high": g["price"].max(),
                "low": g["price"].min(),
                "volume_kwh": vol,
                "trades": g.size(),
                "volatility": dlog.groupby(t["target_unit"]).std(ddof=1),
            }
        )
    else:
        per = pd.DataFrame(
            columns=["vwap", "first_price", "last_price", "high", "low", "volume_kwh",
                     "trades", "volatility"],
            index=pd.Index([], name="target_unit", dtype="int64"),
        )  # fmt: skip
    units = units.merge(per, left_on="target_unit", right_index=True, how="left")
    units["volume_kwh"] = units["volume_kwh"].fillna(0.0)
    units["trades"] = units["trades"].fillna(0).astype("int64")
    spread = time_weighted_spread(quotes, gate, tick=tick)
    units = units.merge(spread, left_on="target_unit", right_index=True, how="left")
    gt = gate.set_index("target_unit")
    units["bid_depth_kwh"] = units["target_unit"].map(gt["bid_depth_lots"]) * lot_kwh
    units["ask_depth_kwh"] = units["target_unit"].map(gt["ask_depth_lots"]) * lot_kwh
    ap = units["target_unit"].map(gt["auction_price_ticks"])
    units["auction_price"] = (ap * tick).where(ap > 0)
    units["auction_kwh"] = units["target_unit"].map(gt["auction_lots"]) * lot_kwh
    absimb = settlement["imbalance_kwh"].abs().groupby(settlement["target_unit"]).sum()
    units["abs_imbalance_kwh"] = units["target_unit"].map(absimb).fillna(0.0)
    return units.reset_index(drop=True)


def term_structure(trades: pd.DataFrame, *, unit_minutes: float) -> pd.DataFrame:
    """Prices by lead time: the market's term structure, pooled over target units.

    Trades are bucketed by lead time in whole units (bucket ``b`` holds lead times in
    ``((b−1)ε, bε]``).

    Returns:
        One row per bucket: ``lead_units``, ``vwap``, ``mean_price``, ``price_std``,
        ``volume_kwh``, ``trades`` (currency/kWh and kWh), sorted by lead time.
    """
    cols = ["lead_units", "vwap", "mean_price", "price_std", "volume_kwh", "trades"]
    if trades.empty:
        return pd.DataFrame(columns=cols)
    bucket = np.ceil(trades["lead_time_min"].to_numpy() / unit_minutes).astype(np.int64)
    t = trades.assign(lead_units=bucket, value=trades["price"] * trades["qty_kwh"])
    g = t.groupby("lead_units")
    out = pd.DataFrame(
        {
            "vwap": g["value"].sum() / g["qty_kwh"].sum(),
            "mean_price": g["price"].mean(),
            "price_std": g["price"].std(ddof=1),
            "volume_kwh": g["qty_kwh"].sum(),
            "trades": g.size(),
        }
    ).reset_index()
    return out[cols]


def imbalance_vs_forecast_error(
    forecasts: pd.DataFrame, settlement: pd.DataFrame, *, lead_min: float
) -> pd.DataFrame:
    """Per uncontrollable client and unit: forecast error at ``lead_min`` vs imbalance.

    The forecast error is the forecast in force ``lead_min`` before gate closure minus
    the realisation (kWh); the imbalance is realised − final position (kWh).

    Returns:
        ``agent``, ``target_unit``, ``forecast_error_kwh``, ``imbalance_kwh``.
    """
    cols = ["agent", "target_unit", "forecast_error_kwh", "imbalance_kwh"]
    if forecasts.empty:
        return pd.DataFrame(columns=cols)
    f = forecasts[forecasts["lead_time_min"] >= lead_min].sort_values(
        ["agent", "target_unit", "time_min"], kind="stable"
    )
    last = f.groupby(["agent", "target_unit"], sort=True).tail(1)
    err = last.assign(forecast_error_kwh=last["forecast_kwh"] - last["realised_kwh"])
    merged = err.merge(settlement, on=["agent", "target_unit"], how="inner")
    return merged[cols].reset_index(drop=True)
