"""Limit order book of one target unit: continuous double auction plus opening call.

Units and conventions:
    * prices are integer **ticks** (> 0), quantities integer **lots** (> 0); nothing
      else enters the book (``bool`` and ``float`` are refused, integer-like numbers
      such as ``numpy.int64`` are converted to ``int``);
    * times are simulation minutes; they are stamped on orders and fills but time
      priority is the order of arrival in the book (a per-book sequence number);
    * order ids must be unique among resting orders (the exchange keeps them unique
      for the whole run); owners are integers (agent ids) compared with ``==``.

Matching rules (docs/model.md: the book and the exchange):
    * price-time priority; a trade executes at the **resting** order's price;
      partial fills; a limit order's remainder rests, a market order's remainder is
      dropped (it never rests); ``worst_price`` bounds how far a market order walks;
    * **self-trade prevention (STP)**: an incoming order skips the resting orders of
      its own owner, which stay in the book untouched with their queue priority;
      matching goes on with the next order of the level and the next levels;
    * **no self-crossing ("cancel newest")**: a limit remainder (new order or
      replace) whose price would cross a resting opposite order of the *same owner*
      is cancelled instead of resting. In continuous trading everything else that
      it crossed has been traded away, so this rule is exactly what keeps the book
      uncrossed (``best_bid < best_ask``) after every operation. During the call
      phase the same rule is applied at entry (no matching happens, so the whole
      order is cancelled): the resting buys and sells of one owner never cross.
      The dropped quantity is reported in :attr:`OrderBook.last_dropped_qty` and
      :meth:`OrderBook.get` returns ``None`` for that order id.

Opening call auction (``OrderBook(call_phase=True)``): limit orders rest without
matching (the book may be crossed), market orders are rejected, cancel / shrink /
replace work (replace does not match). :meth:`OrderBook.uncross` ends the call:

    1. the clearing price ``p*`` maximises the matched volume
       ``V(p) = min(D(p), S(p))`` over all integer ticks, where ``D(p)`` is the buy
       quantity priced ``>= p`` and ``S(p)`` the sell quantity priced ``<= p``;
    2. ties: minimise ``|D(p) - S(p)|``;
    3. remaining ties form a contiguous tick range ``[lo, hi]`` (``V`` is
       quasi-concave and ``D - S`` non-increasing); ``p* = (lo + hi) // 2``, the
       tick closest to the midpoint, rounding down (steps 1-3 are
       :func:`rex_cli.market.auction.level_price`, shared with the periodic and
       day-ahead call auctions);
    4. the eligible buys (``price >= p*``) and sells (``price <= p*``) are matched at
       ``p*`` in price-time priority on both sides; in each fill the maker is the
       earlier-submitted order of the pair;
    5. STP applies to the auction as well (a buyer and a seller of the same owner
       are never paired). Because one owner's buys and sells never cross (rule
       above), two eligible orders of one owner cannot exist on opposite sides, so
       STP never binds here: the executed volume always equals the maximal
       ``V(p*)``. The remainder rests; afterwards the book is not crossed and
       continuous trading begins.

Implementation notes (for speed; none of this is visible through the API):
    * a resting order is an immutable tuple ``(qty, order_id, owner, key, time, seq)``
      (key: ``-price`` for a buy, ``price`` for a sell, the very int object that is
      its level's ``key``, so a cancel's level look-up hashes an object in cache;
      seq: its place in its level's queue counted from the level's first entry since
      the level was last renumbered; positions indexed or unpacked literally on the
      hot paths), shared by its
      level's queue and the id -> order dict that serves cancel / shrink / replace /
      get. A queue entry is **live iff it is the very object the dict holds for its
      id** (``index.get(id) is entry``):
      a cancel only pops the id from the dict, and an order that trades in part or is
      shrunk gets a new tuple, put in its old place in the queue and in the dict.
      Shrink finds that place at ``seq − popped`` (the level counts the entries taken
      off its front), checked by identity, with a scan only if the check fails; a
      compaction, a matching that skips the owner's orders and the auction renumber
      the level's live records (the scan, O(position in the queue), was 8% of a
      10,000-prosumer day, whose quote levels hold thousands of orders). Tuples of
      numbers are untracked by the cyclic garbage collector after its first pass,
      which a list or an object per order never is: with thousands of resting
      orders the collector's passes over them cost more than the tuples' rebuilds;
      a fill is a :class:`~rex_cli.market.orders.Fill` named tuple built in one C
      call (``tuple.__new__(Fill, fields)``);
    * each side is a dict ``key -> _Level`` (key = price for asks, ``-price`` for
      bids, so the smallest key is the best on both sides) and a sorted list of the
      keys of its levels that hold orders (the first is the best; ``depth`` is a
      slice of it). A level stays in its dict when it empties (total 0, queue
      cleared) and is reused when its price returns, so a level appearing or
      emptying costs no allocation and no dict insert or delete, only a C
      ``bisect.insort`` into / a ``del`` from a short list (near the top, where
      levels come and go, mostly its first item). Empty levels are pruned when a
      new price arrives at a side that holds more than twice as many levels as
      after its last pruning plus ``_LEVEL_SLACK``: a side never holds more than
      twice the most levels it had live plus that many;
    * the best bid/ask are cached (a side's best is always a level with live
      orders), so the common non-marketable limit order costs one comparison;
    * cancels are lazy: the dead entry stays in its deque until matching pops it or
      the level is compacted (checked each time the level's count of dead entries
      reaches a multiple of ``_COMPACT_MIN_DEAD``: compacted once they are three
      quarters of its queue); the level total is updated at once, and a level whose
      total reaches zero is cleared and leaves the sorted keys at once, so best
      prices and depth are always exact;
    * during the call the book remembers, per owner, the ids of the orders it
      rested, so the self-crossing check at entry reads the owner's own orders
      (through the id -> order dict) instead of every order at a crossing price:
      in a call of thousands of quoting agents, most of the (crossed) book;
    * arrival order (for the auction's maker rule and :meth:`OrderBook.expire_all`)
      is the insertion order of the id -> order dict: an order is inserted when it
      rests, and a replace removes and re-inserts it.

The book is a pure core: it never logs, prints or sends messages; it returns fills
or raises :class:`~rex_cli.market.orders.OrderRejected`.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from numbers import Integral

from rex_cli.market.auction import level_price
from rex_cli.market.orders import (
    AuctionQuote,
    Fill,
    OrderRejected,
    OrderView,
    RejectReason,
    Side,
    make_fill,
)

__all__ = ["OrderBook"]

_BUY = Side.BUY
_SELL = Side.SELL
_INF = float("inf")
_new_fill = make_fill
_tnew = tuple.__new__  # _tnew(Fill, (fields...)): a Fill in one C call
# A cancel checks its level for compaction each time the level's dead (cancelled)
# entries reach a multiple of this many, and compacts when they are at least three
# quarters of its queue (three dead per live order): bounded memory (about three
# dead entries per live order plus this many), and a compaction (which reads every
# entry of the queue, mostly cold in a deep book) costs at most 4/3 entry reads per
# cancel.
_COMPACT_MIN_DEAD = 32
# Empty levels (kept for reuse) are pruned when a side holds more than twice as many
# levels as it held after the last pruning plus this many: bounded memory.
_LEVEL_SLACK = 64

# A resting order: (qty, order_id, owner, key, time, seq), key = -price (buy) or price
# (sell), seq = its place in its level's queue counted from the level's first entry
# ever (``_Level.popped`` + position; a hint for ``shrink``, checked by identity).
# A queue entry is live iff it *is* (identity) the id's record in the book's index.
_Order = tuple[int, int, int, int, float, int]


class _Level(deque[_Order]):
    """One price level: its FIFO queue of orders (the deque itself) and live total.

    ``dead`` counts the cancelled entries still queued; ``key`` is the level's key in
    its side's dict: the price for asks, ``-price`` for bids; ``side`` is the side of
    its orders. (An empty level is falsy like any deque: compare with ``is None``.)
    """

    __slots__ = ("dead", "key", "popped", "price", "qty", "side")

    def __init__(self, key: int, price: int) -> None:  # the deque starts empty
        self.key = key
        self.price = price
        self.side = _BUY if key < 0 else _SELL
        self.qty = 0
        self.dead = 0
        self.popped = 0  # entries taken off the queue's front since it was last renumbered

    @property
    def orders(self) -> _Level:
        """The queue of orders, oldest first (the level itself)."""
        return self


def _reject(reason: RejectReason, detail: str) -> OrderRejected:
    return OrderRejected(reason, detail)


def _as_positive_int(value: object, reason: RejectReason, what: str) -> int:
    """Slow path of validation: accept integer-like numbers > 0, refuse the rest."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise _reject(reason, f"{what} must be an integer, got {value!r}")
    ivalue = int(value)
    if ivalue <= 0:
        raise _reject(reason, f"{what} must be > 0, got {ivalue}")
    return ivalue


def _view(o: _Order) -> OrderView:
    """Snapshot of a resting order's record."""
    key = o[3]
    if key < 0:
        return OrderView(o[1], o[2], _BUY, -key, o[0], o[4])
    return OrderView(o[1], o[2], _SELL, key, o[0], o[4])


def _bad_side(side: object) -> OrderRejected:
    return _reject(RejectReason.BAD_SIDE, f"side must be a Side, got {side!r}")


class OrderBook:
    """Limit order book for one target unit (see the module docstring for the rules).

    Invariants after every public call:
        * every resting order has ``qty > 0`` lots and a price ``> 0`` ticks;
        * each level's total equals the sum of its live orders (depth is exact);
        * outside the call phase the book is not crossed: ``best_bid < best_ask``
          whenever both exist;
        * the resting buys and sells of one owner never cross each other.

    Args:
        call_phase: Start in the opening call phase (orders are collected without
            matching until :meth:`uncross`).
    """

    __slots__ = (
        "_ask_cap",
        "_ask_keys",
        "_asks",
        "_best_ask",
        "_best_bid",
        "_bid_cap",
        "_bid_keys",
        "_bids",
        "_call",
        "_dropped",
        "_index",
        "_last_auction",
        "_own",
    )

    def __init__(self, call_phase: bool = False) -> None:
        self._bids: dict[int, _Level] = {}  # -price -> level (some may be empty)
        self._asks: dict[int, _Level] = {}  # price -> level (some may be empty)
        self._bid_keys: list[int] = []  # sorted keys of the levels with orders
        self._ask_keys: list[int] = []
        self._bid_cap = _LEVEL_SLACK  # prune _bids' empty levels when it grows past this
        self._ask_cap = _LEVEL_SLACK
        self._index: dict[int, _Order] = {}  # order id -> order, in arrival order
        self._best_bid: int = 0  # 0 when there is no bid
        self._best_ask: float = _INF  # inf when there is no ask (an int otherwise)
        self._call = bool(call_phase)
        # During the call: owner -> ids of the orders it rested in the call (some may
        # be gone since: read through _index), for the self-crossing check at entry.
        self._own: dict[int, set[int]] = {}
        self._dropped = 0
        self._last_auction: AuctionQuote | None = None

    # ------------------------------------------------------------------ queries

    @property
    def in_call_phase(self) -> bool:
        """True while the opening call collects orders (until :meth:`uncross`)."""
        return self._call

    @property
    def last_auction_price(self) -> int | None:
        """Clearing price of the opening auction in ticks; None if none traded yet."""
        return None if self._last_auction is None else self._last_auction.price

    @property
    def last_auction(self) -> AuctionQuote | None:
        """The opening auction's clearing (price, volume, demand, supply); None if none traded."""
        return self._last_auction

    @property
    def last_dropped_qty(self) -> int:
        """Lots of the last ``limit`` / ``market`` / ``replace`` that neither traded nor rest.

        For a market order this is the unfilled remainder; for a limit order or a
        replace it is the remainder cancelled by the no-self-crossing rule (0 if the
        remainder rests or everything traded).
        """
        return self._dropped

    def best_bid(self) -> int | None:
        """Highest resting buy price in ticks, or None if there is no buy order."""
        return self._best_bid or None

    def best_ask(self) -> int | None:
        """Lowest resting sell price in ticks, or None if there is no sell order."""
        best = self._best_ask
        return None if best == _INF else int(best)

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """Aggregated resting quantity of the best ``levels`` price levels of ``side``.

        Args:
            side: Which side of the book.
            levels: Number of levels wanted (>= 0); fewer are returned if fewer exist.

        Returns:
            ``[(price_ticks, total_qty_lots), ...]``, best price first (highest bid,
            lowest ask); every total is > 0.
        """
        if side is _BUY:
            book, keys = self._bids, self._bid_keys
        elif side is _SELL:
            book, keys = self._asks, self._ask_keys
        else:
            raise _bad_side(side)
        if isinstance(levels, bool) or not isinstance(levels, int) or levels < 0:
            raise ValueError(f"levels must be an integer >= 0, got {levels!r}")
        if levels == 1 and keys:
            lvl = book[keys[0]]
            return [(lvl.price, lvl.qty)]
        return [(lvl.price, lvl.qty) for lvl in map(book.__getitem__, keys[:levels])]

    def get(self, order_id: int) -> OrderView | None:
        """Snapshot of a resting order, or None if it is not resting (unknown or gone)."""
        o = self._index.get(order_id)
        if o is None:
            return None
        return _view(o)

    def owner_of(self, order_id: int) -> int | None:
        """Owner of a resting order, or None if it is not resting: :meth:`get` for one field."""
        o = self._index.get(order_id)
        return None if o is None else o[2]

    def peek(self, order_id: int) -> tuple[Side, int, int] | None:
        """``(side, price, qty)`` of a resting order, or None: :meth:`get` without the view.

        For hot paths that read only these fields (no :class:`OrderView` is built).
        """
        o = self._index.get(order_id)
        if o is None:
            return None
        key = o[3]
        if key < 0:
            return (_BUY, -key, o[0])
        return (_SELL, key, o[0])

    def top(self) -> tuple[int, int, int, int]:
        """``(best bid, its lots, best ask, its lots)``; ``(0, 0)`` for an empty side.

        What :meth:`best_bid`, :meth:`best_ask` and ``depth(side, 1)`` say, in one call.
        """
        keys = self._bid_keys
        if keys:
            lvl = self._bids[keys[0]]
            bid, bid_qty = lvl.price, lvl.qty
        else:
            bid = bid_qty = 0
        keys = self._ask_keys
        if keys:
            lvl = self._asks[keys[0]]
            return bid, bid_qty, lvl.price, lvl.qty
        return bid, bid_qty, 0, 0

    @property
    def order_count(self) -> int:
        """Number of resting orders.

        (Deliberately not ``__len__``: an empty book must not be falsy.)
        """
        return len(self._index)

    def __contains__(self, order_id: object) -> bool:
        """True if ``order_id`` is a resting order."""
        return order_id in self._index

    # ------------------------------------------------------------------ orders

    def limit(
        self, order_id: int, owner: int, side: Side, price: int, qty: int, time: float
    ) -> list[Fill]:
        """Submit a limit order: match what crosses, rest the remainder.

        Args:
            order_id: Id, unique among resting orders.
            owner: Owner (self-trade prevention compares owners with ``==``).
            side: Buy or sell.
            price: Limit price in ticks (integer > 0).
            qty: Quantity in lots (integer > 0).
            time: Submission time in minutes (stamped on fills and on the order).

        Returns:
            The fills in execution order (best price first), each at the resting
            order's price. Empty during the call phase. A remainder that would cross
            one of the owner's own resting orders is cancelled (see
            :attr:`last_dropped_qty`).

        Raises:
            OrderRejected: BAD_PRICE, BAD_QTY, DUPLICATE_ID or BAD_SIDE; the book is
                unchanged.
        """
        if type(price) is not int or price <= 0:
            price = _as_positive_int(price, RejectReason.BAD_PRICE, "price")
        if type(qty) is not int or qty <= 0:
            qty = _as_positive_int(qty, RejectReason.BAD_QTY, "qty")
        index = self._index
        if order_id in index:
            raise _reject(RejectReason.DUPLICATE_ID, f"order {order_id!r} is resting")
        fills: list[Fill]
        if side is _BUY:
            if price >= self._best_ask:
                if self._call:
                    if self._owner_crosses(price, owner):
                        self._dropped = qty
                        return []
                    fills = []
                else:
                    fills = []
                    qty = self._take(
                        fills, self._asks, self._ask_keys, price, order_id, owner, _BUY, qty, time
                    )
                    if not qty:
                        self._dropped = 0
                        return fills
                    if price >= self._best_ask:
                        # Only the owner's own asks are left at crossing prices.
                        self._dropped = qty
                        return fills
            else:
                fills = []
            self._dropped = 0
            key = -price
            lvl = self._bids.get(key)
            if lvl is None:  # a price not seen lately
                lvl = self._new_level(key, price)
            lq = lvl.qty
            index[order_id] = o = (qty, order_id, owner, lvl.key, time, lvl.popped + len(lvl))
            lvl.append(o)
            lvl.qty = lq + qty
            if not lq:  # the level was empty
                insort(self._bid_keys, lvl.key)
                if price > self._best_bid:
                    self._best_bid = price
            if self._call:
                self._note_owner(owner, order_id)
            return fills
        if side is not _SELL:
            raise _bad_side(side)
        if price <= self._best_bid:
            if self._call:
                if self._owner_crosses(-price, owner):
                    self._dropped = qty
                    return []
                fills = []
            else:
                fills = []
                qty = self._take(
                    fills, self._bids, self._bid_keys, -price, order_id, owner, _SELL, qty, time
                )
                if not qty:
                    self._dropped = 0
                    return fills
                if price <= self._best_bid:
                    self._dropped = qty
                    return fills
        else:
            fills = []
        self._dropped = 0
        lvl = self._asks.get(price)
        if lvl is None:  # a price not seen lately
            lvl = self._new_level(price, price)
        lq = lvl.qty
        index[order_id] = o = (qty, order_id, owner, lvl.key, time, lvl.popped + len(lvl))
        lvl.append(o)
        lvl.qty = lq + qty
        if not lq:  # the level was empty
            insort(self._ask_keys, lvl.key)
            if price < self._best_ask:
                self._best_ask = price
        if self._call:
            self._note_owner(owner, order_id)
        return fills

    def market(
        self,
        order_id: int,
        owner: int,
        side: Side,
        qty: int,
        time: float,
        worst_price: int | None = None,
    ) -> list[Fill]:
        """Submit a market order: trade at once against the book; it never rests.

        Args:
            order_id: Id, must not be a resting order's id.
            owner: Owner (its own resting orders are skipped).
            side: Buy or sell.
            qty: Quantity in lots (integer > 0).
            time: Submission time in minutes.
            worst_price: Optional bound in ticks: a buy never trades above it, a sell
                never below it.

        Returns:
            The fills (each at the resting order's price). The unfilled remainder is
            dropped and reported in :attr:`last_dropped_qty`.

        Raises:
            OrderRejected: BAD_QTY, BAD_PRICE (``worst_price``), DUPLICATE_ID,
                BAD_SIDE, or CALL_PHASE during the opening call; the book is unchanged.
        """
        if type(qty) is not int or qty <= 0:
            qty = _as_positive_int(qty, RejectReason.BAD_QTY, "qty")
        if worst_price is not None and (type(worst_price) is not int or worst_price <= 0):
            worst_price = _as_positive_int(worst_price, RejectReason.BAD_PRICE, "worst_price")
        if order_id in self._index:
            raise _reject(RejectReason.DUPLICATE_ID, f"order {order_id!r} is resting")
        if side is _BUY:
            if self._call:
                raise _reject(RejectReason.CALL_PHASE, "market orders wait for the auction")
            best = self._best_ask
            if best == _INF or (worst_price is not None and best > worst_price):
                self._dropped = qty
                return []
            fills: list[Fill] = []
            self._dropped = self._take(
                fills, self._asks, self._ask_keys, _INF if worst_price is None else worst_price,
                order_id, owner, _BUY, qty, time,
            )  # fmt: skip
            return fills
        elif side is _SELL:
            if self._call:
                raise _reject(RejectReason.CALL_PHASE, "market orders wait for the auction")
            best = self._best_bid
            if not best or (worst_price is not None and best < worst_price):
                self._dropped = qty
                return []
            fills = []
            self._dropped = self._take(
                fills, self._bids, self._bid_keys, _INF if worst_price is None else -worst_price,
                order_id, owner, _SELL, qty, time,
            )  # fmt: skip
            return fills
        raise _bad_side(side)

    def cancel(self, order_id: int) -> bool:
        """Remove a resting order.

        Returns:
            True if it was resting and is now removed; False if unknown or already
            gone (filled, cancelled, expired, dropped).
        """
        o = self._index.pop(order_id, None)
        if o is None:
            return False
        # Its queue entry is now dead (no longer the id's record): skipped when it
        # reaches the front of the queue.
        key = o[3]
        lvl = self._bids[key] if key < 0 else self._asks[key]
        lq = lvl.qty - o[0]
        if lq:
            lvl.qty = lq
            dead = lvl.dead + 1
            lvl.dead = dead
            if not dead % _COMPACT_MIN_DEAD and 4 * dead >= 3 * len(lvl):
                self._compact(lvl)
            return True
        lvl.clear()  # the level is empty: drop its dead entries
        lvl.qty = lvl.dead = lvl.popped = 0
        if key < 0:
            keys = self._bid_keys
            if key == keys[0]:  # the best level went
                del keys[0]
                self._best_bid = -keys[0] if keys else 0
            else:
                keys.remove(key)
        else:
            keys = self._ask_keys
            if key == keys[0]:
                del keys[0]
                self._best_ask = keys[0] if keys else _INF
            else:
                keys.remove(key)
        return True

    def shrink(self, order_id: int, new_qty: int) -> bool:
        """Lower a resting order's remaining quantity; it keeps its queue priority.

        Args:
            order_id: The resting order.
            new_qty: New remaining quantity in lots, ``0 < new_qty < current``.

        Returns:
            True if shrunk; False if the order is not resting.

        Raises:
            OrderRejected: BAD_QTY if ``new_qty`` is not an integer > 0, or (for a
                resting order) not below its current remaining quantity.
        """
        if type(new_qty) is not int or new_qty <= 0:
            new_qty = _as_positive_int(new_qty, RejectReason.BAD_QTY, "new_qty")
        index = self._index
        o = index.get(order_id)
        if o is None:
            return False
        if new_qty >= o[0]:
            raise _reject(
                RejectReason.BAD_QTY,
                f"shrink of order {order_id!r} to {new_qty} lots: remaining is {o[0]}",
            )
        key = o[3]
        lvl = self._bids[key] if key < 0 else self._asks[key]
        # The new record takes the old one's place in the queue, found by identity: at
        # the place its sequence number says (O(1)), else by a scan (``deque.index``
        # compares by equality and may stop at an equal dead entry).
        i = o[5] - lvl.popped
        if not (0 <= i < len(lvl) and lvl[i] is o):
            i = lvl.index(o)
            if lvl[i] is not o:
                i = next(j for j, x in enumerate(lvl) if x is o)
        index[order_id] = lvl[i] = (new_qty, order_id, o[2], key, o[4], o[5])
        lvl.qty -= o[0] - new_qty
        return True

    def replace(
        self, order_id: int, time: float, *, price: int | None = None, qty: int | None = None
    ) -> list[Fill]:
        """Change a resting order's price and/or quantity; it loses time priority.

        The order leaves its queue and re-enters at the back of the queue at its new
        price as if newly submitted at ``time`` (same id, owner and side); outside
        the call phase it may match at once as an incoming order.

        Args:
            order_id: The resting order.
            time: Time of the replace in minutes.
            price: New limit price in ticks (integer > 0); None keeps the price.
            qty: New remaining quantity in lots (integer > 0); None keeps it. Any
                value is accepted; to reduce without losing priority use
                :meth:`shrink`.

        Returns:
            Fills of the re-entered order (empty in the call phase). A remainder that
            would cross the owner's own orders is cancelled (:attr:`last_dropped_qty`).

        Raises:
            OrderRejected: UNKNOWN_ORDER, NO_CHANGE (both None), BAD_PRICE, BAD_QTY;
                the book is unchanged.
        """
        o = self._index.get(order_id)
        if o is None:
            raise _reject(RejectReason.UNKNOWN_ORDER, f"order {order_id!r} is not resting")
        if price is None and qty is None:
            raise _reject(RejectReason.NO_CHANGE, "replace needs a new price or quantity")
        key = o[3]
        new_price = abs(key) if price is None else price
        if type(new_price) is not int or new_price <= 0:
            new_price = _as_positive_int(new_price, RejectReason.BAD_PRICE, "price")
        new_qty = o[0] if qty is None else qty
        if type(new_qty) is not int or new_qty <= 0:
            new_qty = _as_positive_int(new_qty, RejectReason.BAD_QTY, "qty")
        self.cancel(order_id)
        # Re-enter as a new submission (validated above; the id is no longer resting).
        return self.limit(order_id, o[2], _BUY if key < 0 else _SELL, new_price, new_qty, time)

    def orders(self) -> list[OrderView]:
        """Snapshots of every resting order in arrival order (oldest first)."""
        return list(map(_view, self._index.values()))

    def expire_all(self) -> list[OrderView]:
        """Remove every resting order (gate closure).

        Returns:
            Snapshots of the removed orders in arrival order (oldest first).
        """
        views = self.orders()
        self._index.clear()
        self._bids.clear()
        self._asks.clear()
        self._bid_keys.clear()
        self._ask_keys.clear()
        self._best_bid = 0
        self._best_ask = _INF
        return views

    # ------------------------------------------------------------------ auction

    def auction_preview(self) -> AuctionQuote | None:
        """Indicative opening-auction outcome if the call ended now.

        Valid in any phase (outside the call phase the book is uncrossed and the
        answer is None).

        Returns:
            Clearing price, volume and the demand / supply at that price (see the
            module docstring for the tie-break rule); None if nothing would trade.
        """
        lo = self._best_ask
        hi = self._best_bid
        if hi == 0 or lo > hi:
            return None
        lo = int(lo)
        # Levels that can trade at some price in [lo, hi], ascending by price.
        bids = [(lvl.price, lvl.qty) for lvl in self._bids.values() if lvl.qty and lvl.price >= lo]
        bids.sort()
        asks = [(lvl.price, lvl.qty) for lvl in self._asks.values() if lvl.qty and lvl.price <= hi]
        asks.sort()
        return AuctionQuote(*level_price(bids, asks, lo, hi))

    def uncross(self, time: float) -> list[Fill]:
        """End the call phase: clear the opening auction at one uniform price.

        Args:
            time: Time of the auction in minutes (stamped on the fills).

        Returns:
            The auction fills, all at :attr:`last_auction_price`, in price-time
            priority of the buy side. The maker of each fill is the earlier-submitted
            order of the pair and ``taker_side`` is the side of the later one.
            Afterwards the book is not crossed and trading is continuous.

        Raises:
            OrderRejected: NOT_IN_CALL_PHASE if the book is already continuous.
        """
        if not self._call:
            raise _reject(RejectReason.NOT_IN_CALL_PHASE, "the call phase is over")
        quote = self.auction_preview()
        self._call = False
        self._own = {}
        if quote is None:
            return []
        price = quote.price
        index = self._index
        seq = {oid: n for n, oid in enumerate(index)}  # arrival order
        bids, asks = self._bids, self._asks
        iget = index.get
        buys = [o for k in sorted(bids) if k <= -price for o in bids[k] if iget(o[1]) is o]
        sells = [o for k in sorted(asks) if k <= price for o in asks[k] if iget(o[1]) is o]
        bq = [o[0] for o in buys]  # remaining lots, parallel to buys / sells
        sq = [o[0] for o in sells]
        fills: list[Fill] = []
        first = 0  # sells[:first] are exhausted
        for i, b in enumerate(buys):
            k = first
            while bq[i] and k < len(sells):
                s = sells[k]
                if not sq[k] or s[2] == b[2]:  # exhausted, or self-trade prevented
                    k += 1
                    continue
                q = min(bq[i], sq[k])
                bq[i] -= q
                sq[k] -= q
                if seq[b[1]] < seq[s[1]]:
                    fills.append(_new_fill(price, q, b[1], s[1], b[2], s[2], _SELL, time))
                else:
                    fills.append(_new_fill(price, q, s[1], b[1], s[2], b[2], _BUY, time))
            while first < len(sells) and not sq[first]:
                first += 1
        self._last_auction = quote
        # New records of the orders that traded: None if filled.
        new: dict[int, _Order | None] = {}
        for o, r in (*zip(buys, bq, strict=True), *zip(sells, sq, strict=True)):
            if r != o[0]:
                new[o[1]] = (r, o[1], o[2], o[3], o[4], o[5]) if r else None
        self._rebuild_levels(_BUY, price, new)
        self._rebuild_levels(_SELL, price, new)
        for oid, n in new.items():
            if n is None:
                del index[oid]
            else:
                index[oid] = n
        return fills

    # ------------------------------------------------------------------ internals

    def _rebuild_levels(self, side: Side, price: int, new: dict[int, _Order | None]) -> None:
        """After the auction: recount the levels that traded, drop the emptied ones.

        ``new`` maps the id of each order that traded to its new record (None if
        filled); called before the index is updated with them.
        """
        if side is _BUY:
            book, bound = self._bids, -price
        else:
            book, bound = self._asks, price
        iget = self._index.get
        for key in [k for k in book if k <= bound]:
            lvl = book[key]
            live = []
            for o in lvl:
                oid = o[1]
                if iget(oid) is o:
                    if oid in new:
                        n = new[oid]
                        if n is None:
                            continue
                        o = n
                    live.append(o)
            self._renumber(lvl, live, new)
            lvl.qty = sum(o[0] for o in live)
            lvl.dead = 0
        keys = sorted([k for k, lvl in book.items() if lvl.qty])
        if side is _BUY:
            self._bid_keys[:] = keys
            self._best_bid = -keys[0] if keys else 0
        else:
            self._ask_keys[:] = keys
            self._best_ask = keys[0] if keys else _INF

    def _owner_crosses(self, bound_key: int, owner: int) -> bool:
        """True if ``owner`` rests an opposite order at a key ``<= bound_key`` (call phase).

        ``bound_key`` is an ask key (the incoming buy's price) or a bid key (minus the
        incoming sell's price): the owner's orders are those it rested during the call
        (:meth:`_note_owner`), read through the index, so the check costs the number
        of orders the owner placed, not the depth of the crossed book (which in a
        call of thousands of quoting agents is most of the book). Ids that are gone
        (cancelled, replaced to a new id, expired) are dropped once they outnumber
        the live ones.
        """
        ids = self._own.get(owner)
        if not ids:
            return False
        iget = self._index.get
        asks = bound_key > 0  # which side the bound is a key of
        live = 0
        for oid in ids:
            o = iget(oid)
            if o is None or o[2] != owner:
                continue  # gone (an id may come back under another owner)
            live += 1
            key = o[3]
            if (key > 0) is asks and key <= bound_key:
                return True
        if 2 * live < len(ids):
            self._own[owner] = {i for i in ids if (o := iget(i)) is not None and o[2] == owner}
        return False

    def _note_owner(self, owner: int, order_id: int) -> None:
        """Remember (during the call) that ``owner`` rested ``order_id``."""
        ids = self._own.get(owner)
        if ids is None:
            self._own[owner] = {order_id}
        else:
            ids.add(order_id)

    def _take(
        self,
        fills: list[Fill],
        book: dict[int, _Level],
        keys: list[int],
        bound_key: float,
        order_id: int,
        owner: int,
        side: Side,
        qty: int,
        time: float,
    ) -> int:
        """Match an incoming order of ``side`` against the opposite side.

        ``book`` and ``keys`` are that side's levels and the sorted keys of those
        with orders (not empty, and ``keys[0] <= bound_key``). Walks the levels whose
        key is ``<= bound_key`` best first, skipping the owner's own orders (STP).
        Removes filled makers, empties the levels it uses up and refreshes the
        cached best price of the side.

        Appends the fills to ``fills``.

        Returns:
            The remaining quantity in lots.
        """
        index = self._index
        i = 0  # keys[:i]: levels left with only the owner's own orders
        key = keys[0]
        while True:
            lvl = book[key]
            lp = lvl.price
            lq = lvl.qty
            popped = lvl.popped
            while True:
                o = lvl.popleft()
                popped += 1
                oq, mid, maker, _, _, _ = o
                if index.get(mid) is not o:  # lazily cancelled
                    lvl.dead -= 1
                    continue
                if maker == owner:
                    lvl.appendleft(o)  # (the slow path renumbers the level)
                    lvl.qty = lq
                    qty = self._take_level_slow(lvl, fills, order_id, owner, side, qty, time)
                    lq = lvl.qty
                    popped = lvl.popped
                    break
                if oq <= qty:
                    del index[mid]
                    fills.append(_tnew(Fill, (lp, oq, mid, order_id, maker, owner, side, time)))
                    qty -= oq
                    lq -= oq
                    if not lq or not qty:
                        break
                else:
                    index[mid] = o = (oq - qty, mid, maker, o[3], o[4], o[5])
                    lvl.appendleft(o)
                    popped -= 1
                    lq -= qty
                    fills.append(_tnew(Fill, (lp, qty, mid, order_id, maker, owner, side, time)))
                    qty = 0
                    break
            if lq:  # the order is filled, or only the owner's own orders are left here
                lvl.qty = lq
                lvl.popped = popped
                if not qty:
                    break
                i += 1
            else:  # the level is used up
                lvl.clear()
                lvl.qty = lvl.dead = lvl.popped = 0
                del keys[i]
                if not qty:
                    break
            if i == len(keys):
                break
            key = keys[i]
            if key > bound_key:
                break
        if side is _BUY:
            self._best_ask = keys[0] if keys else _INF
        else:
            self._best_bid = -keys[0] if keys else 0
        return qty

    def _take_level_slow(
        self,
        lvl: _Level,
        fills: list[Fill],
        order_id: int,
        owner: int,
        side: Side,
        qty: int,
        time: float,
    ) -> int:
        """Match within one level that holds the owner's own orders (kept in place)."""
        index = self._index
        iget = index.get
        lp = lvl.price
        kept: list[_Order] = []
        for o in lvl:
            oq, mid, maker, key, otime, _ = o
            if iget(mid) is not o:  # dead
                continue
            if not qty or maker == owner:
                kept.append(o)
                continue
            q = oq if oq <= qty else qty
            lvl.qty -= q
            qty -= q
            fills.append(_tnew(Fill, (lp, q, mid, order_id, maker, owner, side, time)))
            if oq > q:
                index[mid] = o = (oq - q, mid, maker, key, otime, o[5])
                kept.append(o)
            else:
                del index[mid]
        self._renumber(lvl, kept)
        lvl.dead = 0
        return qty

    def _compact(self, lvl: _Level) -> None:
        """Drop a level's dead queue entries (its live orders keep their order)."""
        iget = self._index.get
        live = [o for o in lvl if iget(o[1]) is o]
        self._renumber(lvl, live)
        lvl.dead = 0

    def _renumber(
        self, lvl: _Level, live: list[_Order], new: dict[int, _Order | None] | None = None
    ) -> None:
        """Make ``live`` (its orders, in queue order) the level's queue, numbered afresh.

        Each record whose place changed is rebuilt with its new sequence number, in the
        index too (or in ``new``, the auction's records not yet in the index), so that
        ``shrink`` finds every order at its number.
        """
        index = self._index
        lvl.clear()
        for k, o in enumerate(live):
            if o[5] != k:
                o = (o[0], o[1], o[2], o[3], o[4], k)
                if new is not None and o[1] in new:
                    new[o[1]] = o
                else:
                    index[o[1]] = o
            lvl.append(o)
        lvl.popped = 0

    def _new_level(self, key: int, price: int) -> _Level:
        """Add an empty level at ``key`` (pruning the side's empty levels if many)."""
        if key < 0:
            book = self._bids
            if len(book) >= self._bid_cap:
                self._prune(book)
                self._bid_cap = 2 * len(book) + _LEVEL_SLACK
        else:
            book = self._asks
            if len(book) >= self._ask_cap:
                self._prune(book)
                self._ask_cap = 2 * len(book) + _LEVEL_SLACK
        lvl = book[key] = _Level(key, price)
        return lvl

    @staticmethod
    def _prune(book: dict[int, _Level]) -> None:
        """Drop the empty levels of one side (their queues are empty)."""
        for key in [k for k, lvl in book.items() if not lvl.qty]:
            del book[key]
