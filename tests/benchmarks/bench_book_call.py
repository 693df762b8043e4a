"""Cost of an order's entry in the opening call as the call fills, at 1,000 and 10,000 owners.

In the call nothing matches, so the book is crossed; an order that would cross a
resting opposite order of its own owner is dropped (self-crossing rule), which the
book checks at every entry that reaches the opposite side's best price. The stream
(fixed seed): every owner rests, in a random order of owners, one buy and one sell
a few ticks apart around a common mid (the two-sided quotes of a community's agents
on a freshly opened unit, about half of them crossing the other side's best), then
each owner re-quotes one of its orders (cancel and new limit): the re-quotes are
timed. ``OrderBook`` reads the owner's own orders; the baseline ``ScanBook`` is the
same book with the check as it was until December 2026 (every order at a crossing
price, scanned). Both must drop the same orders (checked). Per size the line gives
microseconds per timed entry (a cancel and a limit) for each and their ratio. The
book's cost per entry must not grow like the scan's (about 14x from 1,000 to 10,000
owners); it still grows about 2x, the cache misses of a ten times bigger book (its
id -> order dict and levels), so the bar on ``growth_10000_vs_1000`` is 3.

Measured on 2026-12-03 (2 cores, the other busy): 1.21 / 2.45 us per entry at 1,000 /
10,000 owners against the scan's 8.4 / 115 us (7x and 47x faster).

Run ``python tests/benchmarks/bench_book_call.py`` (prints one JSON line) or
``pytest -n 0 -m benchmark tests/benchmarks/bench_book_call.py`` (asserts the bar).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from bisect import bisect_right

import pytest

from rex_cli.market import OrderBook, Side

SIZES = (1_000, 10_000)
SEED = 20_261_203
REPEATS = 3
MID = 1_000
BAR_GROWTH = 3.0  # book's per-entry cost at 10,000 owners / at 1,000 (the scan: ~14)


class ScanBook(OrderBook):
    """``OrderBook`` with the call's self-crossing check of until December 2026."""

    __slots__ = ()

    def _owner_crosses(self, bound_key: int, owner: int) -> bool:
        if bound_key > 0:
            book, keys = self._asks, self._ask_keys
        else:
            book, keys = self._bids, self._bid_keys
        iget = self._index.get
        for key in keys[: bisect_right(keys, bound_key)]:
            for o in book[key]:
                if o[2] == owner and iget(o[1]) is o:
                    return True
        return False


Op = tuple[int, int, Side, int, int]  # (cancel id or 0, new id, side, price, owner)


def _stream(owners: int) -> tuple[list[Op], list[Op]]:
    """The quotes that fill the call, then the timed re-quotes."""
    rng = random.Random(SEED + owners)
    fill: list[Op] = []
    quotes: dict[int, tuple[int, int]] = {}
    order = list(range(owners))
    rng.shuffle(order)
    oid = 0
    for owner in order:
        bid = MID + rng.randint(-20, 20)
        ask = bid + rng.randint(1, 6)
        fill.append((0, oid + 1, Side.BUY, bid, owner))
        fill.append((0, oid + 2, Side.SELL, ask, owner))
        quotes[owner] = (oid + 1, oid + 2)
        oid += 2
    rng.shuffle(order)
    requote: list[Op] = []
    for owner in order:
        b, a = quotes[owner]
        oid += 1
        if rng.random() < 0.5:
            requote.append((b, oid, Side.BUY, MID + rng.randint(-20, 20), owner))
        else:
            requote.append((a, oid, Side.SELL, MID + rng.randint(-20, 20), owner))
    return fill, requote


def _run(cls: type[OrderBook], fill: list[Op], requote: list[Op]) -> tuple[float, list[int]]:
    book = cls(call_phase=True)
    for _c, oid, side, price, owner in fill:
        book.limit(oid, owner, side, price, 1, 0.0)
    dropped = []
    t0 = time.process_time()
    for cancel, oid, side, price, owner in requote:
        book.cancel(cancel)
        book.limit(oid, owner, side, price, 1, 1.0)
        if book.last_dropped_qty:
            dropped.append(oid)
    return time.process_time() - t0, dropped


def measure() -> dict[str, float]:
    out: dict[str, float] = {}
    per_entry: dict[int, float] = {}
    for owners in SIZES:
        fill, requote = _stream(owners)
        book_t, scan_t = [], []
        for _ in range(REPEATS):
            tb, db = _run(OrderBook, fill, requote)
            ts, ds = _run(ScanBook, fill, requote)
            assert db == ds, "the two checks dropped different orders"
            book_t.append(tb)
            scan_t.append(ts)
        n = len(requote)
        per_entry[owners] = statistics.median(book_t) / n * 1e6
        out[f"book_us_per_entry_{owners}"] = round(per_entry[owners], 3)
        out[f"scan_us_per_entry_{owners}"] = round(statistics.median(scan_t) / n * 1e6, 3)
        out[f"dropped_{owners}"] = len(db)
        out[f"speedup_vs_scan_{owners}"] = round(
            statistics.median(scan_t) / statistics.median(book_t), 2
        )
    out["growth_10000_vs_1000"] = round(per_entry[SIZES[1]] / per_entry[SIZES[0]], 3)
    return out


@pytest.mark.benchmark
def test_call_entry_does_not_grow_with_owners() -> None:
    result = measure()
    print(json.dumps(result))
    assert result[f"dropped_{SIZES[0]}"] > 0  # the check decides something
    assert result["growth_10000_vs_1000"] <= BAR_GROWTH


if __name__ == "__main__":
    print(json.dumps(measure()))
