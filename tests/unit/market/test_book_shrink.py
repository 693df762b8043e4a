"""Shrink: lower the remaining quantity in place, keeping queue priority."""

from __future__ import annotations

import pytest

from rex_cli.market import Fill, OrderBook, OrderRejected, OrderView, RejectReason, Side

BUY, SELL = Side.BUY, Side.SELL


def brief(fills: list[Fill]) -> list[tuple[int, int, int]]:
    return [(f.maker_id, f.price, f.qty) for f in fills]


def two_asks() -> OrderBook:
    book = OrderBook()
    book.limit(1, 1, SELL, 101, 5, 0.0)
    book.limit(2, 2, SELL, 101, 5, 0.5)
    return book


def test_shrink_keeps_priority_and_updates_depth() -> None:
    book = two_asks()
    assert book.shrink(1, 2) is True
    assert book.get(1) == OrderView(1, 1, SELL, 101, 2, 0.0)  # time unchanged
    assert book.depth(SELL, 1) == [(101, 7)]
    assert brief(book.market(9, 9, BUY, 3, 1.0)) == [(1, 101, 2), (2, 101, 1)]


def test_shrink_after_a_same_values_replace_keeps_the_new_queue_place() -> None:
    # Order 1 re-enters level 101 with exactly its old values: its cancelled queue
    # entry (still queued, equal by value) must not be mistaken for it.
    book = two_asks()
    book.replace(1, 0.0, price=101, qty=5)  # queue: [dead 1], 2, 1
    assert book.shrink(1, 4) is True
    assert book.get(1) == OrderView(1, 1, SELL, 101, 4, 0.0)
    assert book.depth(SELL, 1) == [(101, 9)]
    assert brief(book.market(9, 9, BUY, 9, 1.0)) == [(2, 101, 5), (1, 101, 4)]
    assert book.order_count == 0 and book.depth(SELL, 1) == []


def test_shrink_is_relative_to_remaining_after_partial_fill() -> None:
    book = two_asks()
    book.market(9, 9, BUY, 3, 1.0)  # order 1 has 2 left
    with pytest.raises(OrderRejected) as exc:
        book.shrink(1, 2)
    assert exc.value.reason is RejectReason.BAD_QTY
    assert book.shrink(1, 1) is True
    assert book.depth(SELL, 1) == [(101, 6)]


@pytest.mark.parametrize("new_qty", [5, 6, 0, -1, 2.0, True, None])
def test_bad_quantity_rejected_without_change(new_qty: object) -> None:
    book = two_asks()
    with pytest.raises(OrderRejected) as exc:
        book.shrink(1, new_qty)  # type: ignore[arg-type]
    assert exc.value.reason is RejectReason.BAD_QTY
    assert book.get(1) == OrderView(1, 1, SELL, 101, 5, 0.0)
    assert book.depth(SELL, 1) == [(101, 10)]


def test_unknown_or_gone_order_returns_false() -> None:
    book = two_asks()
    assert book.shrink(77, 1) is False
    book.cancel(2)
    assert book.shrink(2, 1) is False


def test_shrink_works_in_call_phase_and_changes_auction() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 1, BUY, 102, 6, 0.0)
    book.limit(2, 2, SELL, 100, 6, 0.0)
    assert book.shrink(1, 4)
    fills = book.uncross(1.0)
    assert sum(f.qty for f in fills) == 4
    assert book.depth(SELL, 1) == [(100, 2)] and book.best_bid() is None
