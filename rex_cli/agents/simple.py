"""Clients and the quoting coordinator of the walking skeleton.

A *client* says what its coordinator should end up holding for each target unit;
a *coordinator* arrives at random times and trades towards that target on every
open unit through the real exchange.

Sign convention (as everywhere in Rex): a target or position in lots is energy
bought minus energy sold for the unit, so a load's target is positive and a wind
farm's negative.

Reservation values are side-aware (documented in ``docs/model.md``): what a client
would pay for energy it lacks is the expected short price, what it would get for
energy it has too much of is the expected long price. So a coordinator buys while
its client is short with the value ``v`` = expected short price and sells while it is
long with ``v`` = expected long price, whether the client is a load or a wind farm.
The price of its resting limit orders is its strategy's (``rex_cli.agents.strategies``);
within ``take_lead`` of gate closure a coordinator that must balance quotes what is
still open at ``v`` itself, whatever its strategy: a limit order that takes what the
book offers up to ``v`` and rests the rest until gate closure.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

import numpy as np

from rex_cli.agents.arrivals import SWEEP_UNITS, PoissonArrivals
from rex_cli.agents.strategies import Strategy
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.sim.engine import Engine

__all__ = [
    "AgentKind",
    "Client",
    "ForecastClient",
    "ForecastFeed",
    "QuotingCoordinator",
]

REQUEST_PRIORITY = 9
_BUY, _SELL = Side.BUY, Side.SELL


class AgentKind(Enum):
    """Closed registry of client kinds."""

    household = "household"
    wind_farm = "wind_farm"
    heat_pump_building = "heat_pump_building"
    battery = "battery"
    gas_turbine = "gas_turbine"
    home = "home"


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


class QuotingCoordinator(PoissonArrivals):
    """Trades one client's open positions on every open unit at Poisson arrivals.

    On every arrival, and at once for a unit whose forecast changed (a request), it
    works the open position of each open unit: buying while short, selling while long.
    Its reservation value is side-aware (``values``): the expected short price on the
    buy side, the expected long price on the sell side. Before the take phase it rests
    one limit order per unit, priced by its ``strategy`` (an unchanged order is left
    alone, a smaller one shrunk, anything else replaced); within ``take_lead_minutes``
    of gate closure a client that must balance prices it at the value instead (it
    takes what the book offers up to the value, the rest rests: a client whose
    forecast moves the other way later can still trade with it). An adaptive strategy
    first reads the public tape (trades and best-quote changes) since its last look.

    Args:
        agent_id: Owner id on the exchange.
        client: The client it trades for.
        strategy: Its quoting strategy (limits = ``values``).
        values: Reservation value per side, ticks.
        take_lead_minutes: Lead time below which open positions are quoted at the value.
        horizon_minutes: Lead time at which a book opens (κ·ε).
        max_price_ticks: Price cap of the exchange, ticks.
        rate_per_minute: Poisson arrival rate, 1/minute.
        rng: This coordinator's own generator (arrivals).
        unit_minutes: Unit length ε (gate closure of unit j is at j·ε).
    """

    def __init__(
        self,
        *,
        agent_id: int,
        client: Client,
        strategy: Strategy,
        values: dict[Side, int],
        take_lead_minutes: float,
        horizon_minutes: float,
        max_price_ticks: int,
        rate_per_minute: float,
        rng: np.random.Generator,
        unit_minutes: float,
    ) -> None:
        self.agent_id = agent_id
        self.client = client
        self.strategy = strategy
        self.values = dict(values)
        self.take_lead = take_lead_minutes
        self.horizon = horizon_minutes
        self.max_ticks = max_price_ticks
        self.rate = rate_per_minute
        self.rng = rng
        self.unit_minutes = unit_minutes
        self.orders: dict[int, int] = {}  # target unit -> resting order id
        self.arrivals = 0
        self.requests = 0
        self.rejections = 0
        self._trade_cursor = 0
        self._quote_cursor = 0
        self._swept = -SWEEP_UNITS  # the delivery unit of the arrival that last swept orders
        self._top: dict[int, tuple[int, int]] = {}  # unit -> last seen (bid, ask), -1 = none

    def arrive(self) -> None:
        """One arrival: re-quote or take on every open unit, then schedule the next."""
        self.arrivals += 1
        now = self._engine.now
        ex = self._exchange
        me = self.agent_id
        if self.strategy.adaptive:
            self._observe(ex)
        active: set[Side] = set()
        # Units within the horizon κε (all open books under Rex; after a day-ahead
        # auction the books of the whole day are open, and each is worked from κε on).
        last = (now + self.horizon) / self.unit_minutes
        client = self.client
        # A forecast client's targets are its ``current`` forecasts: read once as a
        # list (what ``target_lots`` returns per unit, without a NumPy scalar each).
        current = client.current.tolist() if type(client) is ForecastClient else None
        target = client.target_lots
        mine = ex.positions[me]  # what ex.position(me, unit) reads
        orders = self.orders
        books = ex.books
        for unit in sorted(books):
            if unit > last:
                break
            if (
                unit not in orders
                and (current[unit] if current is not None else target(unit, now)) == mine[unit]
            ):
                continue  # balanced, nothing resting: what _trade_unit would conclude
            side = self._trade_unit(ex, me, unit, now)
            if side is not None:
                active.add(side)
        self.strategy.active = active
        # Forget orders of closed units (they expired at gate closure). Only for memory:
        # a closed unit is never read again and never reopens, so a sweep every
        # ``SWEEP_UNITS`` delivery units suffices (instead of one per arrival).
        now_unit = int(now // self.unit_minutes)
        if now_unit >= self._swept + SWEEP_UNITS:
            self._swept = now_unit
            for unit in [u for u in orders if u not in books]:
                del orders[unit]
        self._schedule_next()

    def on_request(self, unit: int) -> None:
        """A forecast adjustment of ``unit``: re-quote that unit at once."""
        self.requests += 1
        ex = self._exchange
        if ex.is_open(unit) and unit * self.unit_minutes <= self._engine.now + self.horizon:
            if self.strategy.adaptive:
                self._observe(ex)
            self._trade_unit(ex, self.agent_id, unit, self._engine.now)

    def _observe(self, ex: Exchange) -> None:
        """Feed the strategy the tape since the last look, in time order.

        Trades (price, and whether the taker bought: an ask lifted, or sold: a bid
        hit) and improvements of a unit's best bid or ask (a quote appearing on an
        empty side counts as one). At equal times trades come first: the exchange
        records a request's fills before the best quotes they leave.
        """
        t, q = ex.trades, ex.quotes
        i, n_t = self._trade_cursor, len(t["time"])
        k, n_q = self._quote_cursor, len(q["time"])
        strat = self.strategy
        top = self._top
        while i < n_t or k < n_q:
            if k >= n_q or (i < n_t and t["time"][i] <= q["time"][k]):
                aggressor = Side.BUY if t["aggressor"][i] > 0 else Side.SELL
                strat.on_trade(float(t["price_ticks"][i]), aggressor)
                i += 1
                continue
            unit, bid, ask = q["target_unit"][k], q["bid_ticks"][k], q["ask_ticks"][k]
            old_bid, old_ask = top.get(unit, (-1, -1))
            if bid > 0 and (old_bid <= 0 or bid > old_bid):
                strat.on_improve(Side.BUY, float(bid))
            if ask > 0 and (old_ask <= 0 or ask < old_ask):
                strat.on_improve(Side.SELL, float(ask))
            top[unit] = (bid, ask)
            k += 1
        self._trade_cursor, self._quote_cursor = i, k
        for unit in [u for u in top if not ex.is_open(u)]:
            del top[unit]

    def _best_excluding_own(self, ex: Exchange, unit: int, side: Side) -> float | None:
        """Best price of ``side`` in ``unit``'s book without this coordinator's order."""
        levels = ex.depth(unit, side, 2)
        oid = self.orders.get(unit)
        order = ex.books[unit].peek(oid) if oid is not None else None  # (side, price, qty)
        if levels and order is not None and order[0] is side and order[1] == levels[0][0]:
            if levels[0][1] == order[2]:
                levels = levels[1:]
        return float(levels[0][0]) if levels else None

    def _trade_unit(self, ex: Exchange, me: int, unit: int, now: float) -> Side | None:
        """Work ``unit``'s open position; return the side worked (None if balanced)."""
        lead = unit * self.unit_minutes - now
        open_lots = self.client.target_lots(unit, now) - ex.position(me, unit)
        oid = self.orders.get(unit)
        # ``unit`` is open: our order rests in its book, or it is gone (filled,
        # cancelled, dropped), which is what ``ex.remaining(oid) == 0`` says.
        order = ex.books[unit].peek(oid) if oid is not None else None  # (side, price, qty)
        if oid is not None and order is None:
            del self.orders[unit]
            oid = None
        if open_lots == 0:
            if oid is not None:
                ex.cancel(me, oid, now)
                del self.orders[unit]
            return None
        side = _BUY if open_lots > 0 else _SELL
        qty = abs(open_lots)
        v = self.values[side]
        if self.client.must_balance and lead <= self.take_lead and not ex.in_call(unit):
            # Take phase: the open position at the value, whatever the strategy. A
            # limit order at v takes what the book offers up to v and rests the rest,
            # so a later counter-order (a client whose forecast moved the other way)
            # still meets it instead of only the plants' quotes.
            price = v
        else:
            span = self.horizon - self.take_lead
            frac = 1.0 if span <= 0 else (lead - self.take_lead) / span
            reads = self.strategy.reads_book
            quote = self.strategy.quote(
                side,
                lead_frac=min(max(frac, 0.0), 1.0),
                bid=self._best_excluding_own(ex, unit, _BUY) if reads else None,
                ask=self._best_excluding_own(ex, unit, _SELL) if reads else None,
            )
            if quote is None:
                if oid is not None:
                    ex.cancel(me, oid, now)
                    del self.orders[unit]
                return side
            price = min(round(quote), v) if side is _BUY else max(round(quote), v)
        price = int(min(max(price, 1), self.max_ticks))
        if oid is not None:
            assert order is not None
            if order[0] is side:
                if order[1] == price and order[2] == qty:
                    return side
                if order[1] == price and qty < order[2]:
                    sub = ex.shrink(me, oid, qty, now)
                else:
                    sub = ex.replace(me, oid, now, price=price, qty=qty)
                self.rejections += not sub.ok
                if ex.remaining(oid) == 0:
                    del self.orders[unit]
                return side
            ex.cancel(me, oid, now)
            del self.orders[unit]
        sub = ex.submit_limit(me, unit, side, price, qty, now)
        if not sub.ok:
            self.rejections += 1
        elif ex.remaining(sub.order_id) > 0:
            self.orders[unit] = sub.order_id
        return side
