"""Poisson arrivals shared by every coordinator."""

from __future__ import annotations

import numpy as np

from rex_cli.market.exchange import Exchange
from rex_cli.sim.engine import Engine

__all__ = ["ARRIVAL_PRIORITY", "PoissonArrivals"]

# After the timeline's events (gate, settlement, opening, call end, snapshot) and
# forecast requests at the same instant.
ARRIVAL_PRIORITY = 10


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
        self._schedule_next()

    def _schedule_next(self) -> None:
        t = self._engine.now + self.rng.exponential(1.0 / self.rate)
        if t < self._until:
            self._engine.schedule(t, self.arrive, priority=ARRIVAL_PRIORITY)

    def arrive(self) -> None:
        """One arrival (implemented by the coordinator)."""
        raise NotImplementedError
