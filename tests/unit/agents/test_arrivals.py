"""Poisson arrivals: the gaps, drawn in batches, are the generator's single draws."""

from __future__ import annotations

import numpy as np

from rex_cli.agents.arrivals import PoissonArrivals
from rex_cli.sim.engine import Engine


class _Counter(PoissonArrivals):
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = np.random.default_rng(seed)
        self.times: list[float] = []

    def arrive(self) -> None:
        self.times.append(self._engine.now)
        self._schedule_next()


def test_arrival_times_are_the_cumulated_single_draws() -> None:
    rate, until = 0.37, 2_000.0
    agent = _Counter(rate, seed=11)
    engine = Engine(start=-100.0)
    agent.start(engine, None, until)  # type: ignore[arg-type]  # no exchange needed
    engine.run()
    # The reference: one exponential per arrival, from the same seed, as before batching.
    rng = np.random.default_rng(11)
    expected = []
    t = -100.0
    while True:
        t = t + rng.exponential(1.0 / rate)
        if t >= until:
            break
        expected.append(t)
    assert len(expected) > 600  # several batches of gaps
    assert agent.times == expected  # bit for bit
