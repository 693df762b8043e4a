"""The home coordinator: one market identity for several clients (docs/model.md: homes).

A home trades for its base load, rooftop PV and any of a heat pump, a home battery and
an EV with one RHPO LP over its combined plant (:func:`rex_cli.plants.home.combine_home`):
it is a :class:`~rex_cli.agents.rhpo.PlantCoordinator` whose plant is the
:class:`~rex_cli.plants.home.HomePlant`, so it arrives, plans, takes and makes (one bid
and one ask per open unit) and re-dispatches at gate closure exactly like a single
plant. What differs is the uncontrollable net load ``x`` (base load minus PV): the LP
sees the home's forecast in force at the time of the solve (the base load's forecast
plus the PV's, two ``ForecastClient`` updated by their forecast feeds), while the
committed unit consumes the realised ``x``, so the energy the home draws (its market
input ``u*``) is its clients' committed grid energy plus the realised net load, and the
difference to its position is settled as imbalance.
"""

from __future__ import annotations

import numpy as np

from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.agents.simple import ForecastClient
from rex_cli.plants.home import HomePlant

__all__ = ["HomeCoordinator"]


class HomeCoordinator(PlantCoordinator):
    """A :class:`PlantCoordinator` for a :class:`HomePlant` with a forecast net load.

    Args:
        forecasts: The forecasts of the parts of its net load (base load; PV, negative),
            lots per unit, consumption positive, each updated by its ``ForecastFeed``;
            the net load forecast is their sum.
        base_load_kwh: Realised base load per delivered unit, kWh (records only).
        pv_kwh: Realised PV generation per delivered unit, kWh >= 0 (records only).
        clients: Labels of the home's clients in record order: ``base_load``, ``pv``
            (if it has PV), then its controllable clients in plant order.
        **kwargs: As :class:`PlantCoordinator`; ``plant`` must be a ``HomePlant``
            whose ``data.exogenous[:, 0]`` holds the realised net load, kWh.
    """

    def __init__(
        self,
        *,
        forecasts: tuple[ForecastClient, ...],
        base_load_kwh: np.ndarray,
        pv_kwh: np.ndarray,
        clients: tuple[str, ...],
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(self.plant, HomePlant):
            raise TypeError(f"plant must be a HomePlant, got {type(self.plant).__name__}")
        self.home: HomePlant = self.plant
        self.forecasts = forecasts
        self.base_load_kwh = np.asarray(base_load_kwh, dtype=float)
        self.pv_kwh = np.asarray(pv_kwh, dtype=float)
        self.clients = clients

    def exogenous(self, units: np.ndarray) -> np.ndarray:
        """The plant's exogenous data with the net load replaced by the forecast in force.

        Units after the last delivered one keep the data (no forecast exists for them).
        """
        x = np.array(self.data.exogenous[units], dtype=float)
        inside = units < self.n_units
        x[inside, 0] = sum(f.current[units[inside]] for f in self.forecasts) * self.lot
        return x

    def delivered_decision(self, unit: int, dec: np.ndarray) -> np.ndarray:
        """What the home draws in ``unit``: its clients' grid energy plus the realised net load.

        The plan's ``u*`` assumed the forecast net load; the delivered ``u*`` closes the
        home's balance with the realisation. An EV whose committed plan would leave it
        below its lowest state of charge at a departure (only a fallback can) takes the
        missing energy as unmet (at most the trip).
        """
        home = self.home
        dec = dec.copy()
        u = home.full_inputs(dec, self.data.exogenous[unit])[0]
        dec_pos = {i: c for c, i in enumerate(home.decision_inputs)}
        for b in home.clients:
            if b.plant.name != "electric_vehicle":
                continue
            w = self.w_next[list(b.states)]
            u_c = home.client_inputs(u)[home.clients.index(b)][0]
            soc = float((b.plant.model.A @ w + b.plant.model.B @ u_c)[0])
            lack = float(b.plant.v_min[0]) - soc
            m_idx = b.inputs[2]  # (trip, chargeable, unmet)
            trip = float(u[b.inputs[0]])
            if lack > 0.0:
                dec[dec_pos[m_idx]] = min(float(u[m_idx]) + lack, trip)
                u[m_idx] = dec[dec_pos[m_idx]]
        grid = home.client_grid_kwh(u.reshape(1, -1))[:, 0]
        dec[0] = float(self.data.exogenous[unit, 0]) + float(grid.sum())
        return dec

    def on_request(self, unit: int) -> None:
        """A forecast adjustment: nothing to do now; the next arrival plans with it."""
