"""How participants bid in the day-ahead auction (docs/model.md: market mechanisms).

Each participant states, per delivery unit of the day, a step curve: limit orders
``(unit, side, price_ticks, qty_lots)``. Every curve is stated in the engine's units.

* **Uncontrollable clients** (households, wind farms) bid their forecast in force at
  the gate at their reservation value: a positive forecast (consumption) is a buy at
  the expected short price, a negative one (production) a sell at the expected long
  price (the values they quote with in the continuous market, docs/model.md: agents).
* **The gas turbine** offers a step at its marginal cost: its capacity for the unit
  (``capacity_kw·ε/60`` kWh, in whole lots) at ``marginal_cost`` (ramp limits are not
  in the offer; re-dispatch at gate closure and imbalance settlement take up what the
  ramps cannot follow).
* **Storage and buildings** state the quantity their RHPO LP plans at each price of a
  grid: for unit ``j`` and grid price ``p``, the LP over the κ units from ``j`` on,
  from the plant's state on a reference path, with unit ``j`` tradable at ``p`` (both
  sides) and every other unit at the expected price ``p_e`` (``stored_energy_value``,
  the marginal source's cost), net quantity ``E⁺ − E⁻`` of unit ``j``. The reference
  path is the rolling plan at ``p_e`` everywhere (each unit's first decision
  committed, the plant advanced). An LP's optimal quantity is non-increasing in its
  own price (optimality at ``p1`` and ``p2`` gives ``(p1 − p2)(q1 − q2) ≤ 0``); the
  curve takes the running minimum over the grid to remove solver tolerance, then
  splits it into bids (where it buys) and asks (where it sells): a buy of
  ``q⁺(p_g) − q⁺(p_{g+1})`` at ``p_g`` and a sell of ``q⁻(p_g) − q⁻(p_{g−1})`` at
  ``p_g``, so at a clearing price ``p`` the plant gets its LP quantity at the nearest
  grid price at or above ``p`` (buying) or at or below it (selling). A plant's bids
  are all below its asks, so its own orders never cross.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.control.rhpo import RhpoResult
from rex_cli.market.orders import Side

__all__ = [
    "AuctionBid",
    "curve_orders",
    "lots_curve",
    "plant_curves",
    "turbine_offer",
    "uncontrollable_bids",
]

AuctionBid = tuple[int, Side, int, int]  # (unit, side, price ticks, qty lots)

# Depth offered to the LP at the expected and grid prices, kWh: unlimited in effect.
_DEPTH_KWH = 1.0e4


def uncontrollable_bids(
    forecast_lots: Sequence[float], units: Sequence[int], values: dict[Side, int]
) -> list[AuctionBid]:
    """A client's forecast per unit at its reservation value (buy if > 0, sell if < 0)."""
    out: list[AuctionBid] = []
    for unit, f in zip(units, forecast_lots, strict=True):
        if not math.isfinite(f) or f == 0:
            continue
        q = round(f)
        if q > 0:
            out.append((unit, Side.BUY, values[Side.BUY], q))
        elif q < 0:
            out.append((unit, Side.SELL, values[Side.SELL], -q))
    return out


def turbine_offer(capacity_lots: int, cost_ticks: int, units: Sequence[int]) -> list[AuctionBid]:
    """One step per unit: the capacity at the marginal cost."""
    if capacity_lots <= 0:
        return []
    return [(unit, Side.SELL, cost_ticks, capacity_lots) for unit in units]


def curve_orders(unit: int, prices: Sequence[int], qty_lots: Sequence[int]) -> list[AuctionBid]:
    """Split a non-increasing net-demand step curve on a price grid into orders.

    Args:
        unit: Delivery unit.
        prices: Ascending grid prices, ticks.
        qty_lots: Net quantity wanted at each grid price (+ buy, − sell), lots,
            non-increasing.
    """
    q = list(qty_lots)
    if any(b > a for a, b in itertools.pairwise(q)):
        raise ValueError("a bid curve must be non-increasing in the price")
    buy = [max(x, 0) for x in q] + [0]
    sell = [0] + [max(-x, 0) for x in q]
    out: list[AuctionBid] = []
    for g, p in enumerate(prices):
        if buy[g] > buy[g + 1]:
            out.append((unit, Side.BUY, int(p), buy[g] - buy[g + 1]))
        if sell[g + 1] > sell[g]:
            out.append((unit, Side.SELL, int(p), sell[g + 1] - sell[g]))
    return out


def plant_curves(
    coord: PlantCoordinator,
    units: Sequence[int],
    grid_prices: Sequence[float],
    expected_price: float,
) -> dict[int, np.ndarray]:
    """The LP's net quantity (kWh, + buy) per unit at every grid price (module docstring).

    Args:
        coord: The plant's coordinator (its plant, data and RHPO solver).
        units: The auction's delivery units (the reference path is rolled from the
            plant's next uncommitted unit up to them).
        grid_prices: Ascending prices, currency/kWh.
        expected_price: ``p_e``, currency/kWh.

    Returns:
        Per unit, the raw LP quantities on the grid (NaN where a solve failed).
    """
    kappa = coord.kappa
    plant = coord.plant
    ss = plant.model
    dec_idx = list(plant.decision_inputs)
    # The reference path starts at the plant's next uncommitted unit (its true state).
    start = len(coord.trajectory["target_unit"])
    w = np.asarray(coord.w_next, dtype=float).copy()
    u_prev = None if start == 0 else np.asarray(coord.u_last, dtype=float).copy()
    wanted = {int(j) for j in units}
    flat = np.full(kappa, float(expected_price))
    depth = np.full(kappa, _DEPTH_KWH)
    zero = np.zeros(kappa)
    out: dict[int, np.ndarray] = {}

    def solve(unit: int, price: np.ndarray) -> RhpoResult:
        win = np.arange(unit, unit + kappa)
        # The plant's exogenous data (weather, setpoints). Homes, whose net load is
        # forecast only over κε, are refused under the day-ahead mechanisms (config).
        exo = coord.data.exogenous[win]
        return coord.solve_window(win, w, u_prev, exo, price, price, depth, depth, zero)

    for unit in range(start, max(wanted) + 1):
        if unit in wanted:
            q = np.full(len(grid_prices), np.nan)
            for g, p in enumerate(grid_prices):
                price = flat.copy()
                price[0] = p
                res = solve(unit, price)
                coord.solves += 1
                if res.ok:
                    q[g] = float(res.buy[0] - res.sell[0])
                else:
                    coord.failed += 1
            out[unit] = q
        ref = solve(unit, flat)
        coord.solves += 1
        if ref.ok:
            dec = np.asarray(ref.u[0, dec_idx], dtype=float)
        else:
            coord.failed += 1
            dec = np.asarray(coord.data.fallback_input, dtype=float)
        u = plant.full_inputs(dec, coord.data.exogenous[unit])[0]
        w = ss.A @ w + ss.B @ u
        u_prev = u
    return out


def lots_curve(q_kwh: np.ndarray, lot_kwh: float) -> list[int]:
    """Raw LP quantities (kWh) to a non-increasing curve in whole lots (0 where failed)."""
    lots = [0 if not math.isfinite(x) else round(x / lot_kwh) for x in q_kwh]
    out: list[int] = []
    for x in lots:
        out.append(x if not out else min(out[-1], x))
    return out
