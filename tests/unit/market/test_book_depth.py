"""Market data: best bid/ask and aggregated depth per price level; get()."""

from __future__ import annotations

import dataclasses

import pytest

from rex_cli.market import OrderBook, OrderRejected, OrderView, RejectReason, Side

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
