"""A plain continuous double auction session, as the strategy papers run them (tests only).

Smith (1962) style, with the market rules of Gode & Sunder (1993) and Cliff (1997):
each buyer and each seller holds one unit per trading period (a "day") with a private
limit price from a stationary supply and demand schedule that repeats every day. At
each step one trader still holding its unit, drawn at random, shouts its strategy's
quote. A shout that crosses the standing quote of the other side trades at the
standing price; one that improves the standing quote of its side, or comes from the
trader who holds it, replaces it; any other shout is ignored; a trade clears both
standing quotes. Every trader sees the
public tape: each trade (price, and whether a bid was hit or an ask lifted) and each
improved quote.

Measured per day: the trade prices, Smith's coefficient of convergence
``α = 100·√(mean (p − P0)²)/P0`` and the allocative efficiency (realised surplus over
the competitive equilibrium's maximal surplus).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rex_cli.agents.strategies import Strategy
from rex_cli.market.orders import Side

StrategyFactory = Callable[[dict[Side, float], np.random.Generator], Strategy]


@dataclass(frozen=True)
class Day:
    """One trading period."""

    prices: list[int]
    surplus: float
    max_surplus: float
    p0: float

    @property
    def alpha(self) -> float:
        """Smith's α, percent (NaN without trades)."""
        if not self.prices:
            return math.nan
        p = np.asarray(self.prices, dtype=float)
        return float(100.0 * np.sqrt(np.mean((p - self.p0) ** 2)) / self.p0)

    @property
    def efficiency(self) -> float:
        """Allocative efficiency: realised over maximal surplus."""
        return self.surplus / self.max_surplus


def equilibrium(buyers: Sequence[float], sellers: Sequence[float]) -> tuple[float, float]:
    """Competitive equilibrium price (midpoint of the range) and the maximal surplus."""
    b = sorted(buyers, reverse=True)
    s = sorted(sellers)
    q = 0
    while q < min(len(b), len(s)) and b[q] >= s[q]:
        q += 1
    surplus = float(sum(b[i] - s[i] for i in range(q)))
    lo = max(s[q - 1], b[q] if q < len(b) else -math.inf)
    hi = min(b[q - 1], s[q] if q < len(s) else math.inf)
    return 0.5 * (lo + hi), surplus


def run_session(
    factory: StrategyFactory,
    buyers: Sequence[int],
    sellers: Sequence[int],
    *,
    days: int,
    steps_per_day: int,
    seed: int,
    floor: int = 1,
    ceiling: int = 200,
) -> list[Day]:
    """Run ``days`` trading periods of traders all using ``factory``'s strategy."""
    rng = np.random.default_rng(seed)
    n_b = len(buyers)
    limits = [float(v) for v in buyers] + [float(v) for v in sellers]
    sides = [Side.BUY] * n_b + [Side.SELL] * len(sellers)
    traders = [
        factory({side: v}, np.random.default_rng([seed, i]))
        for i, (side, v) in enumerate(zip(sides, limits, strict=True))
    ]
    p0, max_surplus = equilibrium(buyers, sellers)
    out = []
    for _ in range(days):
        holding = list(range(len(traders)))
        bid: tuple[int, int] | None = None  # (price, trader) of the standing bid
        ask: tuple[int, int] | None = None
        prices: list[int] = []
        surplus = 0.0
        for t in traders:
            t.active = set(t.limits)
        for _step in range(steps_per_day):
            if not holding:
                break
            i = holding[int(rng.integers(len(holding)))]
            side = sides[i]
            q = traders[i].quote(
                side, lead_frac=1.0, bid=None if bid is None else float(bid[0]),
                ask=None if ask is None else float(ask[0]),
            )  # fmt: skip
            if q is None:
                continue
            price = int(min(max(round(q), floor), ceiling))
            standing = ask if side is Side.BUY else bid
            crosses = standing is not None and (
                price >= standing[0] if side is Side.BUY else price <= standing[0]
            )
            if crosses:
                assert standing is not None
                trade, maker = standing
                buyer, seller = (i, maker) if side is Side.BUY else (maker, i)
                surplus += limits[buyer] - limits[seller]
                prices.append(trade)
                holding.remove(buyer)
                holding.remove(seller)
                traders[buyer].active = set()
                traders[seller].active = set()
                bid = ask = None  # a trade clears the standing quotes
                for t in traders:
                    t.on_trade(float(trade), side)
            elif side is Side.BUY and (bid is None or price > bid[0] or bid[1] == i):
                bid = (price, i)
                for t in traders:
                    t.on_improve(Side.BUY, float(price))
            elif side is Side.SELL and (ask is None or price < ask[0] or ask[1] == i):
                ask = (price, i)
                for t in traders:
                    t.on_improve(Side.SELL, float(price))
        out.append(Day(prices=prices, surplus=surplus, max_surplus=max_surplus, p0=p0))
    return out
