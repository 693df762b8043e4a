"""The RHPO coordinator of a controllable plant (docs/model.md: participants, RHPO).

On every arrival (Poisson) it runs Receding Horizon Plan & Order:

1. *requests*: the occupants' setpoints (the request ``X``) and the exogenous inputs
   (ambient temperature, sun) are read for the κ units of the window;
2. *portfolio*: its positions ``Y`` for those units are read from the exchange (every
   limit order executed since the last arrival is in them);
3. *plan*: the RHPO LP is solved on the book's best prices with depth caps; its
   duals ``λ`` are the cost of flexibility. The one-sided values used for quoting are
   those of the LP without trades with the positions moved by ``±δ`` (``δ`` = the
   quote size): ``λ⁺ = λ(Y + δ)`` (what one more kWh is worth: the bid) and
   ``λ⁻ = λ(Y − δ)`` (what giving up one kWh costs: the ask); by concavity
   ``λ⁺ ≤ λ⁻``. By default both come from the plan's basis: ``λ± = λ`` where it stays
   optimal over the shift, else parametric dual simplex pivots from it
   (:meth:`rex_cli.control.highs.RhpoSolver.one_sided`); with ``quote_resolve=True``
   both are re-solved (warm-started; the three-solve method);
4. *take*: market orders for the LP's trades ``E⁺``/``E⁻`` (limited at the price the
   LP assumed);
5. *make*: one limit order per side and unit: a bid at ``λ⁺ − margin`` for the planned
   shortfall plus ``δ``, an ask at ``λ⁻ + margin`` for the planned surplus plus ``δ``;
   an unchanged order is left alone, a smaller one shrunk, anything else replaced;
6. *coordinate*: the plan of every unit is kept.

Energy a plant still stores after its window (a battery's charge) is not worthless to
its owner: it can be sold later. Every solve values it at ``stored_value`` per kWh
(``population.rhpo.stored_energy_value``, by default the gas turbine's marginal cost,
the marginal source of energy), so a battery sells only above, and buys only below,
that value net of losses and wear, instead of emptying itself within every window.

At gate closure of unit ``j`` the plant is *re-dispatched* (``gate_redispatch``): the
LP is solved once more over ``j … j+κ−1`` from the plant's state at the start of
``j``, with ``j``'s final position and no further trading for ``j`` (the later units
see the books as an arrival would), and ``j``'s decision inputs are committed. So
fills that arrived after the last arrival are followed physically (a turbine that
sold less than planned generates less) instead of the stale plan; what remains
between the position and the energy drawn is settled as imbalance. Without
re-dispatch (or if that solve fails) the latest plan for ``j`` is committed. Either
way the market input is the energy the plant actually draws and its state advances.

A failed or infeasible solve never stops the run: the coordinator keeps its previous
plan (falling back to the rule in ``fallback_input`` for units never planned),
counts the failure and logs it with agent and time.

Uncontrollable clients keep the ``QuotingCoordinator``: without a plant the LP's
``λ_k`` is the expected short price while short and the expected long price while
long (RHPO-UC), which is what that coordinator quotes around.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from rex_cli.agents.arrivals import SWEEP_UNITS, PoissonArrivals
from rex_cli.control.highs import RhpoSolver
from rex_cli.control.problem import prepared_data
from rex_cli.control.rhpo import RhpoResult
from rex_cli.market.book import OrderBook
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.plants.statespace import Plant

__all__ = ["PlantCoordinator", "PlantData"]

_BUY, _SELL = Side.BUY, Side.SELL
# Our resting order in one unit and side: (order id, price ticks, lots, the exchange's
# ``touched`` count for us and the unit when we read the lots).
_Held = tuple[int, int, int, int]

log = logging.getLogger(__name__)


def _quote_unchanged(
    book: OrderBook,
    mine: dict[int, _Held],
    unit: int,
    qty: int,
    price: float,
    tick: float,
    max_ticks: int,
    touched: int,
) -> bool:
    """Whether ``_quote`` would leave this side alone: what it concludes, without the call.

    True when nothing rests and there is no valid quote (no lots, or a price outside
    1..max_ticks), or when our resting order (``mine[unit]``) already has the quote's
    price and size. ``touched``: the exchange's count for us and the unit
    (:func:`_held_order`).
    """
    ticks = round(price / tick) if math.isfinite(price) else 0
    valid = qty > 0 and 1 <= ticks <= max_ticks
    held = mine.get(unit)
    if held is None:
        return not valid
    if not valid:
        return False
    order = _held_order(book, mine, unit, held, touched)
    return order is not None and order[0] == ticks and order[1] == qty


def _held_order(
    book: OrderBook, mine: dict[int, _Held], unit: int, held: _Held, touched: int
) -> tuple[int, int] | None:
    """``(price ticks, lots)`` of our resting order ``held = mine[unit]``; None if it is gone.

    ``held`` is ``(order id, ticks, lots, count)``: what we last read of the order, when
    the exchange's :attr:`~rex_cli.market.exchange.Exchange.touched` count for us and
    the unit was ``count``. While the count stands still (``touched``), only we changed
    our orders there, so that is still the order. Otherwise the book is asked, and what
    it says is kept with the new count.
    """
    if held[3] == touched:
        return held[1], held[2]
    o = book.peek(held[0])  # (side, price, qty)
    if o is None:
        return None
    mine[unit] = (held[0], o[1], o[2], touched)
    return o[1], o[2]


@dataclass(frozen=True, kw_only=True)
class PlantData:
    """Per-unit data of a plant over the whole run (index = delivery unit).

    Attributes:
        exogenous: Exogenous inputs, shape (n_units + κ, n_exogenous).
        request: Requests per tracked output, shape (n_units + κ, n_tracked); NaN = none.
        w_init: State at the start of unit 0.
        fallback_input: Decision inputs (market input first) used for a unit that was
            never planned, shape (n_decision,) — e.g. the heat pump at the power that
            holds the setpoint, the turbine off.
    """

    exogenous: np.ndarray
    request: np.ndarray
    w_init: np.ndarray
    fallback_input: np.ndarray


class PlantCoordinator(PoissonArrivals):
    """Trades for one controllable plant by RHPO at Poisson arrivals.

    ``skip_unchanged_quotes`` (class attribute, True): an arrival checks inline whether
    its resting order of a unit and side already is the quote (or that nothing rests
    and there is nothing to quote) and then makes no ``_quote`` call; False sends every
    unit and side through ``_quote`` (the reference path the tests compare against:
    the same requests, byte for byte).

    Args:
        agent_id: Owner id on the exchange.
        plant: The plant.
        solver: A ``RhpoSolver`` built for this plant, weights and κ.
        data: Exogenous inputs, requests, initial state and fallback.
        rate_per_minute: Poisson arrival rate, 1/minute.
        rng: The coordinator's own generator (arrivals).
        unit_minutes: ε.
        n_units: Number of delivered units N.
        lot_kwh: kWh per lot.
        tick: currency/kWh per tick.
        max_price_ticks: Price cap, ticks.
        margin: Half-width of the quoting band around the one-sided values, currency/kWh.
        quote_kwh: Flexibility offered per side and unit beyond the plan, kWh (δ).
        short_price: Expected short price π, currency/kWh.
        long_price: Expected long price ρ, currency/kWh.
        gate_redispatch: Re-optimise each unit at its gate closure with its final
            position (see the module docstring).
        stored_value: What the plant's owner counts a kWh still stored after its
            window to be worth, currency/kWh (σ of the LP; only plants that store
            energy, the batteries, are affected).
        quote_resolve: Get the one-sided values by two more solves at ``Y ± δ`` (the
            three-solve method, kept as the reference) instead of from the plan's
            basis by parametric pivots (see
            :meth:`rex_cli.control.highs.RhpoSolver.one_sided`).
    """

    skip_unchanged_quotes = True

    def __init__(
        self,
        *,
        agent_id: int,
        plant: Plant,
        solver: RhpoSolver,
        data: PlantData,
        rate_per_minute: float,
        rng: np.random.Generator,
        unit_minutes: float,
        n_units: int,
        lot_kwh: float,
        tick: float,
        max_price_ticks: int,
        margin: float,
        quote_kwh: float,
        short_price: float,
        long_price: float,
        gate_redispatch: bool = True,
        stored_value: float = 0.0,
        quote_resolve: bool = False,
    ) -> None:
        self.agent_id = agent_id
        self.plant = plant
        self.solver = solver
        self.data = data
        self.rate = rate_per_minute
        self.rng = rng
        self.eps = unit_minutes
        self.n_units = n_units
        self.kappa = solver.kappa
        self.lot = lot_kwh
        self.tick = tick
        self.max_ticks = max_price_ticks
        self.margin = margin
        self.quote_kwh = quote_kwh
        self.short_price = short_price
        self.long_price = long_price
        self.gate_redispatch = gate_redispatch
        self.stored_value = stored_value
        self.quote_resolve = quote_resolve
        self.n_dec = len(plant.decision_inputs)
        self._dec_idx = list(plant.decision_inputs)
        # The latest plan per unit: decision inputs (row ``unit``; NaN: never planned, or
        # committed) and λ (NaN likewise). One array each, written a slice per arrival:
        # a dict of per-unit row views cost an object per unit and arrival, and freeing
        # the replaced ones (cold, in a big population) cost more than writing them.
        self.plan = np.full((n_units, self.n_dec), np.nan)
        self.committed: dict[int, np.ndarray] = {}  # unit -> decision inputs at gate closure
        self.lam = np.full(n_units, np.nan)
        # Our resting order per side: unit -> (order id, limit price in ticks, lots, the
        # exchange's ``touched`` count for us and the unit when the lots were read). The
        # price changes only when we replace the order, and the lots only when we act or
        # the count moves: the book is asked for our order only after it moved. One dict
        # per side: no ``Side`` is hashed on the hot path.
        self.bids: dict[int, _Held] = {}
        self.asks: dict[int, _Held] = {}
        self._swept = -SWEEP_UNITS  # the first unit of the arrival that last swept them
        self._window_key = (-1, 0)  # the window of _window's arrays: (first unit, length)
        self._window_data: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
        self.w_next = np.asarray(data.w_init, dtype=float).copy()  # state at start of next unit
        self.u_last = np.full(plant.n_inputs, np.nan)
        self.arrivals = 0
        self.rejections = 0
        self.solves = 0
        self.arrival_solves = 0  # LP solves at arrivals (plan + one-sided re-solves)
        self.failed = 0
        self.solve_ms: list[float] = []
        self.trajectory: dict[str, list] = {
            k: []
            for k in (
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
        }

    # ------------------------------------------------------------------ lifecycle

    def commit(self, unit: int) -> float:
        """Gate closure of ``unit``: fix its inputs, advance the plant; return u* (kWh).

        Called by the world at ``unit·ε``, after the book of ``unit`` closed.
        """
        row = self.plan[unit]
        planned = not math.isnan(row[0])  # input 0 (the market) is always decided
        dec = row.copy() if planned else None
        row[:] = math.nan
        if self.gate_redispatch:
            redispatched = self._redispatch(unit)
            if redispatched is not None:
                dec = redispatched
        if dec is None:
            dec = np.asarray(self.data.fallback_input, dtype=float)
        dec = self.delivered_decision(unit, np.asarray(dec, dtype=float))
        self.committed[unit] = dec
        u = self.plant.full_inputs(dec, self.data.exogenous[unit])[0]
        w = self.w_next
        ss = self.plant.model
        v = ss.C @ w + ss.D @ u
        t = self.trajectory
        t["agent"].append(self.agent_id)
        t["target_unit"].append(unit)
        t["state"].append(float(w[0]))
        t["input_market_kwh"].append(float(u[0]))
        t["input_other"].append(float(dec[1]) if len(dec) > 1 else math.nan)
        t["input_other2"].append(float(dec[2]) if len(dec) > 2 else math.nan)
        t["output"].append(float(v[0]) if len(v) else math.nan)
        req = self.data.request[unit]
        t["request"].append(float(req[0]) if len(req) else math.nan)
        t["lambda"].append(float(self.lam[unit]))
        self.lam[unit] = math.nan
        t["planned"].append(planned)
        self.w_next = ss.A @ w + ss.B @ u
        self.u_last = u
        return float(u[0])

    def _redispatch(self, unit: int) -> np.ndarray | None:
        """Decision inputs for ``unit`` re-optimised with its final position, or None."""
        ex = self._exchange
        units = np.arange(unit, unit + self.kappa)
        bid, ask, bid_d, ask_d, pos = self._market_data(ex, units)
        bid[0] = ask[0] = np.nan  # the delivered unit's book is closed
        bid_d[0] = ask_d[0] = 0.0
        res = self._solve(units, bid, ask, bid_d, ask_d, pos)
        self.solves += 1
        if not res.ok:
            self.failed += 1
            log.warning(
                "agent %d at gate closure of unit %d: re-dispatch %s; committing the plan",
                self.agent_id, unit, res.status.value,
            )  # fmt: skip
            return None
        return np.asarray(res.u[0, list(self.plant.decision_inputs)], dtype=float)

    # ------------------------------------------------------------------ arrival

    def arrive(self) -> None:
        """One RHPO arrival over the κ units after the current one."""
        self.arrivals += 1
        ex = self._exchange
        now = self._engine.now
        first = max(math.floor(now / self.eps) + 1, 0)
        units = np.arange(first, first + self.kappa)
        self._solve_and_trade(ex, now, units)
        # Forget our orders in units whose books closed. Only for memory: a closed unit
        # is never read again (units >= ``first`` are) and never reopens, so a sweep every
        # ``SWEEP_UNITS`` first units suffices (at most that many stale entries per side).
        if first >= self._swept + SWEEP_UNITS:
            self._swept = first
            books = ex.books
            for mine in (self.bids, self.asks):
                for unit in [u for u in mine if u not in books]:
                    del mine[unit]
        self._schedule_next()

    def _market_data(self, ex: Exchange, units: np.ndarray) -> tuple[np.ndarray, ...]:
        """Best prices, their depth without our own order, and our positions per unit."""
        return tuple(np.array(self._market_lists(ex, units.tolist())))  # rows of one array

    def _market_lists(self, ex: Exchange, ulist: list[int]) -> tuple[list[float], ...]:
        """:meth:`_market_data` as plain Python lists (bid, ask, their depths, positions).

        Plain Python per unit (no NumPy scalar writes); the caller builds the arrays.
        """
        k = len(ulist)
        nan = math.nan
        bid = [nan] * k
        ask = [nan] * k
        bid_d = [0.0] * k
        ask_d = [0.0] * k
        lot, tick = self.lot, self.tick
        mine = ex.positions[self.agent_id]  # what ex.position(me, j) reads
        pos = [mine[j] * lot for j in ulist]
        books = ex.books
        tops = ex.tops
        my_bids, my_asks = self.bids, self.asks
        touched = ex.touched[self.agent_id]
        for i, j in enumerate(ulist):
            # None: the unit is closed, not open yet, or in its opening call (no market
            # orders then: no trade at known prices). In batch mode (periodic calls)
            # the resting book is the market; the planned trades are quoted below as
            # limit orders that rest until the next call.
            top = tops.get(j)
            if top is None:
                continue
            b, qty_b, a, qty_a = top  # 0 = empty side
            # Our own resting orders are not liquidity for us (self-trade prevention).
            if b:
                mine_b = my_bids.get(j)
                if mine_b is not None and mine_b[1] == b:
                    order = _held_order(books[j], my_bids, j, mine_b, touched.get(j, 0))
                    if order is not None and order[0] == b:
                        qty_b -= order[1]
                if qty_b > 0:
                    bid[i], bid_d[i] = b * tick, qty_b * lot
            if a:
                mine_a = my_asks.get(j)
                if mine_a is not None and mine_a[1] == a:
                    order = _held_order(books[j], my_asks, j, mine_a, touched.get(j, 0))
                    if order is not None and order[0] == a:
                        qty_a -= order[1]
                if qty_a > 0:
                    ask[i], ask_d[i] = a * tick, qty_a * lot
        return bid, ask, bid_d, ask_d, pos

    def delivered_decision(self, unit: int, dec: np.ndarray) -> np.ndarray:
        """The decision inputs delivered in ``unit`` given the chosen ones (here: unchanged)."""
        return dec

    def exogenous(self, units: np.ndarray) -> np.ndarray:
        """Exogenous inputs the LP assumes for ``units`` (here: the plant's data)."""
        return self._window(units)[1]

    def _window(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The plant's requests and exogenous data for the window ``units``.

        Every caller passes consecutive units ``first … first + len − 1``. The arrays of
        the last window are kept and handed out again while the first unit stays the
        same (the arrivals within a unit and the next gate's re-dispatch): the solver
        then sees the very arrays of its last solve and does not compare them.
        Read-only: the LP data must not change afterwards.
        """
        key = (int(units[0]), len(units))
        if key != self._window_key:
            request = self.data.request[units]
            exogenous = self.data.exogenous[units]
            request.flags.writeable = False
            exogenous.flags.writeable = False
            self._window_key = key
            self._window_data = (request, exogenous)
        return self._window_data

    def _solve(self, units, bid, ask, bid_d, ask_d, pos) -> RhpoResult:
        first = int(units[0])
        w0 = self.data.w_init if first == 0 else self.w_next
        u_prev = None if first == 0 else self.u_last
        return self.solve_window(units, w0, u_prev, self.exogenous(units), bid, ask, bid_d,
                                 ask_d, pos, checked=False)  # fmt: skip

    def solve_window(
        self, units, w0, u_prev, exogenous, bid, ask, bid_d, ask_d, pos, *, checked: bool = True
    ) -> RhpoResult:
        """The RHPO LP over ``units`` with the plant's requests, prices and weights.

        The caller gives the start: state ``w0`` after input ``u_prev`` (None at the
        run's start), the exogenous inputs and the market (prices, depths, positions).
        ``checked=False`` skips the data checks: for the coordinator's own arrays
        (float64, per unit, as :func:`rex_cli.control.problem.prepared_data` requires).
        """
        if not checked:
            data = prepared_data(
                self.plant,
                self.kappa,
                bid=bid,
                ask=ask,
                bid_depth=bid_d,
                ask_depth=ask_d,
                position=pos,
                request=self._window(units)[0],
                exogenous=exogenous,
                w0=w0,
                u_prev=u_prev,
                short_price=self.short_price,
                long_price=self.long_price,
                stored_value=self.stored_value,
            )
            return self.solver.solve_data(data)
        return self.solver.solve(
            bid=bid,
            ask=ask,
            position=pos,
            request=self._window(units)[0],
            w0=w0,
            u_prev=u_prev,
            exogenous=exogenous,
            short_price=self.short_price,
            long_price=self.long_price,
            bid_depth=bid_d,
            ask_depth=ask_d,
            stored_value=self.stored_value,
        )

    def _solve_and_trade(self, ex: Exchange, now: float, units: np.ndarray) -> None:
        ulist = units.tolist()
        lists = self._market_lists(ex, ulist)
        bid_l, ask_l = lists[0], lists[1]
        t0 = time.perf_counter()
        # The five arrays are the rows of one (one conversion instead of five).
        res = self._solve(units, *np.array(lists))
        self.solve_ms.append((time.perf_counter() - t0) * 1e3)
        self.solves += 1
        self.arrival_solves += 1
        if not res.ok:
            self.failed += 1
            log.warning(
                "agent %d at t=%.2f min: RHPO solve %s; keeping the previous plan",
                self.agent_id, now, res.status.value,
            )  # fmt: skip
            return
        delta = self.quote_kwh
        one_sided = self.solver.one_sided(delta, resolve=self.quote_resolve)
        self.solves += one_sided.solves
        self.arrival_solves += one_sided.solves
        me = self.agent_id
        # The per-unit loop reads plain Python lists (NumPy scalar access is slow;
        # the values, and so every order, are the same).
        n_units, lot, tick, margin = self.n_units, self.lot, self.tick, self.margin
        max_ticks = self.max_ticks
        my_bids, my_asks = self.bids, self.asks
        # The plan of the delivered units among ``ulist`` (consecutive, from ulist[0]).
        first = ulist[0]
        k = min(len(ulist), n_units - first)
        if k > 0:
            self.plan[first : first + k] = res.u[:k, self._dec_idx]
            self.lam[first : first + k] = res.dual_balance[:k]
        u_mkt = res.u[:, 0].tolist()
        buy_kwh, sell_kwh = res.buy.tolist(), res.sell.tolist()
        up_l = np.asarray(one_sided.up).tolist()
        dn_l = np.asarray(one_sided.down).tolist()
        flex = max(round(delta / lot), 0)
        mine = ex.positions[me]  # what ex.position(me, j) reads
        touched = ex.touched[me]
        books = ex.books
        batch = ex.batch
        floor, isfinite = math.floor, math.isfinite
        skip = self.skip_unchanged_quotes
        for i, j in enumerate(ulist):
            if j >= n_units:
                break
            book = books.get(j)
            if book is None:
                continue
            # Take: what the LP trades at the best prices, limited at those prices.
            buy = floor(buy_kwh[i] / lot + 1e-9)
            sell = floor(sell_kwh[i] / lot + 1e-9)
            if batch:
                buy = sell = 0  # no market orders in a call market; the quotes carry the plan
            if buy > 0:
                sub = ex.submit_market(me, j, _BUY, buy, now, worst_price=round(ask_l[i] / tick))
                self.rejections += not sub.ok
            if sell > 0:
                sub = ex.submit_market(me, j, _SELL, sell, now, worst_price=round(bid_l[i] / tick))
                self.rejections += not sub.ok
            # Make: quote the remaining plan and δ of flexibility around λ±. An order
            # already resting at the same price and size, or no order and no valid
            # quote, is left alone without a call (what ``_quote`` would conclude).
            # ``_quote_unchanged`` inline where it needs no book: no order held, or one
            # whose count stands still (the common cases); the function otherwise.
            need = round((u_mkt[i] - mine[j] * lot) / lot)
            qty = (need if need > 0 else 0) + flex
            price = up_l[i] - margin
            ticks = round(price / tick) if isfinite(price) else 0
            held = my_bids.get(j)
            if held is None:
                same = not (qty > 0 and 1 <= ticks <= max_ticks)
            elif held[3] == touched.get(j, 0):  # a held order is valid: lots > 0, ticks in range
                same = held[2] == qty and held[1] == ticks
            else:
                same = _quote_unchanged(book, my_bids, j, qty, price, tick, max_ticks,
                                        touched.get(j, 0))  # fmt: skip
            if not (skip and same):
                self._quote(ex, book, now, j, _BUY, my_bids, qty, price)
            qty = (-need if need < 0 else 0) + flex
            price = dn_l[i] + margin
            ticks = round(price / tick) if isfinite(price) else 0
            held = my_asks.get(j)
            if held is None:
                same = not (qty > 0 and 1 <= ticks <= max_ticks)
            elif held[3] == touched.get(j, 0):  # a held order is valid: lots > 0, ticks in range
                same = held[2] == qty and held[1] == ticks
            else:
                same = _quote_unchanged(book, my_asks, j, qty, price, tick, max_ticks,
                                        touched.get(j, 0))  # fmt: skip
            if not (skip and same):
                self._quote(ex, book, now, j, _SELL, my_asks, qty, price)

    def _quote(
        self,
        ex: Exchange,
        book: OrderBook,
        now: float,
        unit: int,
        side: Side,
        mine: dict[int, _Held],
        qty: int,
        price: float,
    ) -> None:
        """Keep one limit order of ``side`` (ours: ``mine``) in ``unit``'s open ``book``."""
        held = mine.get(unit)
        ticks = round(price / self.tick) if math.isfinite(price) else 0
        ok_price = 1 <= ticks <= self.max_ticks
        touched = ex.touched[self.agent_id]
        # ``unit`` is open: our order rests in its book, or it is gone (filled,
        # cancelled, dropped), which is what ``ex.remaining(oid) == 0`` says.
        order = None if held is None else _held_order(book, mine, unit, held, touched.get(unit, 0))
        if held is not None and order is None:
            del mine[unit]
            held = None
        if qty <= 0 or not ok_price:
            if held is not None:
                ex.cancel(self.agent_id, held[0], now)
                del mine[unit]
            return
        if held is not None:
            assert order is not None
            oid = held[0]
            if order[0] == ticks and order[1] == qty:
                return
            if order[0] == ticks and qty < order[1]:
                sub = ex.shrink(self.agent_id, oid, qty, now)
                at = ticks
            else:
                sub = ex.replace(self.agent_id, oid, now, price=ticks, qty=qty)
                at = ticks if sub.ok else order[0]
            self.rejections += not sub.ok
            left = ex.remaining(oid)
            if left == 0:
                del mine[unit]
            else:
                mine[unit] = (oid, at, left, touched.get(unit, 0))
            return
        sub = ex.submit_limit(self.agent_id, unit, side, ticks, qty, now)
        if not sub.ok:
            self.rejections += 1
        else:
            left = ex.remaining(sub.order_id)
            if left > 0:
                mine[unit] = (sub.order_id, ticks, left, touched.get(unit, 0))
