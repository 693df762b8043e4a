"""Record tables: column buffers -> typed pandas tables -> parquet files.

Sign conventions, stated once for every table:

* ``position`` = energy bought − energy sold for a target unit (lots or kWh);
* ``realised`` = energy consumed − energy produced during the unit;
* ``imbalance`` = realised − position: > 0 is a shortfall (the participant used more
  than it reserved, or delivered less than it sold), < 0 a surplus;
* ``imbalance_payment`` > 0: the participant pays the system operator;
* ``trade_cash`` > 0: the participant received money from trades (net seller);
* ``side``/``aggressor``: +1 buy, −1 sell, 0 not applicable;
* times are minutes from midnight of delivery day 0 (negative before it); unit ``j``
  is delivered during ``[j·ε, (j+1)·ε)`` and its gate closes at ``j·ε``;
  ``lead_time_min`` = gate closure − time.

Prices are given both in integer ticks (exact) and in currency/kWh; quantities in
integer lots (exact) and in kWh.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CLIENT_COLUMNS",
    "PLANT_COLUMNS",
    "WELFARE_AGENT_COLUMNS",
    "auctions_table",
    "clients_table",
    "gate_table",
    "order_events_table",
    "plants_table",
    "quotes_table",
    "read_table",
    "settlement_table",
    "trades_table",
    "write_table",
]


# Rex's per-agent welfare account (records/welfare_agents.parquet, joined into
# records/agents.parquet), currency; each column adds up to Rex's total of its kind.
WELFARE_AGENT_COLUMNS = (
    "fuel_cost",
    "degradation_cost",
    "comfort_cost",
    "storage_cost",
    "backup_cost_share",
    "unserved_cost_share",
)


def _frame(columns: Mapping[str, list], dtypes: Mapping[str, str]) -> pd.DataFrame:
    data = {k: np.asarray(columns[k], dtype=dtypes[k]) for k in dtypes if k in columns}
    return pd.DataFrame(data)


def trades_table(cols: Mapping[str, list], *, tick: float, lot_kwh: float, unit_minutes: float):
    """Trades: one row per fill, in execution order."""
    df = _frame(
        cols,
        {
            "time": "float64",
            "target_unit": "int64",
            "price_ticks": "int64",
            "qty_lots": "int64",
            "buyer": "int64",
            "seller": "int64",
            "maker_id": "int64",
            "taker_id": "int64",
            "aggressor": "int8",
            "auction": "bool",
        },
    ).rename(columns={"time": "time_min"})
    df["price"] = df["price_ticks"] * tick
    df["qty_kwh"] = df["qty_lots"] * lot_kwh
    df["lead_time_min"] = df["target_unit"] * unit_minutes - df["time_min"]
    return df


def order_events_table(cols: Mapping[str, list]) -> pd.DataFrame:
    """Order events: every submission, fill (maker side), cancel, shrink, expiry, rejection."""
    df = _frame(
        cols,
        {
            "time": "float64",
            "event": "str",
            "order_id": "int64",
            "owner": "int64",
            "target_unit": "int64",
            "side": "int8",
            "price_ticks": "int64",
            "qty_lots": "int64",
            "reason": "str",
        },
    ).rename(columns={"time": "time_min"})
    df["event"] = df["event"].astype("category")
    return df


def quotes_table(cols: Mapping[str, list]) -> pd.DataFrame:
    """Top of book after every change: best bid/ask (−1 = empty side) and their sizes."""
    return _frame(
        cols,
        {
            "time": "float64",
            "target_unit": "int64",
            "bid_ticks": "int64",
            "ask_ticks": "int64",
            "bid_lots": "int64",
            "ask_lots": "int64",
        },
    ).rename(columns={"time": "time_min"})


def gate_table(cols: Mapping[str, list]) -> pd.DataFrame:
    """Per target unit at gate closure: resting depth, expiries, opening-auction result."""
    return _frame(
        cols,
        {
            "target_unit": "int64",
            "time": "float64",
            "bid_depth_lots": "int64",
            "ask_depth_lots": "int64",
            "expired_orders": "int64",
            "auction_price_ticks": "int64",
            "auction_lots": "int64",
        },
    ).rename(columns={"time": "time_min"})


def auctions_table(cols: Mapping[str, list], *, tick: float, lot_kwh: float) -> pd.DataFrame:
    """One row per auction that traded (opening, periodic call or day-ahead).

    Columns: unit, time, kind, clearing price, volume, and the demand and supply at
    that price (currency/kWh and kWh), plus the number of orders in the call.
    """
    df = _frame(
        cols,
        {
            "target_unit": "int64",
            "time": "float64",
            "kind": "object",
            "price_ticks": "int64",
            "volume_lots": "int64",
            "demand_lots": "int64",
            "supply_lots": "int64",
            "orders": "int64",
        },
    ).rename(columns={"time": "time_min"})
    df["price"] = df["price_ticks"] * tick
    df["volume_kwh"] = df["volume_lots"] * lot_kwh
    df["demand_kwh"] = df["demand_lots"] * lot_kwh
    df["supply_kwh"] = df["supply_lots"] * lot_kwh
    return df


def settlement_table(cols: Mapping[str, list], *, lot_kwh: float) -> pd.DataFrame:
    """Per agent and delivered unit: final position, realised energy, imbalance, payment."""
    df = _frame(
        cols,
        {
            "agent": "int64",
            "target_unit": "int64",
            "position_lots": "int64",
            "realised_lots": "int64",
            "imbalance_lots": "int64",
            "imbalance_payment": "float64",
        },
    )
    for name in ("position", "realised", "imbalance"):
        df[f"{name}_kwh"] = df[f"{name}_lots"] * lot_kwh
    return df


PLANT_COLUMNS = (
    "agent",
    "target_unit",
    "state",
    "input_market_kwh",
    "input_other",
    "input_other2",
    "output",
    "request",
    "lambda",
    "planned",
)


def plants_table(
    cols: Mapping[str, list], exchange: Any, *, lot_kwh: float, unit_minutes: float
) -> pd.DataFrame:
    """Controllable plants per delivered unit, as committed at gate closure.

    Columns: ``time_min`` (start of the unit), ``state`` (first state at the start
    of the unit: indoor °C, state of charge kWh, previous generation kWh),
    ``input_market_kwh`` (u*, energy drawn from the grid, − = delivered),
    ``input_other`` (first non-market decision input: charge kWh, generation kWh),
    ``input_other2`` (second one: discharge kWh), ``output`` (first output: indoor °C
    at the end of the unit), ``request`` (setpoint), ``lambda`` (cost of flexibility
    of the last plan, currency/kWh), ``planned`` (False: the fallback input was used),
    ``position_kwh``.
    """
    df = _frame(
        cols,
        {
            "agent": "int64",
            "target_unit": "int64",
            "state": "float64",
            "input_market_kwh": "float64",
            "input_other": "float64",
            "input_other2": "float64",
            "output": "float64",
            "request": "float64",
            "lambda": "float64",
            "planned": "bool",
        },
    )
    df.insert(2, "time_min", df["target_unit"] * unit_minutes)
    df["position_kwh"] = [
        exchange.position(a, u) * lot_kwh
        for a, u in zip(df["agent"].tolist(), df["target_unit"].tolist(), strict=True)
    ]
    return df


CLIENT_COLUMNS = ("agent", "client", "target_unit", "energy_kwh")


def clients_table(cols: Mapping[str, list], *, unit_minutes: float) -> pd.DataFrame:
    """The clients of every home per delivered unit (docs/model.md: homes).

    Columns: ``agent`` (the home), ``client`` (``base_load``, ``pv``, ``heat_pump``,
    ``battery``, ``ev``), ``target_unit``, ``time_min`` (start of the unit) and
    ``energy_kwh``, the client's grid energy in the unit (consumption positive: the
    base load; minus the PV generation; a controllable client's committed grid
    energy). Per home and unit the clients add up to the home's market input ``u*``
    (its realised energy before rounding to lots).
    """
    df = _frame(
        cols,
        {"agent": "int64", "client": "str", "target_unit": "int64", "energy_kwh": "float64"},
    )
    df.insert(3, "time_min", df["target_unit"] * unit_minutes)
    return df


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write a table to parquet atomically (a temporary file renamed into place).

    On failure (e.g. a full disk) the temporary file is removed and the error raised.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        df.to_parquet(tmp, index=False, engine="pyarrow")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_table(run_dir: Path, name: str) -> pd.DataFrame:
    """Read ``records/<name>.parquet`` of a run folder."""
    path = Path(run_dir) / "records" / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such table (was the run complete?)")
    return pd.read_parquet(path, engine="pyarrow")
