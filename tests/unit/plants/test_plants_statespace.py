"""StateSpace: ZOH discretisation, dimension checks, simulation; Plant validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import cont2discrete

from rex_cli.plants import CostKind, InputRole, OutputRole, Plant, StateSpace, battery, gas_turbine


def _random_stable(rng: np.random.Generator, n: int) -> np.ndarray:
    """Continuous-time Hurwitz matrix: negative definite symmetric part plus a skew part."""
    M = rng.normal(size=(n, n))
    S = rng.normal(size=(n, n))
    return -(M @ M.T + 0.1 * np.eye(n)) + (S - S.T)


@pytest.mark.parametrize("seed", range(30))
def test_from_continuous_matches_scipy_zoh(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, p = (int(x) for x in rng.integers(1, 5, size=3))
    A = _random_stable(rng, n)
    B = rng.normal(size=(n, m))
    C = rng.normal(size=(p, n))
    D = rng.normal(size=(p, m))
    dt = float(rng.uniform(0.05, 2.0))
    ss = StateSpace.from_continuous(A, B, C, D, dt)
    Ad, Bd, Cd, Dd, dt_out = cont2discrete((A, B, C, D), dt, method="zoh")
    np.testing.assert_allclose(ss.A, Ad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ss.B, Bd, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ss.C, Cd)
    np.testing.assert_allclose(ss.D, Dd)
    assert ss.dt == pytest.approx(dt_out)
    # A Hurwitz continuous model gives a Schur-stable discrete one.
    assert ss.is_stable()
    assert ss.spectral_radius() < 1.0


def test_from_continuous_integrator_is_b_times_dt() -> None:
    ss = StateSpace.from_continuous([[0.0]], [[2.0, -1.0]], [[1.0]], [[0.0, 0.0]], 0.25)
    np.testing.assert_allclose(ss.A, [[1.0]])
    np.testing.assert_allclose(ss.B, [[0.5, -0.25]])
    assert not ss.is_stable()


def test_scalar_zoh_closed_form() -> None:
    a, b, dt = -0.5, 3.0, 0.7
    ss = StateSpace.from_continuous([[a]], [[b]], [[1.0]], [[0.0]], dt)
    assert ss.A[0, 0] == pytest.approx(np.exp(a * dt))
    assert ss.B[0, 0] == pytest.approx((np.exp(a * dt) - 1.0) / a * b)


@pytest.mark.parametrize(
    ("kwargs", "start"),
    [
        (
            dict(A=np.eye(3), B=np.ones((2, 1)), C=np.ones((1, 3)), D=np.zeros((1, 1))),
            "B has 2 rows but A is 3x3",
        ),
        (
            dict(A=np.ones((2, 3)), B=np.ones((2, 1)), C=np.ones((1, 3)), D=np.zeros((1, 1))),
            "A must be square",
        ),
        (
            dict(A=np.eye(2), B=np.ones((2, 1)), C=np.ones((1, 3)), D=np.zeros((1, 1))),
            "C has 3 columns",
        ),
        (
            dict(A=np.eye(2), B=np.ones((2, 1)), C=np.ones((1, 2)), D=np.zeros((2, 1))),
            "D has 2 rows",
        ),
        (
            dict(A=np.eye(2), B=np.ones((2, 1)), C=np.ones((1, 2)), D=np.zeros((1, 2))),
            "D has 2 columns",
        ),
        (
            dict(A=np.ones(2), B=np.ones((2, 1)), C=np.ones((1, 2)), D=np.zeros((1, 1))),
            "A must be a 2-D",
        ),
        (dict(A=np.eye(1), B=[[np.nan]], C=[[1.0]], D=[[0.0]]), "B has non-finite"),
    ],
)
def test_dimension_errors_name_the_matrix(kwargs: dict, start: str) -> None:
    with pytest.raises(ValueError) as exc:
        StateSpace(dt=1.0, **kwargs)
    assert str(exc.value).startswith(start)


@pytest.mark.parametrize("dt", [0.0, -1.0, np.nan, np.inf])
def test_dt_must_be_positive(dt: float) -> None:
    with pytest.raises(ValueError, match=r"^dt"):
        StateSpace([[1.0]], [[1.0]], [[1.0]], [[0.0]], dt)


def test_from_continuous_checks_dimensions_too() -> None:
    with pytest.raises(ValueError, match=r"^B has 1 rows but A is 2x2"):
        StateSpace.from_continuous(
            np.eye(2), np.ones((1, 1)), np.ones((1, 2)), np.zeros((1, 1)), 1.0
        )


def test_matrices_are_read_only_copies() -> None:
    A = np.eye(2)
    ss = StateSpace(A, np.ones((2, 1)), np.eye(2), np.zeros((2, 1)), 1.0)
    A[0, 0] = 5.0
    assert ss.A[0, 0] == 1.0
    with pytest.raises(ValueError):
        ss.A[0, 0] = 2.0


def test_step_and_simulate_agree() -> None:
    rng = np.random.default_rng(3)
    ss = StateSpace.from_continuous(
        _random_stable(rng, 3),
        rng.normal(size=(3, 2)),
        rng.normal(size=(2, 3)),
        rng.normal(size=(2, 2)),
        0.5,
    )
    w0 = rng.normal(size=3)
    U = rng.normal(size=(6, 2))
    W, V = ss.simulate(w0, U)
    assert W.shape == (7, 3) and V.shape == (6, 2)
    w = w0
    for k in range(6):
        w_next, v = ss.step(w, U[k])
        np.testing.assert_allclose(v, V[k])
        np.testing.assert_allclose(w_next, W[k + 1])
        w = w_next


def test_steady_state() -> None:
    ss = StateSpace([[0.5]], [[1.0, 2.0]], [[1.0]], [[0.0, 0.0]], 1.0)
    np.testing.assert_allclose(ss.steady_state([1.0, 1.0]), [6.0])


def _plant(**over: object) -> Plant:
    kw: dict = dict(
        name="p",
        model=StateSpace([[0.9]], [[1.0, 0.5, 0.2]], [[1.0]], [[0.0, 0.0, 0.0]], 0.25),
        input_roles=(InputRole.MARKET, InputRole.EXOGENOUS, InputRole.COSTLY),
        output_roles=(OutputRole.TRACKED,),
        input_cost=np.array([0.0, 0.0, 0.1]),
        u_min=np.array([0.0, -np.inf, 0.0]),
        u_max=np.array([1.0, np.inf, 2.0]),
    )
    kw.update(over)
    return Plant(**kw)


def test_plant_defaults_and_indices() -> None:
    p = _plant()
    assert p.decision_inputs == (0, 2)
    assert p.exogenous_inputs == (1,)
    assert p.costly_inputs == (2,)
    assert p.tracked_outputs == (0,)
    assert np.all(np.isinf(p.u_delta))
    assert p.v_min[0] == -np.inf and p.v_max[0] == np.inf
    assert p.input_names == ("u0", "u1", "u2")
    assert p.is_stable()
    U = p.full_inputs(np.array([[0.5, 1.0]]), np.array([[7.0]]))
    np.testing.assert_allclose(U, [[0.5, 7.0, 1.0]])
    # A costly input is fuel unless stated; nothing is stored unless stated.
    assert p.cost_kinds == (None, None, CostKind.FUEL)
    assert p.inputs_of_kind(CostKind.FUEL) == (2,) and p.inputs_of_kind(CostKind.WEAR) == ()
    np.testing.assert_array_equal(p.stored_energy, [0.0])


def test_shipped_plants_state_their_cost_kinds_and_storage() -> None:
    b, g = battery(), gas_turbine()
    assert b.inputs_of_kind(CostKind.WEAR) == (1, 2) and b.inputs_of_kind(CostKind.FUEL) == ()
    np.testing.assert_array_equal(b.stored_energy, [1.0])  # the state is the SoC, kWh
    assert g.inputs_of_kind(CostKind.FUEL) == (1,)
    np.testing.assert_array_equal(g.stored_energy, [0.0])  # last generation: no energy


@pytest.mark.parametrize(
    ("over", "field"),
    [
        (
            dict(input_roles=(InputRole.EXOGENOUS, InputRole.MARKET, InputRole.COSTLY)),
            "input_roles",
        ),
        (dict(input_roles=(InputRole.MARKET, InputRole.COSTLY)), "input_roles"),
        (dict(output_roles=()), "output_roles"),
        (dict(input_cost=np.array([0.1, 0.0, 0.1])), "input_cost"),
        (dict(input_cost=np.array([0.0, 0.0, -0.1])), "input_cost"),
        (dict(u_min=np.array([2.0, 0.0, 0.0])), "u_min"),
        (dict(u_min=np.array([0.0, 0.0, -1.0])), "u_min"),
        (dict(u_max=np.array([1.0, 1.0])), "u_max"),
        (dict(u_delta=np.array([-1.0, 0.0, 0.0])), "u_delta"),
        (dict(v_min=np.array([3.0]), v_max=np.array([2.0])), "v_min"),
        (
            dict(output_roles=(OutputRole.BALANCE,), v_min=np.array([-1.0]), v_max=np.array([0.0])),
            "v_min",
        ),
        (dict(input_names=("a", "b")), "input_names"),
        (dict(cost_kinds=(None, None)), "cost_kinds"),
        (dict(cost_kinds=(None, CostKind.WEAR, CostKind.FUEL)), "cost_kinds"),
        (dict(cost_kinds=(None, None, None)), "cost_kinds"),
        (dict(stored_energy=np.array([1.0, 0.0])), "stored_energy"),
        (dict(stored_energy=np.array([np.inf])), "stored_energy"),
        (dict(name=""), "name"),
    ],
)
def test_plant_validation_names_the_field(over: dict, field: str) -> None:
    with pytest.raises(ValueError) as exc:
        _plant(**over)
    assert str(exc.value).startswith(field)
