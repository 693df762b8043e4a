"""Brute-force reference matcher with the same rules as ``OrderBook`` (tests only).

Everything is a plain list of orders, re-sorted on every use; speed is irrelevant,
the point is that each rule is written down once, literally, from the docstring of
``rex_cli.market.book``:

* price-time priority, trade at the resting price, partial fills;
* self-trade prevention: skip the incoming owner's resting orders;
* a limit remainder (new or replaced) that would cross a resting opposite order of
  the same owner is dropped; during the call phase nothing matches and the same
  rule applies to the whole order;
* the opening auction scans every integer tick between the lowest and highest
  resting price, maximises volume, then minimises |imbalance|, then takes the
  candidate closest to the midpoint of the candidate range (lower on a tie), and
  pairs eligible buys and sells greedily in price-time priority, skipping pairs of
  the same owner; the maker is the earlier-submitted order.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rex_cli.market import Fill, OrderRejected, OrderView, RejectReason, Side


@dataclass
class RefOrder:
    order_id: int
    owner: int
    side: Side
    price: int
    qty: int
    time: float
    seq: int


def _positive_int(value: object, reason: RejectReason) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise OrderRejected(reason, repr(value))
    return value


def _crosses(side: Side, limit: int, resting_price: int) -> bool:
    """Would an order of ``side`` at ``limit`` trade with a resting price?"""
    return resting_price <= limit if side is Side.BUY else resting_price >= limit


class RefBook:
    def __init__(self, call_phase: bool = False) -> None:
        self.orders: list[RefOrder] = []
        self.seq = 0
        self.in_call_phase = call_phase
        self.last_auction_price: int | None = None
        self.last_dropped_qty = 0

    # -- queries
    def queue(self, side: Side) -> list[RefOrder]:
        """Resting orders of ``side`` in priority order."""
        mine = [o for o in self.orders if o.side is side]
        if side is Side.BUY:
            return sorted(mine, key=lambda o: (-o.price, o.seq))
        return sorted(mine, key=lambda o: (o.price, o.seq))

    def best_bid(self) -> int | None:
        return max((o.price for o in self.orders if o.side is Side.BUY), default=None)

    def best_ask(self) -> int | None:
        return min((o.price for o in self.orders if o.side is Side.SELL), default=None)

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        totals: dict[int, int] = {}
        for o in self.queue(side):
            totals[o.price] = totals.get(o.price, 0) + o.qty
        return list(totals.items())[:levels]

    def get(self, order_id: int) -> OrderView | None:
        for o in self.orders:
            if o.order_id == order_id:
                return OrderView(o.order_id, o.owner, o.side, o.price, o.qty, o.time)
        return None

    def _find(self, order_id: int) -> RefOrder | None:
        return next((o for o in self.orders if o.order_id == order_id), None)

    # -- operations
    def _enter(
        self, order_id: int, owner: int, side: Side, price: int, qty: int, time: float
    ) -> list[Fill]:
        fills: list[Fill] = []
        if not self.in_call_phase:
            fills, qty = self._match(order_id, owner, side, qty, time, price)
        self.last_dropped_qty = 0
        if qty == 0:
            return fills
        if any(
            o.owner == owner and o.side is side.opposite and _crosses(side, price, o.price)
            for o in self.orders
        ):
            self.last_dropped_qty = qty
            return fills
        self.seq += 1
        self.orders.append(RefOrder(order_id, owner, side, price, qty, time, self.seq))
        return fills

    def _match(
        self, order_id: int, owner: int, side: Side, qty: int, time: float, limit: int | None
    ) -> tuple[list[Fill], int]:
        fills = []
        for o in self.queue(side.opposite):
            if qty == 0 or (limit is not None and not _crosses(side, limit, o.price)):
                break
            if o.owner == owner:
                continue
            q = min(qty, o.qty)
            o.qty -= q
            qty -= q
            fills.append(Fill(o.price, q, o.order_id, order_id, o.owner, owner, side, time))
        self.orders = [o for o in self.orders if o.qty > 0]
        return fills, qty

    def _check_new(self, order_id: int, side: object) -> None:
        if self._find(order_id) is not None:
            raise OrderRejected(RejectReason.DUPLICATE_ID, str(order_id))
        if not isinstance(side, Side):
            raise OrderRejected(RejectReason.BAD_SIDE, repr(side))

    def limit(
        self, order_id: int, owner: int, side: Side, price: int, qty: int, time: float
    ) -> list[Fill]:
        price = _positive_int(price, RejectReason.BAD_PRICE)
        qty = _positive_int(qty, RejectReason.BAD_QTY)
        self._check_new(order_id, side)
        return self._enter(order_id, owner, side, price, qty, time)

    def market(
        self,
        order_id: int,
        owner: int,
        side: Side,
        qty: int,
        time: float,
        worst_price: int | None = None,
    ) -> list[Fill]:
        qty = _positive_int(qty, RejectReason.BAD_QTY)
        if worst_price is not None:
            worst_price = _positive_int(worst_price, RejectReason.BAD_PRICE)
        self._check_new(order_id, side)
        if self.in_call_phase:
            raise OrderRejected(RejectReason.CALL_PHASE, "")
        fills, self.last_dropped_qty = self._match(order_id, owner, side, qty, time, worst_price)
        return fills

    def cancel(self, order_id: int) -> bool:
        o = self._find(order_id)
        if o is None:
            return False
        self.orders.remove(o)
        return True

    def shrink(self, order_id: int, new_qty: int) -> bool:
        new_qty = _positive_int(new_qty, RejectReason.BAD_QTY)
        o = self._find(order_id)
        if o is None:
            return False
        if new_qty >= o.qty:
            raise OrderRejected(RejectReason.BAD_QTY, str(new_qty))
        o.qty = new_qty
        return True

    def replace(
        self, order_id: int, time: float, *, price: int | None = None, qty: int | None = None
    ) -> list[Fill]:
        o = self._find(order_id)
        if o is None:
            raise OrderRejected(RejectReason.UNKNOWN_ORDER, str(order_id))
        if price is None and qty is None:
            raise OrderRejected(RejectReason.NO_CHANGE, "")
        new_price = _positive_int(o.price if price is None else price, RejectReason.BAD_PRICE)
        new_qty = _positive_int(o.qty if qty is None else qty, RejectReason.BAD_QTY)
        self.orders.remove(o)
        return self._enter(order_id, o.owner, o.side, new_price, new_qty, time)

    def expire_all(self) -> list[OrderView]:
        views = [
            OrderView(o.order_id, o.owner, o.side, o.price, o.qty, o.time)
            for o in sorted(self.orders, key=lambda o: o.seq)
        ]
        self.orders = []
        return views

    # -- auction
    def clearing(self) -> tuple[int, int] | None:
        """(price, volume) of the opening auction, by scanning every tick."""
        if not self.orders:
            return None
        prices = [o.price for o in self.orders]
        scored = []
        for p in range(min(prices), max(prices) + 1):
            demand = sum(o.qty for o in self.orders if o.side is Side.BUY and o.price >= p)
            supply = sum(o.qty for o in self.orders if o.side is Side.SELL and o.price <= p)
            scored.append((min(demand, supply), abs(demand - supply), p))
        volume = max(v for v, _, _ in scored)
        if volume == 0:
            return None
        least = min(i for v, i, _ in scored if v == volume)
        candidates = [p for v, i, p in scored if v == volume and i == least]
        mid = Fraction(min(candidates) + max(candidates), 2)
        price = min(candidates, key=lambda p: (abs(p - mid), p))
        return price, volume

    def uncross(self, time: float) -> list[Fill]:
        if not self.in_call_phase:
            raise OrderRejected(RejectReason.NOT_IN_CALL_PHASE, "")
        self.in_call_phase = False
        cleared = self.clearing()
        if cleared is None:
            return []
        price = cleared[0]
        buys = [o for o in self.queue(Side.BUY) if o.price >= price]
        sells = [o for o in self.queue(Side.SELL) if o.price <= price]
        fills = []
        for b in buys:
            for s in sells:
                if b.qty == 0:
                    break
                if s.qty == 0 or s.owner == b.owner:
                    continue
                q = min(b.qty, s.qty)
                b.qty -= q
                s.qty -= q
                maker, taker = (b, s) if b.seq < s.seq else (s, b)
                fills.append(
                    Fill(
                        price,
                        q,
                        maker.order_id,
                        taker.order_id,
                        maker.owner,
                        taker.owner,
                        taker.side,
                        time,
                    )
                )
        self.orders = [o for o in self.orders if o.qty > 0]
        self.last_auction_price = price
        return fills
