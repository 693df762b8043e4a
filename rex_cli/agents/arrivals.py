"""Poisson arrivals shared by every coordinator."""

from __future__ import annotations

import numpy as np

from rex_cli.market.exchange import Exchange
from rex_cli.sim.engine import Engine

__all__ = ["ARRIVAL_PRIORITY", "SWEEP_UNITS", "PoissonArrivals"]

# After the timeline's events (gate, settlement, opening, call end, snapshot) and
# forecast requests at the same instant.
ARRIVAL_PRIORITY = 10
# Gaps between arrivals drawn per call of the generator.
_GAP_BATCH = 32
# A coordinator forgets its orders of closed units (only for memory: a closed unit is
# never read again and never reopens) once the delivery unit has moved on by this many
# since its last sweep, instead of at every arrival.
SWEEP_UNITS = 8


class PoissonArrivals:
    """A coordinator that arrives at the times of a Poisson process.

    Subclasses set ``rate`` (1/minute) and ``rng`` and implement ``arrive()``, which
    must call ``_schedule_next()`` at its end.
    """

    rate: float
    rng: np.random.Generator
    _engine: Engine
    _exchange: Exchange
    _until: float

    def start(self, engine: Engine, exchange: Exchange, until: float) -> None:
        """Schedule the first arrival; each arrival schedules the next until ``until``."""
        self._engine = engine
        self._exchange = exchange
        self._until = until
        self._gaps: list[float] = []
        self._gap = 0
        self._schedule_next()

    def _schedule_next(self) -> None:
        # The gaps are drawn _GAP_BATCH at a time: the generator serves the arrivals
        # only, and a batch of exponentials is the same numbers as as many single draws
        # (tests/unit/agents/test_arrivals.py), at a fraction of the calls.
        i = self._gap
        if i == len(self._gaps):
            self._gaps = self.rng.exponential(1.0 / self.rate, _GAP_BATCH).tolist()
            i = 0
        self._gap = i + 1
        t = self._engine.now + self._gaps[i]
        if t < self._until:
            self._engine.schedule(t, self.arrive, priority=ARRIVAL_PRIORITY)

    def arrive(self) -> None:
        """One arrival (implemented by the coordinator)."""
        raise NotImplementedError
