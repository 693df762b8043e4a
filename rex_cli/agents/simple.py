"""Clients and the quoting coordinator of the walking skeleton.

A *client* says what its coordinator should end up holding for each target unit;
a *coordinator* arrives at random times and trades towards that target on every
open unit through the real exchange.

Sign convention (as everywhere in Rex): a target or position in lots is energy
bought minus energy sold for the unit, so a load's target is positive and a wind
farm's negative.

The quoting rule (documented in ``docs/model.md``): each coordinator has a
reservation value ``v`` in ticks: the expected short price for a buyer that would
otherwise pay for its imbalance, the expected long price for a seller that would
otherwise be paid for its surplus.
With lead time ``τ`` to gate closure, a buyer quotes ``v − margin − shade(τ)``, a
seller ``v + margin + shade(τ)``, where ``shade(τ) = S · f(τ) · (1 + j·U(−1, 1))``,
``f`` falls linearly from 1 when the book opens to 0 at ``take_lead`` and ``S`` is a
share of the gap between the expected short and long prices. Within ``take_lead``
of gate closure a coordinator that must balance (a load, a wind farm) cancels its
quote and sends a market order for what is still open, limited at ``v``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import numpy as np

from rex_cli.agents.arrivals import PoissonArrivals
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.sim.engine import Engine

__all__ = [
    "AgentKind",
    "Client",
    "ForecastClient",
    "ForecastFeed",
    "QuoteRule",
    "QuotingCoordinator",
]

REQUEST_PRIORITY = 9


class AgentKind(Enum):
    """Closed registry of client kinds."""

    household = "household"
    wind_farm = "wind_farm"
    heat_pump_building = "heat_pump_building"
    battery = "battery"
    gas_turbine = "gas_turbine"


class Client(Protocol):
    """What a coordinator needs to know about its client."""

    must_balance: bool

    def target_lots(self, unit: int, time: float) -> int:
        """Desired final position for ``unit`` as known at ``time``, lots (+ buy)."""
        ...


class ForecastClient:
    """An uncontrollable client that knows only its current forecasts.

    ``current[j]`` is the latest forecast of unit ``j``'s net energy, lots; a
    ``ForecastFeed`` updates it at every adjustment. The realisation is known to the
    simulator only (it is settled, never shown to the coordinator).

    Args:
        initial_lots: Forecast of every unit when its book opens, lots (consumed − produced).
    """

    must_balance = True

    def __init__(self, initial_lots: np.ndarray) -> None:
        self.current = np.asarray(initial_lots, dtype=np.int64).copy()

    def target_lots(self, unit: int, time: float) -> int:
        """The latest forecast of ``unit``."""
        return int(self.current[unit])


class ForecastFeed:
    """Delivers one client's forecast adjustments in time order as request events.

    Only the next adjustment is on the engine at any time (a cursor over time-sorted
    arrays), so the heap does not grow with the number of adjustments.

    Args:
        client: The client whose ``current`` forecasts are updated.
        time_min: Adjustment times, minutes, non-decreasing.
        unit: Target unit of each adjustment.
        value_lots: New forecast after each adjustment, lots.
        on_request: Called with the unit after each adjustment (the coordinator).
    """

    def __init__(
        self,
        client: ForecastClient,
        time_min: np.ndarray,
        unit: np.ndarray,
        value_lots: np.ndarray,
        on_request: Callable[[int], None],
    ) -> None:
        self.client = client
        self.time = np.asarray(time_min, dtype=float)
        self.unit = np.asarray(unit, dtype=np.int64)
        self.value = np.asarray(value_lots, dtype=np.int64)
        self.on_request = on_request
        self.i = 0

    def start(self, engine: Engine) -> None:
        """Schedule the first adjustment."""
        self._engine = engine
        self._next()

    def _next(self) -> None:
        if self.i < len(self.time):
            self._engine.schedule(float(self.time[self.i]), self._fire, priority=REQUEST_PRIORITY)

    def _fire(self) -> None:
        i = self.i
        unit = int(self.unit[i])
        self.client.current[unit] = self.value[i]
        self.i = i + 1
        self.on_request(unit)
        self._next()


@dataclass(frozen=True, kw_only=True)
class QuoteRule:
    """Parameters of the quoting rule, in engine units.

    Attributes:
        value_ticks: Reservation value v, ticks.
        margin_ticks: Half-width of the band around v, ticks.
        shade_ticks: Initial shading S, ticks.
        jitter: Relative spread of the shading (uniform ±).
        take_lead_minutes: Lead time below which open positions are taken.
        horizon_minutes: Lead time at which a book opens (κ·ε).
        max_price_ticks: Price cap of the exchange, ticks.
    """

    value_ticks: int
    margin_ticks: int
    shade_ticks: int
    jitter: float
    take_lead_minutes: float
    horizon_minutes: float
    max_price_ticks: int

    def price(self, side: Side, lead_minutes: float, u: float) -> int:
        """Quote for ``side`` at ``lead_minutes`` before gate closure, ticks.

        Args:
            side: Side of the quote.
            lead_minutes: Time to gate closure, minutes.
            u: A uniform draw in [-1, 1) for the jitter.
        """
        span = self.horizon_minutes - self.take_lead_minutes
        frac = 1.0 if span <= 0 else (lead_minutes - self.take_lead_minutes) / span
        frac = min(max(frac, 0.0), 1.0)
        shade = self.shade_ticks * frac * (1.0 + self.jitter * u)
        if side is Side.BUY:
            p = self.value_ticks - self.margin_ticks - shade
        else:
            p = self.value_ticks + self.margin_ticks + shade
        return int(min(max(round(p), 1), self.max_price_ticks))


class QuotingCoordinator(PoissonArrivals):
    """Trades one client's open positions on every open unit at Poisson arrivals.

    Args:
        agent_id: Owner id on the exchange.
        client: The client it trades for.
        rule: The quoting rule.
        rate_per_minute: Poisson arrival rate, 1/minute.
        rng: This coordinator's own generator (arrivals and quote jitter).
        unit_minutes: Unit length ε (gate closure of unit j is at j·ε).
    """

    def __init__(
        self,
        *,
        agent_id: int,
        client: Client,
        rule: QuoteRule,
        rate_per_minute: float,
        rng: np.random.Generator,
        unit_minutes: float,
    ) -> None:
        self.agent_id = agent_id
        self.client = client
        self.rule = rule
        self.rate = rate_per_minute
        self.rng = rng
        self.unit_minutes = unit_minutes
        self.orders: dict[int, int] = {}  # target unit -> resting order id
        self.arrivals = 0
        self.requests = 0
        self.rejections = 0

    def arrive(self) -> None:
        """One arrival: re-quote or take on every open unit, then schedule the next."""
        self.arrivals += 1
        now = self._engine.now
        ex = self._exchange
        me = self.agent_id
        for unit in sorted(ex.books):
            self._trade_unit(ex, me, unit, now)
        # Forget orders of closed units (they expired at gate closure).
        for unit in [u for u in self.orders if not ex.is_open(u)]:
            del self.orders[unit]
        self._schedule_next()

    def on_request(self, unit: int) -> None:
        """A forecast adjustment of ``unit``: re-quote that unit at once."""
        self.requests += 1
        ex = self._exchange
        if ex.is_open(unit):
            self._trade_unit(ex, self.agent_id, unit, self._engine.now)

    def _trade_unit(self, ex: Exchange, me: int, unit: int, now: float) -> None:
        lead = unit * self.unit_minutes - now
        open_lots = self.client.target_lots(unit, now) - ex.position(me, unit)
        oid = self.orders.get(unit)
        resting = ex.remaining(oid) if oid is not None else 0
        if oid is not None and resting == 0:
            del self.orders[unit]
            oid = None
        rule = self.rule
        if self.client.must_balance and lead <= rule.take_lead_minutes and not ex.in_call(unit):
            if oid is not None:
                ex.cancel(me, oid, now)
                del self.orders[unit]
            if open_lots != 0:
                side = Side.BUY if open_lots > 0 else Side.SELL
                sub = ex.submit_market(
                    me, unit, side, abs(open_lots), now, worst_price=rule.value_ticks
                )
                self.rejections += not sub.ok
            return
        if open_lots == 0:
            if oid is not None:
                ex.cancel(me, oid, now)
                del self.orders[unit]
            return
        side = Side.BUY if open_lots > 0 else Side.SELL
        qty = abs(open_lots)
        price = rule.price(side, lead, float(self.rng.uniform(-1.0, 1.0)))
        if oid is not None:
            order = ex.books[unit].get(oid)
            assert order is not None
            if order.side is side:
                if order.price == price and order.qty == qty:
                    return
                if order.price == price and qty < order.qty:
                    sub = ex.shrink(me, oid, qty, now)
                else:
                    sub = ex.replace(me, oid, now, price=price, qty=qty)
                self.rejections += not sub.ok
                if ex.remaining(oid) == 0:
                    del self.orders[unit]
                return
            ex.cancel(me, oid, now)
            del self.orders[unit]
        sub = ex.submit_limit(me, unit, side, price, qty, now)
        if not sub.ok:
            self.rejections += 1
        elif ex.remaining(sub.order_id) > 0:
            self.orders[unit] = sub.order_id
