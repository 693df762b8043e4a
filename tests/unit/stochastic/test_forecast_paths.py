"""Tests of the reference forecasters, ForecastPaths helpers and NMAE by lead time."""

from __future__ import annotations

import numpy as np
import pytest

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import (
    CtbaParams,
    ForecastPaths,
    PerfectParams,
    PersistenceParams,
    nmae_by_lead_time,
    quantize_lots,
    simulate_ctba,
    simulate_forecasts,
    simulate_perfect,
    simulate_persistence,
)

UNIT = 15.0
KAPPA = 8
WINDOW = UNIT * KAPPA


def _realised(n_clients: int, n_units: int, seed: int = 0) -> np.ndarray:
    return SeedTree(seed).generator("realised").integers(0, 50, size=(n_clients, n_units))


def _ctba(realised: np.ndarray, sigma0: float = 3.0, seed: int = 1) -> ForecastPaths:
    tree = SeedTree(seed)
    rngs = [tree.generator("forecast", i) for i in range(realised.shape[0])]
    return simulate_ctba(
        CtbaParams(sigma0_lots=sigma0), rngs, realised, unit_minutes=UNIT, horizon_units=KAPPA
    )


def test_perfect_forecast() -> None:
    realised = _realised(3, 10)
    fp = simulate_perfect(realised, unit_minutes=UNIT, horizon_units=KAPPA)
    assert len(fp) == 30
    assert fp.n_adjustments == 0
    np.testing.assert_array_equal(fp.initial_matrix(), realised)
    np.testing.assert_array_equal(fp.lead_time_min, np.full(30, WINDOW))
    assert np.all(np.diff(fp.time_min) >= 0)


def test_persistence_definition() -> None:
    realised = _realised(2, 30)
    fp = simulate_persistence(PersistenceParams(), realised, unit_minutes=UNIT, horizon_units=KAPPA)
    init = fp.initial_matrix()
    # Book for unit j opens at (j - κ)ε; the last fully delivered unit then is j - κ - 1.
    np.testing.assert_array_equal(init[:, KAPPA + 1 :], realised[:, : 30 - KAPPA - 1])
    # Before the history starts: the earliest known value.
    np.testing.assert_array_equal(init[:, : KAPPA + 1], np.repeat(realised[:, :1], KAPPA + 1, 1))
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    adj = ~fp.is_initial
    # One jump, at gate closure, only where the persistence value differs.
    np.testing.assert_array_equal(fp.lead_time_min[adj], 0.0)
    assert fp.n_adjustments == int(np.sum(init != realised))


def test_persistence_with_history_and_early_jump() -> None:
    realised = _realised(2, 5)
    history = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]])
    fp = simulate_persistence(
        PersistenceParams(jump_lead_min=30.0),
        realised,
        unit_minutes=UNIT,
        horizon_units=KAPPA,
        history_lots=history,
    )
    # Unit 0 (column 0): last delivered at opening is unit -9 = history column 1.
    np.testing.assert_array_equal(fp.initial_matrix()[:, 0], history[:, 1])
    np.testing.assert_array_equal(fp.initial_matrix()[:, 4], history[:, 5])
    np.testing.assert_array_equal(fp.lead_time_min[~fp.is_initial], 30.0)
    with pytest.raises(ValueError, match=r"^jump_lead_min "):
        simulate_persistence(
            PersistenceParams(jump_lead_min=WINDOW),
            realised,
            unit_minutes=UNIT,
            horizon_units=KAPPA,
        )
    with pytest.raises(ValueError, match=r"^jump_lead_min "):
        PersistenceParams(jump_lead_min=-1.0)


def test_simulate_forecasts_mixed_models_match_single_models() -> None:
    realised = _realised(5, 12)
    tree = SeedTree(3)
    params = [
        CtbaParams(sigma0_lots=3.0),
        PerfectParams(),
        PersistenceParams(),
        CtbaParams(sigma0_lots=2.0, bounded=True),
        PerfectParams(),
    ]
    fp = simulate_forecasts(
        params,
        [tree.generator("forecast", i) for i in range(5)],
        realised,
        unit_minutes=UNIT,
        horizon_units=KAPPA,
        x_min_lots=0,
        x_max_lots=60,
    )
    assert np.all(np.diff(fp.time_min) >= 0)
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    alone = simulate_ctba(
        CtbaParams(sigma0_lots=3.0),
        [tree.generator("forecast", 0)],
        realised[:1],
        unit_minutes=UNIT,
        horizon_units=KAPPA,
    )
    np.testing.assert_array_equal(fp.for_clients([0]).forecast_lots, alone.forecast_lots)
    np.testing.assert_array_equal(fp.for_clients([0]).time_min, alone.time_min)
    assert np.sum(~fp.is_initial & np.isin(fp.client, [1, 4])) == 0
    # Ties (initial rows of one unit) are ordered by client.
    tie = np.flatnonzero(np.diff(fp.time_min) == 0)
    key = fp.client * 1000 + fp.target_unit
    assert np.all(key[tie + 1] > key[tie])


def test_simulate_forecasts_single_model_is_the_model() -> None:
    realised = _realised(2, 4)
    tree = SeedTree(3)
    fp = simulate_forecasts(
        PerfectParams(),
        [tree.generator("f", i) for i in range(2)],
        realised,
        unit_minutes=UNIT,
        horizon_units=KAPPA,
    )
    np.testing.assert_array_equal(fp.initial_matrix(), realised)


def test_forecast_at_and_since() -> None:
    realised = _realised(4, 20)
    fp = _ctba(realised)
    t0 = 5 * UNIT + 3.0
    at = fp.forecast_at(t0)
    closure = (np.arange(20) * UNIT)[None, :].repeat(4, 0)
    opening = closure - WINDOW
    assert np.all(np.isnan(at[opening > t0]))
    np.testing.assert_array_equal(at[closure <= t0], realised[closure <= t0])
    s = fp.since(t0)
    assert s.time_min.min() >= t0
    assert np.all(np.diff(s.time_min) >= 0)
    # Paths closed before t0 are dropped; every other path has one initial row.
    open_or_later = closure >= t0
    assert s.n_paths == int(open_or_later.sum())
    m = s.forecast_at(t0)
    np.testing.assert_array_equal(
        m[open_or_later & (opening <= t0)], at[open_or_later & (opening <= t0)]
    )
    # Rows after t0 are unchanged.
    later = fp.time_min >= t0
    np.testing.assert_array_equal(
        np.sort(s.time_min[~s.is_initial]), np.sort(fp.time_min[later & ~fp.is_initial])
    )
    # since() before every opening changes nothing.
    same = fp.since(-1e9)
    np.testing.assert_array_equal(same.forecast_lots, fp.forecast_lots)


def test_between_iter_rows_and_frame() -> None:
    realised = _realised(2, 6)
    fp = _ctba(realised)
    chunk = fp.between(0.0, 30.0)
    assert np.all((chunk.time_min >= 0.0) & (chunk.time_min < 30.0))
    rows = list(chunk.iter_rows())
    assert len(rows) == len(chunk)
    if rows:
        t, c, j, x, init = rows[0]
        assert isinstance(t, float) and isinstance(c, int) and isinstance(x, int)
        assert isinstance(init, bool) and isinstance(j, int)
    frame = fp.to_frame()
    assert list(frame.columns) == [
        "time_min",
        "client",
        "target_unit",
        "forecast_lots",
        "is_initial",
        "lead_time_min",
    ]
    assert len(frame) == len(fp)
    # A time slice lacks most initial rows: no initial matrix from it.
    with pytest.raises(ValueError, match="not every"):
        chunk.initial_matrix()


def test_arrays_are_read_only() -> None:
    fp = _ctba(_realised(1, 2))
    with pytest.raises(ValueError):
        fp.forecast_lots[0] = 1


def test_nmae_perfect_is_zero() -> None:
    realised = _realised(3, 10) + 1
    fp = simulate_perfect(realised, unit_minutes=UNIT, horizon_units=KAPPA)
    tab = nmae_by_lead_time(fp, realised, 100.0, [0.0, 15.0, 60.0, WINDOW])
    np.testing.assert_array_equal(tab["nmae"], 0.0)
    # Every path covers every bucket completely: coverage = n_paths × bucket width.
    np.testing.assert_allclose(tab["coverage_min"], 30 * np.array([15.0, 45.0, 60.0]))


def test_nmae_persistence_hand_computed() -> None:
    realised = np.array([[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]])
    fp = simulate_persistence(
        PersistenceParams(jump_lead_min=15.0), realised, unit_minutes=UNIT, horizon_units=KAPPA
    )
    tab = nmae_by_lead_time(fp, realised, 200.0, [0.0, 15.0, WINDOW, 2 * WINDOW])
    err = np.abs(fp.initial_matrix() - realised)[0]
    assert tab["nmae"][0] == 0.0  # after the jump at lead 15
    assert tab["mae_lots"][1] == pytest.approx(err.mean())
    assert tab["nmae"][1] == pytest.approx(err.mean() / 200.0)
    assert np.isnan(tab["nmae"][2])  # beyond the window: no coverage
    assert tab["coverage_min"][2] == 0.0


def test_nmae_ctba_matches_pointwise_sampling_and_falls_with_lead_time() -> None:
    realised = _realised(40, 10, seed=5) + 10
    fp = _ctba(realised, sigma0=4.0, seed=6)
    edges = [0.0, 15.0, 45.0, WINDOW]
    tab = nmae_by_lead_time(fp, realised, 50.0, edges)
    assert tab["nmae"].is_monotonic_increasing
    # Time-weighted mean over bucket [15, 45) by sampling lead times on a fine grid.
    leads = np.arange(15.0, 45.0, 0.25) + 0.125
    closure = np.arange(10) * UNIT
    errs = []
    for lead in leads:
        vals = np.array([fp.forecast_at(c - lead)[:, k] for k, c in enumerate(closure)]).T
        errs.append(np.abs(vals - realised) / 50.0)
    # The grid (0.25 min) is fine against ~2 adjustments per path in the bucket: the
    # Riemann sum is within 1% of the exact time-weighted mean.
    assert tab["nmae"][1] == pytest.approx(float(np.mean(errs)), rel=0.01)
    per_client = nmae_by_lead_time(fp, realised, np.full(40, 50.0), edges, by_client=True)
    assert len(per_client) == 40 * 3
    assert set(per_client.columns) >= {"client", "nmae", "lead_from_min"}


def test_nmae_validates() -> None:
    realised = _realised(2, 3)
    fp = simulate_perfect(realised, unit_minutes=UNIT, horizon_units=KAPPA)
    with pytest.raises(ValueError, match="buckets_min"):
        nmae_by_lead_time(fp, realised, 1.0, [10.0, 5.0])
    with pytest.raises(ValueError, match="capacity_or_mean"):
        nmae_by_lead_time(fp, realised, 0.0, [0.0, 5.0])
    with pytest.raises(ValueError, match="realised_lots"):
        nmae_by_lead_time(fp, realised[:1], 1.0, [0.0, 5.0])


def test_quantize_lots() -> None:
    np.testing.assert_array_equal(quantize_lots([0.04, 0.05, 0.16, 1.0], 0.1), [0, 0, 2, 10])
    with pytest.raises(ValueError, match=r"^lot_kwh "):
        quantize_lots([1.0], 0.0)
