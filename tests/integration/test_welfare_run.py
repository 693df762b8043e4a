"""Welfare in whole runs: the planners bound Rex and no market; the decomposition adds
up; the per-agent account adds up to every total; perfect forecasts close the
information gap; the warm-up cut applies to welfare."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from rex_cli.config.load import load_config
from rex_cli.pipeline import analyse_run, execute_run
from rex_cli.welfare import COST_TERMS

SCENARIOS = [
    ["seed=3"],
    ["seed=4", "population.batteries.count=2", "population.heat_pumps.count=1"],
    ["seed=5", "population.wind_farms.capacity_kw=25", "imbalance.backup_cost=0.5"],
    ["seed=6", "population.gas_turbines.count=0", "welfare.comfort_cost=1.0"],
    ["seed=7", "analysis.warmup_units=3", "baselines.same_info_lead_minutes=40"],
]

# Rex's totals and the per-agent columns that share them out.
AGENT_TOTALS = {
    "fuel_cost": "welfare_rex_fuel_cost",
    "degradation_cost": "welfare_rex_degradation_cost",
    "comfort_cost": "welfare_rex_comfort_cost",
    "storage_cost": "welfare_rex_storage_cost",
    "backup_cost_share": "welfare_rex_backup_cost",
    "unserved_cost_share": "welfare_rex_unserved_cost",
}


def run(tmp_path, extra):
    ov = ["debug=tiny", "output.figures=false", "duration_hours=3", *extra]
    cfg, raw = load_config(ov)
    execute_run(cfg, raw, tmp_path, overrides=ov)
    return cfg, json.loads((tmp_path / "summary.json").read_text())


def check_invariants(tmp_path, s):
    """What must hold in every run: bounds, decomposition, per-agent sums."""
    assert s["planner_status"] == "optimal" and s["same_info_status"] == "optimal"
    assert s["plant_constraint_violation"] < 1e-6  # Rex's plants stayed feasible...
    w = pd.read_parquet(tmp_path / "records" / "welfare.parquet").set_index("scenario")
    assert w.loc["same_info", "constraint_violation"] < 1e-6
    if s["welfare_first_unit"] == 0:  # ...so the planner bounds them (whole period)
        assert s["welfare_planner"] >= s["welfare_rex"] - 1e-6
        assert s["welfare_planner"] >= s["welfare_same_info"] - 1e-9
        assert s["information_loss"] >= -1e-9
    assert s["welfare_planner"] >= s["welfare_no_market"] - 1e-6
    # The decomposition adds up.
    assert s["information_loss"] == s["welfare_planner"] - s["welfare_same_info"]
    assert s["strategy_loss"] == s["welfare_same_info"] - s["welfare_rex"]
    assert s["information_loss"] + s["strategy_loss"] == pytest.approx(
        s["welfare_planner"] - s["welfare_rex"], abs=1e-12
    )
    gap = s["welfare_planner"] - s["welfare_no_market"]
    if s["efficiency"] is not None:
        assert s["efficiency"] == pytest.approx((s["welfare_rex"] - s["welfare_no_market"]) / gap)
    else:
        assert "efficiency:" in s["efficiency_note"]
    # Welfare = − resource costs in every scenario.
    assert np.allclose(-w[list(COST_TERMS)].sum(axis=1), w["total"])
    # The per-agent account adds up to every one of Rex's totals.
    a = pd.read_parquet(tmp_path / "records" / "agents.parquet")
    for col, key in AGENT_TOTALS.items():
        assert a[col].sum() == pytest.approx(s[key], abs=1e-9), col
    assert a["fuel_cost"].sum() == pytest.approx(s["fuel_cost"], abs=1e-12)
    # Costs sit with the agents that cause them.
    kinds = a.set_index("agent")["kind"]
    for col, owner in (("fuel_cost", "gas_turbine"), ("degradation_cost", "battery"),
                       ("comfort_cost", "heat_pump_building")):  # fmt: skip
        assert (a.loc[kinds.to_numpy() != owner, col] == 0).all(), col


@pytest.mark.parametrize("extra", SCENARIOS)
def test_welfare_invariants(tmp_path, extra):
    _, s = run(tmp_path, extra)
    check_invariants(tmp_path, s)


def test_perfect_forecasts_close_the_information_gap(tmp_path):
    _, s = run(tmp_path, ["seed=2", "forecast=perfect"])
    check_invariants(tmp_path, s)
    assert s["welfare_same_info"] == pytest.approx(s["welfare_planner"], abs=1e-9)
    assert abs(s["information_loss"]) <= 1e-9


def test_report_rederives_the_same_welfare_summary(tmp_path):
    cfg, s = run(tmp_path, ["seed=8"])
    again = analyse_run(tmp_path, cfg, figures=False)
    for key in ("welfare_rex", "welfare_same_info", "efficiency_same_info", "strategy_loss",
                "backup_kwh_physical", "information_loss"):  # fmt: skip
        assert again[key] == s[key], key
    timing = json.loads((tmp_path / "timing.json").read_text())
    assert timing["same_info_wall_s"] >= 0  # wall times live apart from the summary


def test_warmup_cuts_welfare(tmp_path):
    _, full = run(tmp_path / "a", ["seed=9"])
    _, cut = run(tmp_path / "b", ["seed=9", "analysis.warmup_units=4"])
    assert cut["welfare_first_unit"] == 4
    # Rex's run does not depend on the cut: the cut welfare is the full one minus the
    # first four units' costs (the storage term measured from the start of unit 4).
    w_full = pd.read_parquet(tmp_path / "a" / "records" / "welfare.parquet").set_index("scenario")
    w_cut = pd.read_parquet(tmp_path / "b" / "records" / "welfare.parquet").set_index("scenario")
    for col in ("fuel_cost", "backup_cost", "comfort_cost", "degradation_cost"):
        assert w_cut.loc["rex", col] <= w_full.loc["rex", col] + 1e-12
    assert w_cut.loc["rex", "backup_kwh"] <= w_full.loc["rex", "backup_kwh"] + 1e-12
    assert cut["welfare_rex"] != full["welfare_rex"]


def test_tiny_denominator_gives_null_with_a_note(tmp_path):
    # No plant: nothing to allocate, the planner equals no market.
    _, s = run(
        tmp_path,
        ["seed=3", "population.heat_pumps.count=0", "population.batteries.count=0",
         "population.gas_turbines.count=0"],
    )  # fmt: skip
    assert s["efficiency"] is None and s["efficiency_same_info"] is None
    assert "below" in s["efficiency_note"]
    assert s["information_loss"] == pytest.approx(0.0, abs=1e-12)
    assert s["strategy_loss"] == pytest.approx(0.0, abs=1e-12)  # no plant, Rex = physics
    assert not math.isnan(s["welfare_rex"])


def test_rex_backup_equals_the_settled_system_shortfall(tmp_path):
    # Rex's backup energy in welfare is the physical net need: with only uncontrollable
    # agents and a turbine it must equal Σ max(Σ realised, 0) from the settlement
    # (up to the plants' rounding to lots, here none: no buildings or batteries).
    _, s = run(tmp_path, ["population.heat_pumps.count=0", "population.batteries.count=0"])
    st = pd.read_parquet(tmp_path / "records" / "settlement.parquet")
    need = st.groupby("target_unit")["realised_kwh"].sum().clip(lower=0).sum()
    assert s["welfare_rex_backup_cost"] == pytest.approx(need * 0.3)
    assert s["backup_kwh_physical"] == pytest.approx(s["backup_kwh_settlement"])
