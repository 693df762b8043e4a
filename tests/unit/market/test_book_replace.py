"""Replace: new price and/or quantity, loses time priority, may match at once."""

from __future__ import annotations

import pytest

from rex_cli.market import Fill, OrderBook, OrderRejected, OrderView, RejectReason, Side

BUY, SELL = Side.BUY, Side.SELL


def brief(fills: list[Fill]) -> list[tuple[int, int, int]]:
    return [(f.maker_id, f.price, f.qty) for f in fills]


def queue_at_101() -> OrderBook:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 2, 0.0)
    book.limit(2, 2, SELL, 101, 2, 0.5)
    return book


def test_larger_quantity_goes_to_back_of_queue() -> None:
    book = queue_at_101()
    assert book.replace(1, 1.0, qty=3) == []
    assert book.get(1) == OrderView(1, 1, SELL, 101, 3, 1.0)
    assert book.depth(SELL, 1) == [(101, 5)]
    assert brief(book.market(9, 9, BUY, 3, 2.0)) == [(2, 101, 2), (1, 101, 1)]


def test_same_values_still_lose_priority() -> None:
    book = queue_at_101()
    book.replace(1, 1.0, price=101, qty=2)
    assert brief(book.market(9, 9, BUY, 1, 2.0)) == [(2, 101, 1)]


def test_new_price_moves_level() -> None:
    book = queue_at_101()
    book.replace(2, 1.0, price=100)
    assert book.depth(SELL, 2) == [(100, 2), (101, 2)]
    assert book.get(2) == OrderView(2, 2, SELL, 100, 2, 1.0)


def test_marketable_replace_matches_as_taker_at_resting_price() -> None:
    book = queue_at_101()
    book.limit(3, 3, BUY, 99, 4, 0.2)
    fills = book.replace(3, 1.0, price=102, qty=5)
    assert fills == [
        Fill(101, 2, 1, 3, 1, 3, BUY, 1.0),
        Fill(101, 2, 2, 3, 2, 3, BUY, 1.0),
    ]
    assert book.get(3) == OrderView(3, 3, BUY, 102, 1, 1.0)
    assert book.best_ask() is None


def test_replace_crossing_own_order_drops_remainder() -> None:
    book = queue_at_101()
    book.limit(3, 1, BUY, 99, 4, 0.2)  # owner 1 also sells 2 at 101
    fills = book.replace(3, 1.0, price=101)
    assert brief(fills) == [(2, 101, 2)]
    assert book.last_dropped_qty == 2 and book.get(3) is None
    assert book.best_bid() is None and book.best_ask() == 101


def test_replace_in_call_phase_does_not_match() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 1, SELL, 101, 2, 0.0)
    book.limit(2, 2, BUY, 99, 2, 0.0)
    assert book.replace(2, 1.0, price=103) == []
    assert (book.best_bid(), book.best_ask()) == (103, 101)  # crossed during the call


@pytest.mark.parametrize(
    ("order_id", "kwargs", "reason"),
    [
        (77, {"price": 100}, RejectReason.UNKNOWN_ORDER),
        (1, {}, RejectReason.NO_CHANGE),
        (1, {"price": 0}, RejectReason.BAD_PRICE),
        (1, {"price": 99.0}, RejectReason.BAD_PRICE),
        (1, {"qty": -1}, RejectReason.BAD_QTY),
        (1, {"price": 99, "qty": 0}, RejectReason.BAD_QTY),
    ],
)
def test_bad_replace_rejected_and_priority_kept(
    order_id: int, kwargs: dict, reason: RejectReason
) -> None:
    book = queue_at_101()
    with pytest.raises(OrderRejected) as exc:
        book.replace(order_id, 1.0, **kwargs)
    assert exc.value.reason is reason
    assert book.get(1) == OrderView(1, 1, SELL, 101, 2, 0.0)
    assert brief(book.market(9, 9, BUY, 1, 2.0)) == [(1, 101, 1)]


def test_replace_of_cancelled_order_is_unknown() -> None:
    book = queue_at_101()
    book.cancel(1)
    with pytest.raises(OrderRejected) as exc:
        book.replace(1, 1.0, qty=9)
    assert exc.value.reason is RejectReason.UNKNOWN_ORDER
