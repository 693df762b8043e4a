"""The 3-D exchange: lifecycle of units, rejections, ledger, opening auction."""

import numpy as np
import pytest

from rex_cli.market.exchange import Exchange
from rex_cli.market.orders import Side
from rex_cli.market.settlement import settle_unit


def make(auction=False, cap=1000):
    return Exchange(
        unit_minutes=15.0, max_price_ticks=cap, opening_auction=auction, opening_window_minutes=5.0
    )


def test_trade_moves_position_and_cash_between_owners():
    ex = make()
    ex.open_unit(3, 0.0)
    s = ex.submit_limit(1, 3, Side.SELL, 200, 10, 0.0)
    assert s.ok and s.fills == []
    b = ex.submit_limit(2, 3, Side.BUY, 210, 4, 1.0)
    assert b.filled_lots == 4 and b.fills[0].price == 200  # resting price
    assert ex.position(2, 3) == 4 and ex.position(1, 3) == -4
    assert ex.cash[2] == -800 and ex.cash[1] == 800
    assert ex.residuals() == (0, 0)
    assert ex.remaining(s.order_id) == 6
    assert ex.vwap_ticks(3) == 200 and ex.last_price(3) == 200
    assert ex.trades["buyer"] == [2] and ex.trades["seller"] == [1]


def test_gate_closure_expires_resting_orders_and_refuses_later_requests():
    ex = make()
    ex.open_unit(1, -15.0)
    s = ex.submit_limit(1, 1, Side.BUY, 100, 5, -10.0)
    ex.close_unit(1, 15.0)
    assert not ex.is_open(1)
    assert ex.remaining(s.order_id) == 0
    assert ex.gate["bid_depth_lots"] == [5] and ex.gate["expired_orders"] == [1]
    late = ex.submit_limit(1, 1, Side.BUY, 100, 5, 16.0)
    assert late.rejected == "limit: closed_unit"
    mkt = ex.submit_market(1, 1, Side.BUY, 5, 16.0)
    assert mkt.rejected == "market: closed_unit"
    never_opened = ex.submit_limit(1, 7, Side.BUY, 100, 5, 16.0)
    assert never_opened.rejected == "limit: closed_unit"
    assert ex.order_events["event"].count("reject") == 3
    with pytest.raises(ValueError):
        ex.open_unit(1, 20.0)  # a closed unit never reopens


def test_only_the_owner_may_touch_an_order():
    ex = make()
    ex.open_unit(1, 0.0)
    s = ex.submit_limit(1, 1, Side.SELL, 300, 5, 0.0)
    assert ex.cancel(2, s.order_id, 1.0).rejected == "cancel: not_owner"
    assert ex.shrink(2, s.order_id, 2, 1.0).rejected == "shrink: not_owner"
    assert ex.replace(2, s.order_id, 1.0, price=250).rejected == "replace: not_owner"
    assert ex.remaining(s.order_id) == 5
    assert ex.cancel(1, s.order_id, 1.0).ok
    assert ex.cancel(1, s.order_id, 2.0).rejected == "cancel: unknown_order"


def test_bad_requests_are_rejected_with_a_reason():
    ex = make(cap=500)
    ex.open_unit(1, 0.0)
    assert ex.submit_limit(1, 1, Side.BUY, 501, 1, 0.0).rejected == "limit: price_above_cap"
    assert ex.submit_limit(1, 1, Side.BUY, 0, 1, 0.0).rejected.startswith("limit: ")
    assert ex.submit_limit(1, 1, Side.BUY, 10, 0, 0.0).rejected.startswith("limit: ")
    s = ex.submit_limit(1, 1, Side.BUY, 10, 5, 0.0)
    assert ex.replace(1, s.order_id, 0.0, price=900).rejected == "replace: price_above_cap"
    assert ex.shrink(1, s.order_id, 7, 0.0).rejected is not None  # shrink cannot grow


def test_replace_loses_priority_and_shrink_keeps_it():
    ex = make()
    ex.open_unit(1, 0.0)
    a = ex.submit_limit(1, 1, Side.SELL, 200, 5, 0.0)
    ex.submit_limit(2, 1, Side.SELL, 200, 5, 1.0)
    ex.replace(1, a.order_id, 2.0, qty=6)  # larger quantity: back of the queue
    fill = ex.submit_market(3, 1, Side.BUY, 5, 3.0).fills
    assert [f.maker_owner for f in fill] == [2]
    c = ex.submit_limit(4, 1, Side.SELL, 190, 5, 4.0)
    ex.shrink(4, c.order_id, 2, 5.0)
    fill = ex.submit_market(3, 1, Side.BUY, 3, 6.0).fills
    assert [(f.maker_owner, f.qty) for f in fill] == [(4, 2), (1, 1)]


def test_opening_auction_clears_at_one_price_then_trades_continuously():
    ex = make(auction=True)
    ex.open_unit(5, 0.0)
    assert ex.in_call(5)
    ex.submit_limit(1, 5, Side.BUY, 220, 10, 0.5)
    ex.submit_limit(2, 5, Side.SELL, 180, 6, 1.0)
    ex.submit_limit(3, 5, Side.SELL, 200, 6, 1.5)
    assert ex.trades["price_ticks"] == []  # nothing matches during the call
    assert ex.submit_market(4, 5, Side.BUY, 1, 2.0).rejected is not None
    fills = ex.end_call(5, 5.0)
    # Demand 10 at <= 220; supply 6 at >= 180, 12 at >= 200: max volume 10 at 200..220.
    assert sum(f.qty for f in fills) == 10
    assert len({f.price for f in fills}) == 1
    assert all(ex.trades["auction"])
    assert not ex.in_call(5)
    bid, ask = ex.best_bid(5), ex.best_ask(5)
    assert bid is None and ask == 200
    assert ex.residuals() == (0, 0)


def test_settlement_by_hand():
    # Agent 0 reserved 10 lots and used 12: short 2 lots = 0.2 kWh at 0.4 -> pays 0.08.
    # Agent 1 sold 10 lots and produced 13 (realised -13):
    # long 3 lots = 0.3 kWh at 0.05 -> paid 0.015.
    res = settle_unit(
        np.array([10, -10]), np.array([12, -13]), short_price=0.4, long_price=0.05, lot_kwh=0.1
    )
    assert res.imbalance_lots.tolist() == [2, -3]
    assert res.payment == pytest.approx([0.08, -0.015])
    assert res.system_imbalance_lots == -1


def test_touched_counts_what_the_exchange_did_to_an_owners_orders():
    """``touched[owner][unit]`` moves on the owner's fills (maker or taker) and on
    orders the exchange drops, never on the owner's own cancel, shrink or replace."""
    ex = make()
    ex.open_unit(3, 0.0)
    ex.open_unit(4, 0.0)
    t = ex.touched
    a = ex.submit_limit(1, 3, Side.SELL, 200, 10, 0.0)
    b = ex.submit_limit(1, 3, Side.BUY, 150, 5, 0.0)
    ex.shrink(1, a.order_id, 8, 1.0)
    ex.replace(1, b.order_id, 1.0, price=160)
    assert t[1][3] == 0  # only owner 1's own requests so far
    ex.submit_limit(2, 3, Side.BUY, 210, 3, 2.0)  # owner 2 takes 3 of owner 1's ask
    assert (t[1][3], t[2][3]) == (1, 1)
    ex.submit_market(3, 3, Side.SELL, 2, 3.0)  # owner 3 hits owner 1's bid
    assert (t[1][3], t[3][3]) == (2, 1)
    ex.cancel(1, b.order_id, 4.0)
    assert t[1][3] == 2 and t[1][4] == 0  # a unit's count is its own
    # Batch calls: a clearing and the orders dropped after it.
    batch = Exchange(unit_minutes=15.0, max_price_ticks=1000, batch=True)
    batch.open_unit(5, 0.0)
    batch.submit_limit(7, 5, Side.BUY, 100, 4, 0.0)
    batch.submit_limit(8, 5, Side.SELL, 90, 3, 0.0)
    batch.submit_limit(9, 5, Side.SELL, 120, 1, 0.0)  # does not clear
    batch.clear_call(5, 1.0, "call")
    assert (batch.touched[7][5], batch.touched[8][5], batch.touched[9][5]) == (1, 1, 0)
    assert batch.drop_resting(5, 2.0) == 2  # owner 7's remainder and owner 9's ask
    assert (batch.touched[7][5], batch.touched[8][5], batch.touched[9][5]) == (2, 1, 1)


@pytest.mark.parametrize("mode", ["continuous", "opening_call", "batch"])
def test_tops_follow_every_change_of_every_book(mode):
    """``ex.tops[unit]`` is ``book.top()`` after every request that changes a book (None
    while a continuous unit's opening call runs), over a random stream of limits,
    market orders, cancels, shrinks, replaces, calls, drops and gate closures."""
    rng = np.random.default_rng(7)
    ex = Exchange(
        unit_minutes=15.0,
        max_price_ticks=1000,
        opening_auction=mode == "opening_call",
        batch=mode == "batch",
    )
    units = [0, 1, 2]
    for u in units:
        ex.open_unit(u, 0.0)
    live: list[tuple[int, int]] = []  # (owner, order id)
    seen_none = seen_tuple = 0

    def check() -> None:
        nonlocal seen_none, seen_tuple
        assert set(ex.tops) == set(ex.books)
        for u, book in ex.books.items():
            want = None if book.in_call_phase and not ex.batch else book.top()
            assert ex.tops[u] == want, (u, ex.tops[u], want)
            seen_none += want is None
            seen_tuple += want is not None

    check()
    for step in range(1500):
        t = step * 0.01
        open_units = list(ex.books)
        if not open_units:
            break
        u = int(rng.choice(open_units))
        owner = int(rng.integers(1, 6))
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        x = rng.random()
        if x < 0.45:
            price = int(rng.integers(90, 111))
            sub = ex.submit_limit(owner, u, side, price, int(rng.integers(1, 6)), t)
            if sub.ok and ex.remaining(sub.order_id):
                live.append((owner, sub.order_id))
        elif x < 0.55 and not ex.in_call(u) and not ex.batch:
            ex.submit_market(owner, u, side, int(rng.integers(1, 8)), t)
        elif x < 0.85 and live:
            owner, oid = live.pop(int(rng.integers(len(live))))
            left = ex.remaining(oid)
            y = rng.random()
            if y < 0.4:
                ex.cancel(owner, oid, t)
            elif y < 0.7 and left > 1:
                ex.shrink(owner, oid, left - 1, t)
                live.append((owner, oid))
            elif left:
                ex.replace(owner, oid, t, price=int(rng.integers(90, 111)))
                live.append((owner, oid))
        elif x < 0.93:
            if ex.batch:
                ex.clear_call(u, t, "call")
                if rng.random() < 0.3:
                    ex.drop_resting(u, t)
            elif ex.in_call(u):
                ex.end_call(u, t)
        elif x < 0.95 and len(open_units) > 1:
            ex.close_unit(u, t)
            live = [(o, i) for o, i in live if ex.remaining(i)]
        check()
    assert seen_tuple > 0
    assert (seen_none > 0) == (mode == "opening_call")
