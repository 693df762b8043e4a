"""Quoting strategies: hand-computed rules and the papers' market experiments.

The literature tests run the strategies in a plain CDA (``cda.py``) with a stationary
symmetric schedule: 11 buyers with limits 150, 140, ..., 50 and 11 sellers with
50, 60, ..., 150 (P0 = 100, maximal surplus 300), one unit each per trading day, ten
days, repeated over seeds. The papers' findings checked here:

* ZI-C (Gode & Sunder 1993): high allocative efficiency without any learning, but
  prices do not converge (Smith's α stays high day after day);
* ZIP (Cliff 1997) and AA (Vytelingum et al. 2008): transaction prices converge to the
  competitive equilibrium (α falls over the days to a few percent) and allocative
  efficiency is at least ZI-C's. Which of ZIP and AA is better is not asserted: AA's
  dominance was later found to depend on the market (e.g. Vach 2015, Snashall & Cliff
  2019).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from rex_cli.agents.strategies import (
    AaParams,
    AdaptiveAggressive,
    Shaded,
    ShadedParams,
    Strategy,
    Truthful,
    ZeroIntelligenceConstrained,
    ZeroIntelligencePlus,
    ZicParams,
    ZipParams,
)
from rex_cli.market.orders import Side

from .cda import equilibrium, run_session

BUYERS = list(range(150, 49, -10))
SELLERS = list(range(50, 151, 10))
SEEDS = range(8)
DAYS = 10
STEPS = 600

FACTORIES = {
    "zic": lambda lim, rng: ZeroIntelligenceConstrained(lim, rng, ZicParams(floor=1, ceiling=200)),
    "zip": lambda lim, rng: ZeroIntelligencePlus(lim, rng, ZipParams(ca=2.0)),
    "aa": lambda lim, rng: AdaptiveAggressive(lim, rng, AaParams(floor=1, ceiling=200)),
}


@cache
def _experiment(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(α, efficiency) per seed and day."""
    alpha, eff = [], []
    for seed in SEEDS:
        days = run_session(FACTORIES[name], BUYERS, SELLERS, days=DAYS, steps_per_day=STEPS,
                           seed=seed)  # fmt: skip
        alpha.append([d.alpha for d in days])
        eff.append([d.efficiency for d in days])
    return np.asarray(alpha), np.asarray(eff)


def test_schedule_equilibrium_by_hand() -> None:
    # Pairs (150,50) ... (100,100): surpluses 100+80+60+40+20+0 = 300; P0 = 100.
    assert equilibrium(BUYERS, SELLERS) == (100.0, 300.0)


def test_zic_is_efficient_but_prices_do_not_converge() -> None:
    alpha, eff = _experiment("zic")
    assert eff.mean() > 0.9
    assert np.nanmean(alpha[:, -3:]) > 10.0  # still ~15-20% off P0 on the last days
    assert np.nanmean(alpha[:, -3:]) > 0.7 * np.nanmean(alpha[:, :1])


@pytest.mark.parametrize("name", ["zip", "aa"])
def test_adaptive_prices_converge_to_equilibrium(name: str) -> None:
    alpha, _ = _experiment(name)
    first, last = np.nanmean(alpha[:, 0]), np.nanmean(alpha[:, -3:])
    assert last < 0.5 * first
    assert last < 5.0  # within a few percent of P0
    zic_alpha, _ = _experiment("zic")
    assert last < 0.5 * np.nanmean(zic_alpha[:, -3:])


@pytest.mark.parametrize("name", ["zip", "aa"])
def test_adaptive_efficiency_at_least_zic(name: str) -> None:
    _, eff = _experiment(name)
    _, zic = _experiment("zic")
    assert eff.mean() >= zic.mean()


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_truthful_quotes_the_limit() -> None:
    s = Truthful({Side.BUY: 300.0, Side.SELL: 100.0}, _rng())
    assert s.quote(Side.BUY, lead_frac=1.0, bid=None, ask=None) == 300.0
    assert s.quote(Side.SELL, lead_frac=0.3, bid=250.0, ask=260.0) == 100.0


def test_shaded_rule_by_hand() -> None:
    # v = 300 (buy), margin 10, S = 160, no jitter: at book opening 300 − 10 − 160 = 130;
    # half-way 300 − 10 − 80 = 210; at the take phase 290. A seller at v = 100: 270, 110.
    s = Shaded({Side.BUY: 300.0, Side.SELL: 100.0}, _rng(),
               ShadedParams(margin=10.0, shade=160.0, jitter=0.0))  # fmt: skip
    assert s.quote(Side.BUY, lead_frac=1.0, bid=None, ask=None) == pytest.approx(130.0)
    assert s.quote(Side.BUY, lead_frac=0.5, bid=None, ask=None) == pytest.approx(210.0)
    assert s.quote(Side.BUY, lead_frac=0.0, bid=None, ask=None) == pytest.approx(290.0)
    assert s.quote(Side.SELL, lead_frac=1.0, bid=None, ask=None) == pytest.approx(270.0)
    assert s.quote(Side.SELL, lead_frac=0.0, bid=None, ask=None) == pytest.approx(110.0)


def test_zic_draws_within_range_and_never_beyond_the_limit() -> None:
    s = ZeroIntelligenceConstrained({Side.BUY: 120.0, Side.SELL: 80.0}, _rng(),
                                    ZicParams(floor=10.0, ceiling=200.0))  # fmt: skip
    bids = [s.quote(Side.BUY, lead_frac=1.0, bid=None, ask=None) for _ in range(2000)]
    asks = [s.quote(Side.SELL, lead_frac=1.0, bid=None, ask=None) for _ in range(2000)]
    assert 10.0 <= min(bids) and max(bids) <= 120.0
    assert 80.0 <= min(asks) and max(asks) <= 200.0
    assert np.mean(bids) == pytest.approx(65.0, abs=2.0)  # uniform: mean (10 + 120)/2
    assert np.mean(asks) == pytest.approx(140.0, abs=2.0)


class _Fixed:
    """A stand-in generator whose uniform draws are all ``u``."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self, n: int | None = None) -> np.ndarray | float:
        return self.u if n is None else np.full(n, self.u)

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u


def test_zip_widrow_hoff_update_by_hand() -> None:
    # u = 0.5 for every draw: β = 0.1 + 0.4·0.5 = 0.3, γ = 0.05, seller margin 0.2.
    # Seller limit 100 quotes 120. A trade at 130 (≥ its price): raise towards
    # τ = 130·(1 + 0.05·0.5) + 2·0.5 = 134.25; Δ = 0.3·(134.25 − 120) = 4.275;
    # Γ = 0.05·0 + 0.95·4.275 = 4.06125; μ = (120 + 4.06125)/100 − 1 = 0.2406125.
    s = ZeroIntelligencePlus({Side.SELL: 100.0}, _Fixed(0.5), ZipParams(ca=2.0))  # type: ignore[arg-type]
    assert s.beta == pytest.approx(0.3) and s.gamma == pytest.approx(0.05)
    assert s.price(Side.SELL) == pytest.approx(120.0)
    s.on_trade(130.0, Side.BUY)
    assert s.margin[Side.SELL] == pytest.approx(0.2406125)
    # An ask improved to 110 while active and above it: lower towards
    # τ = 110·(1 − 0.025) − 1 = 106.25 from p = 124.06125: Δ = 0.3·(−17.81125)
    # = −5.343375; Γ = 0.05·4.06125 + 0.95·(−5.343375) = −4.87314375.
    s.active = {Side.SELL}
    s.on_improve(Side.SELL, 110.0)
    assert s.price(Side.SELL) == pytest.approx(124.06125 - 4.87314375)


def test_zip_margin_never_crosses_the_limit() -> None:
    s = ZeroIntelligencePlus({Side.BUY: 100.0, Side.SELL: 100.0}, _rng(), ZipParams(ca=2.0))
    s.active = {Side.BUY, Side.SELL}
    for q in np.linspace(300, 10, 200):
        s.on_trade(float(q), Side.BUY)
        s.on_improve(Side.BUY, float(q))
        s.on_improve(Side.SELL, float(q))
        assert s.price(Side.BUY) <= 100.0 + 1e-9
        assert s.price(Side.SELL) >= 100.0 - 1e-9


def _aa(limits: dict[Side, float], eq: float = 100.0, theta: float = -2.0) -> AdaptiveAggressive:
    s = AdaptiveAggressive(limits, _rng(), AaParams(floor=1.0, ceiling=200.0))
    s.eq, s.theta = eq, theta
    return s


@pytest.mark.parametrize("theta", [-6.0, -2.0, 0.5, 2.0])
def test_aa_target_curves(theta: float) -> None:
    # Intra-marginal buyer (limit 150 > p̂* = 100): τ(−1) = 0, τ(0) = p̂*, τ(1) = limit,
    # increasing, smooth at r = 0 (the left branch's θ̃ matches the slopes).
    s = _aa({Side.BUY: 150.0, Side.SELL: 50.0}, theta=theta)
    rs = np.linspace(-1, 1, 201)
    tb = np.array([s.target(Side.BUY, r) for r in rs])
    assert tb[0] == pytest.approx(0.0, abs=1e-9)
    assert tb[100] == pytest.approx(100.0)
    assert tb[-1] == pytest.approx(150.0)
    assert np.all(np.diff(tb) > 0)
    h = 1e-6
    left = (s.target(Side.BUY, 0.0) - s.target(Side.BUY, -h)) / h
    right = (s.target(Side.BUY, h) - s.target(Side.BUY, 0.0)) / h
    assert left == pytest.approx(right, rel=1e-3)
    # Intra-marginal seller (limit 50): τ(−1) = p_max = 200, τ(0) = p̂*, τ(1) = limit.
    ts = np.array([s.target(Side.SELL, r) for r in rs])
    assert ts[0] == pytest.approx(200.0)
    assert ts[100] == pytest.approx(100.0)
    assert ts[-1] == pytest.approx(50.0)
    assert np.all(np.diff(ts) < 0)
    left = (s.target(Side.SELL, 0.0) - s.target(Side.SELL, -h)) / h
    right = (s.target(Side.SELL, h) - s.target(Side.SELL, 0.0)) / h
    assert left == pytest.approx(right, rel=1e-3)


def test_aa_extra_marginal_never_quotes_beyond_its_limit() -> None:
    s = _aa({Side.BUY: 80.0, Side.SELL: 120.0})  # both extra-marginal at p̂* = 100
    for r in np.linspace(-1, 1, 21):
        assert s.target(Side.BUY, r) <= 80.0 + 1e-9
        assert s.target(Side.SELL, r) >= 120.0 - 1e-9
    assert s.target(Side.BUY, 0.5) == 80.0 and s.target(Side.SELL, 0.5) == 120.0


def test_aa_r_shout_inverts_the_target() -> None:
    s = _aa({Side.BUY: 150.0, Side.SELL: 50.0})
    for side in (Side.BUY, Side.SELL):
        for r in (-0.8, -0.2, 0.0, 0.3, 0.9):
            assert s._r_shout(side, s.target(side, r)) == pytest.approx(r, abs=1e-6)


def test_aa_bidding_rules() -> None:
    s = _aa({Side.BUY: 150.0})
    s.r[Side.BUY] = 0.0  # τ = p̂* = 100
    # Move a third of the way from the best bid 70 to τ: 70 + 30/3 = 80.
    assert s.quote(Side.BUY, lead_frac=1.0, bid=70.0, ask=120.0) == pytest.approx(80.0)
    # Target reaches the best ask: take it.
    assert s.quote(Side.BUY, lead_frac=1.0, bid=70.0, ask=99.0) == pytest.approx(99.0)
    # Best bid already at the limit: no bid.
    assert s.quote(Side.BUY, lead_frac=1.0, bid=150.0, ask=160.0) is None
    # Within a tick of the target the quote still improves the best bid by one tick.
    assert s.quote(Side.BUY, lead_frac=1.0, bid=99.5, ask=120.0) == pytest.approx(100.5)
    # Spin-up (no trade seen): a third of the way to min(limit, ask⁺),
    # ask⁺ = 1.02·120 + 0.01 = 122.41: 70 + (122.41 − 70)/3.
    fresh = AdaptiveAggressive({Side.BUY: 150.0}, _rng(), AaParams(floor=1.0, ceiling=200.0))
    got = fresh.quote(Side.BUY, lead_frac=1.0, bid=70.0, ask=120.0)
    assert got == pytest.approx(70.0 + (122.41 - 70.0) / 3.0)


def test_aa_learning_after_trades() -> None:
    # Equilibrium estimate: ρ-weighted mean of the last N = 5 trades (weights 0.9^age).
    s = AdaptiveAggressive({Side.BUY: 150.0}, _rng(), AaParams(floor=1.0, ceiling=200.0))
    for p in (90.0, 100.0, 110.0, 120.0, 130.0, 140.0):
        s.on_trade(p, Side.BUY)
    w = 0.9 ** np.arange(4, -1, -1)
    assert s.eq == pytest.approx(float(w @ np.array([100, 110, 120, 130, 140]) / w.sum()))
    assert -8.0 <= s.theta <= 2.0
    assert -1.0 <= s.r[Side.BUY] <= 1.0
    # A buyer whose target is below a trade price becomes more aggressive.
    s.r[Side.BUY] = -0.5
    before = s.target(Side.BUY)
    s.on_trade(s.eq + 20.0, Side.BUY)
    assert s.target(Side.BUY) > before or math.isclose(s.r[Side.BUY], 1.0)


def test_every_strategy_respects_its_limits_on_random_books() -> None:
    rng = np.random.default_rng(3)
    lim = {Side.BUY: 120.0, Side.SELL: 80.0}
    makers: list[Strategy] = [
        Truthful(lim, rng),
        Shaded(lim, rng, ShadedParams(margin=1, shade=30, jitter=0.3)),
        ZeroIntelligenceConstrained(lim, rng, ZicParams(floor=1, ceiling=200)),
        ZeroIntelligencePlus(lim, rng, ZipParams(ca=2.0)),
        AdaptiveAggressive(lim, rng, AaParams(floor=1, ceiling=200)),
    ]
    for s in makers:
        s.active = {Side.BUY, Side.SELL}
        for _ in range(300):
            b, a = sorted(rng.uniform(1, 200, 2))
            s.on_trade(float(rng.uniform(1, 200)), Side.BUY if rng.random() < 0.5 else Side.SELL)
            s.on_improve(Side.BUY, float(b))
            qb = s.quote(Side.BUY, lead_frac=float(rng.random()), bid=float(b), ask=float(a))
            qs = s.quote(Side.SELL, lead_frac=float(rng.random()), bid=float(b), ask=float(a))
            assert qb is None or qb <= 120.0 + 1e-9
            assert qs is None or qs >= 80.0 - 1e-9
