"""Cancel: removal, unknown ids, level and best-price upkeep, lazy deletion."""

from __future__ import annotations

import rex_cli.market.book as book_module
from rex_cli.market import Fill, OrderBook, Side

BUY, SELL = Side.BUY, Side.SELL


def brief(fills: list[Fill]) -> list[tuple[int, int, int]]:
    return [(f.maker_id, f.price, f.qty) for f in fills]


def test_cancel_resting_then_again() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, 99, 5, 0.0)
    assert book.cancel(1) is True
    assert book.get(1) is None and book.order_count == 0
    assert book.best_bid() is None and book.depth(BUY, 3) == []
    assert book.cancel(1) is False


def test_cancel_unknown_or_filled_returns_false() -> None:
    book = OrderBook()
    assert book.cancel(42) is False
    book.limit(1, 1, SELL, 101, 2, 0.0)
    book.limit(2, 2, BUY, 101, 2, 1.0)  # fills order 1
    assert book.cancel(1) is False
    assert book.cancel(2) is False  # fully filled on entry, never rested


def test_cancel_middle_of_queue_keeps_others_order() -> None:
    book = OrderBook()
    for oid in (1, 2, 3):
        book.limit(oid, oid, SELL, 101, 2, 0.0)
    assert book.cancel(2)
    assert book.depth(SELL, 1) == [(101, 4)]
    assert brief(book.market(9, 9, BUY, 4, 1.0)) == [(1, 101, 2), (3, 101, 2)]


def test_cancel_best_level_moves_best_price() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, 100, 1, 0.0)
    book.limit(2, 2, BUY, 98, 1, 0.0)
    book.limit(3, 3, SELL, 102, 1, 0.0)
    book.limit(4, 4, SELL, 105, 1, 0.0)
    assert book.cancel(1) and book.best_bid() == 98
    assert book.cancel(3) and book.best_ask() == 105
    assert book.cancel(2) and book.best_bid() is None
    # The cached best must also follow non-best removals.
    assert book.cancel(4) and book.best_ask() is None
    assert book.limit(5, 5, SELL, 99, 1, 1.0) == [] and book.best_ask() == 99


def test_cancel_partially_filled_order_removes_its_remainder() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 5, 0.0)
    book.limit(2, 1, SELL, 101, 1, 0.0)
    book.market(3, 2, BUY, 2, 1.0)
    assert book.cancel(1)
    assert book.depth(SELL, 1) == [(101, 1)]


def test_cancel_works_in_call_phase() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 1, BUY, 105, 5, 0.0)
    book.limit(2, 2, SELL, 100, 5, 0.0)
    assert book.cancel(1)
    assert book.uncross(1.0) == [] and book.last_auction_price is None


def test_many_cancels_in_one_level_compact_and_keep_fifo() -> None:
    book = OrderBook()
    for oid in range(1, 201):
        book.limit(oid, oid, SELL, 101, 1, oid / 100)
    book.limit(999, 999, SELL, 102, 1, 3.0)
    survivors = [oid for oid in range(1, 201) if oid % 10 == 0]
    for oid in range(1, 201):
        if oid % 10:
            assert book.cancel(oid)
    queue = book._asks[101].orders  # white-box: dead entries did not pile up
    assert len(queue) <= len(survivors) + 2 * book_module._COMPACT_MIN_DEAD
    assert book.depth(SELL, 2) == [(101, len(survivors)), (102, 1)]
    fills = book.market(5000, 5000, BUY, len(survivors) + 1, 9.0)
    assert [f.maker_id for f in fills] == [*survivors, 999]
