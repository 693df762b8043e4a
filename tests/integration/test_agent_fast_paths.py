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
