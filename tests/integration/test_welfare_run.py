"""Welfare in whole runs: the planner bounds Rex and no market; efficiency; report."""

import json

import numpy as np
import pandas as pd
import pytest

from rex_cli.config.load import load_config
from rex_cli.pipeline import execute_run

SCENARIOS = [
    ["seed=3"],
    ["seed=4", "population.batteries.count=2", "population.heat_pumps.count=1"],
    ["seed=5", "population.wind_farms.capacity_kw=25", "imbalance.backup_cost=0.5"],
    ["seed=6", "population.gas_turbines.count=0", "welfare.comfort_cost=1.0"],
]


@pytest.mark.parametrize("extra", SCENARIOS)
def test_planner_bounds_rex_and_no_market(tmp_path, extra):
    ov = ["debug=tiny", "output.figures=false", "duration_hours=3", *extra]
    cfg, raw = load_config(ov)
    execute_run(cfg, raw, tmp_path, overrides=ov)
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["planner_status"] == "optimal"
    assert s["plant_constraint_violation"] < 1e-6  # Rex's plants stayed feasible...
    assert s["welfare_planner"] >= s["welfare_rex"] - 1e-6  # ...so the planner bounds them
    assert s["welfare_planner"] >= s["welfare_no_market"] - 1e-6
    gap = s["welfare_planner"] - s["welfare_no_market"]
    if gap > 1e-9:
        assert s["efficiency"] == pytest.approx((s["welfare_rex"] - s["welfare_no_market"]) / gap)
        assert s["efficiency"] <= 1.0 + 1e-9
    # The per-agent account adds up to Rex's welfare breakdown.
    a = pd.read_parquet(tmp_path / "records" / "agents.parquet")
    assert a["comfort_loss"].sum() == pytest.approx(s["welfare_rex_comfort_cost"], abs=1e-9)
    assert a["degradation_cost"].sum() == pytest.approx(s["welfare_rex_degradation_cost"], abs=1e-9)
    w = pd.read_parquet(tmp_path / "records" / "welfare.parquet").set_index("scenario")
    costs = ["backup_cost", "fuel_cost", "degradation_cost", "comfort_cost", "unserved_cost"]
    assert np.allclose(-w[costs].sum(axis=1), w["total"])  # welfare = − resource costs


def test_rex_backup_equals_the_settled_system_shortfall(tmp_path):
    # Rex's backup energy in welfare is the physical net need: with only uncontrollable
    # agents and a turbine it must equal Σ max(Σ realised, 0) from the settlement
    # (up to the plants' rounding to lots, here none: no buildings or batteries).
    ov = ["debug=tiny", "output.figures=false", "duration_hours=3",
          "population.heat_pumps.count=0", "population.batteries.count=0"]  # fmt: skip
    cfg, raw = load_config(ov)
    execute_run(cfg, raw, tmp_path, overrides=ov)
    s = json.loads((tmp_path / "summary.json").read_text())
    st = pd.read_parquet(tmp_path / "records" / "settlement.parquet")
    need = st.groupby("target_unit")["realised_kwh"].sum().clip(lower=0).sum()
    assert s["welfare_rex_backup_cost"] == pytest.approx(need * cfg.imbalance.backup_cost)
