"""Tests of CTBA-MMFE forecast evolution (rex_cli.stochastic.forecast)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy import integrate

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import CtbaParams, ForecastPaths, simulate_ctba

UNIT = 15.0
KAPPA = 96
WINDOW = UNIT * KAPPA


def _realised(seed: int, n_clients: int, n_units: int, high: int = 200) -> npt.NDArray[np.int64]:
    return SeedTree(seed).generator("realised").integers(0, high, size=(n_clients, n_units))


def _run(
    params: CtbaParams | list[CtbaParams],
    realised: npt.NDArray[np.int64],
    seed: int = 1,
    **kwargs: object,
) -> ForecastPaths:
    tree = SeedTree(seed)
    rngs = [tree.generator("forecast", i) for i in range(realised.shape[0])]
    kw: dict[str, object] = {"unit_minutes": UNIT, "horizon_units": KAPPA, **kwargs}
    return simulate_ctba(params, rngs, realised, **kw)  # type: ignore[arg-type]


def _increments(fp: ForecastPaths) -> dict[str, np.ndarray]:
    """Adjustment rows in path order with their increment and the previous increment."""
    o = fp.path_order()
    val = fp.forecast_lots[o]
    init = fp.is_initial[o]
    inc = np.diff(val, prepend=0)
    prev = np.concatenate([[0], inc[:-1]])
    prev_is_adj = np.concatenate([[False], ~init[:-1]])
    adj = ~init
    return {
        "inc": inc[adj],
        "prev": np.where(prev_is_adj, prev, 0)[adj],
        "lead": fp.lead_time_min[o][adj],
        "client": fp.client[o][adj],
    }


P5 = CtbaParams(sigma0_lots=5.0, tau_scale_min=60.0, alpha=1.0)


@pytest.fixture(scope="module")
def big() -> tuple[ForecastPaths, npt.NDArray[np.int64]]:
    realised = _realised(0, 200, 96)
    return _run(P5, realised), realised


def test_terminal_forecast_equals_realisation(big: tuple[ForecastPaths, np.ndarray]) -> None:
    fp, realised = big
    np.testing.assert_array_equal(fp.final_matrix(), realised)


def test_values_are_whole_lots_moving_by_single_steps(
    big: tuple[ForecastPaths, np.ndarray],
) -> None:
    fp, _ = big
    assert np.issubdtype(fp.forecast_lots.dtype, np.integer)
    assert set(np.unique(_increments(fp)["inc"]).tolist()) == {-1, 1}


def test_multi_lot_steps_stay_on_the_step_lattice() -> None:
    realised = _realised(1, 20, 96)
    fp = _run(CtbaParams(sigma0_lots=12.0, tau_scale_min=60.0, alpha=1.0, step_lots=3), realised)
    assert set(np.unique(_increments(fp)["inc"]).tolist()) == {-3, 3}
    err = fp.forecast_lots - realised[fp.client, fp.target_unit]
    assert np.all(err % 3 == 0)
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    # Expected adjustments per path = (12/3)² = 16.
    assert fp.n_adjustments / (20 * 96) == pytest.approx(16.0, rel=0.05)


def test_increments_have_conditional_mean_zero(big: tuple[ForecastPaths, np.ndarray]) -> None:
    fp, _ = big
    d = _increments(fp)
    assert d["inc"].size > 400_000
    edges = [0.0, 15.0, 60.0, 240.0, WINDOW]
    n_groups = 0
    for lo, hi in itertools.pairwise(edges):
        for prev_sign in (-1, 0, 1):  # 0: first adjustment of its path
            sel = (d["lead"] >= lo) & (d["lead"] < hi) & (np.sign(d["prev"]) == prev_sign)
            n = int(sel.sum())
            if n < 1000:
                continue
            n_groups += 1
            # Increments are ±1, so sd(mean) = 1/sqrt(n); 5 sd is a two-sided p of 6e-7
            # per group, safe for ~12 groups with a fixed seed.
            assert abs(d["inc"][sel].mean()) < 5.0 / math.sqrt(n), (lo, hi, prev_sign, n)
    # 4 buckets x 2 previous signs, plus first adjustments at the longest lead times.
    assert n_groups >= 9


def test_initial_error_std_is_sigma0(big: tuple[ForecastPaths, np.ndarray]) -> None:
    fp, realised = big
    err = (fp.initial_matrix() - realised).ravel().astype(float)
    # Var(e) = step² Λ = σ0² exactly. With n = 19,200 paths and E[e⁴] = 3Λ² + Λ, the
    # relative sd of the sample variance is sqrt((2 + 1/Λ)/n) ≈ 1%, i.e. 0.5% on the std;
    # allow 3% on the std. The mean's sd is 5/sqrt(n) ≈ 0.036: allow 0.2.
    assert err.std() == pytest.approx(5.0, rel=0.03)
    assert abs(err.mean()) < 0.2


def test_adjustment_frequency_rises_as_lead_time_shrinks(
    big: tuple[ForecastPaths, np.ndarray],
) -> None:
    fp, _ = big
    lead = _increments(fp)["lead"]
    n_paths = 200 * 96
    edges = np.array([0.0, 30.0, 120.0, 360.0, 720.0, WINDOW])
    counts, _ = np.histogram(lead, bins=edges)
    per_minute = counts / np.diff(edges) / n_paths
    assert np.all(np.diff(per_minute) < 0)
    # Expected count per bucket = n_paths Λ (G(hi) - G(lo)); Poisson sd = sqrt(expected);
    # allow 5 sd.
    share = P5.cumulative_share(edges, WINDOW)
    expected = n_paths * P5.expected_adjustments * np.diff(share)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 2.5])
def test_rate_integrates_to_expected_adjustments(alpha: float) -> None:
    p = CtbaParams(sigma0_lots=4.0, tau_scale_min=30.0, alpha=alpha)
    total, _ = integrate.quad(lambda t: float(p.rate_per_min(t, WINDOW)), 0.0, WINDOW, limit=200)
    assert total == pytest.approx(16.0, rel=1e-6)
    half, _ = integrate.quad(lambda t: float(p.rate_per_min(t, WINDOW)), 0.0, 100.0)
    assert half / 16.0 == pytest.approx(float(p.cumulative_share(100.0, WINDOW)), rel=1e-6)
    rates = p.rate_per_min(np.array([0.0, 10.0, 100.0, 1000.0]), WINDOW)
    assert np.all(np.diff(rates) < 0) if alpha > 0 else np.allclose(rates, rates[0])


@pytest.mark.parametrize("alpha", [0.0, 1.0 - 1e-12, 2.5])
def test_other_rate_shapes_keep_sigma0_and_end_at_realisation(alpha: float) -> None:
    realised = _realised(2, 100, 96)
    p = CtbaParams(sigma0_lots=3.0, tau_scale_min=45.0, alpha=alpha)
    fp = _run(p, realised, seed=3)
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    err = (fp.initial_matrix() - realised).ravel()
    # n = 9,600 paths: relative sd of the std ≈ sqrt((2 + 1/9)/n)/2 ≈ 0.75%; allow 4%.
    assert err.std() == pytest.approx(3.0, rel=0.04)


def test_adjustments_lie_inside_the_open_window(big: tuple[ForecastPaths, np.ndarray]) -> None:
    fp, _ = big
    lead = fp.lead_time_min
    adj = ~fp.is_initial
    assert np.all(lead[adj] >= 0.0)
    assert np.all(lead[adj] < WINDOW)
    closure = fp.target_unit * UNIT
    assert np.all(fp.time_min[adj] > closure[adj] - WINDOW)
    assert np.all(fp.time_min[adj] <= closure[adj])
    np.testing.assert_array_equal(
        fp.time_min[fp.is_initial], (fp.target_unit * UNIT - WINDOW)[fp.is_initial]
    )


def test_rows_are_time_sorted_with_deterministic_ties(
    big: tuple[ForecastPaths, np.ndarray],
) -> None:
    fp, _ = big
    assert np.all(np.diff(fp.time_min) >= 0)
    tie = np.flatnonzero(np.diff(fp.time_min) == 0)
    key = fp.client * 10_000 + fp.target_unit
    # Within a tie (initial rows of one unit), clients come in increasing order.
    assert np.all(key[tie + 1] > key[tie])
    assert fp.n_paths == 200 * 96


def test_client_paths_unchanged_when_a_client_is_added() -> None:
    realised = _realised(4, 6, 40)
    fp5 = _run(P5, realised[:5])
    fp6 = _run(P5, realised)
    a = fp5.for_clients(range(5))
    b = fp6.for_clients(range(5))
    for name in ("client", "target_unit", "time_min", "forecast_lots", "is_initial"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_reproducible_and_seed_dependent() -> None:
    realised = _realised(5, 3, 20)
    a, b, c = _run(P5, realised, seed=9), _run(P5, realised, seed=9), _run(P5, realised, seed=10)
    np.testing.assert_array_equal(a.time_min, b.time_min)
    np.testing.assert_array_equal(a.forecast_lots, b.forecast_lots)
    assert len(a) != len(c) or not np.array_equal(a.time_min, c.time_min)


def test_horizon_change_keeps_adjustment_sequence() -> None:
    # Counts and signs do not depend on κ: only the times stretch (CRN across κ).
    realised = _realised(6, 4, 30)
    tree = SeedTree(1)
    fp_a = simulate_ctba(
        P5,
        [tree.generator("forecast", i) for i in range(4)],
        realised,
        unit_minutes=15.0,
        horizon_units=96,
    )
    fp_b = simulate_ctba(
        P5,
        [tree.generator("forecast", i) for i in range(4)],
        realised,
        unit_minutes=15.0,
        horizon_units=24,
    )
    oa, ob = fp_a.path_order(), fp_b.path_order()
    np.testing.assert_array_equal(fp_a.forecast_lots[oa], fp_b.forecast_lots[ob])
    assert fp_b.lead_time_min.max() == pytest.approx(24 * 15.0)


def test_sigma_zero_is_perfect() -> None:
    realised = _realised(7, 3, 10)
    fp = _run(CtbaParams(sigma0_lots=0.0), realised)
    assert fp.n_adjustments == 0
    np.testing.assert_array_equal(fp.initial_matrix(), realised)


def test_per_client_parameters() -> None:
    realised = _realised(8, 2, 96)
    params = [
        CtbaParams(sigma0_lots=2.0),
        CtbaParams(sigma0_lots=8.0, tau_scale_min=10.0, alpha=2.0),
    ]
    fp = _run(params, realised)
    n_adj = np.bincount(fp.client[~fp.is_initial], minlength=2)
    # Expected 4 and 64 adjustments per path over 96 paths (Poisson sd 20 and 78).
    assert abs(n_adj[0] - 4 * 96) < 100
    assert abs(n_adj[1] - 64 * 96) < 400
    # Same client 0 as when simulated alone with the same generator.
    alone = _run(params[0], realised[:1])
    np.testing.assert_array_equal(fp.for_clients([0]).forecast_lots, alone.forecast_lots)


def test_first_unit_offsets_the_clock() -> None:
    realised = _realised(9, 2, 5)
    fp = _run(P5, realised, first_unit=100)
    assert set(np.unique(fp.target_unit).tolist()) == set(range(100, 105))
    assert fp.time_min.min() == pytest.approx(100 * UNIT - WINDOW)
    np.testing.assert_array_equal(fp.final_matrix(), realised)


# ----------------------------------------------------------------- bounded variant


def test_bounded_never_leaves_bounds() -> None:
    cap = 20
    rng = SeedTree(10).generator("realised")
    realised = np.clip(rng.integers(-10, cap + 10, size=(100, 96)), 0, cap)  # many at bounds
    p = CtbaParams(sigma0_lots=6.0, tau_scale_min=60.0, alpha=1.0, bounded=True)
    fp = _run(p, realised, x_min_lots=0, x_max_lots=cap)
    assert fp.forecast_lots.min() >= 0
    assert fp.forecast_lots.max() <= cap
    np.testing.assert_array_equal(fp.final_matrix(), realised)
    assert set(np.unique(_increments(fp)["inc"]).tolist()) == {-1, 1}
    # Suppressed jumps are dropped: fewer adjustments than the unbounded 36 per path.
    assert fp.n_adjustments < 36 * 100 * 96
    lead = fp.lead_time_min[~fp.is_initial]
    assert np.all((lead >= 0) & (lead < WINDOW))


def test_bounded_bias_near_lower_bound_is_inward() -> None:
    # Documented bias: with R at x_min the initial forecast can only be above it.
    realised = np.zeros((50, 96), dtype=np.int64)
    p = CtbaParams(sigma0_lots=5.0, bounded=True)
    fp = _run(p, realised, x_min_lots=0, x_max_lots=1000)
    err = fp.initial_matrix() - realised
    assert err.min() >= 0
    assert err.mean() > 1.0


def test_bounded_per_client_bounds_and_unbounded_clients_mixed() -> None:
    realised = np.array([[0, 5, 10], [50, -20, 7]])
    params = [CtbaParams(sigma0_lots=5.0, bounded=True), CtbaParams(sigma0_lots=5.0)]
    fp = _run(params, realised, x_min_lots=np.array([[0], [0]]), x_max_lots=np.array([[10], [0]]))
    c0 = fp.for_clients([0]).forecast_lots
    assert c0.min() >= 0 and c0.max() <= 10
    np.testing.assert_array_equal(fp.final_matrix(), realised)


def test_bounded_realisation_outside_bounds_raises() -> None:
    realised = np.array([[0, 11]])
    with pytest.raises(ValueError, match=r"realised_lots\[0, 1\] = 11"):
        _run(CtbaParams(sigma0_lots=1.0, bounded=True), realised, x_min_lots=0, x_max_lots=10)


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sigma0_lots": -1.0}, "sigma0_lots"),
        ({"sigma0_lots": math.inf}, "sigma0_lots"),
        ({"sigma0_lots": 1.0, "tau_scale_min": 0.0}, "tau_scale_min"),
        ({"sigma0_lots": 1.0, "alpha": -0.5}, "alpha"),
        ({"sigma0_lots": 1.0, "step_lots": 0}, "step_lots"),
        ({"sigma0_lots": 1.0, "step_lots": 1.5}, "step_lots"),
        ({"sigma0_lots": 1.0, "bounded": "yes"}, "bounded"),
    ],
)
def test_params_validate(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        CtbaParams(**kwargs)  # type: ignore[arg-type]


def test_run_arguments_validate() -> None:
    realised = _realised(11, 2, 3)
    rngs = [SeedTree(1).generator("forecast", i) for i in range(2)]
    with pytest.raises(ValueError, match=r"^rng_per_client "):
        simulate_ctba(P5, rngs[:1], realised, unit_minutes=15.0, horizon_units=4)
    with pytest.raises(ValueError, match=r"^unit_minutes "):
        simulate_ctba(P5, rngs, realised, unit_minutes=0.0, horizon_units=4)
    with pytest.raises(ValueError, match=r"^horizon_units "):
        simulate_ctba(P5, rngs, realised, unit_minutes=15.0, horizon_units=0)
    with pytest.raises(ValueError, match=r"^realised_lots "):
        simulate_ctba(P5, rngs, realised + 0.5, unit_minutes=15.0, horizon_units=4)
    with pytest.raises(ValueError, match=r"^params "):
        simulate_ctba([P5], rngs, realised, unit_minutes=15.0, horizon_units=4)
    # Float arrays holding whole numbers are accepted.
    fp = simulate_ctba(P5, rngs, realised.astype(float), unit_minutes=15.0, horizon_units=4)
    np.testing.assert_array_equal(fp.final_matrix(), realised)


def test_empty_inputs() -> None:
    fp = simulate_ctba(P5, [], np.zeros((0, 5), dtype=np.int64), unit_minutes=15.0, horizon_units=4)
    assert len(fp) == 0
    assert fp.n_paths == 0
