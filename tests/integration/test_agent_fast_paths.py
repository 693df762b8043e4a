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
