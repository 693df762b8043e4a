"""The one HiGHS set-up: one scheduler thread where the thread allows it, same results."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from rhpo_random import random_instance, random_prices

from rex_cli.control import RhpoSolver
from rex_cli.control.lp.highs import new_highs, pass_model, scheduler_threads


def _in_new_thread(fn: Callable[[], Any]) -> Any:
    """``fn()`` in a fresh thread (a fresh HiGHS scheduler and probe), its result."""
    out: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as e:  # re-raised in the test's thread
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]
    return out[0]


def _small_lp(h: Any) -> tuple[float, list[float]]:
    """max x + y s.t. x + 2y ≤ 4, 3x + y ≤ 6, x, y ≥ 0: optimum x = 8/5, y = 6/5."""
    pass_model(
        h,
        sp.csc_matrix(np.array([[1.0, 2.0], [3.0, 1.0]])),
        np.array([-1.0, -1.0]),
        np.zeros(2),
        np.full(2, np.inf),
        np.full(2, -np.inf),
        np.array([4.0, 6.0]),
    )
    status = h.run()
    assert status == highspy.HighsStatus.kOk
    return -h.getObjectiveValue(), list(h.getSolution().col_value)


def _plain_run() -> None:
    """A HiGHS run with the library's defaults (``threads = 0``), as pyomo's would be."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    _small_lp(h)


def test_one_thread_when_the_thread_has_run_no_highs_yet() -> None:
    def scenario() -> tuple[int, int, tuple[float, list[float]]]:
        h = new_highs()
        result = _small_lp(h)
        _plain_run()  # a later default instance joins the one-worker scheduler
        return scheduler_threads(), h.getOptionValue("threads")[1], result

    threads, option, (objective, x) = _in_new_thread(scenario)
    assert threads == option == 1
    assert abs(objective - 14 / 5) < 1e-12
    np.testing.assert_allclose(x, [8 / 5, 6 / 5], rtol=0, atol=1e-12)


def test_default_threads_kept_after_a_default_run_in_the_thread() -> None:
    def scenario() -> tuple[int, int, tuple[float, list[float]]]:
        _plain_run()  # fixes the thread's scheduler at HiGHS's own size first
        h = new_highs()
        return scheduler_threads(), h.getOptionValue("threads")[1], _small_lp(h)

    threads, option, (objective, x) = _in_new_thread(scenario)
    assert threads == option == 0
    assert abs(objective - 14 / 5) < 1e-12
    np.testing.assert_allclose(x, [8 / 5, 6 / 5], rtol=0, atol=1e-12)


def _stream(seed: int, threads: int) -> list[bytes]:
    """Primal and dual bytes of 30 warm-started solves of one random plant's LP."""
    inst = random_instance(np.random.default_rng([seed, 16]), kappa=12)
    s = RhpoSolver(inst.plant, inst.weights, inst.kappa)
    s._h.setOptionValue("threads", threads)
    rng = np.random.default_rng([seed, 17])
    out = []
    for _ in range(30):
        kw = dict(inst.kwargs)
        kw.pop("bid_depth", None)
        kw.pop("ask_depth", None)
        kw |= random_prices(rng, inst.kappa, inst.weights.l)
        kw["position"] = inst.kwargs["position"] * rng.uniform(0.5, 1.5, inst.kappa)
        res = s.solve(**kw)
        out.append(res.status.value.encode())
        if res.ok:
            out.append(res.u.tobytes() + res.dual_balance.tobytes() + res.buy.tobytes())
    return out


def test_threads_do_not_change_a_bit_of_warm_started_streams() -> None:
    """Random plants' warm-started streams with ``threads`` 1 and 0: identical bytes."""
    for seed in range(8):
        one = _in_new_thread(lambda seed=seed: _stream(seed, 1))
        zero = _in_new_thread(lambda seed=seed: _stream(seed, 0))
        assert one == zero, seed


def test_a_failed_run_is_an_error_not_the_last_solution() -> None:
    """A run HiGHS refuses (here: another scheduler size than the thread's) is ERROR."""

    def scenario() -> tuple[str, str, str]:
        inst = random_instance(np.random.default_rng([3, 16]), kappa=8)
        s = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        s.warm = False  # the second solve runs HiGHS (not a warm re-solve)
        first = s.solve(**inst.kwargs)
        s._h.setOptionValue("threads", 2)  # the thread's scheduler was fixed at 1
        kw = dict(inst.kwargs)
        kw["position"] = inst.kwargs["position"] + 1.0
        failed = s.solve(**kw)
        side = s.one_sided(0.1, resolve=True).up if failed.ok else None
        return first.status.value, failed.status.value, str(side)

    assert _in_new_thread(scenario) == ("optimal", "error", "None")
