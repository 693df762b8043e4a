"""The call phase's self-crossing rule with many owners, against the resting orders.

During the opening call an order that would cross a resting opposite order of its
own owner is dropped whole (``last_dropped_qty``). The book answers that from a
per-owner record of the ids each owner rested in the call; here every decision is
compared with a brute-force scan of :meth:`OrderBook.orders` (the owner's live
opposite orders at a crossing price), over thousands of random limits, cancels,
shrinks and replaces by many owners, with order ids coming back (under the same or
another owner) after the order they named is gone.
"""

from __future__ import annotations

import random

from rex_cli.market import OrderBook, Side


def _crosses_own(book: OrderBook, owner: int, side: Side, price: int) -> bool:
    """Brute force: does ``owner`` rest an opposite order that ``price`` crosses?"""
    for v in book.orders():
        if v.owner != owner or v.side is side:
            continue
        if (side is Side.BUY and v.price <= price) or (side is Side.SELL and v.price >= price):
            return True
    return False


def test_call_phase_self_cross_matches_brute_force() -> None:
    rng = random.Random(7)
    book = OrderBook(call_phase=True)
    gone: list[int] = []  # ids no longer resting, offered again
    next_id = 1
    drops = rests = 0
    for step in range(4_000):
        live = [v.order_id for v in book.orders()]
        r = rng.random()
        if r < 0.55 or not live:
            if gone and rng.random() < 0.2:
                oid = gone.pop(rng.randrange(len(gone)))  # an id comes back
            else:
                oid, next_id = next_id, next_id + 1
            owner = rng.randrange(12)
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            price = rng.randint(90, 110)
            qty = rng.randint(1, 5)
            expected = _crosses_own(book, owner, side, price)
            assert book.limit(oid, owner, side, price, qty, float(step)) == []
            if expected:
                drops += 1
                assert book.last_dropped_qty == qty, step
                assert book.get(oid) is None and book.owner_of(oid) is None
                gone.append(oid)
            else:
                rests += 1
                assert book.last_dropped_qty == 0, step
                assert book.peek(oid) == (side, price, qty)
                assert book.owner_of(oid) == owner
        elif r < 0.75:
            oid = rng.choice(live)
            assert book.cancel(oid)
            gone.append(oid)
        elif r < 0.85:
            oid = rng.choice(live)
            view = book.get(oid)
            assert view is not None
            if view.qty > 1:
                assert book.shrink(oid, view.qty - 1)
        else:
            oid = rng.choice(live)
            view = book.get(oid)
            assert view is not None
            price = rng.randint(90, 110)
            book.cancel(oid)  # what replace does first, so the brute force sees it gone
            expected = _crosses_own(book, view.owner, view.side, price)
            book.limit(oid, view.owner, view.side, price, view.qty, float(step))
            assert (book.get(oid) is None) is expected, step
            if expected:
                gone.append(oid)
    # Both outcomes happen often: the comparison is not vacuous.
    assert drops > 300 and rests > 1_000, (drops, rests)
    # The per-owner records stay bounded by the live orders (gone ids are pruned).
    live_by_owner: dict[int, int] = {}
    for v in book.orders():
        live_by_owner[v.owner] = live_by_owner.get(v.owner, 0) + 1
    for owner, ids in book._own.items():
        assert len(ids) <= 2 * live_by_owner.get(owner, 0) + 60, (owner, len(ids))
    book.uncross(4_000.0)
    assert book._own == {}  # continuous trading keeps no call records


def test_replace_in_the_call_checks_the_new_price() -> None:
    book = OrderBook(call_phase=True)
    book.limit(1, 5, Side.SELL, 100, 2, 0.0)  # owner 5 offers at 100
    book.limit(2, 5, Side.BUY, 95, 3, 1.0)  # below its own ask: rests
    assert book.peek(2) == (Side.BUY, 95, 3)
    book.replace(2, 2.0, price=100)  # would now cross its own ask: dropped
    assert book.get(2) is None and book.last_dropped_qty == 3
    book.limit(2, 6, Side.BUY, 120, 1, 3.0)  # id 2 back under owner 6: crosses freely
    assert book.peek(2) == (Side.BUY, 120, 1)
    book.cancel(1)
    book.limit(1, 6, Side.SELL, 130, 1, 4.0)  # id 1 back under owner 6, above its bid
    assert book.peek(1) == (Side.SELL, 130, 1)
    book.limit(3, 5, Side.BUY, 200, 1, 5.0)  # owner 5 has no ask left: rests
    assert book.peek(3) == (Side.BUY, 200, 1)
    book.limit(4, 6, Side.SELL, 110, 1, 6.0)  # owner 6 bids 120: dropped
    assert book.get(4) is None and book.last_dropped_qty == 1
