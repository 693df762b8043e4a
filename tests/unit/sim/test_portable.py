"""``rex_cli.sim.portable``: the C library's results, bit for bit, with NumPy's edge cases."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

import rex_cli
from rex_cli.sim import portable

RNG = np.random.default_rng(20261202)
X = np.concatenate([RNG.normal(0, 3, 2000), RNG.uniform(-0.999, 50, 2000), [0.0, -0.0, 1e-300]])


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("exp", X),
        ("expm1", X),
        ("log", np.abs(X) + 1e-12),
        ("log1p", X[X > -1]),
        ("sin", X),
        ("cos", X),
    ],
)
def test_each_element_is_the_c_library_value_bit_for_bit(name, domain):
    got = getattr(portable, name)(domain.reshape(-1, 1))
    assert got.shape == (domain.size, 1) and got.dtype == np.float64
    want = np.array([getattr(math, name)(v) for v in domain.tolist()])
    assert got.ravel().tobytes() == want.tobytes()


def test_power_broadcasts_and_matches_pow_bit_for_bit():
    base = RNG.uniform(0.01, 5.0, (50, 1))
    expo = RNG.normal(0.0, 2.0, (1, 7))
    got = portable.power(base, expo)
    want = np.array([[math.pow(b, e) for e in expo[0]] for b in base[:, 0]])
    assert got.shape == (50, 7) and got.tobytes() == want.tobytes()
    assert portable.power(0.9, np.arange(3.0)).tolist() == [1.0, 0.9, 0.9 * 0.9]


def test_numpy_edge_cases_are_kept():
    assert portable.exp(np.array([1000.0]))[0] == math.inf
    assert portable.expm1(np.array([1000.0]))[0] == math.inf
    assert portable.log(np.array([0.0]))[0] == -math.inf
    assert math.isnan(portable.log(np.array([-1.0]))[0])
    assert portable.log1p(np.array([-1.0]))[0] == -math.inf
    assert math.isnan(portable.log1p(np.array([-2.0]))[0])
    assert math.isnan(portable.power(np.array([-8.0]), np.array([1 / 3]))[0])
    assert portable.power(
        np.array([10.0, -10.0, -10.0]), np.array([400.0, 401.0, 400.0])
    ).tolist() == [
        math.inf,
        -math.inf,
        math.inf,
    ]


def test_out_argument_writes_in_place():
    y = np.array([0.5, 1.5, 2.5])
    res = portable.log1p(y, out=y)
    assert res is y and y.tolist() == [math.log1p(0.5), math.log1p(1.5), math.log1p(2.5)]


DISPATCHED = re.compile(r"\bnp\.(exp|expm1|log|log1p|log2|log10|power|sin|cos|tan|tanh|arctan)\(")


def test_the_simulation_never_calls_numpys_cpu_dispatched_transcendentals():
    """A regression guard: NumPy's versions differ between CPUs (AVX-512 vs not)."""
    root = Path(rex_cli.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.parts[-2] != "plots" and path.name != "portable.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if DISPATCHED.search(line)
    ]
    assert not offenders, "use rex_cli.sim.portable instead:\n" + "\n".join(offenders)
