"""A built scenario: the engine, the exchange, the agents and the delivery timeline.

Timeline (minutes; unit ``j`` is delivered during ``[jε, (j+1)ε)``, ``j = 0 … N−1``):

* the book of unit ``j`` opens at ``(j − κ)ε`` (so the clock starts at ``−κε`` and
  every delivered unit has the same trading window of κ units);
* with an opening auction, its call phase ends at ``(j − κ)ε + window``;
* gate closure of ``j`` at ``jε``: resting orders expire, positions are final;
* settlement of ``j`` at ``(j + 1)ε``, against the realised net energy.

Event priorities at equal times: a periodic call (−1), gate closure (0), settlement
(1), opening (2), call-auction end or day-ahead auction (3), depth snapshot at mid-unit
(4), forecast adjustments (requests, 9), coordinator arrivals (10). So at ``jε`` unit
``j`` closes before unit ``j + κ`` opens and before any agent acts, and the last call of
unit ``j`` (``call`` mechanism) comes right before its gate closure.

Market mechanisms (docs/model.md: market mechanisms) change only the exchange's
timeline: ``rex`` as above; ``call`` keeps every book in its call phase and clears all
open books every ``call_interval_minutes`` on a clock from the first opening;
``day_ahead`` opens the books of a day at its day-ahead gate, collects every
participant's curves (``day_ahead_bids``), clears each unit at one uniform price,
drops what did not trade and lets nobody trade again (only imbalance settlement
follows); ``day_ahead_intraday`` does the same and then turns the books continuous
(Rex's exchange) until each unit's gate closure.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.agents.simple import AgentKind, ForecastFeed, QuotingCoordinator
from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.market.settlement import settle_unit
from rex_cli.sim.engine import Engine

__all__ = ["AgentInfo", "World"]

PRIO_CALL = -1
PRIO_GATE = 0
PRIO_SETTLE = 1
PRIO_OPEN = 2
PRIO_CALL_END = 3
PRIO_SNAPSHOT = 4


@dataclass(frozen=True, kw_only=True)
class AgentInfo:
    """Static description of one agent, for the ``agents`` table."""

    agent_id: int
    kind: AgentKind
    index_in_kind: int
    capacity_kw: float = 0.0
    marginal_cost: float = 0.0


@dataclass(kw_only=True)
class World:
    """Everything a run simulates; ``run()`` advances it to the end of delivery.

    Attributes:
        engine: The event engine.
        exchange: The 3-D exchange.
        agents: Static agent descriptions, indexed by agent id.
        coordinators: One coordinator per agent, same order.
        realised_lots: (n_agents, n_units) realised net energy, lots (consumed − produced);
            rows of controllable plants are filled in at gate closure from the market
            input their plan commits them to (rounded to whole lots).
        unit_minutes: ε.
        horizon_units: κ.
        n_units: N, the number of delivered units.
        lot_kwh: kWh per lot.
        tick: currency/kWh per tick.
        opening_auction: Whether books open with a call auction.
        opening_window_minutes: Length of the call phase.
        imbalance_prices: Maps a unit's VWAP (currency/kWh or None) and its system
            imbalance (kWh, > 0 short) to its (short, long) imbalance prices.
        feeds: Forecast adjustment feeds of the uncontrollable clients.
        mechanism: ``rex``, ``call``, ``day_ahead`` or ``day_ahead_intraday``.
        call_interval_minutes: Time between periodic calls (``call``).
        day_ahead_gates: Per day-ahead auction, its time and the units it clears.
        day_ahead_bids: Called at a day-ahead gate with its time and units; returns
            every participant's orders ``(owner, unit, side, price_ticks, qty_lots)``.
        forecasts: Their ``ForecastPaths`` (for the records).
        wind_speed_ms: Simulated wind speed per farm and unit (for the records).
    """

    engine: Engine
    exchange: Exchange
    agents: list[AgentInfo]
    coordinators: list[QuotingCoordinator | PlantCoordinator]
    realised_lots: np.ndarray
    unit_minutes: float
    horizon_units: int
    n_units: int
    lot_kwh: float
    tick: float
    opening_auction: bool
    opening_window_minutes: float
    imbalance_prices: Callable[[float | None, float | None], tuple[float, float]]
    feeds: list[ForecastFeed] = field(default_factory=list)
    forecasts: Any = None
    wind_speed_ms: Any = None
    settlement: dict[str, list] = field(default_factory=dict)
    depth: dict[str, list] = field(
        default_factory=lambda: {
            k: [] for k in ("time_min", "target_unit", "lead_units", "bid_lots", "ask_lots")
        }
    )
    unit_prices: dict[str, list] = field(default_factory=dict)
    delivered: int = 0
    mechanism: str = "rex"
    call_interval_minutes: float = 5.0
    day_ahead_gates: list[tuple[float, list[int]]] = field(default_factory=list)
    day_ahead_bids: Callable[[float, list[int]], list[tuple[int, int, Side, int, int]]] | None = (
        None
    )

    @property
    def start_time(self) -> float:
        """Clock at the first book opening: −κε, or the first day-ahead gate if earlier."""
        start = -self.horizon_units * self.unit_minutes
        if self.day_ahead_gates:
            start = min(start, self.day_ahead_gates[0][0])
        return start

    @property
    def day_ahead(self) -> bool:
        """True for the mechanisms with a day-ahead auction."""
        return self.mechanism in ("day_ahead", "day_ahead_intraday")

    @property
    def end_time(self) -> float:
        """Clock at the last settlement: Nε."""
        return self.n_units * self.unit_minutes

    def schedule(self) -> None:
        """Put the timeline and the first arrivals on the engine."""
        eps, kappa, eng = self.unit_minutes, self.horizon_units, self.engine
        for j in range(self.n_units):
            opens = (j - kappa) * eps
            if not self.day_ahead:
                eng.schedule(opens, self._open, j, priority=PRIO_OPEN)
            if self.opening_auction and self.mechanism == "rex":
                eng.schedule(opens + self.opening_window_minutes, self._call_end, j,
                             priority=PRIO_CALL_END)  # fmt: skip
            eng.schedule(j * eps, self._gate, j, priority=PRIO_GATE)
            eng.schedule((j + 1) * eps, self._settle, j, priority=PRIO_SETTLE)
        for gate, units in self.day_ahead_gates:
            eng.schedule(gate, self._day_ahead_open, units, priority=PRIO_OPEN)
            eng.schedule(gate, self._day_ahead_clear, units, priority=PRIO_CALL_END)
        if self.mechanism == "call":
            step = self.call_interval_minutes
            last = (self.n_units - 1) * eps
            k = 1
            while -kappa * eps + k * step <= last + 1e-9:
                eng.schedule(-kappa * eps + k * step, self._batch_call, priority=PRIO_CALL)
                k += 1
        for k in range(-kappa, self.n_units - 1):
            eng.schedule((k + 0.5) * eps, self._snapshot, priority=PRIO_SNAPSHOT)
        last_gate = (self.n_units - 1) * eps
        # Day-ahead only: nobody trades after the auction (no arrivals, no requests).
        trading = self.mechanism != "day_ahead"
        for c in self.coordinators:
            c.start(eng, self.exchange, until=last_gate if trading else eng.now)
        if trading:
            for feed in self.feeds:
                feed.start(eng)
        self.settlement = {
            k: []
            for k in (
                "agent",
                "target_unit",
                "position_lots",
                "realised_lots",
                "imbalance_lots",
                "imbalance_payment",
            )
        }
        self.unit_prices = {
            k: [] for k in ("target_unit", "short_price", "long_price", "system_imbalance_lots")
        }

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run to the end of delivery, calling ``progress(delivered, n_units)`` per unit.

        The world built so far (plants, forecasts, agents, solvers: about half a million
        objects at 10,000 prosumers) lives for the whole run, so it is frozen out of the
        cyclic garbage collector's passes for the run (``gc.freeze``): its full passes
        then read only what the run allocates (community_10k, 6 h: 2.2 s of full passes
        instead of 5.1 s). Undone at the end; skipped when something froze objects
        already (a sweep worker keeps its imports frozen, and unfreezing would undo that).
        """
        self.schedule()
        eps = self.unit_minutes
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            for j in range(self.n_units):
                self.engine.run(until=(j + 1) * eps)
                if progress is not None:
                    progress(j + 1, self.n_units)
            self.engine.run()
        finally:
            if freeze:
                gc.unfreeze()

    # ------------------------------------------------------------------ events

    def _open(self, unit: int) -> None:
        self.exchange.open_unit(unit, self.engine.now)

    def _snapshot(self) -> None:
        """Resting depth of every open book (for the heatmap), taken mid-unit."""
        now = self.engine.now
        d = self.depth
        for j, book in self.exchange.books.items():
            d["time_min"].append(now)
            d["target_unit"].append(j)
            d["lead_units"].append(math.ceil(j - now / self.unit_minutes))
            d["bid_lots"].append(sum(q for _, q in book.depth(Side.BUY, 10**9)))
            d["ask_lots"].append(sum(q for _, q in book.depth(Side.SELL, 10**9)))

    def _call_end(self, unit: int) -> None:
        self.exchange.end_call(unit, self.engine.now)

    def _batch_call(self) -> None:
        """One periodic call: clear every open book at its own uniform price."""
        now = self.engine.now
        ex = self.exchange
        for unit in sorted(ex.books):
            ex.clear_call(unit, now, "call")

    def _day_ahead_open(self, units: list[int]) -> None:
        for j in units:
            self.exchange.open_unit(j, self.engine.now, call_phase=True)

    def _day_ahead_clear(self, units: list[int]) -> None:
        """The day-ahead auction: collect the curves, clear every unit, publish at once."""
        now = self.engine.now
        ex = self.exchange
        assert self.day_ahead_bids is not None
        for owner, unit, side, price, qty in self.day_ahead_bids(now, units):
            ex.submit_limit(owner, unit, side, price, qty, now)
        for j in units:
            ex.clear_call(j, now, "day_ahead")
            ex.drop_resting(j, now)
            if self.mechanism == "day_ahead_intraday":
                ex.end_call(j, now)  # the emptied book turns continuous: intraday trading

    def _gate(self, unit: int) -> None:
        self.exchange.close_unit(unit, self.engine.now)
        lot = self.lot_kwh
        for c in self.coordinators:
            if isinstance(c, PlantCoordinator):
                self.realised_lots[c.agent_id, unit] = round(c.commit(unit) / lot)

    def _settle(self, unit: int) -> None:
        n = len(self.agents)
        pos_map = self.exchange.positions
        y = np.fromiter((pos_map[a][unit] for a in range(n)), dtype=np.int64, count=n)
        x = self.realised_lots[:, unit]
        vwap_ticks = self.exchange.vwap_ticks(unit)
        vwap = None if vwap_ticks is None else vwap_ticks * self.tick
        system_kwh = float((x - y).sum()) * self.lot_kwh
        short, long = self.imbalance_prices(vwap, system_kwh)
        res = settle_unit(y, x, short_price=short, long_price=long, lot_kwh=self.lot_kwh)
        s = self.settlement
        s["agent"].extend(range(n))
        s["target_unit"].extend([unit] * n)
        s["position_lots"].extend(y.tolist())
        s["realised_lots"].extend(x.tolist())
        s["imbalance_lots"].extend(res.imbalance_lots.tolist())
        s["imbalance_payment"].extend(res.payment.tolist())
        u = self.unit_prices
        u["target_unit"].append(unit)
        u["short_price"].append(short)
        u["long_price"].append(long)
        u["system_imbalance_lots"].append(res.system_imbalance_lots)
        self.delivered += 1
