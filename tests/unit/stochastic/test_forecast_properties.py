"""Property tests of CTBA-MMFE invariants over random small configurations."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import CtbaParams, _stable_argsort, simulate_ctba


@settings(max_examples=40, deadline=None)
@given(
    n_clients=st.integers(1, 4),
    n_units=st.integers(1, 6),
    kappa=st.integers(1, 10),
    unit=st.sampled_from([1.0, 5.0, 15.0, 60.0]),
    first_unit=st.integers(0, 50),
    sigma0=st.floats(0.0, 6.0),
    alpha=st.floats(0.0, 3.0),
    tau_scale=st.floats(0.5, 500.0),
    step=st.integers(1, 3),
    bounded=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_ctba_invariants(
    n_clients: int,
    n_units: int,
    kappa: int,
    unit: float,
    first_unit: int,
    sigma0: float,
    alpha: float,
    tau_scale: float,
    step: int,
    bounded: bool,
    seed: int,
) -> None:
    tree = SeedTree(seed)
    cap = 12
    realised = tree.generator("r").integers(0, cap + 1, size=(n_clients, n_units))
    params = CtbaParams(
        sigma0_lots=sigma0, tau_scale_min=tau_scale, alpha=alpha, step_lots=step, bounded=bounded
    )
    fp = simulate_ctba(
        params,
        [tree.generator("forecast", i) for i in range(n_clients)],
        realised,
        unit_minutes=unit,
        horizon_units=kappa,
        x_min_lots=0,
        x_max_lots=cap,
        first_unit=first_unit,
    )
    window = kappa * unit
    assert fp.n_paths == n_clients * n_units
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    assert np.all(np.diff(fp.time_min) >= 0)
    closure = fp.target_unit * unit
    adj = ~fp.is_initial
    assert np.all(fp.time_min[adj] > closure[adj] - window)
    assert np.all(fp.time_min[adj] <= closure[adj])
    np.testing.assert_array_equal(fp.time_min[~adj], closure[~adj] - window)
    o = fp.path_order()
    inc = np.diff(fp.forecast_lots[o])
    assert np.all(np.abs(inc[~fp.is_initial[o][1:]]) == step)
    if bounded:
        assert fp.forecast_lots.min() >= 0 and fp.forecast_lots.max() <= cap


@given(st.lists(st.integers(0, 5), max_size=200))
def test_stable_argsort_equals_numpy_stable(values: list[int]) -> None:
    arr = np.asarray(values, dtype=np.float64)
    np.testing.assert_array_equal(_stable_argsort(arr), np.argsort(arr, kind="stable"))
