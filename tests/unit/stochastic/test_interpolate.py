"""Unit values from points (linear) and interval means (conservative)."""

import numpy as np
import pytest

from rex_cli.stochastic.interpolate import units_from_intervals, units_from_points


def test_points_mean_of_the_linear_interpolant_by_hand():
    # samples 0 at t=0, 60 at t=60: unit [0, 15) has mean 7.5, [15, 30) 22.5 ...
    out = units_from_points([0.0, 60.0], [0.0, 60.0], start_min=0.0, unit_minutes=15.0, n_units=4)
    assert np.allclose(out, [7.5, 22.5, 37.5, 52.5])


def test_points_across_a_knot_and_held_beyond_the_ends():
    # a tent 0 -> 10 -> 0 at t = 0, 10, 20; unit [0, 20) mean = 5; beyond: held at 0
    out = units_from_points([0, 10, 20], [0, 10, 0], start_min=0.0, unit_minutes=20.0, n_units=2)
    assert np.allclose(out, [5.0, 0.0])


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("unit", [5.0, 7.0, 15.0, 60.0, 180.0])
def test_intervals_conserve_the_integral(order, unit):
    rng = np.random.default_rng(3)
    means = np.concatenate([np.zeros(5), rng.uniform(0, 800, 14), np.zeros(5)])
    edges = 60.0 * np.arange(means.size + 1)
    n = int(edges[-1] // unit)
    out = units_from_intervals(
        edges, means, start_min=0.0, unit_minutes=unit, n_units=n, order=order
    )
    covered = n * unit
    full = int(covered // 60)
    exact = means[:full].sum() * 60.0
    if covered > full * 60:  # the unit grid ends inside an hour that is zero (night)
        assert means[full] == 0.0
    assert np.isclose(out.sum() * unit, exact)
    assert (out >= -1e-12).all()


def test_order2_is_zero_next_to_zero_and_within_neighbour_means():
    means = np.array([0.0, 0.0, 100.0, 300.0, 200.0, 0.0, 0.0])
    edges = 60.0 * np.arange(8)
    out = units_from_intervals(edges, means, start_min=0.0, unit_minutes=15.0, n_units=28, order=2)
    assert (out[:8] == 0).all() and (out[-8:] == 0).all()
    assert out.min() >= 0 and out.max() <= 300.0 + 1e-9
    # hour means kept
    assert np.allclose(out.reshape(7, 4).mean(axis=1), means)


def test_order1_holds_each_mean():
    out = units_from_intervals(
        [0, 15, 30], [4.0, 8.0], start_min=0, unit_minutes=5, n_units=6, order=1
    )
    assert np.allclose(out, [4, 4, 4, 8, 8, 8])
    out = units_from_intervals(
        [0, 15, 30], [4.0, 8.0], start_min=0, unit_minutes=30, n_units=1, order=1
    )
    assert np.allclose(out, [6.0])
