"""The pure call-auction clearing against a brute-force reference, hand cases and the book."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rex_cli.market.auction import (
    AuctionOrder,
    Curtailment,
    clear,
    clearing_price,
    pair_fills,
)
from rex_cli.market.book import OrderBook
from rex_cli.market.orders import Side

B, S = Side.BUY, Side.SELL


def _orders(spec: list[tuple[Side, int, int]]) -> list[AuctionOrder]:
    return [AuctionOrder(i + 1, i + 1, side, p, q) for i, (side, p, q) in enumerate(spec)]


def brute_force(orders: list[AuctionOrder]) -> tuple[int, int, int, int] | None:
    """Every integer tick from 1 to the highest price: the documented rule, literally."""
    top = max((o.price for o in orders), default=0)
    rows = []
    for p in range(1, top + 2):
        d = sum(o.qty for o in orders if o.side is B and o.price >= p)
        s = sum(o.qty for o in orders if o.side is S and o.price <= p)
        rows.append((p, min(d, s), abs(d - s), d, s))
    vmax = max((r[1] for r in rows), default=0)
    if vmax == 0:
        return None
    best = [r for r in rows if r[1] == vmax]
    imb = min(r[2] for r in best)
    ties = [r[0] for r in best if r[2] == imb]
    assert ties == list(range(ties[0], ties[-1] + 1)), "ties form a contiguous range"
    p = (ties[0] + ties[-1]) // 2
    r = rows[p - 1]
    return p, r[1], r[3], r[4]


order_lists = st.lists(
    st.tuples(st.sampled_from([B, S]), st.integers(1, 30), st.integers(1, 20)),
    min_size=0,
    max_size=25,
)


@settings(max_examples=400, deadline=None)
@given(order_lists, st.sampled_from(list(Curtailment)))
def test_matches_brute_force_and_allocates_by_price_priority(spec, rule):
    orders = _orders(spec)
    ref = brute_force(orders)
    assert clearing_price(orders) == ref
    res = clear(orders, rule)
    if ref is None:
        assert res.price is None and res.volume == 0 and not res.executed
        return
    p, v, d, s = ref
    assert (res.price, res.volume, res.demand, res.supply) == (p, v, d, s)
    ex = res.executed
    for side, ok in ((B, lambda o: o.price >= p), (S, lambda o: o.price <= p)):
        mine = [o for o in orders if o.side is side]
        assert sum(ex.get(o.order_id, 0) for o in mine) == v
        for o in mine:
            got = ex.get(o.order_id, 0)
            assert 0 <= got <= o.qty
            if not ok(o):
                assert got == 0
        # price priority: an order not fully executed means nothing worse-priced traded
        better = (lambda a, b: a.price > b.price) if side is B else (lambda a, b: a.price < b.price)
        for a in mine:
            if ex.get(a.order_id, 0) < a.qty:
                assert all(ex.get(b.order_id, 0) == 0 for b in mine if better(a, b))
        # the margin: pro rata within one lot, or time priority
        by_price = defaultdict(list)
        for o in mine:
            by_price[o.price].append(o)
        for level in by_price.values():
            got = [ex.get(o.order_id, 0) for o in level]
            total, lots = sum(o.qty for o in level), sum(got)
            if 0 < lots < total:
                if rule is Curtailment.PRO_RATA:
                    for o, g in zip(level, got, strict=True):
                        assert abs(g - lots * o.qty / total) < 1.0
                else:
                    partial = [i for i, (o, g) in enumerate(zip(level, got, strict=True))
                               if g < o.qty]  # fmt: skip
                    assert all(g == 0 for g in got[partial[0] + 1 :])
    fills = pair_fills(orders, res, 0.0)
    assert sum(f.qty for f in fills) == v
    assert all(f.price == p for f in fills)
    per = defaultdict(int)
    for f in fills:
        per[f.maker_id] += f.qty
        per[f.taker_id] += f.qty
    assert dict(per) == {k: q for k, q in ex.items() if q}


@settings(max_examples=300, deadline=None)
@given(order_lists)
def test_time_rule_reproduces_the_books_opening_auction(spec):
    """Distinct owners (no self-crossing cancel): the book's uncross is the TIME rule."""
    orders = _orders(spec)
    book = OrderBook(call_phase=True)
    for o in orders:
        book.limit(o.order_id, o.owner, o.side, o.price, o.qty, 0.0)
    preview = book.auction_preview()
    res = clear(orders, Curtailment.TIME)
    if preview is None:
        assert res.price is None
        return
    assert (preview.price, preview.volume) == (res.price, res.volume)
    fills = book.uncross(1.0)
    per = defaultdict(int)
    for f in fills:
        per[f.maker_id] += f.qty
        per[f.taker_id] += f.qty
    assert dict(per) == {k: q for k, q in res.executed.items() if q}


def test_hand_computed_interval_midpoint_and_pro_rata():
    # Demand 10 lots up to 120 ticks; supply 4 at 100 and 6 at 110: D = S = 10 on
    # [110, 120]; the midpoint 115 clears all 10.
    res = clear(_orders([(B, 120, 10), (S, 100, 4), (S, 110, 6)]))
    assert (res.price, res.volume, res.demand, res.supply) == (115, 10, 10, 10)
    # Two sellers of 3 and 1 lots at 100 against a buyer of 2 at 100: pro rata 1.5/0.5
    # -> 1 and 0 by floor, the spare lot to the larger remainder (the 3-lot seller).
    res = clear(_orders([(S, 100, 3), (S, 100, 1), (B, 100, 2)]))
    assert res.price == 100 and res.executed == {1: 2, 3: 2}
    # Equal remainders go to the earlier order.
    res = clear(_orders([(S, 100, 1), (S, 100, 1), (B, 100, 1)]))
    assert res.executed == {1: 1, 3: 1}
    # Time priority instead: the earlier seller is filled first.
    res = clear(_orders([(S, 100, 3), (S, 100, 1), (B, 100, 2)]), Curtailment.TIME)
    assert res.executed == {1: 2, 3: 2}
    # Nothing crosses.
    assert clear(_orders([(B, 99, 5), (S, 100, 5)])).price is None


def test_pro_rata_is_exact_on_a_large_margin():
    rng = np.random.default_rng(3)
    qty = rng.integers(1, 50, size=40).tolist()
    spec = [(S, 50, int(q)) for q in qty] + [(B, 60, 333)]
    res = clear(_orders(spec))
    got = np.array([res.executed.get(i + 1, 0) for i in range(40)])
    assert got.sum() == 333
    assert np.all(np.abs(got - 333 * np.array(qty) / sum(qty)) < 1)


@pytest.mark.parametrize("rule", list(Curtailment))
def test_empty_and_one_sided(rule):
    assert clear([], rule).price is None
    assert clear(_orders([(B, 5, 1), (B, 7, 2)]), rule).volume == 0
