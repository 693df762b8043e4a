"""Forecasts at day-ahead lead times: the same λ(τ) in a longer window."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from rex_cli.sim.rng import SeedTree
from rex_cli.stochastic.forecast import (
    CtbaParams,
    PersistenceParams,
    extend_ctba,
    simulate_ctba,
    simulate_perfect,
    simulate_persistence,
)

UNIT, KAPPA, LONG = 15.0, 16, 144  # 4 h trading horizon, 36 h day-ahead reach
REF = UNIT * KAPPA


def _rngs(n: int, seed: int = 5) -> list[np.random.Generator]:
    tree = SeedTree(seed)
    return [tree.generator("forecast", i) for i in range(n)]


def test_a_window_equal_to_the_reference_lead_is_bit_identical():
    real = SeedTree(1).generator("r").integers(0, 50, size=(3, 20))
    p0 = CtbaParams(sigma0_lots=4.0, tau_scale_min=60.0, alpha=1.0)
    p1 = CtbaParams(sigma0_lots=4.0, tau_scale_min=60.0, alpha=1.0, sigma0_lead_min=REF)
    a = simulate_ctba(p0, _rngs(3), real, unit_minutes=UNIT, horizon_units=KAPPA)
    b = simulate_ctba(p1, _rngs(3), real, unit_minutes=UNIT, horizon_units=KAPPA)
    for name in ("client", "target_unit", "time_min", "forecast_lots", "is_initial"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("alpha", [1.0, 1.5])
def test_error_variance_grows_with_lead_as_documented(alpha):
    """Var e(τ) = step² ∫_0^τ λ: sigma0² at the reference lead, more at 36 h."""
    n_clients, n_units = 500, 8
    real = np.zeros((n_clients, n_units), dtype=np.int64)
    p = CtbaParams(sigma0_lots=4.0, tau_scale_min=60.0, alpha=alpha, sigma0_lead_min=REF)
    paths = simulate_ctba(p, _rngs(n_clients), real, unit_minutes=UNIT, horizon_units=LONG)
    assert np.array_equal(paths.final_matrix(), real)  # ends at the realisation
    window = UNIT * LONG
    h = lambda t: integrate.quad(lambda x: (1 + x / 60.0) ** -alpha, 0, t)[0]  # noqa: E731
    for lead in (REF, 720.0, window):
        # the forecast in force at lead τ before each unit's gate, pooled over units
        if lead < window:
            err = np.concatenate(
                [paths.forecast_at(c * UNIT - lead + 1e-9)[:, c] for c in range(n_units)]
            )
        else:
            err = paths.initial_matrix().reshape(-1)
        want = 16.0 * h(lead) / h(REF)
        got = float(np.var(err))
        assert got == pytest.approx(want, rel=0.2), (lead, got, want)
        assert p.error_sd_lots(lead, window) == pytest.approx(np.sqrt(want), rel=1e-9)
    assert p.error_sd_lots(window, window) > p.error_sd_lots(REF, window)


def test_increments_have_mean_zero_over_the_long_window():
    real = np.zeros((300, 4), dtype=np.int64)
    p = CtbaParams(sigma0_lots=3.0, tau_scale_min=60.0, alpha=1.0, sigma0_lead_min=REF)
    paths = simulate_ctba(p, _rngs(300, 9), real, unit_minutes=UNIT, horizon_units=LONG)
    order = paths.path_order()
    v = paths.forecast_lots[order]
    same = paths.path_index[order][1:] == paths.path_index[order][:-1]
    inc = np.diff(v)[same]
    assert set(np.unique(inc)) <= {-1, 1}
    assert abs(inc.mean()) < 4 * inc.std() / np.sqrt(inc.size)


def test_persistence_refreshes_when_the_intraday_book_opens():
    real = np.arange(300, dtype=np.int64).reshape(1, 300)
    fp = simulate_persistence(
        PersistenceParams(refresh_units=KAPPA), real, unit_minutes=UNIT, horizon_units=LONG
    )
    j = 200
    rows = [(t, v) for t, c, u, v, _ in fp.iter_rows() if u == j]
    assert rows[0] == ((j - LONG) * UNIT, j - LONG - 1)
    assert rows[1] == ((j - KAPPA) * UNIT, j - KAPPA - 1)
    assert rows[2] == (j * UNIT, j)
    assert np.array_equal(fp.final_matrix(), real)
    with pytest.raises(ValueError, match="refresh_units"):
        PersistenceParams(refresh_units=0)


def test_perfect_reaches_the_long_window():
    real = np.arange(10, dtype=np.int64).reshape(1, 10)
    fp = simulate_perfect(real, unit_minutes=UNIT, horizon_units=LONG)
    assert np.array_equal(fp.initial_matrix(), real)
    assert fp.lead_time_min.max() == LONG * UNIT


@pytest.mark.parametrize("bounded", [False, True])
def test_extension_keeps_the_intraday_paths_and_grows_the_error(bounded):
    n_clients, n_units = 400, 6
    real = np.full((n_clients, n_units), 30, dtype=np.int64)
    p = CtbaParams(sigma0_lots=4.0, tau_scale_min=60.0, alpha=1.0, bounded=bounded)
    lo, hi = (0.0, 60.0) if bounded else (None, None)
    short = simulate_ctba(
        p,
        _rngs(n_clients),
        real,
        unit_minutes=UNIT,
        horizon_units=KAPPA,
        x_min_lots=lo,
        x_max_lots=hi,
    )
    tree = SeedTree(77)
    ext = extend_ctba(
        short,
        p,
        [tree.generator("ext", i) for i in range(n_clients)],
        horizon_units=LONG,
        x_min_lots=lo,
        x_max_lots=hi,
    )
    assert ext.window_min == LONG * UNIT
    assert np.array_equal(ext.final_matrix(), real)
    # Within the trading horizon the paths are the intraday ones, row for row.
    inner = ext.lead_time_min < REF
    adj = ~short.is_initial

    def key(fp, m):
        cols = (fp.path_index[m].tolist(), fp.time_min[m].tolist(), fp.forecast_lots[m].tolist())
        return sorted(zip(*cols, strict=True))

    assert key(ext, inner) == key(short, adj)
    for c in range(n_units):
        at = ext.forecast_at(c * UNIT - REF)[:, c]
        assert np.array_equal(at, short.initial_matrix()[:, c])
    if bounded:
        assert ext.forecast_lots.min() >= 0 and ext.forecast_lots.max() <= 60
    else:
        h = lambda t: 60.0 * np.log1p(t / 60.0)  # noqa: E731  (alpha = 1)
        err = ext.initial_matrix().reshape(-1) - 30
        want = 16.0 * h(LONG * UNIT) / h(REF)
        assert float(np.var(err)) == pytest.approx(want, rel=0.15)
        assert abs(float(err.mean())) < 4 * np.sqrt(want / err.size)
