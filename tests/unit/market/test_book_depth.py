"""Market data: best bid/ask and aggregated depth per price level; get()."""

from __future__ import annotations

import dataclasses
import random

import pytest

from rex_cli.market import OrderBook, OrderRejected, OrderView, RejectReason, Side
from rex_cli.market import book as book_module

BUY, SELL = Side.BUY, Side.SELL


def sample_book() -> OrderBook:
    book = OrderBook()
    book.limit(1, 1, BUY, 99, 2, 0.0)
    book.limit(2, 2, BUY, 99, 3, 0.0)
    book.limit(3, 3, BUY, 97, 1, 0.0)
    book.limit(4, 4, BUY, 98, 4, 0.0)
    book.limit(5, 5, SELL, 102, 5, 0.0)
    book.limit(6, 6, SELL, 101, 1, 0.0)
    book.limit(7, 7, SELL, 101, 2, 0.0)
    return book


def test_empty_book() -> None:
    book = OrderBook()
    assert book.best_bid() is None and book.best_ask() is None
    assert book.depth(BUY, 5) == [] and book.depth(SELL, 5) == []


def test_levels_aggregated_best_first() -> None:
    book = sample_book()
    assert (book.best_bid(), book.best_ask()) == (99, 101)
    assert book.depth(BUY, 10) == [(99, 5), (98, 4), (97, 1)]
    assert book.depth(SELL, 10) == [(101, 3), (102, 5)]
    assert book.depth(BUY, 2) == [(99, 5), (98, 4)]
    assert book.depth(SELL, 0) == []


def test_depth_follows_fills_cancels_and_shrinks() -> None:
    book = sample_book()
    book.market(8, 8, SELL, 6, 1.0)  # 99 x5 gone, 98 -> 3
    book.cancel(6)
    book.shrink(5, 2)
    assert book.depth(BUY, 10) == [(98, 3), (97, 1)]
    assert book.depth(SELL, 10) == [(101, 2), (102, 2)]
    assert (book.best_bid(), book.best_ask()) == (98, 101)


def test_depth_argument_checks() -> None:
    book = sample_book()
    with pytest.raises(ValueError):
        book.depth(BUY, -1)
    with pytest.raises(ValueError):
        book.depth(BUY, 2.0)  # type: ignore[arg-type]
    with pytest.raises(OrderRejected) as exc:
        book.depth("sell", 1)  # type: ignore[arg-type]
    assert exc.value.reason is RejectReason.BAD_SIDE


def test_get_returns_immutable_snapshot() -> None:
    book = sample_book()
    view = book.get(2)
    assert view == OrderView(2, 2, BUY, 99, 3, 0.0)
    assert view is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.qty = 1  # type: ignore[misc]
    book.market(8, 8, SELL, 4, 1.0)
    assert view.qty == 3  # a snapshot, not a live handle
    assert book.get(2) == OrderView(2, 2, BUY, 99, 1, 0.0)
    assert book.get(12345) is None


def test_side_opposite() -> None:
    assert BUY.opposite is SELL and SELL.opposite is BUY


def test_emptied_levels_are_reused_and_pruned() -> None:
    """Levels that come and go (cancels, fills) over many distinct prices.

    Compared with a brute-force depth (a dict of the live orders). White-box: the
    prices drift over about 800 ticks per side, but a side never holds more than
    twice the most levels it had live so far plus ``_LEVEL_SLACK`` (the empty ones
    are pruned when new prices arrive).
    """
    rng = random.Random(7)
    book = OrderBook()
    live: dict[int, tuple[Side, int, int]] = {}  # id -> (side, price, qty)
    next_id = 1
    peak = {BUY: 0, SELL: 0}  # most live levels seen so far
    for step in range(4000):
        mid = 1000 + 40 * (step // 200)  # the prices drift: old levels empty out
        u = rng.random()
        if u < 0.55 or not live:
            side = BUY if rng.random() < 0.5 else SELL
            price = mid - rng.randint(1, 30) if side is BUY else mid + rng.randint(1, 30)
            qty = rng.randint(1, 5)
            fills = book.limit(next_id, next_id, side, price, qty, float(step))
            for f in fills:
                s, p, q = live[f.maker_id]
                if q == f.qty:
                    del live[f.maker_id]
                else:
                    live[f.maker_id] = (s, p, q - f.qty)
                qty -= f.qty
            if qty:
                live[next_id] = (side, price, qty)
            next_id += 1
        elif u < 0.85:
            oid = rng.choice(list(live))
            assert book.cancel(oid)
            del live[oid]
        else:
            side = BUY if rng.random() < 0.5 else SELL
            for f in book.market(next_id, next_id, side, rng.randint(1, 12), float(step)):
                s, p, q = live[f.maker_id]
                if q == f.qty:
                    del live[f.maker_id]
                else:
                    live[f.maker_id] = (s, p, q - f.qty)
            next_id += 1
        for side, levels in ((BUY, book._bids), (SELL, book._asks)):
            totals: dict[int, int] = {}
            for s, p, q in live.values():
                if s is side:
                    totals[p] = totals.get(p, 0) + q
            expected = sorted(totals.items(), reverse=side is BUY)
            assert book.depth(side, 10**6) == expected
            assert book.depth(side, 3) == expected[:3]
            peak[side] = max(peak[side], len(totals))
            assert len(levels) <= 2 * peak[side] + book_module._LEVEL_SLACK + 1
        best_bid = max((p for s, p, _ in live.values() if s is BUY), default=None)
        best_ask = min((p for s, p, _ in live.values() if s is SELL), default=None)
        assert (book.best_bid(), book.best_ask()) == (best_bid, best_ask)
