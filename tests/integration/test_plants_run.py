"""Controllable plants inside whole runs: bounds hold, no order for a closed unit,
a failed solve never stops the run."""

import json

import numpy as np
import pytest

from rex_cli.agents.rhpo import PlantCoordinator
from rex_cli.control.lp import LpStatus
from rex_cli.scenario.build import build_world, seed_tree

OVERRIDES = ["population.batteries.count=2"]


@pytest.fixture(scope="module")
def run(tiny_run):
    r = tiny_run(*OVERRIDES)
    return r.cfg, r, {t: r.table(t) for t in ("plants", "agents", "order_events", "settlement")}


def test_battery_state_of_charge_stays_in_bounds_over_the_run(run):
    cfg, _, t = run
    batteries = t["agents"].loc[t["agents"]["kind"] == "battery", "agent"]
    soc = t["plants"].loc[t["plants"]["agent"].isin(batteries), "state"]
    assert len(soc) == len(batteries) * cfg.n_units
    b = cfg.plant.battery
    assert soc.min() >= b.soc_min_kwh - 1e-6
    assert soc.max() <= b.soc_max_kwh + 1e-6
    assert soc.std() > 0  # the batteries do move


def test_buildings_stay_in_the_comfort_band(run):
    cfg, _, t = run
    buildings = t["agents"].loc[t["agents"]["kind"] == "heat_pump_building", "agent"]
    temp = t["plants"].loc[t["plants"]["agent"].isin(buildings), "output"]
    hp = cfg.plant.heat_pump_building
    assert len(temp) > 0
    assert temp.min() >= hp.t_min_c - 1e-6 and temp.max() <= hp.t_max_c + 1e-6


def test_no_order_is_ever_sent_for_a_closed_unit(run):
    _, _, t = run
    ev = t["order_events"]
    assert (ev["event"] == "limit").sum() > 0
    assert not (ev["reason"] == "closed_unit").any()


def test_plants_realise_what_they_committed(run):
    cfg, _, t = run
    p = t["plants"].merge(t["settlement"], on=["agent", "target_unit"])
    lots = np.rint(p["input_market_kwh"] / cfg.market.lot_kwh)
    assert (lots == p["realised_lots"]).all()
    assert p["planned"].mean() > 0.9  # nearly every unit was planned by RHPO


def test_rhpo_summary_figures(run):
    _, result, _ = run
    s = result.summary
    assert s["rhpo_solves"] > 0 and s["rhpo_infeasible"] == 0
    timing = json.loads((result.dir / "timing.json").read_text())
    assert timing["rhpo_solve_ms_median"] > 0
    assert "rhpo_solve_ms_median" not in s  # wall-clock figures stay out of the summary


def test_a_failed_solve_falls_back_and_the_run_goes_on(run, caplog):
    cfg, _, _ = run
    world = build_world(cfg, seed_tree(cfg))
    plants = [c for c in world.coordinators if isinstance(c, PlantCoordinator)]
    victim = plants[0]
    real = victim.solver.solve_data  # what solve and the coordinator's own path call

    def flaky(data):  # every solve of this coordinator fails
        res = real(data)
        return type(res)(**{**res.__dict__, "status": LpStatus.INFEASIBLE})

    victim.solver.solve_data = flaky
    with caplog.at_level("WARNING"):
        world.run()
    # Every arrival's solve and every gate-closure re-dispatch failed.
    assert victim.arrivals > 0 and victim.failed == victim.arrivals + cfg.n_units
    assert world.delivered == cfg.n_units
    assert "keeping the previous plan" in caplog.text
    assert "re-dispatch infeasible; committing the plan" in caplog.text
    # Never planned: every unit ran on the fallback input.
    assert not any(victim.trajectory["planned"])
