"""Opening call auction: collection without matching, clearing price, uncross."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from rex_cli.market import AuctionQuote, Fill, OrderBook, OrderRejected, RejectReason, Side

from .reference import RefBook

BUY, SELL = Side.BUY, Side.SELL


def call_book(*orders: tuple[int, int, Side, int, int]) -> OrderBook:
    """Call-phase book with (id, owner, side, price, qty) submitted in this order."""
    book = OrderBook(call_phase=True)
    for k, (oid, owner, side, price, qty) in enumerate(orders):
        assert book.limit(oid, owner, side, price, qty, float(k)) == []
    return book


def test_orders_rest_crossed_during_call() -> None:
    book = call_book((1, 1, BUY, 105, 10), (2, 2, SELL, 100, 4))
    assert book.in_call_phase
    assert (book.best_bid(), book.best_ask()) == (105, 100)
    assert book.depth(BUY, 5) == [(105, 10)] and book.depth(SELL, 5) == [(100, 4)]


def test_max_volume_price_and_fills() -> None:
    # D = 10 up to 105; S = 4 on [100, 102], 8 from 103: V = 8 on [103, 105] -> 104.
    book = call_book((1, 1, BUY, 105, 10), (2, 2, SELL, 100, 4), (3, 3, SELL, 103, 4))
    assert book.auction_preview() == AuctionQuote(104, 8, 10, 8)
    fills = book.uncross(5.0)
    assert fills == [
        Fill(104, 4, 1, 2, 1, 2, SELL, 5.0),  # maker = the earlier order (the buy)
        Fill(104, 4, 1, 3, 1, 3, SELL, 5.0),
    ]
    assert book.last_auction_price == 104 and not book.in_call_phase
    assert book.last_auction == AuctionQuote(104, 8, 10, 8)  # the quote it cleared at
    assert book.depth(BUY, 5) == [(105, 2)] and book.best_ask() is None


def test_volume_tie_broken_by_smallest_imbalance() -> None:
    # V = 5 on [100, 104]; |D - S| = 5 on [100, 102] and 3 on [103, 104] -> 103.
    # (The plain midpoint of [100, 104] would be 102.)
    book = call_book(
        (1, 1, BUY, 104, 5), (2, 2, BUY, 102, 5), (3, 3, SELL, 100, 5), (4, 4, SELL, 103, 3)
    )
    quote = book.auction_preview()
    assert quote == AuctionQuote(103, 5, 5, 8) and quote.imbalance == -3
    fills = book.uncross(1.0)
    assert fills == [Fill(103, 5, 1, 3, 1, 3, SELL, 1.0)]
    assert (book.best_bid(), book.best_ask()) == (102, 103)


def test_equal_imbalance_on_both_sides_takes_midpoint_of_whole_range() -> None:
    # V = 4 on [101, 105] with D - S = +2 on [101, 103] and -2 on [104, 105] -> 103.
    book = call_book(
        (1, 1, BUY, 105, 4), (2, 2, BUY, 103, 2), (3, 3, SELL, 101, 4), (4, 4, SELL, 104, 2)
    )
    assert book.auction_preview() == AuctionQuote(103, 4, 6, 4)
    fills = book.uncross(1.0)
    assert fills == [Fill(103, 4, 1, 3, 1, 3, SELL, 1.0)]
    assert (book.best_bid(), book.best_ask()) == (103, 104)


def test_midpoint_rounds_down() -> None:
    book = call_book((1, 1, BUY, 110, 10), (2, 2, SELL, 101, 10))  # range [101, 110]
    assert book.uncross(1.0) == [Fill(105, 10, 1, 2, 1, 2, SELL, 1.0)]
    assert book.last_auction_price == 105
    assert book.order_count == 0


def test_maker_is_earlier_order_and_price_time_priority() -> None:
    # D = 9 up to 102, S = 5 from 100: V = 5 on [100, 102] -> 101.
    book = call_book(
        (1, 1, BUY, 102, 3), (2, 2, BUY, 102, 3), (3, 3, BUY, 103, 3), (4, 4, SELL, 100, 5)
    )
    fills = book.uncross(2.0)
    assert fills == [
        Fill(101, 3, 3, 4, 3, 4, SELL, 2.0),  # best price first
        Fill(101, 2, 1, 4, 1, 4, SELL, 2.0),  # then earliest at 102
    ]
    assert book.depth(BUY, 3) == [(102, 4)]
    assert book.get(1) is not None and book.get(1).qty == 1  # type: ignore[union-attr]
    assert book.get(2) is not None and book.get(2).qty == 3  # type: ignore[union-attr]


def test_later_buy_is_the_taker() -> None:
    book = call_book((1, 1, SELL, 100, 2), (2, 2, BUY, 100, 2))
    assert book.uncross(1.0) == [Fill(100, 2, 1, 2, 1, 2, BUY, 1.0)]


def test_no_cross_means_no_auction_price() -> None:
    book = call_book((1, 1, BUY, 99, 2), (2, 2, SELL, 100, 2))
    assert book.auction_preview() is None
    assert book.uncross(1.0) == []
    assert book.last_auction_price is None and not book.in_call_phase
    assert OrderBook(call_phase=True).uncross(0.0) == []


def test_market_orders_rejected_and_replace_does_not_match() -> None:
    book = call_book((1, 1, BUY, 99, 2), (2, 2, SELL, 100, 2))
    with pytest.raises(OrderRejected) as exc:
        book.market(3, 3, BUY, 1, 1.0)
    assert exc.value.reason is RejectReason.CALL_PHASE
    assert book.replace(1, 1.0, price=101) == []
    assert (book.best_bid(), book.best_ask()) == (101, 100)


def test_self_crossing_order_is_dropped_at_entry() -> None:
    book = call_book((1, 7, SELL, 100, 5))
    assert book.limit(2, 7, BUY, 101, 3, 1.0) == []
    assert book.last_dropped_qty == 3 and book.get(2) is None
    book.limit(3, 7, BUY, 99, 3, 1.0)  # below own ask: rests
    book.limit(4, 8, BUY, 101, 3, 1.0)  # another owner may cross
    assert book.last_dropped_qty == 0
    assert (book.best_bid(), book.best_ask()) == (101, 100)
    assert book.uncross(2.0) == [Fill(100, 3, 1, 4, 7, 8, BUY, 2.0)]


def test_continuous_trading_after_uncross() -> None:
    book = call_book((1, 1, BUY, 105, 10), (2, 2, SELL, 100, 4))
    book.uncross(1.0)
    assert book.limit(3, 3, SELL, 104, 2, 2.0) == [Fill(105, 2, 1, 3, 1, 3, SELL, 2.0)]
    assert book.market(4, 4, SELL, 1, 3.0) == [Fill(105, 1, 1, 4, 1, 4, SELL, 3.0)]


def test_uncross_twice_rejected() -> None:
    book = call_book()
    book.uncross(1.0)
    with pytest.raises(OrderRejected) as exc:
        book.uncross(2.0)
    assert exc.value.reason is RejectReason.NOT_IN_CALL_PHASE
    with pytest.raises(OrderRejected):
        OrderBook().uncross(0.0)
    assert OrderBook().auction_preview() is None


ORDERS = st.lists(
    st.tuples(
        st.integers(1, 4), st.sampled_from([BUY, SELL]), st.integers(90, 110), st.integers(1, 9)
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(orders=ORDERS)
def test_auction_matches_brute_force(orders: list[tuple[int, Side, int, int]]) -> None:
    book, ref = OrderBook(call_phase=True), RefBook(call_phase=True)
    for oid, (owner, side, price, qty) in enumerate(orders, start=1):
        assert book.limit(oid, owner, side, price, qty, 0.0) == ref.limit(
            oid, owner, side, price, qty, 0.0
        )
        assert book.last_dropped_qty == ref.last_dropped_qty
    quote = book.auction_preview()
    cleared = ref.clearing()
    assert (None if quote is None else (quote.price, quote.volume)) == cleared
    fills = book.uncross(1.0)
    assert fills == ref.uncross(1.0)
    assert sum(f.qty for f in fills) == (0 if cleared is None else cleared[1])
    bid, ask = book.best_bid(), book.best_ask()
    assert bid is None or ask is None or bid < ask
    assert book.depth(BUY, 100) == ref.depth(BUY, 100)
    assert book.depth(SELL, 100) == ref.depth(SELL, 100)
