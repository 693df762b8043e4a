"""Random operation sequences: ``OrderBook`` against the brute-force ``RefBook``.

After every step: identical fills / rejections / dropped quantities, identical best
prices, depth and resting orders; the book is never crossed outside the call phase
and one owner's orders never cross each other; quantity is conserved
(submitted = 2 * traded + resting + dropped + cancelled/shrunk + expired) and so is
cash (what buyers pay is what sellers receive); no fill breaks a limit price or pairs
an owner with itself.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import rex_cli.market.book as book_module
from rex_cli.market import Fill, OrderBook, OrderRejected, Side

from .reference import RefBook

OWNERS = st.integers(1, 3)  # few owners: self-trade prevention is exercised often
SIDES = st.sampled_from([Side.BUY, Side.SELL])
PRICES = st.integers(97, 103)  # narrow band: many crossings
QTYS = st.integers(1, 8)
BAD_NUMBERS = st.sampled_from([0, -2, 1.5, 2.0, True, False, "3", None])

SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class BookMachine(RuleBasedStateMachine):
    call_phase = False

    def __init__(self) -> None:
        super().__init__()
        self.book = OrderBook(call_phase=self.call_phase)
        self.ref = RefBook(call_phase=self.call_phase)
        self.next_id = 1
        self.time = 0.0
        self.submitted = 0
        self.traded = 0
        self.dropped = 0
        self.removed = 0  # cancelled, shrunk away, or replaced away
        self.expired = 0
        self.cash: defaultdict[int, int] = defaultdict(int)  # ticks*lots, + = received
        self.energy: defaultdict[int, int] = defaultdict(int)  # lots, + = bought
        self.paid = 0
        self.received = 0
        self.limit_price: dict[int, int | None] = {}  # order id -> limit (None: unbounded)

    # ------------------------------------------------------------ helpers

    def _tick(self) -> float:
        self.time += 0.5
        return self.time

    def _both(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the same call on both books; results or rejection reasons must agree."""
        try:
            expected = getattr(self.ref, name)(*args, **kwargs)
        except OrderRejected as exc:
            with pytest.raises(OrderRejected) as got:
                getattr(self.book, name)(*args, **kwargs)
            assert got.value.reason is exc.reason, (name, args, kwargs)
            return exc
        actual = getattr(self.book, name)(*args, **kwargs)
        assert actual == expected, (name, args, kwargs)
        return actual

    def _book_fills(self, fills: list[Fill]) -> None:
        for f in fills:
            assert type(f) is Fill
            assert f.qty > 0 and f.price > 0
            assert f.maker_owner != f.taker_owner
            assert f.time == self.time
            buy_limit = self.limit_price[f.buyer_id]
            sell_limit = self.limit_price[f.seller_id]
            assert buy_limit is None or f.price <= buy_limit
            assert sell_limit is None or f.price >= sell_limit
            self.traded += f.qty
            self.paid += f.price * f.qty
            self.received += f.price * f.qty
            self.cash[f.buyer_owner] -= f.price * f.qty
            self.cash[f.seller_owner] += f.price * f.qty
            self.energy[f.buyer_owner] += f.qty
            self.energy[f.seller_owner] -= f.qty

    def _after_entry(self, result: Any) -> None:
        assert self.book.last_dropped_qty == self.ref.last_dropped_qty
        self.dropped += self.book.last_dropped_qty
        self._book_fills(result)

    def _pick(self, data: st.DataObject) -> int:
        """An id that is resting, gone, or never used."""
        return data.draw(st.integers(1, self.next_id + 1), label="order_id")

    # ------------------------------------------------------------ rules

    @rule(owner=OWNERS, side=SIDES, price=PRICES, qty=QTYS)
    def limit(self, owner: int, side: Side, price: int, qty: int) -> None:
        oid = self.next_id
        self.next_id += 1
        self.limit_price[oid] = price
        result = self._both("limit", oid, owner, side, price, qty, self._tick())
        assert not isinstance(result, OrderRejected)
        self.submitted += qty
        self._after_entry(result)

    @rule(orders=st.lists(st.tuples(OWNERS, SIDES, PRICES, QTYS), min_size=2, max_size=6))
    def limit_batch(self, orders: list[tuple[int, Side, int, int]]) -> None:
        """Several limit orders in a row: builds deep (and, in the call, crossed) books."""
        for owner, side, price, qty in orders:
            self.limit(owner, side, price, qty)
            self.same_state_as_reference()

    @rule(owner=OWNERS, side=SIDES, qty=QTYS, worst=st.none() | PRICES)
    def market(self, owner: int, side: Side, qty: int, worst: int | None) -> None:
        oid = self.next_id
        self.next_id += 1
        self.limit_price[oid] = worst
        result = self._both("market", oid, owner, side, qty, self._tick(), worst_price=worst)
        if self.ref.in_call_phase:
            assert isinstance(result, OrderRejected)
            return
        self.submitted += qty
        self._after_entry(result)

    @rule(data=st.data(), bad_price=st.booleans(), value=BAD_NUMBERS, side=SIDES)
    def invalid_limit(self, data: st.DataObject, bad_price: bool, value: Any, side: Side) -> None:
        oid = self.next_id
        self.next_id += 1
        price, qty = (value, 1) if bad_price else (100, value)
        result = self._both("limit", oid, 1, side, price, qty, self._tick())
        assert isinstance(result, OrderRejected)

    @precondition(lambda self: len(self.ref.orders) > 0)
    @rule(data=st.data(), side=SIDES)
    def duplicate_id(self, data: st.DataObject, side: Side) -> None:
        oid = data.draw(st.sampled_from([o.order_id for o in self.ref.orders]))
        result = self._both("limit", oid, 9, side, 100, 1, self._tick())
        assert isinstance(result, OrderRejected)
        result = self._both("market", oid, 9, side, 1, self.time)
        assert isinstance(result, OrderRejected)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = self._pick(data)
        before = self.ref.get(oid)
        ok = self._both("cancel", oid)
        assert ok is (before is not None)
        if ok:
            assert before is not None
            self.removed += before.qty
        assert self.book.get(oid) is None

    @rule(data=st.data(), new_qty=st.integers(-1, 9))
    def shrink(self, data: st.DataObject, new_qty: int) -> None:
        oid = self._pick(data)
        before = self.ref.get(oid)
        result = self._both("shrink", oid, new_qty)
        if result is True:
            assert before is not None
            self.removed += before.qty - new_qty
            after = self.book.get(oid)
            assert after is not None and after.qty == new_qty and after.time == before.time

    @rule(data=st.data(), price=st.none() | PRICES, qty=st.none() | QTYS)
    def replace(self, data: st.DataObject, price: int | None, qty: int | None) -> None:
        oid = self._pick(data)
        before = self.ref.get(oid)
        result = self._both("replace", oid, self._tick(), price=price, qty=qty)
        if isinstance(result, OrderRejected):
            return
        assert before is not None
        self.removed += before.qty
        self.submitted += before.qty if qty is None else qty
        self.limit_price[oid] = before.price if price is None else price
        self._after_entry(result)

    # Wait for a few resting orders so that most auctions actually trade.
    @precondition(lambda self: self.ref.in_call_phase and len(self.ref.orders) >= 3)
    @rule()
    def uncross(self) -> None:
        quote = self.book.auction_preview()
        cleared = self.ref.clearing()
        assert (quote and (quote.price, quote.volume)) == (cleared or None)
        fills = self._both("uncross", self._tick())
        assert not self.book.in_call_phase
        if cleared is not None:
            assert self.book.last_auction_price == cleared[0]
            assert all(f.price == cleared[0] for f in fills)
            # The no-self-crossing rule means STP never binds: full volume executes.
            assert sum(f.qty for f in fills) == cleared[1]
        self._book_fills(fills)
        assert self.book.auction_preview() is None

    @precondition(lambda self: not self.ref.in_call_phase)
    @rule()
    def uncross_outside_call(self) -> None:
        result = self._both("uncross", self._tick())
        assert isinstance(result, OrderRejected)

    @precondition(lambda self: len(self.ref.orders) >= 6)
    @rule()
    def expire_all(self) -> None:
        views = self._both("expire_all")
        self.expired += sum(v.qty for v in views)
        assert self.book.order_count == 0

    # ------------------------------------------------------------ invariants

    @invariant()
    def same_state_as_reference(self) -> None:
        book, ref = self.book, self.ref
        assert book.best_bid() == ref.best_bid()
        assert book.best_ask() == ref.best_ask()
        for side in (Side.BUY, Side.SELL):
            assert book.depth(side, 1000) == ref.depth(side, 1000)
            assert book.depth(side, 2) == ref.depth(side, 2)
        assert book.order_count == len(ref.orders)
        for o in ref.orders:
            assert book.get(o.order_id) == ref.get(o.order_id)
        assert book.in_call_phase == ref.in_call_phase
        assert book.last_auction_price == ref.last_auction_price

    @invariant()
    def never_crossed(self) -> None:
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if not self.book.in_call_phase and bid is not None and ask is not None:
            assert bid < ask
        for owner in (1, 2, 3):
            mine = [o for o in self.ref.orders if o.owner == owner]
            bids = [o.price for o in mine if o.side is Side.BUY]
            asks = [o.price for o in mine if o.side is Side.SELL]
            if bids and asks:
                assert max(bids) < min(asks)

    @invariant()
    def conservation(self) -> None:
        resting = sum(q for s in (Side.BUY, Side.SELL) for _, q in self.book.depth(s, 10**6))
        accounted = 2 * self.traded + resting + self.dropped + self.removed + self.expired
        assert self.submitted == accounted
        assert self.paid == self.received
        assert sum(self.cash.values()) == 0
        assert sum(self.energy.values()) == 0


class CallPhaseMachine(BookMachine):
    """Starts in the opening call; ``uncross`` later switches to continuous trading."""

    call_phase = True


class CompactingMachine(BookMachine):
    """Compacts levels after every second cancel to exercise the lazy-deletion path."""

    def __init__(self) -> None:
        self._saved = book_module._COMPACT_MIN_DEAD
        book_module._COMPACT_MIN_DEAD = 2
        super().__init__()

    def teardown(self) -> None:
        book_module._COMPACT_MIN_DEAD = self._saved


TestContinuous = BookMachine.TestCase
TestContinuous.settings = SETTINGS
TestCallPhase = CallPhaseMachine.TestCase
TestCallPhase.settings = SETTINGS
TestCompacting = CompactingMachine.TestCase
TestCompacting.settings = settings(SETTINGS, max_examples=30)
