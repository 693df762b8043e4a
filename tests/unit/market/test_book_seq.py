"""``OrderBook.shrink``'s place hint: every live order is where its number says.

A resting record carries its sequence number in its level (``o[5]``), and the level
counts the entries taken off its front (``popped``), so a live order's place in the
queue is ``o[5] - popped``: ``shrink`` goes there in O(1) and scans only when the
entry there is not the order (a correct but slow fallback, so the outputs cannot show
a wrong number; this test does). The random operation sequences of the book's state
machine (continuous, call phase with the auction, compacting levels, self-trade
prevention in matching): after every step, every live entry of every level must sit
at its number.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import invariant

from .test_book_statemachine import (
    SETTINGS,
    BookMachine,
    CallPhaseMachine,
    CompactingMachine,
)


def _check(machine: BookMachine) -> None:
    book = machine.book
    index = book._index
    live = 0
    for side in (book._bids, book._asks):
        for lvl in side.values():
            for k, o in enumerate(lvl):
                if index.get(o[1]) is o:  # dead entries keep whatever number they had
                    assert o[5] - lvl.popped == k, (o, lvl.popped, k)
                    live += 1
    assert live == book.order_count


class SeqMachine(BookMachine):
    @invariant()
    def live_orders_at_their_numbers(self) -> None:
        _check(self)


class SeqCallMachine(CallPhaseMachine):
    @invariant()
    def live_orders_at_their_numbers(self) -> None:
        _check(self)


class SeqCompactingMachine(CompactingMachine):
    @invariant()
    def live_orders_at_their_numbers(self) -> None:
        _check(self)


TestSeqContinuous = SeqMachine.TestCase
TestSeqContinuous.settings = SETTINGS
TestSeqCallPhase = SeqCallMachine.TestCase
TestSeqCallPhase.settings = SETTINGS
TestSeqCompacting = SeqCompactingMachine.TestCase
TestSeqCompacting.settings = settings(SETTINGS, max_examples=30)


def test_numbers_survive_a_compaction_and_shrink_keeps_priority():
    """40 asks at one price; cancelling 32 of the first 36 compacts the level (the
    live ones move to the front); the survivors are still at their numbers, and a
    shrink of one of them keeps its place in the queue (the next buyer meets the
    survivors in arrival order)."""
    from rex_cli.market import OrderBook, Side

    book = OrderBook()
    for oid in range(1, 41):
        book.limit(oid, oid, Side.SELL, 100, 5, 0.0)
    gone = [oid for oid in range(1, 37) if oid % 9]  # 32 of the first 36
    for oid in gone:
        assert book.cancel(oid)
    lvl = book._asks[100]
    assert len(lvl) == 8  # compacted: only the live entries are left
    survivors = [9, 18, 27, 36, 37, 38, 39, 40]
    assert [o[1] for o in lvl] == survivors
    assert all(o[5] - lvl.popped == k for k, o in enumerate(lvl))
    assert book.shrink(27, 2)
    fills = book.market(100, 100, Side.BUY, 5 + 5 + 2 + 5, 1.0)
    assert [(f.maker_id, f.qty) for f in fills] == [(9, 5), (18, 5), (27, 2), (36, 5)]
    assert all(o[5] - lvl.popped == k for k, o in enumerate(lvl))
