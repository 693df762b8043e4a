"""Throughput of the pure call-auction clearing against the book's own opening auction.

The stream (fixed seed, generated before timing): 2,000 calls of 60 random orders each
(prices 100-160 ticks, 1-20 lots, distinct owners), the size of a periodic call on one
unit of the default scenario. ``clear`` (pro rata) and, as the baseline,
``OrderBook.uncross`` on the same orders (building the book is not timed) must give the
same price and volume (checked before timing). Times are CPU times of this process,
medians over ``REPEATS`` rounds; ``ratio`` = pure / book time per call.

Run ``python tests/benchmarks/bench_auction.py`` (prints one JSON line) or
``pytest -n 0 -m benchmark tests/benchmarks/bench_auction.py`` (asserts the bar).
"""

from __future__ import annotations

import json
import random
import statistics
import time

import pytest

from rex_cli.market.auction import AuctionOrder, clear
from rex_cli.market.book import OrderBook
from rex_cli.market.orders import Side

CALLS, ORDERS, REPEATS = 2000, 60, 5


def _stream() -> list[list[AuctionOrder]]:
    rng = random.Random(14)
    out = []
    for _ in range(CALLS):
        call = []
        for i in range(ORDERS):
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            call.append(AuctionOrder(i + 1, i + 1, side, rng.randint(100, 160), rng.randint(1, 20)))
        out.append(call)
    return out


def _books(stream: list[list[AuctionOrder]]) -> list[OrderBook]:
    books = []
    for call in stream:
        book = OrderBook(call_phase=True)
        for o in call:
            book.limit(o.order_id, o.owner, o.side, o.price, o.qty, 0.0)
        books.append(book)
    return books


def measure() -> dict[str, float]:
    stream = _stream()
    for call, book in zip(stream, _books(stream), strict=True):
        res, quote = clear(call), book.auction_preview()
        assert (res.price, res.volume) == (
            (None, 0) if quote is None else (quote.price, quote.volume)
        )
    pure, book_t = [], []
    for _ in range(REPEATS):
        books = _books(stream)
        t0 = time.process_time()
        for call in stream:
            clear(call)
        pure.append((time.process_time() - t0) / CALLS)
        t0 = time.process_time()
        for b in books:
            b.uncross(1.0)
        book_t.append((time.process_time() - t0) / CALLS)
    p, b = statistics.median(pure), statistics.median(book_t)
    return {"bench": "auction", "calls": CALLS, "orders_per_call": ORDERS,
            "pure_us_per_call": round(p * 1e6, 1), "book_us_per_call": round(b * 1e6, 1),
            "ratio": round(p / b, 3)}  # fmt: skip


@pytest.mark.benchmark
def test_pure_clearing_is_within_a_small_factor_of_the_books_auction():
    result = measure()
    print(json.dumps(result))
    # the pure clearing also computes pro-rata shares and builds order lists: <= 5x
    assert result["ratio"] < 5.0


if __name__ == "__main__":
    print(json.dumps(measure()))
