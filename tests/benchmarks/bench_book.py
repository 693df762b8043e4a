"""Throughput of ``OrderBook`` against a plain price-level book on the same stream.

The stream (fixed seed, generated before any timing): 200,000 events, 60 % limit
orders near the mid (a few of them marketable), 25 % cancels of orders that are live
at that moment, 15 % market orders. Every order has its own owner, so self-trade
prevention never changes the outcome and both books must produce the same trades
(checked before timing).

The plain book is the baseline (the usual textbook structure): a
``sortedcontainers.SortedDict(price -> collections.deque)`` per side plus an
order-id dict, fills as tuples, cancels by ``deque.remove``.

Run ``python tests/benchmarks/bench_book.py`` (prints one JSON line) or
``pytest -m benchmark tests/benchmarks/bench_book.py`` (asserts the bar).
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from collections import deque
from typing import Any

import pytest
from sortedcontainers import SortedDict

from rex_cli.market import OrderBook, Side

N_EVENTS = 200_000
SEED = 20_240_601
MID_TICKS = 10_000
REPEATS = 3
BAR = 0.8  # rex throughput / plain throughput

LIMIT, CANCEL, MARKET = 0, 1, 2
BUY, SELL = Side.BUY, Side.SELL

Event = tuple[int, int, Side, int, int, float]  # kind, order id, side, price, qty, time


class _PlainOrder:
    __slots__ = ("oid", "owner", "price", "qty", "side")

    def __init__(self, oid: int, owner: int, side: Side, price: int, qty: int) -> None:
        self.oid = oid
        self.owner = owner
        self.side = side
        self.price = price
        self.qty = qty


class PlainBook:
    """Price-time priority, fills at the resting price, no self-trade prevention."""

    def __init__(self) -> None:
        self.bids: Any = SortedDict()  # -price -> deque of orders
        self.asks: Any = SortedDict()  # price -> deque of orders
        self.orders: dict[int, _PlainOrder] = {}

    def _eat(self, dq: deque[_PlainOrder], price: int, oid: int, qty: int, fills: list, t: float):
        orders = self.orders
        while qty and dq:
            o = dq[0]
            if o.qty <= qty:
                qty -= o.qty
                fills.append((price, o.qty, o.oid, oid, t))
                dq.popleft()
                del orders[o.oid]
            else:
                o.qty -= qty
                fills.append((price, qty, o.oid, oid, t))
                qty = 0
        return qty

    def _match(self, side: Side, bound: float, oid: int, qty: int, t: float) -> tuple[list, int]:
        fills: list = []
        if side is BUY:
            asks = self.asks
            while qty and asks:
                p, dq = asks.peekitem(0)
                if p > bound:
                    break
                qty = self._eat(dq, p, oid, qty, fills, t)
                if not dq:
                    del asks[p]
        else:
            bids = self.bids
            while qty and bids:
                k, dq = bids.peekitem(0)
                if -k < bound:
                    break
                qty = self._eat(dq, -k, oid, qty, fills, t)
                if not dq:
                    del bids[k]
        return fills, qty

    def limit(self, oid: int, owner: int, side: Side, price: int, qty: int, t: float) -> list:
        fills, qty = self._match(side, price, oid, qty, t)
        if qty:
            o = _PlainOrder(oid, owner, side, price, qty)
            self.orders[oid] = o
            book, key = (self.bids, -price) if side is BUY else (self.asks, price)
            dq = book.get(key)
            if dq is None:
                dq = book[key] = deque()
            dq.append(o)
        return fills

    def market(self, oid: int, owner: int, side: Side, qty: int, t: float) -> list:
        bound = float("inf") if side is BUY else 0
        return self._match(side, bound, oid, qty, t)[0]

    def cancel(self, oid: int) -> bool:
        o = self.orders.pop(oid, None)
        if o is None:
            return False
        book, key = (self.bids, -o.price) if o.side is BUY else (self.asks, o.price)
        dq = book[key]
        dq.remove(o)
        if not dq:
            del book[key]
        return True


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
                if cand in sim.orders:
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
            if oid in sim.orders:
                live.append(oid)
        else:
            qty = rng.randint(1, 15)
            events.append((MARKET, oid, side, qty, qty, t))
            sim.market(oid, oid, side, qty, t)
    return events


def _run(book: Any, events: list[Event]) -> float:
    """Feed the stream through ``book``; return the wall time in seconds."""
    limit, market, cancel = book.limit, book.market, book.cancel
    gc.collect()
    t0 = time.perf_counter()
    for kind, oid, side, price, qty, t in events:
        if kind == LIMIT:
            limit(oid, oid, side, price, qty, t)
        elif kind == CANCEL:
            cancel(oid)
        else:
            market(oid, oid, side, qty, t)
    return time.perf_counter() - t0


def check_same_trades(events: list[Event]) -> None:
    """Both books must trade identically on the stream (no STP effect by design)."""
    rex, plain = OrderBook(), PlainBook()
    for kind, oid, side, price, qty, t in events:
        if kind == LIMIT:
            a = rex.limit(oid, oid, side, price, qty, t)
            b = plain.limit(oid, oid, side, price, qty, t)
        elif kind == CANCEL:
            assert rex.cancel(oid) is plain.cancel(oid) is True
            continue
        else:
            a = rex.market(oid, oid, side, qty, t)
            b = plain.market(oid, oid, side, qty, t)
        assert [(f.price, f.qty, f.maker_id, f.taker_id) for f in a] == [x[:4] for x in b]
    assert rex.order_count == len(plain.orders)


def measure(events: list[Event] | None = None, repeats: int = REPEATS) -> dict[str, float]:
    """Best-of-``repeats`` throughput of both books, runs alternating."""
    if events is None:
        events = make_events()
    rex_best = plain_best = float("inf")
    for _ in range(repeats):
        rex_best = min(rex_best, _run(OrderBook(), events))
        plain_best = min(plain_best, _run(PlainBook(), events))
    rex_rate = len(events) / rex_best
    plain_rate = len(events) / plain_best
    return {
        "events": len(events),
        "rex_events_per_s": round(rex_rate),
        "plain_events_per_s": round(plain_rate),
        "ratio": round(rex_rate / plain_rate, 3),
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
