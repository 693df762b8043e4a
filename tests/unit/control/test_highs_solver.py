"""The highspy fast path: structure built once, data-only re-solves, light import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rex_cli.control import RhpoSolver, TerminalCondition, Weights
from rex_cli.plants import battery, gas_turbine, heat_pump_building


@pytest.mark.parametrize("kappa", [1, 24, 60, 96])
def test_lp_size_of_the_building(kappa: int) -> None:
    s = RhpoSolver(heat_pump_building(), Weights(), kappa)
    # Columns: E⁺, E⁻, H, S, u*, w, v, G⁺, G⁻ = 9 per unit.
    # Rows: balance κ, dynamics κ−1, output κ, tracking κ.
    assert (s.size.n_cols, s.size.n_rows) == (9 * kappa, 4 * kappa - 1)
    t = RhpoSolver(heat_pump_building(), Weights(terminal=TerminalCondition.REQUEST), kappa)
    assert t.size.n_rows == 4 * kappa  # one terminal row


def test_lp_size_with_ramps_and_costly_inputs() -> None:
    K = 10
    s = RhpoSolver(gas_turbine(), Weights(), K)
    # Columns: 4K market/balance + 2K inputs + K states + K outputs; rows: K balance,
    # K−1 dynamics, K outputs, K ramp rows for g.
    assert (s.size.n_cols, s.size.n_rows) == (8 * K, 4 * K - 1)
    b = RhpoSolver(battery(), Weights(), K)
    assert (b.size.n_cols, b.size.n_rows) == (4 * K + 3 * K + K + 2 * K, K + (K - 1) + 2 * K)


def _building_data(rng: np.random.Generator, K: int) -> dict:
    return dict(
        bid=0.2 + 0.05 * rng.random(K),
        ask=0.3 + 0.05 * rng.random(K),
        position=0.3 * rng.random(K),
        request=np.full(K, 21.0),
        w0=[20.0 + rng.random()],
        exogenous=np.column_stack([rng.uniform(0, 8, K), rng.uniform(0, 0.3, K)]),
        short_price=1.0,
    )


def test_warm_start_uses_few_iterations_and_reset_works() -> None:
    K = 48
    rng = np.random.default_rng(5)
    s = RhpoSolver(heat_pump_building(), Weights(q=0.05), K)
    s.warm = False  # HiGHS's own warm start
    cold = s.solve(**_building_data(rng, K))
    cold_iters = s.iterations
    data = _building_data(rng, K)
    warm = s.solve(**data)
    assert cold.ok and warm.ok
    assert s.iterations < cold_iters
    s.reset()
    again = s.solve(**data)
    assert again.objective == pytest.approx(warm.objective, rel=1e-10)
    np.testing.assert_allclose(again.dual_balance, warm.dual_balance, atol=1e-9)
    assert s.n_solves == 3


def test_recovers_after_an_infeasible_solve() -> None:
    K = 8
    rng = np.random.default_rng(1)
    s = RhpoSolver(heat_pump_building(), Weights(), K)
    good = _building_data(rng, K)
    a = s.solve(**good)
    bad = s.solve(**(good | {"w0": [5.0]}))
    b = s.solve(**good)
    assert a.ok and not bad.ok and b.ok
    assert a.objective == pytest.approx(b.objective, rel=1e-10)


def test_fast_path_import_does_not_load_pyomo() -> None:
    code = "import sys, rex_cli.control, rex_cli.plants; print('pyomo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
