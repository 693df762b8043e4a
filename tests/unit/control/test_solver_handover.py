"""Only what changed is handed to HiGHS: the same solves as a full hand-over.

:meth:`RhpoSolver._update` recomputes a part of its buffers only when the data's arrays
differ bit for bit from the last ones, and :meth:`RhpoSolver._sync` hands HiGHS only the
entries that differ from what it holds (at least one per run). Warm re-solves are off
here: HiGHS solves every time. The reference here is the same solver
made to forget what HiGHS holds before every solve, so it recomputes and hands over
every data column and row (what the solver did before). On random sequences of
arrivals (small moves of positions and prices, repeated and value-equal data, signed
zeros, one-sided values), both give bit-identical results, one-sided values and LPs.
"""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np
import pytest
from rhpo_random import random_instance, random_prices

from rex_cli.control import RhpoSolver, prepare_data
from rex_cli.control.highs import _Seen
from rex_cli.control.problem import RhpoData, RhpoResult


class FullHandOver(RhpoSolver):
    """Forgets what HiGHS holds before every hand-over: every part is handed over."""

    def _update(self, data: RhpoData) -> float:
        self._seen = _Seen()
        for held in (
            self._held_cost,
            self._held_lower,
            self._held_upper,
            self._held_row_lower,
            self._held_row_upper,
        ):
            held[:] = np.nan  # never a data value: every entry differs
        return super()._update(data)


def _lp(solver: RhpoSolver) -> tuple[np.ndarray, ...]:
    lp = solver._h.getLp()
    return tuple(
        np.asarray(a, dtype=np.float64)
        for a in (lp.col_cost_, lp.col_lower_, lp.col_upper_, lp.row_lower_, lp.row_upper_)
    )


def _bits(a: object) -> bytes:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).tobytes()


def _same_result(a: RhpoResult, b: RhpoResult) -> bool:
    if a.status is not b.status or _bits(a.objective) != _bits(b.objective):
        return False
    fields = ("buy", "sell", "surplus", "shortfall", "u", "v", "w", "dual_balance")
    return all(_bits(getattr(a, f)) == _bits(getattr(b, f)) for f in fields)


def _copy(data: RhpoData) -> RhpoData:
    """The same values in new array objects."""
    return dataclasses.replace(
        data,
        **{
            f.name: np.array(getattr(data, f.name), copy=True)
            for f in dataclasses.fields(data)
            if isinstance(getattr(data, f.name), np.ndarray)
        },
    )


def _next(rng: np.random.Generator, inst, last: RhpoData | None) -> RhpoData:  # type: ignore[no-untyped-def]
    """An arrival after ``last``: mostly small moves, sometimes new data or the same values."""
    K = inst.kappa
    r = rng.random()
    if last is None or r < 0.2:
        kw = dict(inst.kwargs)
        kw.update(random_prices(rng, K, inst.weights.l))
        stored = float(rng.choice([0.0, 0.1, -0.0]))
        return prepare_data(inst.plant, K, **kw, stored_value=stored)
    if r < 0.3:
        return _copy(last)  # equal values, other arrays
    if r < 0.35:
        return last  # the same arrays
    changes: dict[str, object] = {}
    if rng.random() < 0.7:  # trades moved some positions (or none: a signed zero)
        pos = last.position.copy()
        moved = rng.random(K) < 0.3
        pos[moved] += rng.choice([-0.5, 0.5, 1.0], moved.sum())
        if rng.random() < 0.2:
            pos[rng.integers(K)] = float(rng.choice([0.0, -0.0]))
        changes["position"] = pos
    if rng.random() < 0.7:  # the book's top moved in some units
        for side in ("bid", "ask"):
            price = getattr(last, side).copy()
            depth = getattr(last, f"{side}_depth").copy()
            moved = rng.random(K) < 0.3
            price[moved] = np.where(rng.random(moved.sum()) < 0.2, np.nan, price[moved] * 1.01)
            depth[moved] = rng.choice([0.5, 1.0, np.inf], moved.sum())
            if side == "bid":
                price = np.where(price >= last.ask, np.nan, price)
            changes[side], changes[f"{side}_depth"] = price, depth
    if rng.random() < 0.2:
        changes["w0"] = last.w0 * rng.uniform(0.95, 1.0)
    if rng.random() < 0.1:
        changes["long_price"] = last.long_price * 0.5
    if rng.random() < 0.1 and last.request.size:
        changes["request"] = last.request + rng.normal(0.0, 0.3)
    if rng.random() < 0.1 and last.exogenous.size:
        changes["exogenous"] = last.exogenous + rng.normal(0.0, 0.5)
    if rng.random() < 0.1:
        changes["u_prev"] = last.u_prev * rng.uniform(0.5, 1.0)
    if rng.random() < 0.1:
        changes["stored_value"] = float(rng.choice([0.0, 0.1, 0.2]))
    return dataclasses.replace(last, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(12))
def test_changed_only_hand_over_solves_as_the_full_one(seed: int) -> None:
    rng = np.random.default_rng(1600 + seed)
    solves = 0
    for _ in range(6):
        inst = random_instance(rng)
        new = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        full = FullHandOver(inst.plant, inst.weights, inst.kappa)
        new.warm = full.warm = False  # HiGHS solves every time: its hand-over is tested
        data = None
        for step in range(25):
            data = _next(rng, inst, data)
            a, b = new.solve_data(data), full.solve_data(data)
            assert _same_result(a, b), (step, inst.plant.name)
            for x, y in zip(_lp(new), _lp(full), strict=True):
                assert _bits(x) == _bits(y), (step, inst.plant.name)
            solves += 1
            if a.ok and rng.random() < 0.6:
                resolve = bool(rng.random() < 0.3)  # the re-solves hand over data too
                sa = new.one_sided(0.1, resolve=resolve)
                sb = full.one_sided(0.1, resolve=resolve)
                assert _bits(sa.up) == _bits(sb.up) and _bits(sa.down) == _bits(sb.down)
                assert sa.solves == sb.solves
    assert solves == 150


def test_unchanged_data_still_drops_the_last_solution() -> None:
    """The same values again: one entry is handed over, so HiGHS must re-solve."""
    rng = np.random.default_rng(7)
    for _ in range(10):
        inst = random_instance(rng)
        solver = RhpoSolver(inst.plant, inst.weights, inst.kappa)
        solver.warm = False  # HiGHS solves every time
        data = prepare_data(inst.plant, inst.kappa, **inst.kwargs)
        solver.solve_data(data)
        assert solver._h.getModelStatus() != highspy.HighsModelStatus.kNotset
        for same in (data, _copy(data)):
            solver._update(same)
            solver._sync()
            assert solver._h.getModelStatus() == highspy.HighsModelStatus.kNotset
            solver._h.run()
