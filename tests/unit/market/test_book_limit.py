"""Limit orders: resting, price-time priority, partial fills, STP, no self-crossing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rex_cli.market import Fill, OrderBook, OrderRejected, OrderView, RejectReason, Side

BUY, SELL = Side.BUY, Side.SELL


def brief(fills: list[Fill]) -> list[tuple[int, int, int]]:
    """(maker id, price ticks, qty lots) of each fill."""
    return [(f.maker_id, f.price, f.qty) for f in fills]


def test_non_marketable_order_rests() -> None:
    book = OrderBook()
    assert book.limit(1, 10, BUY, 99, 5, 0.5) == []
    assert book.limit(2, 11, SELL, 101, 3, 0.6) == []
    assert (book.best_bid(), book.best_ask()) == (99, 101)
    assert book.get(1) == OrderView(1, 10, BUY, 99, 5, 0.5)
    assert book.last_dropped_qty == 0
    assert book.order_count == 2 and 1 in book and 3 not in book


def test_full_fill_at_resting_price_with_all_fields() -> None:
    book = OrderBook()
    book.limit(1, 10, SELL, 101, 5, 0.0)
    fills = book.limit(2, 20, BUY, 105, 5, 1.0)  # willing to pay 105, gets 101
    assert fills == [Fill(101, 5, 1, 2, 10, 20, BUY, 1.0)]
    f = fills[0]
    assert type(f) is Fill
    assert (f.buyer_id, f.seller_id, f.buyer_owner, f.seller_owner) == (2, 1, 20, 10)
    assert f.cash_ticks == 505
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.price = 1  # type: ignore[misc]
    assert book.best_ask() is None and book.best_bid() is None and book.order_count == 0


def test_time_priority_within_a_level() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 4, 0.0)
    book.limit(2, 2, SELL, 101, 4, 0.1)
    book.limit(3, 3, SELL, 101, 4, 0.2)
    assert brief(book.limit(4, 9, BUY, 101, 6, 1.0)) == [(1, 101, 4), (2, 101, 2)]
    # The partially filled order keeps the front of the queue.
    assert book.get(2) == OrderView(2, 2, SELL, 101, 2, 0.1)
    assert brief(book.limit(5, 9, BUY, 101, 3, 2.0)) == [(2, 101, 2), (3, 101, 1)]


def test_price_priority_walks_levels_and_remainder_rests_at_limit() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 103, 2, 0.0)
    book.limit(2, 2, SELL, 101, 2, 0.1)
    book.limit(3, 3, SELL, 102, 2, 0.2)
    book.limit(4, 4, SELL, 104, 2, 0.3)
    fills = book.limit(5, 9, BUY, 103, 10, 1.0)
    assert brief(fills) == [(2, 101, 2), (3, 102, 2), (1, 103, 2)]
    assert book.get(5) == OrderView(5, 9, BUY, 103, 4, 1.0)
    assert (book.best_bid(), book.best_ask()) == (103, 104)


def test_sell_side_symmetric() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, 99, 3, 0.0)
    book.limit(2, 2, BUY, 100, 3, 0.1)
    fills = book.limit(3, 9, SELL, 98, 5, 1.0)
    assert brief(fills) == [(2, 100, 3), (1, 99, 2)]
    assert all(f.taker_side is SELL for f in fills)
    assert book.get(1) == OrderView(1, 1, BUY, 99, 1, 0.0)
    assert book.best_ask() is None


def test_self_trade_prevention_skips_own_orders_which_keep_priority() -> None:
    book = OrderBook()
    book.limit(1, 7, SELL, 101, 3, 0.0)  # own order, first in queue
    book.limit(2, 8, SELL, 101, 2, 0.1)
    book.limit(3, 8, SELL, 102, 2, 0.2)
    book.limit(4, 7, SELL, 103, 2, 0.3)  # own order on a deeper level
    book.limit(5, 8, SELL, 104, 9, 0.4)
    fills = book.limit(6, 7, BUY, 104, 5, 1.0)
    assert brief(fills) == [(2, 101, 2), (3, 102, 2), (5, 104, 1)]
    assert all(f.maker_owner != f.taker_owner for f in fills)
    # Own orders untouched; the remainder is fully filled so nothing rests.
    assert book.get(1) == OrderView(1, 7, SELL, 101, 3, 0.0)
    assert book.get(4) == OrderView(4, 7, SELL, 103, 2, 0.3)
    assert book.depth(SELL, 5) == [(101, 3), (103, 2), (104, 8)]
    # Order 1 is still first at 101 for anybody else.
    assert brief(book.limit(7, 9, BUY, 101, 1, 2.0)) == [(1, 101, 1)]


def test_remainder_crossing_own_order_is_dropped() -> None:
    book = OrderBook()
    book.limit(1, 7, SELL, 100, 3, 0.0)  # own ask
    book.limit(2, 8, SELL, 100, 2, 0.1)
    fills = book.limit(3, 7, BUY, 101, 6, 1.0)
    assert brief(fills) == [(2, 100, 2)]
    # 4 lots would rest at 101 >= own ask 100: cancelled ("cancel newest").
    assert book.last_dropped_qty == 4
    assert book.get(3) is None
    assert (book.best_bid(), book.best_ask()) == (None, 100)


def test_self_crossing_without_any_trade_drops_whole_order() -> None:
    book = OrderBook()
    book.limit(1, 7, BUY, 100, 3, 0.0)
    assert book.limit(2, 7, SELL, 100, 5, 1.0) == []
    assert book.last_dropped_qty == 5 and book.get(2) is None
    # Just above the own bid is fine.
    assert book.limit(3, 7, SELL, 101, 5, 2.0) == []
    assert book.last_dropped_qty == 0 and book.get(3) is not None


def test_sell_remainder_dropped_when_own_bid_left() -> None:
    book = OrderBook()
    book.limit(1, 8, BUY, 102, 1, 0.0)
    book.limit(2, 7, BUY, 101, 4, 0.1)  # own bid
    book.limit(3, 8, BUY, 100, 1, 0.2)
    fills = book.limit(4, 7, SELL, 100, 5, 1.0)
    assert brief(fills) == [(1, 102, 1), (3, 100, 1)]
    assert book.last_dropped_qty == 3 and book.get(4) is None
    assert book.depth(BUY, 3) == [(101, 4)]
    assert book.best_ask() is None


@pytest.mark.parametrize("price", [0, -1, 1.5, 100.0, True, "100", None])
def test_bad_price_rejected(price: object) -> None:
    book = OrderBook()
    with pytest.raises(OrderRejected) as exc:
        book.limit(1, 1, BUY, price, 1, 0.0)  # type: ignore[arg-type]
    assert exc.value.reason is RejectReason.BAD_PRICE
    assert book.order_count == 0


@pytest.mark.parametrize("qty", [0, -3, 2.5, 1.0, False, "1"])
def test_bad_qty_rejected(qty: object) -> None:
    book = OrderBook()
    with pytest.raises(OrderRejected) as exc:
        book.limit(1, 1, SELL, 100, qty, 0.0)  # type: ignore[arg-type]
    assert exc.value.reason is RejectReason.BAD_QTY
    assert "qty" in exc.value.detail and book.order_count == 0


def test_duplicate_id_and_bad_side_rejected_without_change() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 100, 2, 0.0)
    with pytest.raises(OrderRejected) as exc:
        book.limit(1, 2, BUY, 100, 2, 1.0)  # would have traded
    assert exc.value.reason is RejectReason.DUPLICATE_ID
    with pytest.raises(OrderRejected) as exc:
        book.limit(2, 2, "buy", 100, 2, 1.0)  # type: ignore[arg-type]
    assert exc.value.reason is RejectReason.BAD_SIDE
    assert book.get(1) == OrderView(1, 1, SELL, 100, 2, 0.0) and book.order_count == 1


def test_integer_like_numbers_become_int() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, np.int64(100), np.int32(3), 0.0)  # type: ignore[arg-type]
    view = book.get(1)
    assert view is not None and type(view.price) is int and type(view.qty) is int
    assert book.depth(BUY, 1) == [(100, 3)]


def test_id_of_a_finished_order_may_be_reused() -> None:
    book = OrderBook()
    book.limit(1, 1, SELL, 100, 2, 0.0)
    book.limit(2, 2, BUY, 100, 2, 1.0)
    assert book.limit(1, 3, SELL, 105, 1, 2.0) == []
    assert book.get(1) == OrderView(1, 3, SELL, 105, 1, 2.0)


def test_rejection_pickles_with_reason() -> None:
    import pickle

    err = OrderRejected(RejectReason.BAD_QTY, "qty must be > 0")
    back = pickle.loads(pickle.dumps(err))
    assert back.reason is RejectReason.BAD_QTY and back.detail == err.detail
    assert str(back) == "BAD_QTY: qty must be > 0"
