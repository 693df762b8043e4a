"""PlantBlock's COO-triplet matrix (issue 16) is bit for bit the ``kron``/``bmat`` one it
replaced (kept in ``block_reference.py``), and so is the RHPO solver's stacked matrix:
same shape, index arrays (values and dtypes) and float bits (``-0.0 != 0.0``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from block_reference import bounds, kron_matrix, stack_matrix

from rex_cli.control import RhpoSolver, TerminalCondition, Weights
from rex_cli.control.lp.block import PlantBlock
from rex_cli.plants import Plant, builders
from rex_cli.plants.home import combine_home
from rex_cli.plants.statespace import InputRole, OutputRole, StateSpace


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return (
        a.dtype == b.dtype
        and a.shape == b.shape
        and np.array_equal(a.view(np.int64), b.view(np.int64))
    )


def assert_identical(new: sp.csc_matrix, ref: sp.csc_matrix) -> None:
    assert new.format == ref.format == "csc"
    assert new.shape == ref.shape
    assert new.indptr.dtype == ref.indptr.dtype and new.indices.dtype == ref.indices.dtype
    assert np.array_equal(new.indptr, ref.indptr)
    assert np.array_equal(new.indices, ref.indices)
    assert _same_bits(new.data, ref.data)
    assert new.has_sorted_indices and ref.has_sorted_indices


def _scenario_plants() -> dict[str, Plant]:
    """Every plant kind ``scenario/build.py`` builds (defaults of the builders)."""
    hp = builders.heat_pump_building(unit_minutes=15.0, ramp_kw=1.0)
    bat = builders.battery(unit_minutes=15.0, capacity_kwh=10.0)
    ev = builders.electric_vehicle(unit_minutes=15.0)
    gt = builders.gas_turbine(
        unit_minutes=15.0, p_min_kw=20.0, p_max_kw=100.0, ramp_kw=30.0, marginal_cost=0.1
    )
    return {
        "heat_pump": builders.heat_pump_building(unit_minutes=15.0),
        "heat_pump_ramped": hp,
        "battery": bat,
        "gas_turbine": gt,
        "wind": builders.uncontrollable(unit_minutes=15.0),
        "home_empty": combine_home([], unit_minutes=15.0),
        "home_hp": combine_home([("heat_pump", hp)], unit_minutes=15.0),
        "home_all": combine_home(
            [("heat_pump", hp), ("battery", bat), ("ev", ev)], unit_minutes=15.0
        ),
    }


def _sparse(rng: np.random.Generator, shape: tuple[int, int], tiny: bool) -> np.ndarray:
    """Random entries with exact zeros, negative zeros and (if ``tiny``) subnormals."""
    x = rng.normal(size=shape)
    pick = rng.random(shape)
    x[pick < 0.35] = 0.0
    x[(pick >= 0.35) & (pick < 0.45)] = -0.0
    if tiny:
        x[(pick >= 0.45) & (pick < 0.5)] = 5e-324
    return x


def random_plant(rng: np.random.Generator, tiny: bool = True) -> Plant:
    """A random plant; ``tiny=False`` for HiGHS, which rejects subnormal entries."""
    n, p, m = (int(rng.integers(1, 5)) for _ in range(3))
    A, B, C, D = (_sparse(rng, s, tiny) for s in ((n, n), (n, m), (p, n), (p, m)))
    roles = [InputRole.MARKET] + [
        InputRole(rng.choice(["exogenous", "costly"])) for _ in range(m - 1)
    ]
    oroles = [OutputRole(rng.choice(["tracked", "bounded"])) for _ in range(p)]
    u_delta = np.where(rng.random(m) < 0.5, np.inf, rng.uniform(0.1, 1.0, m))
    return Plant(
        name="random",
        model=StateSpace(A, B, C, D, dt=0.25),
        input_roles=tuple(roles),
        output_roles=tuple(oroles),
        u_min=np.zeros(m),
        u_max=np.ones(m),
        u_delta=u_delta,
        v_min=-rng.uniform(0.0, 5.0, p),
        v_max=rng.uniform(0.0, 5.0, p),
    )


def _check_block(plant: Plant, K: int, n_times: int, order: str) -> None:
    blk = PlantBlock(plant, K, n_times=n_times, ramp_order=order)  # type: ignore[arg-type]
    assert_identical(blk.matrix, kron_matrix(plant, K, n_times, order))
    for got, want in zip(
        (blk.col_lower, blk.col_upper, blk.row_lower, blk.row_upper),
        bounds(plant, K, n_times, order),
        strict=True,
    ):
        assert _same_bits(got, want)


CASES = list(itertools.product((1, 2, 32), ("K", "K+1"), ("input", "unit")))


@pytest.mark.parametrize("name", list(_scenario_plants()))
@pytest.mark.parametrize(("K", "times", "order"), CASES)
def test_scenario_plant_blocks_are_the_kron_ones(name: str, K: int, times: str, order: str):
    _check_block(_scenario_plants()[name], K, K if times == "K" else K + 1, order)


@pytest.mark.parametrize("seed", range(40))
def test_random_plant_blocks_are_the_kron_ones(seed: int):
    rng = np.random.default_rng(seed)
    plant = random_plant(rng)
    for K, times, order in [*CASES, (int(rng.integers(3, 20)), "K", "input")]:
        _check_block(plant, K, K if times == "K" else K + 1, order)


def test_random_plants_cover_the_splits():
    """The random plants include no ramp, some ramps, exogenous inputs, no tracked output."""
    plants = [random_plant(np.random.default_rng(s)) for s in range(40)]
    blocks = [PlantBlock(p, 2, n_times=2) for p in plants]
    assert any(b.nr == 0 for b in blocks) and any(0 < b.nr < b.md for b in blocks)
    assert any(b.nr == b.md > 1 for b in blocks)
    assert any(b.exo for b in blocks) and any(not b.exo for b in blocks)
    assert any(b.nt == 0 for b in blocks) and any(b.nt > 1 for b in blocks)


def _solver_plants() -> list[Plant]:
    rng = np.random.default_rng(7)
    return list(_scenario_plants().values()) + [random_plant(rng, tiny=False) for _ in range(10)]


@pytest.mark.parametrize("terminal", [TerminalCondition.NONE, TerminalCondition.REQUEST])
@pytest.mark.parametrize("K", [1, 2, 32])
def test_rhpo_solver_matrix_is_the_stacked_one(terminal: TerminalCondition, K: int):
    for plant in _solver_plants():
        solver = RhpoSolver(plant, Weights(terminal=terminal), K)
        blk = solver.block
        term = solver._c_v[K - 1, blk.tracked[: len(solver._r_term)]]
        ref = stack_matrix(kron_matrix(plant, K, K, "input"), K, blk.c_u[:, 0], term)
        assert_identical(solver._mat, ref)
