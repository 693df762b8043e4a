"""Wasted generation: costly generation in units where the system spilled, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from rex_cli.analysis.settlement import wasted_generation_kwh


def test_wasted_generation_by_hand() -> None:
    # Agents: 0 a household, 1 a turbine (marginal cost 0.12), 2 a battery (no cost).
    agents = pd.DataFrame({"agent": [0, 1, 2], "marginal_cost": [0.0, 0.12, 0.0]})
    # Unit 0: turbine generates 3 kWh, system spills 2 kWh -> 2 wasted.
    # Unit 1: turbine 1 kWh, system spills 5 kWh -> 1 wasted (all of it).
    # Unit 2: turbine 4 kWh, system short (backup) -> 0.
    # Unit 3: no generation, spills 6 kWh (a battery discharging counts not) -> 0.
    settlement = pd.DataFrame(
        {
            "agent": [0, 1, 2] * 4,
            "target_unit": [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3,
            "realised_kwh": [1.0, -3.0, 0.0, 1.0, -1.0, 0.0, 2.0, -4.0, 0.0, 1.0, 0.0, -2.0],
        }
    )
    units = pd.DataFrame(
        {"target_unit": [0, 1, 2, 3], "system_imbalance_kwh": [-2.0, -5.0, 1.5, -6.0]}
    )
    assert wasted_generation_kwh(units, agents, settlement) == pytest.approx(3.0)


def test_no_costly_generator_wastes_nothing() -> None:
    agents = pd.DataFrame({"agent": [0], "marginal_cost": [0.0]})
    settlement = pd.DataFrame({"agent": [0], "target_unit": [0], "realised_kwh": [-5.0]})
    units = pd.DataFrame({"target_unit": [0], "system_imbalance_kwh": [-5.0]})
    assert wasted_generation_kwh(units, agents, settlement) == 0.0
