"""``OrderBook.peek`` and ``OrderBook.top`` against ``get``, ``best_*`` and ``depth``.

The random operation sequences of the book's state machine (continuous, call phase,
compacting); after every step the cheap reads must say exactly what the full ones say.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import invariant

from rex_cli.market import Side

from .test_book_statemachine import (
    SETTINGS,
    BookMachine,
    CallPhaseMachine,
    CompactingMachine,
)


def _check(machine: BookMachine) -> None:
    book = machine.book
    bid = book.depth(Side.BUY, 1)
    ask = book.depth(Side.SELL, 1)
    expected = (
        *(bid[0] if bid else (0, 0)),
        *(ask[0] if ask else (0, 0)),
    )
    assert book.top() == expected
    assert expected[0] == (book.best_bid() or 0)
    assert expected[2] == (book.best_ask() or 0)
    for oid in range(1, machine.next_id + 1):
        view = book.get(oid)
        peek = book.peek(oid)
        if view is None:
            assert peek is None
        else:
            assert peek == (view.side, view.price, view.qty)


class PeekMachine(BookMachine):
    @invariant()
    def cheap_reads(self) -> None:
        _check(self)


class PeekCallMachine(CallPhaseMachine):
    @invariant()
    def cheap_reads(self) -> None:
        _check(self)


class PeekCompactingMachine(CompactingMachine):
    @invariant()
    def cheap_reads(self) -> None:
        _check(self)


TestPeekContinuous = PeekMachine.TestCase
TestPeekContinuous.settings = SETTINGS
TestPeekCallPhase = PeekCallMachine.TestCase
TestPeekCallPhase.settings = SETTINGS
TestPeekCompacting = PeekCompactingMachine.TestCase
TestPeekCompacting.settings = settings(SETTINGS, max_examples=30)
