"""The agents' hot-path shortcuts send the same requests as their reference paths.

A plant coordinator that leaves an unchanged quote alone inline
(``skip_unchanged_quotes``) and a quoting coordinator that reads a forecast client's
targets as one list per arrival must produce the exchange's order log, trades and
quotes byte for byte as when every unit goes through ``_quote`` and every target
through ``target_lots``.
"""

import pytest

from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.agents.simple import ForecastClient, QuotingCoordinator
from rex_cli.scenario.build import build_world, seed_tree
from rex_cli.sim.engine import Engine

OVERRIDES = ["population.batteries.count=2"]


class _Delegate:
    """A client that is not a ``ForecastClient``: targets through ``target_lots``."""

    def __init__(self, inner: ForecastClient) -> None:
        self.inner = inner
        self.must_balance = inner.must_balance

    def target_lots(self, unit: int, time: float) -> int:
        return self.inner.target_lots(unit, time)


def _logs(cfg, *, reference: bool, monkeypatch) -> tuple[dict, int]:
    world = build_world(cfg, seed_tree(cfg))
    calls = 0
    for c in world.coordinators:
        if isinstance(c, PlantCoordinator):
            real = c._quote

            def counted(*a, _real=real):
                nonlocal calls
                calls += 1
                return _real(*a)

            monkeypatch.setattr(c, "_quote", counted)
            if reference:
                monkeypatch.setattr(c, "skip_unchanged_quotes", False)
        elif reference and isinstance(c, QuotingCoordinator):
            assert isinstance(c.client, ForecastClient)
            c.client = _Delegate(c.client)
    world.run()
    ex = world.exchange
    return {"events": ex.order_events, "trades": ex.trades, "quotes": ex.quotes}, calls


@pytest.mark.parametrize("batch", [False, True])
def test_shortcuts_send_the_requests_of_the_reference_paths(tiny_run, batch, monkeypatch):
    over = [*OVERRIDES, "market.mechanism=call"] if batch else OVERRIDES
    cfg = tiny_run(*over).cfg
    fast, fast_calls = _logs(cfg, reference=False, monkeypatch=monkeypatch)
    ref, ref_calls = _logs(cfg, reference=True, monkeypatch=monkeypatch)
    assert len(ref["events"]["time"]) > 0 and len(ref["trades"]["time"]) > 0
    assert fast == ref
    # The shortcut was taken: fewer _quote calls than units x sides x arrivals.
    assert 0 < fast_calls < ref_calls


@pytest.mark.parametrize("mechanism", ["rex", "call", "day_ahead_intraday"])
def test_untouched_orders_are_what_the_book_holds(tiny_run, mechanism, monkeypatch):
    """A coordinator's cached order (while the exchange's ``touched`` count stands still)
    is the order in the book: price, lots and presence, at every read of a whole run."""
    from rex_cli.agents import rhpo

    real = rhpo._held_order
    hits = 0

    def checked(book, mine, unit, held, touched):
        nonlocal hits
        truth = book.peek(held[0])  # (side, price, qty) or None
        got = real(book, mine, unit, held, touched)
        if held[3] == touched:
            hits += 1
            assert truth is not None and got == (truth[1], truth[2]), (unit, held, truth)
        else:
            assert got == (None if truth is None else (truth[1], truth[2]))
        return got

    monkeypatch.setattr(rhpo, "_held_order", checked)
    cfg = tiny_run(*OVERRIDES, f"market.mechanism={mechanism}").cfg
    world = build_world(cfg, seed_tree(cfg))
    world.run()
    assert hits > 100  # the shortcut was taken (and checked) often


@pytest.mark.parametrize("mechanism", ["rex", "call"])
def test_units_to_work_are_the_units_the_loop_acts_in(tiny_run, mechanism, monkeypatch):
    """At every arrival, ``_units_to_work`` returns exactly the units where the per-unit
    loop's own test (written out here in plain Python, one unit at a time) sends a
    market order, or cannot tell a side unchanged without the book, or sees a side
    changed; and the held-order arrays repeat the dicts after every arrival."""
    import math

    from rex_cli.agents import rhpo

    real = rhpo.PlantCoordinator._units_to_work
    checked = busy_total = 0

    def brute(self, res, one_sided, pos, ulist, batch, touched):
        nonlocal checked, busy_total
        got = real(self, res, one_sided, pos, ulist, batch, touched)
        lot, tick, margin = self.lot, self.tick, self.margin
        flex = max(round(self.quote_kwh / lot), 0)
        want = []
        for i, j in enumerate(ulist):
            busy = not batch and (
                math.floor(float(res.buy[i]) / lot + 1e-9) > 0
                or math.floor(float(res.sell[i]) / lot + 1e-9) > 0
            )
            need = round((float(res.u[i, 0]) - float(pos[i])) / lot)
            for mine, qty, price in (
                (self.bids, max(need, 0) + flex, float(one_sided.up[i]) - margin),
                (self.asks, max(-need, 0) + flex, float(one_sided.down[i]) + margin),
            ):
                ticks = round(price / tick) if math.isfinite(price) else 0
                held = mine.get(j)
                if held is None:
                    busy = busy or (qty > 0 and 1 <= ticks <= self.max_ticks)
                elif held[3] != touched.get(j, 0):
                    busy = True  # the loop asks the book
                else:
                    busy = busy or (held[1], held[2]) != (ticks, qty)
            if busy:
                want.append(i)
        assert got == want
        checked += 1
        busy_total += len(got)
        return got

    def mirrored(c):
        for mine in (c.bids, c.asks):
            held_units = [u for u in range(len(mine.ticks)) if mine.ticks[u] > 0]
            assert held_units == sorted(mine)
            for u, held in mine.items():
                assert (mine.ticks[u], mine.lots[u], mine.count[u]) == held[1:]

    monkeypatch.setattr(rhpo.PlantCoordinator, "_units_to_work", brute)
    cfg = tiny_run(*OVERRIDES, f"market.mechanism={mechanism}").cfg
    world = build_world(cfg, seed_tree(cfg))
    plants = [c for c in world.coordinators if isinstance(c, PlantCoordinator)]
    for c in plants:
        real_arrive = c.arrive

        def arrive(_c=c, _real=real_arrive):
            _real()
            mirrored(_c)

        monkeypatch.setattr(c, "arrive", arrive)
    world.run()
    # Checked often, and the loop is left most units (not all, not none).
    assert checked > 50 and 0 < busy_total < checked * cfg.market.horizon_units // 2


@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_world_is_frozen_out_of_gc_for_the_run_only(tiny_run, frozen_before, monkeypatch):
    """``World.run`` freezes the built world (``gc.freeze``) while it runs and unfreezes
    it after; when objects are frozen already (a sweep worker's imports) it leaves the
    collector as it found it."""
    import gc

    cfg = tiny_run(*OVERRIDES).cfg
    world = build_world(cfg, seed_tree(cfg))
    seen = []
    real = Engine.run

    def run(self, *a, **k):
        seen.append(gc.get_freeze_count())
        return real(self, *a, **k)

    monkeypatch.setattr(Engine, "run", run)
    gc.unfreeze()
    if frozen_before:
        holder = [object() for _ in range(10)]  # noqa: F841  (objects to freeze)
        gc.freeze()
    before = gc.get_freeze_count()
    try:
        world.run()
        after = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    if frozen_before:
        # Not frozen further, not unfrozen (frozen objects that die leave the count).
        assert before > 0 and 0 < after <= before and all(n <= before for n in seen)
    else:
        assert before == 0 and after == 0
        assert seen and all(n > 10_000 for n in seen)  # the world's objects
