"""Throughput of ``OrderBook`` against a tight plain price-level book on the same stream.

The stream (fixed seed, generated before any timing): 200,000 events, 60 % limit
orders near the mid (a few of them marketable), 25 % cancels of orders that are live
at that moment, 15 % market orders. Every order has its own owner, so self-trade
prevention never changes the outcome and all books must produce the same trades
(checked before timing).

The plain book is the baseline: the tightest structure we could write, per side a
dict ``price -> collections.deque`` of ``(order_id, qty)`` tuples and a sorted list
of the prices whose deque is not empty (``bisect.insort``; a drained deque stays in
the dict for reuse), one set of live ids with lazy deletion (a cancel is one set
removal; a cancelled id is skipped when it reaches a queue front), cached best
prices and tuple fills. It does no validation, no self-trade prevention, no depth
bookkeeping and no ``Fill`` objects, all of which ``OrderBook`` does. Nothing in it
depends on prices being integer ticks.

Two earlier baselines are still run and reported, because figures were quoted
against them: ``HeapPlainBook`` (the baseline of early December 2026: a ``heapq`` of
prices instead of the sorted list, a deque allocated per new level and deleted when
drained, and a second set of cancelled ids; ``heap_plain_events_per_s``,
``ratio_vs_heap``; the plain book runs the stream about 1.3x as fast) and
``SortedPlainBook`` (until December 2026: a ``sortedcontainers.SortedDict`` of
levels, pure Python, every level added or emptied a Python-level insort / delete;
``sorted_plain_events_per_s``, ``ratio_vs_sorteddict``; the figures in issue 16).

``CompiledCallFloor`` is not a book: each event calls a numba-compiled function that
does nothing but add to a one-entry state array (the one argument a compiled book
could not do without) and returns "no fills". It is the least a book compiled with
numba and called once per event from Python would cost, before any matching
(``floor_events_per_s``, ``floor_vs_plain``: the floor's rate over the plain book's).
Measured on the 2-core machines (three runs, 4 December 2026): 2.31-2.78 M events/s,
0.96-1.01x the plain book (Rex's book 0.47-0.50x). A compiled book behind this
interface would therefore at best about match the plain book, and only if matching,
validation and ``Fill`` objects cost it nothing; the rest of Rex (the exchange's
per-order look-ups, the agents' reads of their orders) would then pay a compiled
call each where it now pays a dict look-up.

Timing: ``REPEATS`` rounds, each running the books back to back (the order
reverses every round) and timing each run in CPU time of this process (``time.process_time``:
time spent descheduled on a busy machine is not counted); the reported rates are
medians over the rounds and ``ratio`` is the median of the per-round ratios
(``ratio_min`` / ``ratio_max``: their range), so a noisy neighbour on a shared machine
hits the books of a round alike.

Run ``python tests/benchmarks/bench_book.py`` (prints one JSON line) or
``pytest -n 0 -m benchmark tests/benchmarks/bench_book.py`` (asserts the bar).
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from bisect import insort
from collections import deque
from heapq import heappop, heappush
from operator import truediv
from typing import Any

import numba
import numpy as np
import pytest
from sortedcontainers import SortedDict

from rex_cli.market import OrderBook, Side

N_EVENTS = 200_000
SEED = 20_240_601
MID_TICKS = 10_000
REPEATS = 7
BAR = 1.0  # rex throughput / plain throughput (median of the paired ratios)

LIMIT, CANCEL, MARKET = 0, 1, 2
BUY, SELL = Side.BUY, Side.SELL

Event = tuple[int, int, Side, int, int, float]  # kind, order id, side, price, qty, time

_INF = float("inf")
_MARKET_BUY_BOUND = sys.maxsize  # above every price; below _INF (the "no ask" sentinel)
_MARKET_SELL_BOUND = 1  # at or below every price; above 0 (the "no bid" sentinel)


class PlainBook:
    """Price-time priority, fills at the resting price, no self-trade prevention.

    The tightest plain structure we could write for this stream: per side a dict
    ``price -> deque`` of ``(order_id, qty)`` tuples (bids keyed by ``-price``) and
    a sorted list of the keys whose deque is not empty (``bisect.insort``; the first
    is the best). A deque stays in its dict when matching drains it and is reused
    when its price returns (no allocation, no dict insert or delete); a level is
    only ever drained at the top of its side, so removing it from the list is
    ``del keys[0]``. One set of live ids: a cancel is one set removal, and an entry
    whose id is not in the set is skipped (and dropped) when it reaches a queue
    front (lazy deletion; ids are unique for the whole run, as the exchange's are).
    The best price of each side is cached (it may name a level holding only
    cancelled entries, which matching drains). Fills are ``(price, qty, maker_id,
    taker_id, time)`` tuples.
    """

    __slots__ = ("ask_keys", "asks", "best_ask", "best_bid", "bid_keys", "bids", "live")

    def __init__(self) -> None:
        self.bids: dict[int, deque[tuple[int, int]]] = {}  # -price -> queue
        self.asks: dict[int, deque[tuple[int, int]]] = {}  # price -> queue
        self.bid_keys: list[int] = []  # sorted keys of the non-empty bid queues
        self.ask_keys: list[int] = []  # sorted keys of the non-empty ask queues
        self.best_bid: int = 0  # 0: no bid level
        self.best_ask: float = _INF  # inf: no ask level
        self.live: set[int] = set()

    def _buy(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        asks, live = self.asks, self.live
        p = self.best_ask
        while p <= bound:
            dq = asks[p]
            while dq:
                moid, mq = dq.popleft()
                if moid not in live:
                    continue
                if mq <= qty:
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq.appendleft((moid, mq - qty))
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            keys = self.ask_keys
            del keys[0]
            p = keys[0] if keys else _INF
            if not qty:
                break
        self.best_ask = p
        return qty

    def _sell(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        bids, live = self.bids, self.live
        p = self.best_bid
        while p >= bound:
            dq = bids[-p]
            while dq:
                moid, mq = dq.popleft()
                if moid not in live:
                    continue
                if mq <= qty:
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq.appendleft((moid, mq - qty))
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            keys = self.bid_keys
            del keys[0]
            p = -keys[0] if keys else 0
            if not qty:
                break
        self.best_bid = p
        return qty

    def limit(self, oid: int, owner: int, side: Side, price: int, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            if price >= self.best_ask:
                qty = self._buy(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.bids.get(-price)
            if not dq:  # a new or drained level
                if dq is None:
                    dq = self.bids[-price] = deque()
                insort(self.bid_keys, -price)
                if price > self.best_bid:
                    self.best_bid = price
        else:
            if price <= self.best_bid:
                qty = self._sell(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.asks.get(price)
            if not dq:
                if dq is None:
                    dq = self.asks[price] = deque()
                insort(self.ask_keys, price)
                if price < self.best_ask:
                    self.best_ask = price
        dq.append((oid, qty))
        self.live.add(oid)
        return fills

    def market(self, oid: int, owner: int, side: Side, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            self._buy(_MARKET_BUY_BOUND, oid, qty, t, fills)
        else:
            self._sell(_MARKET_SELL_BOUND, oid, qty, t, fills)
        return fills

    def cancel(self, oid: int) -> bool:
        try:
            self.live.remove(oid)  # one probe for the common hit (try is free in 3.11)
        except KeyError:
            return False
        return True


class HeapPlainBook:
    """The baseline of the previous round: :class:`PlainBook` with a heap of keys.

    Per side a dict
    ``price -> deque`` of ``(order_id, qty)`` tuples (bids keyed by ``-price``) and a
    binary heap of those keys, so the heap's first key is the best level; a set of
    live ids and a set of cancelled ids that are skipped (and forgotten) when they
    reach a queue front (lazy deletion: a cancel is two set operations); the best
    price of each side is cached (it may name a level holding only cancelled
    entries, which matching drains). A level is only ever removed at the top of its
    side (when matching empties it), so the heap never holds a stale key: removing
    a level is one ``heappop``. Fills are ``(price, qty, maker_id, taker_id, time)``
    tuples.
    """

    __slots__ = ("ask_heap", "asks", "best_ask", "best_bid", "bid_heap", "bids", "dead", "live")

    def __init__(self) -> None:
        self.bids: dict[int, deque[tuple[int, int]]] = {}  # -price -> queue
        self.asks: dict[int, deque[tuple[int, int]]] = {}  # price -> queue
        self.bid_heap: list[int] = []  # keys of bids; [0] is the best
        self.ask_heap: list[int] = []  # keys of asks; [0] is the best
        self.best_bid: int = 0  # 0: no bid level
        self.best_ask: float = _INF  # inf: no ask level
        self.live: set[int] = set()
        self.dead: set[int] = set()

    def _buy(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        asks, live, dead = self.asks, self.live, self.dead
        p = self.best_ask
        while p <= bound:
            dq = asks[p]
            while dq:
                moid, mq = dq[0]
                if moid in dead:
                    dead.remove(moid)
                    dq.popleft()
                elif mq <= qty:
                    dq.popleft()
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq[0] = (moid, mq - qty)
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            del asks[p]
            heap = self.ask_heap
            heappop(heap)
            p = heap[0] if heap else _INF
            if not qty:
                break
        self.best_ask = p
        return qty

    def _sell(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        bids, live, dead = self.bids, self.live, self.dead
        p = self.best_bid
        while p >= bound:
            dq = bids[-p]
            while dq:
                moid, mq = dq[0]
                if moid in dead:
                    dead.remove(moid)
                    dq.popleft()
                elif mq <= qty:
                    dq.popleft()
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq[0] = (moid, mq - qty)
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            del bids[-p]
            heap = self.bid_heap
            heappop(heap)
            p = -heap[0] if heap else 0
            if not qty:
                break
        self.best_bid = p
        return qty

    def limit(self, oid: int, owner: int, side: Side, price: int, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            if price >= self.best_ask:
                qty = self._buy(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.bids.get(-price)
            if dq is None:
                dq = self.bids[-price] = deque()
                heappush(self.bid_heap, -price)
                if price > self.best_bid:
                    self.best_bid = price
        else:
            if price <= self.best_bid:
                qty = self._sell(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.asks.get(price)
            if dq is None:
                dq = self.asks[price] = deque()
                heappush(self.ask_heap, price)
                if price < self.best_ask:
                    self.best_ask = price
        dq.append((oid, qty))
        self.live.add(oid)
        return fills

    def market(self, oid: int, owner: int, side: Side, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            self._buy(_MARKET_BUY_BOUND, oid, qty, t, fills)
        else:
            self._sell(_MARKET_SELL_BOUND, oid, qty, t, fills)
        return fills

    def cancel(self, oid: int) -> bool:
        try:
            self.live.remove(oid)  # one probe for the common hit (try is free in 3.11)
        except KeyError:
            return False
        self.dead.add(oid)
        return True


class SortedPlainBook:
    """The previous baseline: :class:`PlainBook` with ``SortedDict`` levels, no heaps.

    Per side a ``SortedDict`` keyed by price (negated for bids, so the first key is
    the best) mapping to a ``deque`` of ``(order_id, qty)`` tuples; a set of live ids and a set
    of cancelled ids that are skipped (and forgotten) when they reach a queue front
    (lazy deletion: a cancel is two set operations); the best price of each side is
    cached (it may name a level holding only cancelled entries, which matching
    drains); fills are ``(price, qty, maker_id, taker_id, time)`` tuples.
    """

    __slots__ = ("ask_keys", "asks", "best_ask", "best_bid", "bid_keys", "bids", "dead", "live")

    def __init__(self) -> None:
        self.bids: Any = SortedDict()  # -price -> deque[(order_id, qty)]
        self.asks: Any = SortedDict()  # price -> deque[(order_id, qty)]
        self.bid_keys: Any = self.bids.keys()
        self.ask_keys: Any = self.asks.keys()
        self.best_bid: int = 0  # 0: no bid level
        self.best_ask: float = _INF  # inf: no ask level
        self.live: set[int] = set()
        self.dead: set[int] = set()

    def _buy(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        asks, live, dead = self.asks, self.live, self.dead
        p = self.best_ask
        while p <= bound:
            dq = asks[p]
            while dq:
                moid, mq = dq[0]
                if moid in dead:
                    dead.remove(moid)
                    dq.popleft()
                elif mq <= qty:
                    dq.popleft()
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq[0] = (moid, mq - qty)
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            del asks[p]
            p = self.ask_keys[0] if asks else _INF
            if not qty:
                break
        self.best_ask = p
        return qty

    def _sell(self, bound: int, oid: int, qty: int, t: float, fills: list) -> int:
        bids, live, dead = self.bids, self.live, self.dead
        p = self.best_bid
        while p >= bound:
            dq = bids[-p]
            while dq:
                moid, mq = dq[0]
                if moid in dead:
                    dead.remove(moid)
                    dq.popleft()
                elif mq <= qty:
                    dq.popleft()
                    live.remove(moid)
                    fills.append((p, mq, moid, oid, t))
                    qty -= mq
                    if not qty:
                        break
                else:
                    dq[0] = (moid, mq - qty)
                    fills.append((p, qty, moid, oid, t))
                    qty = 0
                    break
            if dq:
                break
            del bids[-p]
            p = -self.bid_keys[0] if bids else 0
            if not qty:
                break
        self.best_bid = p
        return qty

    def limit(self, oid: int, owner: int, side: Side, price: int, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            if price >= self.best_ask:
                qty = self._buy(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.bids.get(-price)
            if dq is None:
                dq = self.bids[-price] = deque()
                if price > self.best_bid:
                    self.best_bid = price
        else:
            if price <= self.best_bid:
                qty = self._sell(price, oid, qty, t, fills)
                if not qty:
                    return fills
            dq = self.asks.get(price)
            if dq is None:
                dq = self.asks[price] = deque()
                if price < self.best_ask:
                    self.best_ask = price
        dq.append((oid, qty))
        self.live.add(oid)
        return fills

    def market(self, oid: int, owner: int, side: Side, qty: int, t: float) -> list:
        fills: list = []
        if side is BUY:
            self._buy(_MARKET_BUY_BOUND, oid, qty, t, fills)
        else:
            self._sell(_MARKET_SELL_BOUND, oid, qty, t, fills)
        return fills

    def cancel(self, oid: int) -> bool:
        try:
            self.live.remove(oid)  # one probe for the common hit (try is free in 3.11)
        except KeyError:
            return False
        self.dead.add(oid)
        return True


@numba.njit(cache=False)
def _compiled_noop(state: np.ndarray, oid: int, buy: bool, price: int, qty: int) -> int:
    state[0] += qty  # a write, so that the call is not a pure function of its arguments
    return 0  # no fills


class CompiledCallFloor:
    """Not a book: one compiled call per event and nothing else (the module docstring)."""

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = np.zeros(1, dtype=np.int64)
        _compiled_noop(self.state, 0, True, 0, 0)  # compile outside the timing

    def limit(self, oid: int, owner: int, side: Side, price: int, qty: int, t: float) -> list:
        if _compiled_noop(self.state, oid, side is BUY, price, qty):
            return [None]
        return []

    def market(self, oid: int, owner: int, side: Side, qty: int, t: float) -> list:
        if _compiled_noop(self.state, oid, side is BUY, 0, qty):
            return [None]
        return []

    def cancel(self, oid: int) -> bool:
        return not _compiled_noop(self.state, oid, True, 0, 0)


def make_events(n: int = N_EVENTS, seed: int = SEED) -> list[Event]:
    """The synthetic stream; a plain book is run alongside to pick live orders to cancel."""
    rng = random.Random(seed)
    sim = PlainBook()
    live: list[int] = []  # candidate ids for cancels (may hold filled ones, pruned lazily)
    events: list[Event] = []
    next_id = 1
    for i in range(n):
        t = i * 0.001
        u = rng.random()
        if 0.60 <= u < 0.85:
            oid = 0
            while live:
                j = rng.randrange(len(live))
                cand = live[j]
                live[j] = live[-1]
                live.pop()
                if cand in sim.live:
                    oid = cand
                    break
            if oid:
                events.append((CANCEL, oid, BUY, 0, 0, t))
                sim.cancel(oid)
                continue
            u = 0.0  # nothing live to cancel: submit a limit order instead
        oid = next_id
        next_id += 1
        side = BUY if rng.random() < 0.5 else SELL
        if u < 0.60:
            offset = rng.randint(0, 30)
            price = MID_TICKS + 2 - offset if side is BUY else MID_TICKS - 2 + offset
            qty = rng.randint(1, 10)
            events.append((LIMIT, oid, side, price, qty, t))
            sim.limit(oid, oid, side, price, qty, t)
            if oid in sim.live:
                live.append(oid)
        else:
            qty = rng.randint(1, 15)
            events.append((MARKET, oid, side, qty, qty, t))
            sim.market(oid, oid, side, qty, t)
    return events


def _run(book: Any, events: list[Event]) -> float:
    """Feed the stream through ``book``; return the CPU time in seconds."""
    limit, market, cancel = book.limit, book.market, book.cancel
    gc.collect()
    t0 = time.process_time()
    for kind, oid, side, price, qty, t in events:
        if kind == LIMIT:
            limit(oid, oid, side, price, qty, t)
        elif kind == CANCEL:
            cancel(oid)
        else:
            market(oid, oid, side, qty, t)
    return time.process_time() - t0


def check_same_trades(events: list[Event]) -> None:
    """The four books must trade identically on the stream (no STP effect by design)."""
    rex = OrderBook()
    plains = [PlainBook(), HeapPlainBook(), SortedPlainBook()]
    for kind, oid, side, price, qty, t in events:
        if kind == LIMIT:
            a = rex.limit(oid, oid, side, price, qty, t)
            b, *c = (p.limit(oid, oid, side, price, qty, t) for p in plains)
        elif kind == CANCEL:
            assert rex.cancel(oid) is True
            assert all(p.cancel(oid) is True for p in plains)
            continue
        else:
            a = rex.market(oid, oid, side, qty, t)
            b, *c = (p.market(oid, oid, side, qty, t) for p in plains)
        assert [(f.price, f.qty, f.maker_id, f.taker_id) for f in a] == [x[:4] for x in b]
        assert c == [b, b]
    assert all(rex.order_count == len(p.live) for p in plains)


def measure(events: list[Event] | None = None, repeats: int = REPEATS) -> dict[str, float]:
    """Median throughputs and median per-round ratios (see the module docstring)."""
    if events is None:
        events = make_events()
    books: list[Any] = [OrderBook, PlainBook, HeapPlainBook, SortedPlainBook, CompiledCallFloor]
    times: dict[Any, list[float]] = {book: [] for book in books}
    for i in range(repeats):
        for book in books if i % 2 == 0 else books[::-1]:  # who goes first alternates
            times[book].append(_run(book(), events))
    rex_times, plain_times, heap_times, sorted_times, floor_times = (times[b] for b in books)
    n = len(events)
    ratios = list(map(truediv, plain_times, rex_times))
    return {
        "events": n,
        "repeats": repeats,
        "rex_events_per_s": round(n / statistics.median(rex_times)),
        "plain_events_per_s": round(n / statistics.median(plain_times)),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "heap_plain_events_per_s": round(n / statistics.median(heap_times)),
        "ratio_vs_heap": round(statistics.median(map(truediv, heap_times, rex_times)), 3),
        "sorted_plain_events_per_s": round(n / statistics.median(sorted_times)),
        "ratio_vs_sorteddict": round(statistics.median(map(truediv, sorted_times, rex_times)), 3),
        "floor_events_per_s": round(n / statistics.median(floor_times)),
        "floor_vs_plain": round(statistics.median(map(truediv, plain_times, floor_times)), 3),
    }


@pytest.mark.benchmark
def test_book_throughput_vs_plain() -> None:
    events = make_events()
    check_same_trades(events)
    result = measure(events)
    print(json.dumps(result))
    assert result["ratio"] >= BAR, result


def main() -> int:
    """Print one JSON line; exit status 1 if the bar is missed."""
    events = make_events()
    check_same_trades(events)
    result = measure(events)
    print(json.dumps(result))
    return 0 if result["ratio"] >= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
