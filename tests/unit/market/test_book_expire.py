"""Gate closure: expire_all removes and returns every resting order (orders() lists them)."""

from __future__ import annotations

from rex_cli.market import OrderBook, OrderView, Side

BUY, SELL = Side.BUY, Side.SELL


def test_expire_all_returns_remaining_orders_in_arrival_order() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 4, 0.0)
    book.limit(2, 2, BUY, 99, 2, 0.1)
    book.limit(3, 3, SELL, 101, 4, 0.2)
    book.market(4, 4, BUY, 1, 0.3)  # order 1 -> 3 left
    book.replace(2, 0.4, price=98)  # re-enters: now the newest
    book.cancel(3)
    resting = [OrderView(1, 1, SELL, 101, 3, 0.0), OrderView(2, 2, BUY, 98, 2, 0.4)]
    assert book.orders() == resting  # a snapshot: the orders stay
    assert book.order_count == 2
    assert book.expire_all() == resting
    assert book.order_count == 0
    assert book.best_bid() is None and book.best_ask() is None
    assert book.depth(BUY, 5) == [] and book.depth(SELL, 5) == []
    assert book.cancel(1) is False and book.expire_all() == []


def test_book_usable_after_expiry() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 4, 0.0)
    book.expire_all()
    assert book.limit(1, 2, BUY, 150, 1, 1.0) == []  # nothing left to match
    assert book.best_bid() == 150


def test_expire_during_call_phase() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 1, BUY, 105, 1, 0.0)
    book.limit(2, 2, SELL, 100, 1, 0.0)
    assert [v.order_id for v in book.expire_all()] == [1, 2]
    assert book.in_call_phase and book.uncross(1.0) == []
