"""Uniform-price clearing of a call auction: the pure core (docs/model.md: market mechanisms).

The orders of one delivery unit, buys and sells, each a step of an aggregated curve:
the demand ``D(p)`` is the buy quantity priced ``>= p`` and the supply ``S(p)`` the
sell quantity priced ``<= p``. The clearing price is the one of the book's opening
auction (``rex_cli.market.book``, which prices with :func:`level_price`), so every
auction of Rex prices alike:

1. the clearing price ``p*`` maximises the matched volume ``V(p) = min(D(p), S(p))``
   over the integer ticks;
2. ties: the smallest ``|D(p) − S(p)|``;
3. the remaining ties form a contiguous range ``[lo, hi]``; ``p* = (lo + hi) // 2``,
   the tick closest to its midpoint, rounding down.

Allocation at ``p*``: the side with less quantity at ``p*`` (the short side) is
executed in full; the long side by *price priority* (better-priced orders first: buys
from the highest price, sells from the lowest), and the price level that does not fit
whole (the margin) is curtailed by ``rule``:

* ``pro_rata`` (default of the periodic and day-ahead auctions, as in Budish,
  Cramton & Shim 2015, and in the power exchanges' handling of curtailment at the
  margin): every order of the marginal level gets ``⌊R·q_i/Q⌋`` lots of the ``R``
  left for a level of ``Q``, and the lots still left go one each to the largest
  remainders ``R·q_i mod Q``, ties to the earlier order;
* ``time``: the marginal level in the orders' given (arrival) order, as the book's
  opening auction does (price-time priority).

No pandas, no agents: prices are integer ticks and quantities integer lots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from rex_cli.market.orders import Fill, Side, make_fill

__all__ = [
    "AuctionOrder",
    "Clearing",
    "Curtailment",
    "clear",
    "clearing_price",
    "level_price",
    "pair_fills",
]


class Curtailment(Enum):
    """How the marginal price level of the long side is rationed."""

    PRO_RATA = "pro_rata"
    TIME = "time"


@dataclass(frozen=True, slots=True)
class AuctionOrder:
    """One step of a participant's curve: ``qty`` lots at limit ``price`` ticks.

    Attributes:
        order_id: Unique id (also the tie-break: orders are taken in the given order).
        owner: Participant id.
        side: Buy or sell.
        price: Limit price, ticks (a buy pays at most, a sell gets at least this).
        qty: Quantity, lots (> 0).
    """

    order_id: int
    owner: int
    side: Side
    price: int
    qty: int


@dataclass(frozen=True, slots=True)
class Clearing:
    """The outcome of one call.

    Attributes:
        price: Clearing price, ticks; ``None`` when nothing crosses.
        volume: Matched volume, lots.
        demand: ``D(p*)``, the buy quantity priced at or above the clearing price.
        supply: ``S(p*)``, the sell quantity priced at or below it.
        executed: Lots executed per order id (only orders that traded).
    """

    price: int | None
    volume: int
    demand: int
    supply: int
    executed: dict[int, int]


def clearing_price(orders: Sequence[AuctionOrder]) -> tuple[int, int, int, int] | None:
    """The clearing price and the curves there: ``(p*, V, D(p*), S(p*))``, or None.

    None when no buy is priced at or above some sell (nothing would trade).
    """
    bid_q: dict[int, int] = {}
    ask_q: dict[int, int] = {}
    for o in orders:
        book = bid_q if o.side is Side.BUY else ask_q
        book[o.price] = book.get(o.price, 0) + o.qty
    if not bid_q or not ask_q:
        return None
    lo, hi = min(ask_q), max(bid_q)
    if lo > hi:
        return None
    bids = sorted((p, q) for p, q in bid_q.items() if p >= lo)
    asks = sorted((p, q) for p, q in ask_q.items() if p <= hi)
    return level_price(bids, asks, lo, hi)


def level_price(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]], lo: int, hi: int
) -> tuple[int, int, int, int]:
    """The clearing rule (module docstring) on aggregated price levels.

    Args:
        bids: ``(price, qty)`` of the buy levels priced ``>= lo``, ascending by price.
        asks: ``(price, qty)`` of the sell levels priced ``<= hi``, ascending by price.
        lo: The lowest sell price (``<= hi``).
        hi: The highest buy price.

    Returns:
        ``(p*, V, D(p*), S(p*))``. The book's opening auction
        (:meth:`rex_cli.market.book.OrderBook.auction_preview`) prices with it too.
    """
    # D(p) and S(p) are constant between these breakpoints.
    starts = sorted({lo, *(p for p, _ in asks), *(p + 1 for p, _ in bids if p < hi)})
    demand = sum(q for _, q in bids)
    supply = 0
    i = j = 0
    best: tuple[int, int] | None = None
    range_lo = range_hi = lo
    for k, start in enumerate(starts):
        while i < len(bids) and bids[i][0] < start:
            demand -= bids[i][1]
            i += 1
        while j < len(asks) and asks[j][0] <= start:
            supply += asks[j][1]
            j += 1
        end = starts[k + 1] - 1 if k + 1 < len(starts) else hi
        key = (min(demand, supply), -abs(demand - supply))
        if best is None or key > best:
            best = key
            range_lo, range_hi = start, end
        elif key == best:
            range_hi = end
    price = (range_lo + range_hi) // 2
    d = sum(q for p, q in bids if p >= price)
    s = sum(q for p, q in asks if p <= price)
    return price, min(d, s), d, s


def _ration(level: list[AuctionOrder], lots: int, rule: Curtailment) -> dict[int, int]:
    """Share ``lots`` (< the level's total) among one price level's orders."""
    out: dict[int, int] = {}
    if lots <= 0:
        return out
    if rule is Curtailment.TIME:
        for o in level:
            q = min(o.qty, lots)
            if q:
                out[o.order_id] = q
            lots -= q
            if lots == 0:
                break
        return out
    total = sum(o.qty for o in level)
    base = [lots * o.qty // total for o in level]
    rest = lots - sum(base)
    order = sorted(range(len(level)), key=lambda n: (-(lots * level[n].qty % total), n))
    for n in order[:rest]:
        base[n] += 1
    for o, q in zip(level, base, strict=True):
        if q:
            out[o.order_id] = q
    return out


def _fill_side(orders: list[AuctionOrder], lots: int, rule: Curtailment) -> dict[int, int]:
    """Execute ``lots`` of one side's eligible orders (best price first)."""
    out: dict[int, int] = {}
    if not orders:
        return out
    levels: dict[int, list[AuctionOrder]] = {}
    for o in orders:
        levels.setdefault(o.price, []).append(o)
    buy = orders[0].side is Side.BUY
    for price in sorted(levels, reverse=buy):
        level = levels[price]
        size = sum(o.qty for o in level)
        if size <= lots:
            for o in level:
                out[o.order_id] = o.qty
            lots -= size
        else:
            out.update(_ration(level, lots, rule))
            lots = 0
        if lots == 0:
            break
    return out


def clear(orders: Sequence[AuctionOrder], rule: Curtailment = Curtailment.PRO_RATA) -> Clearing:
    """Clear one call auction at one uniform price (see the module docstring).

    Args:
        orders: Every buy and sell of the unit; their order is the time priority.
        rule: Curtailment of the long side's marginal price level.

    Returns:
        The clearing; ``executed`` sums to ``volume`` on each side.
    """
    quote = clearing_price(orders)
    if quote is None:
        return Clearing(price=None, volume=0, demand=0, supply=0, executed={})
    price, volume, demand, supply = quote
    buys = [o for o in orders if o.side is Side.BUY and o.price >= price]
    sells = [o for o in orders if o.side is Side.SELL and o.price <= price]
    executed = _fill_side(buys, volume, rule)
    executed.update(_fill_side(sells, volume, rule))
    return Clearing(price=price, volume=volume, demand=demand, supply=supply, executed=executed)


def pair_fills(orders: Sequence[AuctionOrder], clearing: Clearing, time: float) -> list[Fill]:
    """Turn a clearing into fills at its price, pairing buys and sells in the given order.

    The executed buys and sells are walked in the orders' given order and matched
    lot for lot; the maker of each fill is the earlier order of the pair (its
    ``order_id`` order) and ``taker_side`` the later one's side. Cash and energy move
    only between the two owners of a fill, so both are conserved exactly.
    """
    price = clearing.price
    if price is None or clearing.volume == 0:
        return []
    ex = clearing.executed
    buys = [o for o in orders if o.side is Side.BUY and ex.get(o.order_id)]
    sells = [o for o in orders if o.side is Side.SELL and ex.get(o.order_id)]
    left_b = [ex[o.order_id] for o in buys]
    left_s = [ex[o.order_id] for o in sells]
    fills: list[Fill] = []
    k = 0
    for i, bo in enumerate(buys):
        while left_b[i] and k < len(sells):
            so = sells[k]
            q = min(left_b[i], left_s[k])
            maker, taker = (bo, so) if bo.order_id < so.order_id else (so, bo)
            fill = make_fill(
                price, q, maker.order_id, taker.order_id, maker.owner, taker.owner,
                taker.side, time,
            )  # fmt: skip
            fills.append(fill)
            left_b[i] -= q
            left_s[k] -= q
            if not left_s[k]:
                k += 1
    return fills
