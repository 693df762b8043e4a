"""Per-client welfare accounts of homes (docs/model.md: homes).

A home's welfare terms split among its clients without remainder:

* **fuel, wear, comfort, storage**: each controllable client's own terms, scored by the
  one account (:func:`rex_cli.welfare.accounting.account`) on the client's own plant
  with the client's inputs taken from the home's committed inputs. The home plant is
  block-diagonal, so these add up to the home's terms (the same numbers summed in
  another order). Base load and PV have none.
* **backup and unserved shares**: the home's share of each unit (from
  :func:`rex_cli.welfare.evaluate.allocate`) goes to its clients pro rata to the
  energy each draws from the grid in the unit (``max(e_c, 0)``); in a unit where no
  client draws, pro rata to ``|e_c|``; where every ``e_c`` is 0, in equal parts.

``e_c`` is the client's grid energy, kWh (consumption positive): the base load; minus
the PV generation; a controllable client's grid energy ``g_c``. They add up to the
home's market input ``u*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rex_cli.plants.home import HomePlant
from rex_cli.records.tables import WELFARE_AGENT_COLUMNS
from rex_cli.welfare.accounting import Outcome, WelfareCosts, account, rows_of

__all__ = ["ClientData", "client_energy_kwh", "client_welfare", "split_by_energy"]


@dataclass(frozen=True, kw_only=True)
class ClientData:
    """A controllable client's own data, cut out of its home's."""

    exogenous: np.ndarray
    request: np.ndarray
    w_init: np.ndarray


def client_energy_kwh(
    plant: HomePlant,
    inputs: np.ndarray,
    base_load_kwh: np.ndarray,
    pv_kwh: np.ndarray,
    has_pv: bool,
) -> np.ndarray:
    """Grid energy per client and unit, ``(C, N)`` kWh, in record order.

    Rows: base load, PV (if ``has_pv``; minus its generation), then the controllable
    clients in plant order.
    """
    rows = [np.asarray(base_load_kwh, dtype=float)]
    if has_pv:
        rows.append(-np.asarray(pv_kwh, dtype=float))
    rows += list(plant.client_grid_kwh(inputs))
    return np.asarray(rows, dtype=np.float64)


def split_by_energy(share: np.ndarray, energy: np.ndarray) -> np.ndarray:
    """Split a home's per-unit amounts among its clients (see the module docstring).

    Args:
        share: The home's amount per unit, (N,).
        energy: Grid energy per client and unit, (C, N), kWh.

    Returns:
        ``(C, N)``; every column sums to ``share``.
    """
    draw = np.maximum(energy, 0.0)
    gross = np.abs(energy)
    d, g = draw.sum(axis=0), gross.sum(axis=0)
    C = energy.shape[0]
    w = np.where(
        d > 0,
        draw / np.where(d > 0, d, 1.0),
        np.where(g > 0, gross / np.where(g > 0, g, 1.0), 1.0 / max(C, 1)),
    )
    return np.asarray(w * share, dtype=np.float64)


def client_welfare(
    plant: HomePlant,
    data,
    inputs: np.ndarray,
    energy: np.ndarray,
    labels: tuple[str, ...],
    costs: WelfareCosts,
    backup_share: np.ndarray,
    unserved_share: np.ndarray,
    first_unit: int = 0,
) -> pd.DataFrame:
    """One home's per-client welfare account (module docstring).

    Args:
        plant: The home plant.
        data: Its data (``exogenous``, ``request``, ``w_init``).
        inputs: The home's full committed inputs, (N, m).
        energy: Grid energy per client and unit, (C, N) (:func:`client_energy_kwh`).
        labels: Client labels in record order (rows of ``energy``).
        costs: Resource prices.
        backup_share: The home's backup-cost share per unit, (N,).
        unserved_share: Its unserved-cost share per unit, (N,).
        first_unit: First scored unit.

    Returns:
        One row per client: ``client`` and the welfare columns
        (:data:`~rex_cli.records.tables.WELFARE_AGENT_COLUMNS`), currency.
    """
    N = inputs.shape[0]
    f = int(first_unit)
    out = pd.DataFrame({"client": list(labels)})
    for col in WELFARE_AGENT_COLUMNS:
        out[col] = 0.0
    n_unc = len(labels) - len(plant.clients)
    if plant.clients:
        exo = rows_of(data.exogenous, N, len(plant.exogenous_inputs), "exogenous")
        req = rows_of(data.request, N, len(plant.tracked_outputs), "request")
        w0 = np.asarray(data.w_init, dtype=float)
        specs, ins, outs = [], [], []
        for b, u in zip(plant.clients, plant.client_inputs(inputs), strict=True):
            cd = ClientData(
                exogenous=exo[:, list(b.exogenous)],
                request=req[:, list(b.tracked)],
                w_init=w0[list(b.states)],
            )
            _, V = b.plant.model.simulate(cd.w_init, u)
            specs.append((b.plant, cd))
            ins.append(u)
            outs.append(V)
        acc = account(
            Outcome(net_uncontrollable_kwh=np.zeros(N), inputs=tuple(ins), outputs=tuple(outs)),
            specs,
            costs,
        )
        for key, values in acc.plant_costs(f).items():
            out.loc[n_unc:, key] = values
    out["backup_cost_share"] = split_by_energy(backup_share, energy)[:, f:].sum(axis=1)
    out["unserved_cost_share"] = split_by_energy(unserved_share, energy)[:, f:].sum(axis=1)
    return out
