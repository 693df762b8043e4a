"""Runs trade on evolving forecasts: records, NMAE, models, common random numbers."""

import numpy as np
import pandas as pd
import pytest

TABLES = ("forecasts", "realisations", "nmae", "settlement", "trades")


def _run(tiny_run, *extra):
    run = tiny_run("duration_hours=3", *extra)
    return run.cfg, {t: run.table(t) for t in TABLES}, run.summary


@pytest.fixture(scope="module")
def ctba(tiny_run):
    return _run(tiny_run)


def test_every_path_ends_at_its_realisation_on_the_lot_grid(ctba):
    cfg, rec, _ = ctba
    fc = rec["forecasts"].sort_values(["agent", "target_unit", "time_min"], kind="stable")
    last = fc.groupby(["agent", "target_unit"]).tail(1)
    assert np.allclose(last["forecast_kwh"], last["realised_kwh"])
    lots = fc["forecast_kwh"] / cfg.market.lot_kwh
    assert np.allclose(lots, np.round(lots))
    # Every row lies inside its unit's trading window.
    window = cfg.market.horizon_units * cfg.market.unit_minutes
    assert (fc["lead_time_min"] >= 0).all() and (fc["lead_time_min"] <= window + 1e-9).all()
    assert (~fc["initial"]).sum() > 0  # forecasts did move


def test_nmae_falls_as_gate_closure_nears(ctba):
    _, rec, summary = ctba
    for kind, g in rec["nmae"].groupby("kind"):
        g = g.sort_values("lead_from_min")
        assert g["nmae"].iloc[0] < g["nmae"].iloc[-1], kind
    assert any(k.startswith("nmae_wind_farm_lead_0_") for k in summary)


def test_perfect_forecasts_never_adjust(tiny_run):
    _, rec, _ = _run(tiny_run, "forecast=perfect")
    fc = rec["forecasts"]
    assert fc["initial"].all()
    assert np.allclose(fc["forecast_kwh"], fc["realised_kwh"])


def test_forecasts_are_common_random_numbers_across_a_market_parameter(ctba, tiny_run):
    _, rec, _ = ctba
    _, other, _ = _run(tiny_run, "market.tick=0.002")
    pd.testing.assert_frame_equal(rec["forecasts"], other["forecasts"])
    pd.testing.assert_frame_equal(rec["realisations"], other["realisations"])
