"""Quoting strategies of the coordinators of uncontrollable clients (``strategy=``).

A strategy turns a *limit price* (the client's reservation value for the side it
works: the expected short price while short, the expected long price while long)
into the price of the limit order the coordinator rests in a unit's book. It never
trades at a loss against its limit: a bid is never above it, an ask never below.

* :class:`Truthful`: quote at the limit.
* :class:`Shaded`: Rex's original rule: the limit moved away by a margin and a shade
  that falls linearly with lead time (``docs/model.md``).
* :class:`ZeroIntelligenceConstrained`: ZI-C of Gode & Sunder (1993), "Allocative
  efficiency of markets with zero-intelligence traders: market as a partial
  substitute for individual rationality", *J. Political Economy* 101(1):119-137.
* :class:`ZeroIntelligencePlus`: ZIP of Cliff (1997), "Minimal-intelligence agents
  for bargaining behaviours in market-based environments", HP Labs HPL-97-91.
* :class:`AdaptiveAggressive`: AA of Vytelingum, Cliff & Jennings (2008), "Strategic
  bidding in continuous double auctions", *Artificial Intelligence* 172(14):1700-1729.

Prices are in ticks (floats inside a strategy; the caller rounds). Adaptive
strategies (ZIP, AA) learn from the public tape: every trade (price, and whether a
bid was hit or an ask lifted) and every improvement of a best bid or ask. They never
see owners. Each strategy draws only from the generator it is given (in Rex the
stream ``("strategy", kind, i)`` of the run's seed tree).

One strategy object serves one coordinator on every open unit: its learned state
(ZIP's margins, AA's equilibrium estimate, θ and aggressiveness) is one per side and
carries over from unit to unit, as ZIP's margins and AA's estimates carry over from
one trading period to the next in the papers: Rex's units are successive markets for
the same good with the same limit prices.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from rex_cli.market.orders import Side
from rex_cli.sim import portable

__all__ = [
    "AaParams",
    "AdaptiveAggressive",
    "Shaded",
    "ShadedParams",
    "Strategy",
    "Truthful",
    "ZeroIntelligenceConstrained",
    "ZeroIntelligencePlus",
    "ZicParams",
    "ZipParams",
]

_BUY, _SELL = Side.BUY, Side.SELL


class Strategy:
    """Base class: a quoting strategy for a trader with a limit price per side.

    Args:
        limits: Limit price (ticks) of each side the trader may work; a side that is
            absent is never quoted.
        rng: The strategy's own generator.

    Attributes:
        active: Sides the trader is currently working (set by its coordinator); ZIP
            uses it as in the paper ("any *active* seller ...").
    """

    adaptive = False
    # Whether ``quote`` reads the best bid and ask; the caller may pass ``None`` for
    # both to a strategy that does not (they cost two depth queries per quote).
    reads_book = True

    def __init__(self, limits: dict[Side, float], rng: np.random.Generator) -> None:
        self.limits = {side: float(v) for side, v in limits.items()}
        self.rng = rng
        self.active: set[Side] = set()

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """Price of the limit order to rest on ``side``, ticks; ``None`` = no order now.

        Args:
            side: The side worked.
            lead_frac: Lead time to gate closure as a share of the trading window
                before the take phase (1 when the book opens, 0 at the take phase).
            bid: Best bid of the unit's book (ticks) or ``None``.
            ask: Best ask or ``None``.
        """
        raise NotImplementedError

    def on_trade(self, price: float, aggressor: Side) -> None:
        """A trade at ``price``; ``aggressor`` BUY = an ask was lifted, SELL = a bid hit."""

    def on_improve(self, side: Side, price: float) -> None:
        """The best ``side`` quote of a book improved to ``price`` (no trade)."""


class Truthful(Strategy):
    """Quote at the limit price: the reservation value itself."""

    reads_book = False

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """See :meth:`Strategy.quote`."""
        return self.limits[side]


@dataclass(frozen=True, kw_only=True)
class ShadedParams:
    """Parameters of :class:`Shaded`, ticks.

    Attributes:
        margin: Half-width of the band around the limit.
        shade: Initial shading ``S`` (when the book opens).
        jitter: Relative spread of the shading, uniform ±.
    """

    margin: float
    shade: float
    jitter: float


class Shaded(Strategy):
    """Rex's original rule: ``v ∓ (margin + S·f·(1 + j·U(−1, 1)))``.

    ``f`` is the lead-time share ``lead_frac``: 1 when the book opens, 0 at the take
    phase. A buyer quotes below its limit ``v``, a seller above.
    """

    reads_book = False

    def __init__(
        self, limits: dict[Side, float], rng: np.random.Generator, params: ShadedParams
    ) -> None:
        super().__init__(limits, rng)
        self.params = params

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """See :meth:`Strategy.quote`."""
        p = self.params
        u = float(self.rng.uniform(-1.0, 1.0))
        away = p.margin + p.shade * min(max(lead_frac, 0.0), 1.0) * (1.0 + p.jitter * u)
        v = self.limits[side]
        return v - away if side is _BUY else v + away


@dataclass(frozen=True, kw_only=True)
class ZicParams:
    """Parameters of ZI-C: the price range of the market, ticks.

    Attributes:
        floor: Lowest price a buyer draws from.
        ceiling: Highest price a seller draws from.
    """

    floor: float
    ceiling: float


class ZeroIntelligenceConstrained(Strategy):
    """ZI-C (Gode & Sunder 1993): a uniform random price that cannot lose money.

    A buyer with limit ``v`` bids ``U[floor, v]``, a seller asks ``U[v, ceiling]``
    (the paper's range is the market's whole price range, 1-200 in its experiments);
    every shout is drawn afresh. A limit outside the range quotes the limit.
    """

    reads_book = False

    def __init__(
        self, limits: dict[Side, float], rng: np.random.Generator, params: ZicParams
    ) -> None:
        super().__init__(limits, rng)
        self.params = params

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """See :meth:`Strategy.quote`."""
        v = self.limits[side]
        if side is _BUY:
            lo, hi = min(self.params.floor, v), v
        else:
            lo, hi = v, max(self.params.ceiling, v)
        return float(self.rng.uniform(lo, hi)) if hi > lo else v


@dataclass(frozen=True, kw_only=True)
class ZipParams:
    """Parameters of ZIP (Cliff 1997); each trader draws its own from the ranges.

    Attributes:
        beta: Range of the learning rate β (paper: U[0.1, 0.5]).
        momentum: Range of the momentum γ (paper: U[0, 0.1]).
        margin: Range of the initial profit margin |μ| (paper: U[0.05, 0.35]).
        cr: Largest relative perturbation of a target price (paper: 0.05).
        ca: Largest absolute perturbation of a target price, ticks (paper: 0.05 in
            its price units; scale it to the market's prices).
    """

    beta: tuple[float, float] = (0.1, 0.5)
    momentum: tuple[float, float] = (0.0, 0.1)
    margin: tuple[float, float] = (0.05, 0.35)
    cr: float = 0.05
    ca: float = 5.0


class ZeroIntelligencePlus(Strategy):
    """ZIP (Cliff 1997): a profit margin adapted by Widrow-Hoff with momentum.

    The quote is ``p = λ(1 + μ)`` with ``μ ≥ 0`` for a seller and ``−1 ≤ μ ≤ 0`` for a
    buyer. After each market event with price ``q`` the margin moves towards a target
    ``τ = R·q + A`` (``R`` within ``cr`` of 1, ``A`` within ``ca`` of 0, raised or
    lowered): ``Δ = β(τ − p)``, ``Γ ← γΓ + (1 − γ)Δ``, ``μ ← (p + Γ)/λ − 1``.
    The rules of the paper:

    * seller: on a trade at ``q``, raise the margin if ``p ≤ q``; if the trade lifted
      an ask and the seller is active with ``p > q``, lower it. On an ask improved to
      ``q`` without a trade, an active seller with ``p ≥ q`` lowers its margin;
    * buyer: on a trade at ``q``, raise the margin (lower the bid) if ``p ≥ q``; if it
      hit a bid and the buyer is active with ``p < q``, lower it. On a bid improved to
      ``q``, an active buyer with ``p ≤ q`` lowers its margin (raises its bid).

    A margin update that would cross the limit is ignored (as in the paper). The
    comparisons use the quote rounded to the tick grid, the price the market saw
    (with the unrounded quote a trader a fraction of a tick above its own standing
    bid never reacts to it, and the market stalls).
    """

    reads_book = False

    adaptive = True

    def __init__(
        self, limits: dict[Side, float], rng: np.random.Generator, params: ZipParams
    ) -> None:
        super().__init__(limits, rng)
        self.params = params
        self.beta = float(rng.uniform(*params.beta))
        self.gamma = float(rng.uniform(*params.momentum))
        self.margin = {
            _BUY: -float(rng.uniform(*params.margin)),
            _SELL: float(rng.uniform(*params.margin)),
        }
        self.change = {_BUY: 0.0, _SELL: 0.0}

    def price(self, side: Side) -> float:
        """Current quote of ``side``: ``λ(1 + μ)``."""
        return self.limits[side] * (1.0 + self.margin[side])

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """See :meth:`Strategy.quote`."""
        return self.price(side)

    def _up(self, q: float) -> float:
        r = self.rng.random(2)
        return q * (1.0 + self.params.cr * r[0]) + self.params.ca * r[1]

    def _down(self, q: float) -> float:
        r = self.rng.random(2)
        return q * (1.0 - self.params.cr * r[0]) - self.params.ca * r[1]

    def _alter(self, side: Side, target: float) -> None:
        limit = self.limits[side]
        if limit <= 0.0:
            return
        p = self.price(side)
        change = self.gamma * self.change[side] + (1.0 - self.gamma) * self.beta * (target - p)
        self.change[side] = change
        mu = (p + change) / limit - 1.0
        if (side is _BUY and -1.0 <= mu <= 0.0) or (side is _SELL and mu >= 0.0):
            self.margin[side] = mu

    def _shouted(self, side: Side) -> float:
        """The current quote on the tick grid (what the market sees)."""
        return float(round(self.price(side)))

    def on_trade(self, price: float, aggressor: Side) -> None:
        """See :meth:`Strategy.on_trade`."""
        if _SELL in self.limits:
            p = self._shouted(_SELL)
            if p <= price:
                self._alter(_SELL, self._up(price))
            elif aggressor is _BUY and _SELL in self.active:
                self._alter(_SELL, self._down(price))
        if _BUY in self.limits:
            p = self._shouted(_BUY)
            if p >= price:
                self._alter(_BUY, self._down(price))
            elif aggressor is _SELL and _BUY in self.active:
                self._alter(_BUY, self._up(price))

    def on_improve(self, side: Side, price: float) -> None:
        """See :meth:`Strategy.on_improve`."""
        if side is _SELL and _SELL in self.limits and _SELL in self.active:
            if self._shouted(_SELL) >= price:
                self._alter(_SELL, self._down(price))
        elif side is _BUY and _BUY in self.limits and _BUY in self.active:
            if self._shouted(_BUY) <= price:
                self._alter(_BUY, self._up(price))


@dataclass(frozen=True, kw_only=True)
class AaParams:
    """Parameters of AA (Vytelingum, Cliff & Jennings 2008).

    Attributes:
        floor: Lowest price of the market, ticks (a buyer's bid with no bid yet).
        ceiling: Highest price ``p_max``, ticks (a seller's ask with no ask yet, and the
            top of the sellers' target curve).
        eta: Share ``1/η`` of the way from the outstanding quote to the target (η = 3).
        lambda_r: Relative increment of the aggressiveness update (0.02).
        lambda_a: Absolute increment of the aggressiveness update (0.01).
        beta1: Learning rate of the aggressiveness (short-term learning, 0.4).
        beta2: Learning rate of θ (long-term learning, 0.4).
        gamma: Shape of the θ schedule against Smith's α (2).
        theta_min: Lowest θ (−8).
        theta_max: Highest θ (2).
        window: Number N of recent trades for the equilibrium estimate and α (5).
        rho: Weight decay of older trades in the equilibrium estimate (0.9).
    """

    floor: float
    ceiling: float
    eta: float = 3.0
    lambda_r: float = 0.02
    lambda_a: float = 0.01
    beta1: float = 0.4
    beta2: float = 0.4
    gamma: float = 2.0
    theta_min: float = -8.0
    theta_max: float = 2.0
    window: int = 5
    rho: float = 0.9


def _g(theta: float) -> float:
    """``θ/(e^θ − 1)``, continuous at 0 (= 1); positive and decreasing in θ."""
    if abs(theta) < 1e-9:
        return 1.0 - theta / 2.0
    return theta / math.expm1(theta)


def _curve(r: float, theta: float) -> float:
    """``(e^{rθ} − 1)/(e^θ − 1)``: 0 at r = 0, 1 at r = 1; r itself when θ = 0."""
    if abs(theta) < 1e-9:
        return r
    return math.expm1(r * theta) / math.expm1(theta)


def _solve_g(target: float) -> float:
    """θ̃ with ``_g(θ̃) = target`` (``target > 0``), by bisection on [−60, 60]."""
    lo, hi = -60.0, 60.0
    if target >= _g(lo):
        return lo
    if target <= _g(hi):
        return hi
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if _g(mid) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


class AdaptiveAggressive(Strategy):
    """AA (Vytelingum, Cliff & Jennings 2008).

    *Equilibrium estimate* ``p̂*``: the ρ-weighted mean of the last N trade prices.
    *Smith's α* over them, ``α = √(mean (p − p̂*)²)/p̂*``, normalised by the lowest and
    highest α seen, sets the long-term target
    ``θ* = (θ_max − θ_min)(1 − α̃ e^{γ(α̃ − 1)}) + θ_min``, approached at rate β2.
    *Aggressiveness* ``r ∈ [−1, 1]`` maps to a target price ``τ(r)`` between the
    trader's limit, ``p̂*`` and the market's range (eqs. 3-6: an intra-marginal buyer's
    ``τ`` runs from 0 at ``r = −1`` through ``p̂*`` at ``r = 0`` to its limit at
    ``r = 1``; an extra-marginal one never bids above its limit); the left branch's
    ``θ̃`` makes ``τ`` smooth at ``r = 0``. Short-term learning after each event with
    price ``q``: ``r ← r + β1(δ − r)`` with ``δ = (1 ± λ_r) r_q ± λ_a`` where
    ``τ(r_q) = q`` (Fig. 7: a buyer becomes less aggressive after a trade at or below
    its target and more aggressive after a trade above it or a bid improved to at least
    its target; sellers mirror). *Bidding* (Fig. 8): with no trade seen yet a buyer
    bids a third (``1/η``) of the way from the best bid to ``min(limit, ask⁺)``;
    afterwards it takes the best ask if its target reaches it, else moves ``1/η`` of
    the way from the best bid to its target; it does not bid when the best bid is
    already at or above its limit. Sellers mirror. Prices are on a tick grid: a quote
    that moves towards a target beyond the best quote improves it by at least one
    tick (never past the limit). Without this, rounding stalls the ``1/η`` approach
    within a tick of the target, no quote improves any more, and the learning that
    improvements drive stops (the paper's prices are continuous).

    Initial values (the paper leaves them open): ``θ ~ U[−5, 0]`` and
    ``r ~ U[−0.3, 0]``, as in the Bristol Stock Exchange's AA trader.
    """

    adaptive = True

    def __init__(
        self, limits: dict[Side, float], rng: np.random.Generator, params: AaParams
    ) -> None:
        super().__init__(limits, rng)
        self.params = params
        self.theta = -5.0 * float(rng.random())
        self.r = {_BUY: -0.3 * float(rng.random()), _SELL: -0.3 * float(rng.random())}
        self.trades: deque[float] = deque(maxlen=params.window)
        self.eq: float | None = None
        self.alpha_min = math.inf
        self.alpha_max = -math.inf
        self._tilde: dict[tuple[Side, float, float], float] = {}

    # ------------------------------------------------------------- target prices

    def _theta_tilde(self, side: Side, limit: float, eq: float) -> float:
        """θ̃ making the intra-marginal target smooth at r = 0 (cached)."""
        key = (side, self.theta, eq)
        t = self._tilde.get(key)
        if t is None:
            pmax = self.params.ceiling
            if side is _BUY:
                t = _solve_g((limit - eq) / eq * _g(self.theta)) if eq > 0 else self.theta
            else:
                span = pmax - eq
                t = _solve_g((eq - limit) / span * _g(self.theta)) if span > 0 else self.theta
            if len(self._tilde) > 64:
                self._tilde.clear()
            self._tilde[key] = t
        return t

    def target(self, side: Side, r: float | None = None) -> float:
        """Target price ``τ(r)`` of ``side`` (its current ``r`` by default), ticks."""
        limit = self.limits[side]
        r = self.r[side] if r is None else r
        eq = self.eq
        if eq is None:
            return limit
        theta = self.theta
        pmax = max(self.params.ceiling, limit)
        if side is _BUY:
            if limit <= eq:  # extra-marginal
                return limit if r >= 0 else limit * (1.0 - _curve(-r, theta))
            if r >= 0:
                return eq + (limit - eq) * _curve(r, theta)
            tt = self._theta_tilde(side, limit, eq)
            return eq * (1.0 - _curve(-r, tt))
        if limit >= eq:  # extra-marginal seller
            return limit if r >= 0 else limit + (pmax - limit) * _curve(-r, theta)
        if r >= 0:
            return limit + (eq - limit) * (1.0 - _curve(r, theta))
        tt = self._theta_tilde(side, limit, eq)
        return eq + (pmax - eq) * _curve(-r, tt)

    def _r_shout(self, side: Side, q: float) -> float:
        """The aggressiveness whose target is ``q`` (clipped to [−1, 1])."""
        limit, eq = self.limits[side], self.eq
        assert eq is not None
        if side is _BUY and limit <= eq and q >= limit:
            return 0.0
        if side is _SELL and limit >= eq and q <= limit:
            return 0.0
        # τ rises with r for a buyer and falls for a seller: bisect on [−1, 1].
        sign = 1.0 if side is _BUY else -1.0
        lo, hi = -1.0, 1.0
        if sign * self.target(side, lo) >= sign * q:
            return lo
        if sign * self.target(side, hi) <= sign * q:
            return hi
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if sign * self.target(side, mid) < sign * q:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def _update_r(self, side: Side, q: float, more: bool) -> None:
        p = self.params
        rs = self._r_shout(side, q)
        if more:
            delta = (1.0 + p.lambda_r) * rs + p.lambda_a
        else:
            delta = (1.0 - p.lambda_r) * rs - p.lambda_a
        r = self.r[side] + p.beta1 * (delta - self.r[side])
        self.r[side] = min(max(r, -1.0), 1.0)

    # ------------------------------------------------------------- learning

    def on_trade(self, price: float, aggressor: Side) -> None:
        """See :meth:`Strategy.on_trade`."""
        p = self.params
        self.trades.append(price)
        w = portable.power(p.rho, np.arange(len(self.trades) - 1, -1, -1, dtype=float))
        prices = np.fromiter(self.trades, dtype=float)
        self.eq = eq = math.fsum((w * prices).tolist()) / math.fsum(w.tolist())
        if eq > 0:
            alpha = math.sqrt(float(np.mean((prices - eq) ** 2))) / eq
            self.alpha_min = min(self.alpha_min, alpha)
            self.alpha_max = max(self.alpha_max, alpha)
            if self.alpha_max > self.alpha_min:
                a = (alpha - self.alpha_min) / (self.alpha_max - self.alpha_min)
                want = (p.theta_max - p.theta_min) * (1.0 - a * math.exp(p.gamma * (a - 1.0)))
                want += p.theta_min
                self.theta += p.beta2 * (want - self.theta)
        if _BUY in self.limits:
            self._update_r(_BUY, price, more=self.target(_BUY) < price)
        if _SELL in self.limits:
            self._update_r(_SELL, price, more=self.target(_SELL) > price)

    def on_improve(self, side: Side, price: float) -> None:
        """See :meth:`Strategy.on_improve`."""
        if self.eq is None or side not in self.limits:
            return
        if side is _BUY and self.target(_BUY) <= price:
            self._update_r(_BUY, price, more=True)
        elif side is _SELL and self.target(_SELL) >= price:
            self._update_r(_SELL, price, more=True)

    # ------------------------------------------------------------- bidding

    def quote(
        self, side: Side, *, lead_frac: float, bid: float | None, ask: float | None
    ) -> float | None:
        """See :meth:`Strategy.quote`."""
        p = self.params
        limit = self.limits[side]
        if side is _BUY:
            if bid is not None and limit <= bid:
                return None
            o_bid = p.floor if bid is None else bid
            if self.eq is None:  # spin-up: no trade seen yet
                ask_plus = limit if ask is None else (1 + p.lambda_r) * ask + p.lambda_a
                price = o_bid + (min(limit, ask_plus) - o_bid) / p.eta
            else:
                tau = self.target(_BUY)
                if ask is not None and tau >= ask:
                    price = ask
                else:
                    price = o_bid + (tau - o_bid) / p.eta
                    if bid is not None and tau > bid:
                        price = max(price, bid + 1.0)  # improve by at least one tick
            return min(price, limit)
        if ask is not None and limit >= ask:
            return None
        o_ask = max(p.ceiling, limit) if ask is None else ask
        if self.eq is None:
            bid_minus = limit if bid is None else (1 - p.lambda_r) * bid - p.lambda_a
            price = o_ask - (o_ask - max(limit, bid_minus)) / p.eta
        else:
            tau = self.target(_SELL)
            if bid is not None and tau <= bid:
                price = bid
            else:
                price = o_ask - (o_ask - tau) / p.eta
                if ask is not None and tau < ask:
                    price = min(price, ask - 1.0)  # improve by at least one tick
        return max(price, limit)
