"""Market orders: sweep at resting prices, worst-price bound, never rest, STP."""

from __future__ import annotations

import pytest

from rex_cli.market import Fill, OrderBook, OrderRejected, OrderView, RejectReason, Side

BUY, SELL = Side.BUY, Side.SELL


def brief(fills: list[Fill]) -> list[tuple[int, int, int]]:
    return [(f.maker_id, f.price, f.qty) for f in fills]


def asks_101_102_103() -> OrderBook:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 2, 0.0)
    book.limit(2, 2, SELL, 102, 3, 0.0)
    book.limit(3, 3, SELL, 103, 4, 0.0)
    return book


def test_sweeps_levels_at_resting_prices() -> None:
    book = asks_101_102_103()
    fills = book.market(10, 9, BUY, 6, 1.0)
    assert brief(fills) == [(1, 101, 2), (2, 102, 3), (3, 103, 1)]
    assert all(f.taker_id == 10 and f.taker_side is BUY and f.time == 1.0 for f in fills)
    assert book.last_dropped_qty == 0
    assert book.depth(SELL, 5) == [(103, 3)]
    assert book.get(10) is None


def test_remainder_is_dropped_never_rests() -> None:
    book = asks_101_102_103()
    fills = book.market(10, 9, BUY, 12, 1.0)
    assert sum(f.qty for f in fills) == 9
    assert book.last_dropped_qty == 3
    assert book.get(10) is None and book.best_bid() is None and book.order_count == 0


def test_worst_price_bounds_a_buy() -> None:
    book = asks_101_102_103()
    fills = book.market(10, 9, BUY, 8, 1.0, worst_price=102)
    assert brief(fills) == [(1, 101, 2), (2, 102, 3)]
    assert book.last_dropped_qty == 3
    assert book.best_ask() == 103


def test_worst_price_below_best_trades_nothing() -> None:
    book = asks_101_102_103()
    assert book.market(10, 9, BUY, 8, 1.0, worst_price=100) == []
    assert book.last_dropped_qty == 8 and book.order_count == 3


def test_worst_price_bounds_a_sell() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, 99, 2, 0.0)
    book.limit(2, 2, BUY, 98, 2, 0.0)
    book.limit(3, 3, BUY, 97, 2, 0.0)
    fills = book.market(10, 9, SELL, 5, 1.0, worst_price=98)
    assert brief(fills) == [(1, 99, 2), (2, 98, 2)]
    assert book.last_dropped_qty == 1 and book.best_bid() == 97
    assert book.market(11, 9, SELL, 1, 1.0, worst_price=98) == []
    assert book.last_dropped_qty == 1


def test_empty_opposite_side() -> None:
    book = OrderBook()
    book.limit(1, 1, BUY, 99, 2, 0.0)
    assert book.market(10, 9, BUY, 3, 1.0) == []
    assert book.last_dropped_qty == 3
    assert book.market(11, 9, SELL, 1, 1.0) == [Fill(99, 1, 1, 11, 1, 9, SELL, 1.0)]


def test_self_trade_prevention_skips_and_keeps_own_orders() -> None:
    book = OrderBook()
    book.limit(1, 7, SELL, 101, 2, 0.0)  # own
    book.limit(2, 8, SELL, 101, 1, 0.1)
    book.limit(3, 7, SELL, 102, 2, 0.2)  # own, alone on its level
    book.limit(4, 8, SELL, 103, 1, 0.3)
    fills = book.market(10, 7, BUY, 5, 1.0)
    assert brief(fills) == [(2, 101, 1), (4, 103, 1)]
    assert book.last_dropped_qty == 3
    assert book.depth(SELL, 5) == [(101, 2), (102, 2)]
    assert book.get(1) == OrderView(1, 7, SELL, 101, 2, 0.0)
    # Only own orders left: nothing to trade.
    assert book.market(11, 7, BUY, 1, 2.0) == []
    assert book.last_dropped_qty == 1


def test_rejected_during_call_phase() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 1, SELL, 101, 2, 0.0)
    with pytest.raises(OrderRejected) as exc:
        book.market(10, 9, BUY, 1, 1.0)
    assert exc.value.reason is RejectReason.CALL_PHASE
    assert book.depth(SELL, 1) == [(101, 2)]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"qty": 0}, RejectReason.BAD_QTY),
        ({"qty": 1.0}, RejectReason.BAD_QTY),
        ({"qty": True}, RejectReason.BAD_QTY),
        ({"worst_price": 0}, RejectReason.BAD_PRICE),
        ({"worst_price": 101.5}, RejectReason.BAD_PRICE),
        ({"order_id": 1}, RejectReason.DUPLICATE_ID),
        ({"side": None}, RejectReason.BAD_SIDE),
    ],
)
def test_bad_requests_rejected_without_change(kwargs: dict, reason: RejectReason) -> None:
    book = asks_101_102_103()
    args = {"order_id": 10, "owner": 9, "side": BUY, "qty": 1, "time": 1.0} | kwargs
    with pytest.raises(OrderRejected) as exc:
        book.market(**args)
    assert exc.value.reason is reason
    assert book.depth(SELL, 5) == [(101, 2), (102, 3), (103, 4)]
