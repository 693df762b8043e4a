"""Value types of the limit order book: sides, fills, resting-order views, rejections.

Units: every price is an integer number of **ticks** (> 0) and every quantity an
integer number of **lots** (> 0); times are simulation minutes (float) and are only
stamped on fills and orders, never used for priority (priority is arrival order).

All values here are immutable (frozen, slotted dataclasses, a named tuple or enums),
so they can be handed to agents and recorders without copying.
"""

from __future__ import annotations

import enum
from dataclasses import FrozenInstanceError, dataclass
from typing import NamedTuple

__all__ = [
    "AuctionQuote",
    "Fill",
    "OrderRejected",
    "OrderView",
    "RejectReason",
    "Side",
]


class Side(enum.Enum):
    """Side of an order: ``BUY`` takes reservations, ``SELL`` gives them."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        """The other side (``BUY.opposite is SELL``)."""
        return Side.SELL if self is Side.BUY else Side.BUY


class RejectReason(enum.Enum):
    """Why the book refused a request (carried by :class:`OrderRejected`)."""

    BAD_PRICE = "bad_price"
    """A price (limit, replace or ``worst_price``) is not an integer > 0 ticks."""
    BAD_QTY = "bad_qty"
    """A quantity is not an integer > 0 lots, or a shrink is not below the remaining."""
    BAD_SIDE = "bad_side"
    """The side is not a :class:`Side` member."""
    DUPLICATE_ID = "duplicate_id"
    """The order id belongs to an order that is resting in the book."""
    UNKNOWN_ORDER = "unknown_order"
    """``replace`` of an order that is not resting (never seen, filled, cancelled)."""
    NO_CHANGE = "no_change"
    """``replace`` with neither a new price nor a new quantity."""
    CALL_PHASE = "call_phase"
    """A market order during the opening call phase (only limit orders are collected)."""
    NOT_IN_CALL_PHASE = "not_in_call_phase"
    """``uncross`` on a book that is already in continuous trading."""


class OrderRejected(Exception):
    """An invalid request; the book state is unchanged when this is raised.

    Attributes:
        reason: Machine-readable cause.
        detail: Human-readable explanation (includes the offending value).
    """

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason.name}: {detail}")
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[OrderRejected], tuple[RejectReason, str]]:
        # Keep the two-argument constructor when pickled (e.g. across worker processes).
        return (type(self), (self.reason, self.detail))


class Fill(NamedTuple):
    """One trade between a resting (maker) and an incoming (taker) order.

    The trade moves ``qty`` lots from the seller to the buyer and ``price * qty``
    tick-lots of cash from the buyer to the seller.

    In continuous trading the maker is the resting order and ``price`` is its limit
    price. In an opening-auction fill (:meth:`OrderBook.uncross`) both orders were
    resting: the **maker is the earlier-submitted order of the pair** (lower arrival
    sequence; a replace counts as a new submission), the taker the later one, and
    ``price`` is the uniform clearing price.

    A fill is an immutable named tuple (fields in the order below; assigning an
    attribute raises :class:`dataclasses.FrozenInstanceError`). It is a tuple so
    that the book builds one with a single C call, ``tuple.__new__(Fill, fields)``
    (see :func:`make_fill`), cheaper than any class whose ``__init__`` runs Python.

    Attributes:
        price: Execution price in ticks (> 0).
        qty: Traded quantity in lots (> 0).
        maker_id: Order id of the maker.
        taker_id: Order id of the taker.
        maker_owner: Owner of the maker order.
        taker_owner: Owner of the taker order (never equal to ``maker_owner``).
        taker_side: Side of the taker; the maker is on the opposite side.
        time: Simulation time of the trade, minutes.
    """

    price: int
    qty: int
    maker_id: int
    taker_id: int
    maker_owner: int
    taker_owner: int
    taker_side: Side
    time: float

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    @property
    def buyer_id(self) -> int:
        """Order id on the buy side."""
        return self.taker_id if self.taker_side is Side.BUY else self.maker_id

    @property
    def seller_id(self) -> int:
        """Order id on the sell side."""
        return self.maker_id if self.taker_side is Side.BUY else self.taker_id

    @property
    def buyer_owner(self) -> int:
        """Owner of the buy order."""
        return self.taker_owner if self.taker_side is Side.BUY else self.maker_owner

    @property
    def seller_owner(self) -> int:
        """Owner of the sell order."""
        return self.maker_owner if self.taker_side is Side.BUY else self.taker_owner

    @property
    def cash_ticks(self) -> int:
        """Cash moved from buyer to seller: ``price * qty`` (tick-lots)."""
        return self.price * self.qty


_tuple_new = tuple.__new__


def make_fill(
    price: int,
    qty: int,
    maker_id: int,
    taker_id: int,
    maker_owner: int,
    taker_owner: int,
    taker_side: Side,
    time: float,
) -> Fill:
    """:class:`Fill` from its fields in order (what ``Fill(...)`` does).

    Hot loops skip this call and write ``tuple.__new__(Fill, (price, ...))`` inline:
    one C call instead of Python's generated ``__new__``.
    """
    return _tuple_new(
        Fill, (price, qty, maker_id, taker_id, maker_owner, taker_owner, taker_side, time)
    )


@dataclass(frozen=True, slots=True)
class OrderView:
    """Read-only snapshot of a resting limit order (taken when requested).

    Attributes:
        order_id: Id given at submission.
        owner: Owner given at submission.
        side: Buy or sell.
        price: Limit price in ticks.
        qty: Remaining (unfilled) quantity in lots, > 0.
        time: Time of the last (re)submission, minutes; the queue position follows it.
    """

    order_id: int
    owner: int
    side: Side
    price: int
    qty: int
    time: float


@dataclass(frozen=True, slots=True)
class AuctionQuote:
    """Outcome the opening auction would have if the call ended now.

    Attributes:
        price: Uniform clearing price in ticks.
        volume: Matched volume in lots at ``price`` (> 0).
        buy_qty: Demand at ``price``: lots of buy orders priced ``>= price``.
        sell_qty: Supply at ``price``: lots of sell orders priced ``<= price``.
    """

    price: int
    volume: int
    buy_qty: int
    sell_qty: int

    @property
    def imbalance(self) -> int:
        """``buy_qty - sell_qty`` in lots (positive: excess demand stays resting)."""
        return self.buy_qty - self.sell_qty
