"""Linear damping weights, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rex_cli.control import TerminalCondition, Weights, WeightShape


def test_linear_damping_by_hand() -> None:
    w = Weights(q=0.2, o=4.0, r=2.0, l=1.0, damp_costs=True)
    # κ = 4: (κ − k + 1)/κ for k = 1..4 -> 4/4, 3/4, 2/4, 1/4.
    np.testing.assert_allclose(w.damping(4), [1.0, 0.75, 0.5, 0.25])
    Q, O_w, R = w.profile(4)
    np.testing.assert_allclose(Q, [0.2, 0.15, 0.1, 0.05])
    np.testing.assert_allclose(O_w, [4.0, 3.0, 2.0, 1.0])
    np.testing.assert_allclose(R, [2.0, 1.5, 1.0, 0.5])


def test_costs_undamped_by_default_risk_weights_still_damped() -> None:
    # Money is not a risk weight: R stays r on every unit; Q and O keep the damping.
    w = Weights(q=0.2, o=4.0, r=2.0)
    Q, O_w, R = w.profile(4)
    np.testing.assert_allclose(Q, [0.2, 0.15, 0.1, 0.05])
    np.testing.assert_allclose(O_w, [4.0, 3.0, 2.0, 1.0])
    np.testing.assert_allclose(R, [2.0, 2.0, 2.0, 2.0])


def test_undamped_costs_keep_a_turbine_from_selling_below_fuel_cost() -> None:
    # A turbine alone with a bid of 0.10 on every unit and fuel at 0.12: undamped it
    # never sells; with the seeds' damped R it sells on every unit where it sees fuel
    # at 0.12 * (κ − k + 1)/κ < 0.10: units 2, 3, 4 of κ = 4 (0.09, 0.06, 0.03).
    from rex_cli.control import solve_rhpo
    from rex_cli.plants import builders

    plant = builders.gas_turbine(
        unit_minutes=15.0, p_min_kw=0.0, p_max_kw=8.0, ramp_kw=8.0, marginal_cost=0.12
    )
    kw = dict(
        bid=np.full(4, 0.10), ask=np.full(4, np.nan), position=np.zeros(4),
        w0=np.zeros(plant.n_states), short_price=0.4, bid_depth=np.full(4, 1.0),
        ask_depth=np.zeros(4),
    )  # fmt: skip
    flat = solve_rhpo(plant, Weights(), **kw)
    damped = solve_rhpo(plant, Weights(damp_costs=True), **kw)
    np.testing.assert_allclose(flat.sell, 0.0, atol=1e-9)
    np.testing.assert_allclose(damped.sell, [0.0, 1.0, 1.0, 1.0], atol=1e-9)


def test_damp_costs_must_be_bool() -> None:
    with pytest.raises(ValueError, match=r"^damp_costs"):
        Weights(damp_costs="yes")  # type: ignore[arg-type]


def test_linear_damping_single_unit_and_last_unit() -> None:
    w = Weights(q=1.0)
    np.testing.assert_allclose(w.damping(1), [1.0])
    d = w.damping(96)
    assert d[0] == 1.0 and d[-1] == pytest.approx(1.0 / 96)
    assert np.all(np.diff(d) < 0)


def test_flat_weights() -> None:
    w = Weights(q=0.3, o=2.0, r=1.5, shape=WeightShape.FLAT)
    Q, O_w, R = w.profile(3)
    np.testing.assert_allclose(Q, [0.3] * 3)
    np.testing.assert_allclose(O_w, [2.0] * 3)
    np.testing.assert_allclose(R, [1.5] * 3)


def test_enums_from_strings() -> None:
    w = Weights(shape="flat", terminal="request")  # type: ignore[arg-type]
    assert w.shape is WeightShape.FLAT and w.terminal is TerminalCondition.REQUEST


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(q=-1.0), "q"),
        (dict(o=math.inf), "o"),
        (dict(r=math.nan), "r"),
        (dict(l=-0.5), "l"),
        (dict(terminal_tolerance=-1.0), "terminal_tolerance"),
        (dict(shape="cubic"), "shape"),
        (dict(terminal="end"), "terminal"),
        (dict(q="1"), "q"),
    ],
)
def test_validation_names_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError) as exc:
        Weights(**kwargs)
    assert str(exc.value).startswith(field)


@pytest.mark.parametrize("kappa", [0, -3, 2.5, True])
def test_kappa_must_be_positive_integer(kappa: object) -> None:
    with pytest.raises(ValueError, match=r"^kappa"):
        Weights().damping(kappa)  # type: ignore[arg-type]
