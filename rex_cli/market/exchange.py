"""The 3-D exchange: one ``OrderBook`` per open target unit, with gate closure.

The exchange owns the rules that span books (docs/model.md: time, exchange and
settlement): which target units are open, the opening call auction, expiry at gate
closure, positions and trade cash per participant, and an append-only event log kept
in columns (plain lists, converted to tables by ``rex_cli.records``). It never knows
who the participants are beyond an integer owner id, and it never imports agents,
config or pandas.

Units and signs: prices are integer ticks, quantities integer lots, times minutes.
A participant's ``position[unit]`` is lots bought minus lots sold for that unit; its
``cash`` is ticks·lots received minus paid (so a buyer's cash falls by price × qty).
Over all participants, positions per unit and cash sum to zero: checked by
``residuals()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter

from rex_cli.market.auction import AuctionOrder, Curtailment, clear, pair_fills
from rex_cli.market.book import OrderBook
from rex_cli.market.orders import Fill, OrderRejected, Side

__all__ = ["EventKind", "Exchange", "ExchangeReject", "Submission"]


class EventKind(Enum):
    """Kinds of rows in the order-event log."""

    LIMIT = "limit"
    MARKET = "market"
    CANCEL = "cancel"
    SHRINK = "shrink"
    REPLACE = "replace"
    FILL = "fill"
    EXPIRE = "expire"
    REJECT = "reject"


class ExchangeReject(Enum):
    """Reasons the exchange itself refuses a request (beyond the book's own reasons)."""

    CLOSED_UNIT = "closed_unit"
    NOT_OWNER = "not_owner"
    PRICE_ABOVE_CAP = "price_above_cap"


@dataclass(frozen=True, slots=True)
class Submission:
    """What a participant learns from one request.

    Attributes:
        order_id: Id given to the order (or the id acted upon), -1 if none was given.
        fills: Fills of the incoming order, in execution order.
        rejected: Reason string when the request was refused, else ``None``.
    """

    order_id: int
    fills: list[Fill]
    rejected: str | None = None

    @property
    def ok(self) -> bool:
        """True when the request was accepted."""
        return self.rejected is None

    @property
    def filled_lots(self) -> int:
        """Total quantity executed, lots."""
        return sum(f.qty for f in self.fills)


_SIDE_CODE = {Side.BUY: 1, Side.SELL: -1}
_BUY = Side.BUY


class Exchange:
    """All open target units, their books, positions and the event log.

    Args:
        unit_minutes: Unit length ε, minutes; gate closure of unit j is at j·ε.
        max_price_ticks: Highest admissible price, ticks.
        opening_auction: Open new books in a call phase.
        opening_window_minutes: Length of the call phase, minutes (the caller schedules
            ``end_call`` at open + window).
        record_orders: Keep the order-event log (``trades`` and ``quotes`` are always kept).
        batch: Periodic call auctions only (the ``call`` mechanism): every book stays in
            its call phase for life and is cleared by :meth:`clear_call`; there is no
            opening call (``in_call`` is False), so participants price as in
            continuous trading and their orders rest until the next call.
    """

    def __init__(
        self,
        *,
        unit_minutes: float,
        max_price_ticks: int,
        opening_auction: bool = True,
        opening_window_minutes: float = 0.0,
        record_orders: bool = True,
        batch: bool = False,
    ) -> None:
        self.batch = batch
        self.unit_minutes = float(unit_minutes)
        self.max_price_ticks = int(max_price_ticks)
        self.opening_auction = opening_auction
        self.opening_window_minutes = opening_window_minutes
        self.record_orders = record_orders
        self.books: dict[int, OrderBook] = {}
        self.closed: set[int] = set()
        self.positions: defaultdict[int, defaultdict[int, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.cash: defaultdict[int, int] = defaultdict(int)
        # owner -> unit -> how often the exchange changed that owner's orders of that
        # unit other than at the owner's request (its fills, maker or taker, and the
        # orders dropped by drop_resting). While it stands still, what an owner last
        # read of its resting orders there is still true (gate closure aside: the book
        # is gone then), so a trader can skip reading them again.
        self.touched: defaultdict[int, defaultdict[int, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self._order_unit: dict[int, int] = {}
        self._next_id = 1
        self._last_price: dict[int, int] = {}
        self._top: dict[int, tuple[int, int]] = {}
        # unit -> (best bid, its lots, best ask, its lots) of its open book (0, 0 for
        # an empty side), as of the last change; None while its opening call runs
        # (continuous trading only: in batch mode the resting book is the market).
        # What ``book.top()`` says, kept current by every call that changes a book.
        self.tops: dict[int, tuple[int, int, int, int] | None] = {}
        # Column buffers: appended per event, turned into tables once at the end.
        self.trades: dict[str, list] = {
            k: []
            for k in (
                "time",
                "target_unit",
                "price_ticks",
                "qty_lots",
                "buyer",
                "seller",
                "maker_id",
                "taker_id",
                "aggressor",
                "auction",
            )
        }
        self.order_events: dict[str, list] = {
            k: []
            for k in (
                "time",
                "event",
                "order_id",
                "owner",
                "target_unit",
                "side",
                "price_ticks",
                "qty_lots",
                "reason",
            )
        }
        self.quotes: dict[str, list] = {
            k: [] for k in ("time", "target_unit", "bid_ticks", "ask_ticks", "bid_lots", "ask_lots")
        }
        self.gate: dict[str, list] = {
            k: []
            for k in (
                "target_unit",
                "time",
                "bid_depth_lots",
                "ask_depth_lots",
                "expired_orders",
                "auction_price_ticks",
                "auction_lots",
            )
        }
        # One row per auction that traded: the opening call, a periodic call or the
        # day-ahead auction (``kind``), with the demand and supply at its price.
        self.auctions: dict[str, list] = {
            k: []
            for k in (
                "target_unit",
                "time",
                "kind",
                "price_ticks",
                "volume_lots",
                "demand_lots",
                "supply_lots",
                "orders",
            )
        }
        self._auction: dict[int, tuple[int, int]] = {}
        self._volume: defaultdict[int, int] = defaultdict(int)
        self._value: defaultdict[int, int] = defaultdict(int)

    # ------------------------------------------------------------------ lifecycle

    def open_unit(self, unit: int, time: float, *, call_phase: bool | None = None) -> None:
        """Open the book of target ``unit``.

        In the call phase with opening auctions, in batch mode, or when ``call_phase``
        says so (the day-ahead auction's books).
        """
        if unit in self.books or unit in self.closed:
            raise ValueError(f"unit {unit} was already opened")
        if call_phase is None:
            call_phase = self.opening_auction or self.batch
        self.books[unit] = OrderBook(call_phase=call_phase)
        self._top[unit] = (0, 0)
        self.tops[unit] = None if call_phase and not self.batch else (0, 0, 0, 0)

    def is_open(self, unit: int) -> bool:
        """True while the book of ``unit`` accepts orders."""
        return unit in self.books

    def in_call(self, unit: int) -> bool:
        """True while ``unit`` is in its opening call phase (never in batch mode)."""
        book = self.books.get(unit)
        return book is not None and book.in_call_phase and not self.batch

    def end_call(self, unit: int, time: float) -> list[Fill]:
        """Clear the opening call auction of ``unit`` at one uniform price.

        Returns:
            The auction's fills (all at the clearing price); empty when nothing crossed.
        """
        book = self.books.get(unit)
        if book is None or not book.in_call_phase:
            return []
        n_orders = book.order_count
        fills = book.uncross(time)
        self._apply_fills(unit, fills, time, auction=True)
        if fills:
            self._auction[unit] = (fills[0].price, sum(f.qty for f in fills))
            quote = book.last_auction
            assert quote is not None
            self._note_auction(unit, time, "opening", quote.price, quote.volume,
                               quote.buy_qty, quote.sell_qty, n_orders)  # fmt: skip
        self._note_top(unit, book, time)
        return fills

    def resting_orders(self, unit: int) -> list[AuctionOrder]:
        """The resting orders of ``unit``'s book, oldest id first (empty if closed)."""
        book = self.books.get(unit)
        if book is None:
            return []
        views = sorted(book.orders(), key=attrgetter("order_id"))
        return [AuctionOrder(v.order_id, v.owner, v.side, v.price, v.qty) for v in views]

    def clear_call(
        self,
        unit: int,
        time: float,
        kind: str,
        rule: Curtailment = Curtailment.PRO_RATA,
    ) -> list[Fill]:
        """Clear ``unit``'s resting orders at one uniform price (``rex_cli.market.auction``).

        The book stays in its call phase; what traded leaves it (a partly executed
        order is shrunk and keeps its place), the rest keeps resting. The auction is
        recorded in ``auctions`` (``kind``: ``call`` or ``day_ahead``).

        Returns:
            The fills, all at the clearing price; empty when nothing crossed.
        """
        book = self.books.get(unit)
        if book is None or not book.in_call_phase:
            return []
        orders = self.resting_orders(unit)
        res = clear(orders, rule)
        if res.price is None:
            return []
        for o in orders:
            q = res.executed.get(o.order_id, 0)
            if q == o.qty:
                book.cancel(o.order_id)
                self._order_unit.pop(o.order_id, None)
            elif q:
                book.shrink(o.order_id, o.qty - q)
        fills = pair_fills(orders, res, time)
        self._apply_fills(unit, fills, time, auction=True)
        lots = self._auction.get(unit, (0, 0))[1] + res.volume
        self._auction[unit] = (res.price, lots)
        self._note_auction(unit, time, kind, res.price, res.volume, res.demand, res.supply,
                           len(orders))  # fmt: skip
        self._note_top(unit, book, time)
        return fills

    def drop_resting(self, unit: int, time: float) -> int:
        """Remove every resting order of ``unit`` (unmatched day-ahead bids); return the count.

        Logged as expiries. The book keeps its phase.
        """
        book = self.books.get(unit)
        if book is None:
            return 0
        orders = self.resting_orders(unit)
        for o in orders:
            book.cancel(o.order_id)
            self._order_unit.pop(o.order_id, None)
            self.touched[o.owner][unit] += 1
            if self.record_orders:
                self._log(time, EventKind.EXPIRE, o.order_id, o.owner, unit, o.side, o.price,
                          o.qty, "auction")  # fmt: skip
        self._note_top(unit, book, time)
        return len(orders)

    def close_unit(self, unit: int, time: float) -> None:
        """Gate closure of ``unit``: every resting order expires; positions are final."""
        book = self.books.pop(unit, None)
        if book is None:
            return
        self.closed.add(unit)
        bid_depth = sum(q for _, q in book.depth(Side.BUY, 10**9))
        ask_depth = sum(q for _, q in book.depth(Side.SELL, 10**9))
        expired = book.expire_all()
        if self.record_orders:
            for order in expired:
                self._log(
                    time,
                    EventKind.EXPIRE,
                    order.order_id,
                    order.owner,
                    unit,
                    order.side,
                    order.price,
                    order.qty,
                    "",
                )
        for order in expired:
            self._order_unit.pop(order.order_id, None)
        auction = self._auction.get(unit, (-1, 0))
        g = self.gate
        g["target_unit"].append(unit)
        g["time"].append(time)
        g["bid_depth_lots"].append(bid_depth)
        g["ask_depth_lots"].append(ask_depth)
        g["expired_orders"].append(len(expired))
        g["auction_price_ticks"].append(auction[0])
        g["auction_lots"].append(auction[1])
        self._top.pop(unit, None)
        self.tops.pop(unit, None)

    # ------------------------------------------------------------------ requests

    def _refuse(
        self,
        time: float,
        kind: EventKind,
        order_id: int,
        owner: int,
        unit: int,
        side: Side | None,
        price: int,
        qty: int,
        reason: str,
    ) -> Submission:
        if self.record_orders:
            self._log(time, EventKind.REJECT, order_id, owner, unit, side, price, qty, reason)
        return Submission(order_id=order_id, fills=[], rejected=f"{kind.value}: {reason}")

    def submit_limit(
        self, owner: int, unit: int, side: Side, price: int, qty: int, time: float
    ) -> Submission:
        """Submit a limit order for target ``unit``; the remainder rests.

        Returns:
            The order id, its immediate fills, or the reason it was refused.
        """
        book = self.books.get(unit)
        if book is None:
            return self._refuse(
                time, EventKind.LIMIT, -1, owner, unit, side, price, qty,
                ExchangeReject.CLOSED_UNIT.value,
            )  # fmt: skip
        if isinstance(price, int) and price > self.max_price_ticks:
            return self._refuse(
                time, EventKind.LIMIT, -1, owner, unit, side, price, qty,
                ExchangeReject.PRICE_ABOVE_CAP.value,
            )  # fmt: skip
        oid = self._next_id
        try:
            fills = book.limit(oid, owner, side, price, qty, time)
        except OrderRejected as exc:
            return self._refuse(
                time, EventKind.LIMIT, -1, owner, unit, side, price, qty, exc.reason.value
            )
        self._next_id += 1
        if self.record_orders:
            self._log(time, EventKind.LIMIT, oid, owner, unit, side, price, qty, "")
        if oid in book:  # it rests
            self._order_unit[oid] = unit
        self._apply_fills(unit, fills, time)
        self._note_top(unit, book, time)
        return Submission(order_id=oid, fills=fills)

    def submit_market(
        self,
        owner: int,
        unit: int,
        side: Side,
        qty: int,
        time: float,
        worst_price: int | None = None,
    ) -> Submission:
        """Submit a market order: fills at once against the book; the rest is dropped."""
        book = self.books.get(unit)
        price = -1 if worst_price is None else worst_price
        if book is None:
            return self._refuse(
                time, EventKind.MARKET, -1, owner, unit, side, price, qty,
                ExchangeReject.CLOSED_UNIT.value,
            )  # fmt: skip
        oid = self._next_id
        try:
            fills = book.market(oid, owner, side, qty, time, worst_price=worst_price)
        except OrderRejected as exc:
            return self._refuse(
                time, EventKind.MARKET, -1, owner, unit, side, price, qty, exc.reason.value
            )
        self._next_id += 1
        if self.record_orders:
            self._log(time, EventKind.MARKET, oid, owner, unit, side, price, qty, "")
        self._apply_fills(unit, fills, time)
        self._note_top(unit, book, time)
        return Submission(order_id=oid, fills=fills)

    def _own_book(self, owner: int, order_id: int) -> tuple[OrderBook | None, int, str | None]:
        unit = self._order_unit.get(order_id)
        if unit is None:
            return None, -1, "unknown_order"
        book = self.books.get(unit)
        if book is None:
            return None, unit, ExchangeReject.CLOSED_UNIT.value
        order_owner = book.owner_of(order_id)
        if order_owner is None:
            self._order_unit.pop(order_id, None)
            return None, unit, "unknown_order"
        if order_owner != owner:
            return None, unit, ExchangeReject.NOT_OWNER.value
        return book, unit, None

    def cancel(self, owner: int, order_id: int, time: float) -> Submission:
        """Cancel a resting order of ``owner``."""
        book, unit, why = self._own_book(owner, order_id)
        if book is None:
            return self._refuse(
                time, EventKind.CANCEL, order_id, owner, unit, None, -1, 0, str(why)
            )
        order = book.peek(order_id)
        assert order is not None
        side, price, qty = order
        book.cancel(order_id)
        self._order_unit.pop(order_id, None)
        if self.record_orders:
            self._log(time, EventKind.CANCEL, order_id, owner, unit, side, price, qty, "")
        self._note_top(unit, book, time)
        return Submission(order_id=order_id, fills=[])

    def shrink(self, owner: int, order_id: int, new_qty: int, time: float) -> Submission:
        """Lower the quantity of a resting order, keeping its queue priority."""
        book, unit, why = self._own_book(owner, order_id)
        if book is None:
            return self._refuse(
                time, EventKind.SHRINK, order_id, owner, unit, None, -1, new_qty, str(why)
            )
        order = book.peek(order_id)
        assert order is not None
        side, price, _ = order
        try:
            ok = book.shrink(order_id, new_qty)
        except OrderRejected as exc:
            return self._refuse(
                time, EventKind.SHRINK, order_id, owner, unit, side, price, new_qty,
                exc.reason.value,
            )  # fmt: skip
        if not ok:
            return self._refuse(
                time, EventKind.SHRINK, order_id, owner, unit, side, price, new_qty, "unknown_order"
            )
        if self.record_orders:
            self._log(time, EventKind.SHRINK, order_id, owner, unit, side, price, new_qty, "")
        self._note_top(unit, book, time)
        return Submission(order_id=order_id, fills=[])

    def replace(
        self,
        owner: int,
        order_id: int,
        time: float,
        *,
        price: int | None = None,
        qty: int | None = None,
    ) -> Submission:
        """Give a resting order a new price and/or a larger quantity; it loses priority.

        The replaced order keeps its id and may trade at once as an incoming order.
        """
        book, unit, why = self._own_book(owner, order_id)
        if book is None:
            return self._refuse(
                time, EventKind.REPLACE, order_id, owner, unit, None,
                -1 if price is None else price, 0 if qty is None else qty, str(why),
            )  # fmt: skip
        order = book.peek(order_id)
        assert order is not None
        side, old_price, old_qty = order
        new_price = old_price if price is None else price
        new_qty = old_qty if qty is None else qty
        if isinstance(new_price, int) and new_price > self.max_price_ticks:
            return self._refuse(
                time, EventKind.REPLACE, order_id, owner, unit, side, new_price, new_qty,
                ExchangeReject.PRICE_ABOVE_CAP.value,
            )  # fmt: skip
        try:
            fills = book.replace(order_id, time, price=price, qty=qty)
        except OrderRejected as exc:
            return self._refuse(
                time, EventKind.REPLACE, order_id, owner, unit, side, new_price, new_qty,
                exc.reason.value,
            )  # fmt: skip
        if self.record_orders:
            self._log(time, EventKind.REPLACE, order_id, owner, unit, side, new_price, new_qty, "")
        if order_id not in book:
            self._order_unit.pop(order_id, None)
        self._apply_fills(unit, fills, time)
        self._note_top(unit, book, time)
        return Submission(order_id=order_id, fills=fills)

    # ------------------------------------------------------------------ market data

    def best_bid(self, unit: int) -> int | None:
        """Best bid of ``unit`` in ticks, or ``None`` (also for a closed unit)."""
        book = self.books.get(unit)
        return None if book is None else book.best_bid()

    def best_ask(self, unit: int) -> int | None:
        """Best ask of ``unit`` in ticks, or ``None`` (also for a closed unit)."""
        book = self.books.get(unit)
        return None if book is None else book.best_ask()

    def depth(self, unit: int, side: Side, levels: int) -> list[tuple[int, int]]:
        """Aggregated (price_ticks, qty_lots) of the best ``levels`` levels of one side."""
        book = self.books.get(unit)
        return [] if book is None else book.depth(side, levels)

    def last_price(self, unit: int) -> int | None:
        """Price of the last trade for ``unit``, ticks, or ``None`` before the first trade."""
        return self._last_price.get(unit)

    def vwap_ticks(self, unit: int) -> float | None:
        """Volume-weighted average trade price of ``unit`` so far, ticks; ``None`` if no trade."""
        volume = self._volume.get(unit, 0)
        return None if volume == 0 else self._value[unit] / volume

    def remaining(self, order_id: int) -> int:
        """Remaining quantity (lots) of a resting order; 0 once filled, cancelled or expired."""
        unit = self._order_unit.get(order_id)
        if unit is None:
            return 0
        book = self.books.get(unit)
        order = None if book is None else book.peek(order_id)  # (side, price, qty)
        return 0 if order is None else order[2]

    def position(self, owner: int, unit: int) -> int:
        """Lots bought minus lots sold by ``owner`` for ``unit``."""
        return self.positions[owner][unit]

    def residuals(self, owners: Iterable[int] | None = None) -> tuple[int, int]:
        """Conservation checks: (sum of cash over owners, sum of |Σ positions| over units).

        Both are zero when every trade moved cash and energy from one side to the other.
        """
        keys = list(self.positions) if owners is None else list(owners)
        cash = sum(self.cash[o] for o in keys)
        per_unit: defaultdict[int, int] = defaultdict(int)
        for o in keys:
            for unit, lots in self.positions[o].items():
                per_unit[unit] += lots
        return cash, sum(abs(v) for v in per_unit.values())

    # ------------------------------------------------------------------ internals

    def _apply_fills(
        self, unit: int, fills: list[Fill], time: float, auction: bool = False
    ) -> None:
        if not fills:
            return
        t = self.trades
        positions = self.positions
        touched = self.touched
        cash = self.cash
        volume = value_sum = 0
        for f in fills:
            if f.taker_side is Side.BUY:
                buyer, seller = f.taker_owner, f.maker_owner
            else:
                buyer, seller = f.maker_owner, f.taker_owner
            positions[buyer][unit] += f.qty
            positions[seller][unit] -= f.qty
            touched[buyer][unit] += 1
            touched[seller][unit] += 1
            value = f.price * f.qty
            cash[buyer] -= value
            cash[seller] += value
            volume += f.qty
            value_sum += value
            t["time"].append(time)
            t["target_unit"].append(unit)
            t["price_ticks"].append(f.price)
            t["qty_lots"].append(f.qty)
            t["buyer"].append(buyer)
            t["seller"].append(seller)
            t["maker_id"].append(f.maker_id)
            t["taker_id"].append(f.taker_id)
            t["aggressor"].append(1 if f.taker_side is _BUY else -1)  # _SIDE_CODE
            t["auction"].append(auction)
            if self.record_orders:
                self._log(
                    time, EventKind.FILL, f.maker_id, f.maker_owner, unit, None, f.price, f.qty, ""
                )
            if self.remaining(f.maker_id) == 0:  # the maker no longer rests: forget it
                self._order_unit.pop(f.maker_id, None)
        self._last_price[unit] = fills[-1].price
        self._volume[unit] += volume
        self._value[unit] += value_sum

    def _note_auction(
        self,
        unit: int,
        time: float,
        kind: str,
        price: int,
        volume: int,
        demand: int,
        supply: int,
        n_orders: int,
    ) -> None:
        a = self.auctions
        a["target_unit"].append(unit)
        a["time"].append(time)
        a["kind"].append(kind)
        a["price_ticks"].append(price)
        a["volume_lots"].append(volume)
        a["demand_lots"].append(demand)
        a["supply_lots"].append(supply)
        a["orders"].append(n_orders)

    def _note_top(self, unit: int, book: OrderBook, time: float) -> None:
        tops = book.top()
        bid, bid_lots, ask, ask_lots = tops  # 0, 0 for an empty side
        self.tops[unit] = None if not self.batch and book.in_call_phase else tops
        top = (bid, ask)
        if self._top.get(unit) == top:
            return
        self._top[unit] = top
        q = self.quotes
        q["time"].append(time)
        q["target_unit"].append(unit)
        q["bid_ticks"].append(bid if bid else -1)
        q["ask_ticks"].append(ask if ask else -1)
        q["bid_lots"].append(bid_lots)
        q["ask_lots"].append(ask_lots)

    def _log(
        self,
        time: float,
        kind: EventKind,
        order_id: int,
        owner: int,
        unit: int,
        side: Side | None,
        price: int,
        qty: int,
        reason: str,
    ) -> None:
        e = self.order_events
        e["time"].append(time)
        e["event"].append(kind._value_)  # ``kind.value`` without the enum property
        e["order_id"].append(order_id)
        e["owner"].append(owner)
        e["target_unit"].append(unit)
        e["side"].append(0 if side is None else 1 if side is _BUY else -1)  # _SIDE_CODE, unhashed
        e["price_ticks"].append(price)
        e["qty_lots"].append(qty)
        e["reason"].append(reason)
