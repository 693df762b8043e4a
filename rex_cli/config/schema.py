"""The typed configuration of a Rex run: frozen dataclasses, enums and checks.

Every group of ``conf/`` has a dataclass here; Hydra composes YAML, ``load.py``
merges it onto these schemas (unknown keys and wrong types fail there) and then
builds the frozen objects, whose ``__post_init__`` checks ranges. A check raises
``ValueError`` with a message that starts with the field's name; ``load.py``
prefixes the group path so the user reads e.g. ``market.tick must be > 0, got -1``.

Units are in the field names or docstrings: minutes, kWh, kW, currency per kWh.
Only ``scenario/build.py`` turns these into engine objects (ticks and lots).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "STRATEGY_NAMES",
    "AaConfig",
    "AnalysisConfig",
    "BaselinesConfig",
    "BatteryConfig",
    "BitGeneratorName",
    "CalendarConfig",
    "CoordinatorConfig",
    "CountGroup",
    "ForecastConfig",
    "ForecastModel",
    "ForecastShape",
    "GasTurbineConfig",
    "HeatPumpConfig",
    "HouseholdGroup",
    "ImbalanceConfig",
    "ImbalanceRule",
    "InterpolationName",
    "LoadConfig",
    "LoadModel",
    "MarketConfig",
    "MarketMechanism",
    "OutputConfig",
    "PlantConfig",
    "PopulationConfig",
    "PvConfig",
    "RexConfig",
    "RhpoCoordinatorConfig",
    "RngConfig",
    "ShadedConfig",
    "ShearLawName",
    "SlpProfileName",
    "StrategyConfig",
    "StrategyShares",
    "TerminalName",
    "WeatherConfig",
    "WeatherModel",
    "WeightShapeName",
    "WeightsConfig",
    "WelfareConfig",
    "WindConfig",
    "WindFarmGroup",
    "WindModel",
    "ZicConfig",
    "ZipConfig",
]


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _non_negative(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _fraction(name: str, value: float) -> None:
    _within(name, value, 0, 1)


def _within(name: str, value: float, lo: float, hi: float, ends: str = "[]") -> None:
    """Raise unless ``lo ≤ value ≤ hi``; ``ends`` ``(]``, ``[)`` or ``()`` exclude an end."""
    left, right = ends[0], ends[1]
    if not (
        (lo <= value if left == "[" else lo < value)
        and (value <= hi if right == "]" else value < hi)
    ):
        raise ValueError(f"{name} must be in {left}{lo:g}, {hi:g}{right}, got {value!r}")


class MarketMechanism(Enum):
    """Which market clears the trades (docs/model.md: market mechanisms)."""

    rex = "rex"  # the reservation exchange: continuous books (with opening auctions)
    call = "call"  # periodic uniform-price call auctions per unit (frequent batch auctions)
    day_ahead = "day_ahead"  # one day-ahead auction for every unit of a day, then imbalance
    day_ahead_intraday = "day_ahead_intraday"  # the day-ahead auction, then Rex's books


@dataclass(frozen=True, kw_only=True)
class MarketConfig:
    """The exchange (docs/model.md: time, book and exchange; market mechanisms).

    Attributes:
        unit_minutes: Length ε of a delivery unit, minutes.
        lot_kwh: Quantity grid: one lot in kWh. Quantities are whole lots inside the engine.
        tick: Price grid: one tick in currency/kWh. Prices are whole ticks inside the engine.
        horizon_units: κ, the number of future units open for trading.
        max_price: Highest admissible limit price, currency/kWh (a price cap of the exchange).
        opening_auction: Open each new target unit with a call auction.
        opening_window_minutes: Length of the call phase after the book opens, minutes.
        mechanism: The market design: ``rex``, ``call``, ``day_ahead`` or
            ``day_ahead_intraday`` (conf files ``market=rex|call|day_ahead|...``).
        call_interval_minutes: Time between two calls of the ``call`` mechanism, minutes;
            under ``call``, a divisor of ``unit_minutes`` (calls fall on gate closures).
        day_ahead_gate_hour: Hour of the day before (0 ≤ h < 24) at which the day-ahead
            auction of a day clears.
        auction_price_points: Prices of the grid on which storage and buildings state
            their day-ahead curves (≥ 2).
    """

    unit_minutes: float = 15.0
    lot_kwh: float = 0.1
    tick: float = 0.001
    horizon_units: int = 16
    max_price: float = 3.0
    opening_auction: bool = True
    opening_window_minutes: float = 5.0
    mechanism: MarketMechanism = MarketMechanism.rex
    call_interval_minutes: float = 5.0
    day_ahead_gate_hour: float = 12.0
    auction_price_points: int = 9

    def __post_init__(self) -> None:
        _positive("unit_minutes", self.unit_minutes)
        _positive("lot_kwh", self.lot_kwh)
        _positive("tick", self.tick)
        if self.horizon_units < 1:
            raise ValueError(f"horizon_units must be >= 1, got {self.horizon_units!r}")
        _positive("max_price", self.max_price)
        if self.max_price < self.tick:
            raise ValueError(f"max_price must be >= tick ({self.tick}), got {self.max_price!r}")
        if round(self.max_price / self.tick) > 10**9:
            raise ValueError("max_price is more than 1e9 ticks: choose a larger tick")
        _non_negative("opening_window_minutes", self.opening_window_minutes)
        if self.opening_auction and self.opening_window_minutes >= self.unit_minutes:
            raise ValueError(
                f"opening_window_minutes must be < unit_minutes ({self.unit_minutes}), "
                f"got {self.opening_window_minutes!r}"
            )
        _positive("call_interval_minutes", self.call_interval_minutes)
        calls = self.unit_minutes / self.call_interval_minutes
        if self.mechanism is MarketMechanism.call and abs(calls - round(calls)) > 1e-9:
            raise ValueError(
                f"call_interval_minutes must divide unit_minutes ({self.unit_minutes}), "
                f"got {self.call_interval_minutes!r}"
            )
        h = self.day_ahead_gate_hour
        if not (isinstance(h, int | float) and math.isfinite(h) and 0 <= h < 24):
            raise ValueError(f"day_ahead_gate_hour must be in [0, 24), got {h!r}")
        if isinstance(self.auction_price_points, bool) or self.auction_price_points < 2:
            raise ValueError(
                f"auction_price_points must be >= 2, got {self.auction_price_points!r}"
            )

    @property
    def day_ahead_lead_minutes(self) -> float:
        """Minutes from a day's day-ahead gate to its midnight: (24 − gate hour)·60."""
        return (24.0 - self.day_ahead_gate_hour) * 60.0


class ImbalanceRule(Enum):
    """How the system operator prices imbalances."""

    dual_vwap = "dual_vwap"  # around the unit's VWAP, with floor and cap
    fixed = "fixed"  # constant short and long prices
    single = "single"  # one price per unit, set by the direction of the system imbalance


@dataclass(frozen=True, kw_only=True)
class ImbalanceConfig:
    """Imbalance settlement (docs/model.md: settlement).

    With ``dual_vwap``: short price = clip(VWAP × (1 + short_markup), floor, cap) and
    long price = clip(VWAP × (1 − long_discount), floor, cap); a unit without trades
    uses ``reference_price`` in place of its VWAP. With ``fixed``: ``short_price`` and
    ``long_price``. With ``single`` (European single imbalance pricing): one price for
    every imbalance of the unit, short or long, set by the direction of the system
    imbalance: clip(VWAP × (1 + short_markup)) when the system is short (backup
    supplies), clip(VWAP × (1 − long_discount)) when it is long (energy is spilled),
    the VWAP when it is balanced. So a participant whose imbalance helps the system
    is paid (or pays) the same price as one whose imbalance hurts it. Participants
    expect, before trading, the system-short price when short and the system-long
    price when long (their imbalances lean with the system's). Prices in currency/kWh.

    Attributes:
        rule: Pricing rule.
        reference_price: Fallback price when a unit has no trade, currency/kWh.
        short_markup: Relative markup of the short price over the VWAP.
        long_discount: Relative discount of the long price under the VWAP.
        floor: Lowest imbalance price, currency/kWh.
        cap: Highest imbalance price, currency/kWh.
        short_price: Short price under ``fixed``, currency/kWh.
        long_price: Long price under ``fixed``, currency/kWh.
        backup_cost: Real resource cost of backup energy covering imbalances, currency/kWh.
    """

    rule: ImbalanceRule = ImbalanceRule.dual_vwap
    reference_price: float = 0.20
    short_markup: float = 0.5
    long_discount: float = 0.5
    floor: float = 0.0
    cap: float = 2.0
    short_price: float = 0.40
    long_price: float = 0.05
    backup_cost: float = 0.30

    def __post_init__(self) -> None:
        _non_negative("reference_price", self.reference_price)
        _non_negative("short_markup", self.short_markup)
        _fraction("long_discount", self.long_discount)
        _non_negative("floor", self.floor)
        if self.cap < self.floor:
            raise ValueError(f"cap must be >= floor ({self.floor}), got {self.cap!r}")
        _non_negative("short_price", self.short_price)
        _non_negative("long_price", self.long_price)
        if self.long_price > self.short_price:
            raise ValueError(
                f"long_price must be <= short_price ({self.short_price}), got {self.long_price!r}"
            )
        _non_negative("backup_cost", self.backup_cost)

    def expected_prices(self) -> tuple[float, float]:
        """Return the (short, long) prices a participant expects before any trade.

        Under ``dual_vwap`` these are the rule applied to ``reference_price``; under
        ``single`` the system-short and system-long prices at ``reference_price``.
        """
        if self.rule is ImbalanceRule.fixed:
            return self.short_price, self.long_price
        return self.prices(self.reference_price)

    def prices(
        self, vwap: float | None, system_imbalance_kwh: float | None = None
    ) -> tuple[float, float]:
        """Return the (short, long) imbalance prices of a unit with the given VWAP.

        Args:
            vwap: The unit's volume-weighted average trade price, currency/kWh, or
                ``None`` when it had no trade.
            system_imbalance_kwh: Σ (realised − position) over participants (> 0: the
                system is short); only ``single`` reads it. ``None`` (before
                settlement) gives ``single``'s two directional prices.
        """
        if self.rule is ImbalanceRule.fixed:
            return self.short_price, self.long_price
        ref = self.reference_price if vwap is None else vwap
        short = min(max(ref * (1.0 + self.short_markup), self.floor), self.cap)
        long = min(max(ref * (1.0 - self.long_discount), self.floor), self.cap)
        if self.rule is ImbalanceRule.single and system_imbalance_kwh is not None:
            if system_imbalance_kwh > 1e-9:
                return short, short
            if system_imbalance_kwh < -1e-9:
                return long, long
            mid = min(max(ref, self.floor), self.cap)
            return mid, mid
        return short, long


@dataclass(frozen=True, kw_only=True)
class CoordinatorConfig:
    """How coordinators of uncontrollable clients arrive and close their positions.

    How they price their limit orders is the ``strategy`` group.

    Attributes:
        arrival_rate_per_hour: Poisson arrival rate of each coordinator, 1/hour.
        take_lead_minutes: Within this lead time of gate closure, an open position is
            quoted at the reservation value whatever the strategy (a limit order that
            takes what the book offers up to the value and rests the rest).
    """

    arrival_rate_per_hour: float = 6.0
    take_lead_minutes: float = 30.0

    def __post_init__(self) -> None:
        _positive("arrival_rate_per_hour", self.arrival_rate_per_hour)
        _non_negative("take_lead_minutes", self.take_lead_minutes)


STRATEGY_NAMES = ("truthful", "shaded", "zic", "zip", "aa")


@dataclass(frozen=True, kw_only=True)
class StrategyShares:
    """Share of the coordinators of each client kind that use each strategy.

    Shares are non-negative and sum to 1; within each kind (households, wind farms)
    the counts are the shares times the kind's size, rounded by largest remainder,
    and which coordinator gets which strategy is a random permutation from the stream
    ``("strategy_mix", kind)``.
    """

    truthful: float = 1.0
    shaded: float = 0.0
    zic: float = 0.0
    zip: float = 0.0
    aa: float = 0.0

    def __post_init__(self) -> None:
        for name in STRATEGY_NAMES:
            _non_negative(name, getattr(self, name))
        total = sum(getattr(self, n) for n in STRATEGY_NAMES)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"shares must sum to 1, got {total!r}")

    def as_dict(self) -> dict[str, float]:
        """Shares by strategy name."""
        return {n: float(getattr(self, n)) for n in STRATEGY_NAMES}


@dataclass(frozen=True, kw_only=True)
class ShadedConfig:
    """Rex's original quoting rule: ``v ∓ (margin + S·f(τ)·(1 + jitter·U(−1, 1)))``.

    Attributes:
        margin: Half-width of the band around the reservation value, currency/kWh.
        shading: ``S`` as a fraction of the gap between the expected short and long
            prices; the shading shrinks linearly with lead time to 0 at
            ``population.coordinator.take_lead_minutes``.
        price_jitter: Relative random spread of each quote's shading (uniform ±).
    """

    margin: float = 0.01
    shading: float = 0.8
    price_jitter: float = 0.3

    def __post_init__(self) -> None:
        _non_negative("margin", self.margin)
        _fraction("shading", self.shading)
        _fraction("price_jitter", self.price_jitter)


@dataclass(frozen=True, kw_only=True)
class ZicConfig:
    """ZI-C (Gode & Sunder 1993): bids uniform on [floor, v], asks on [v, ceiling].

    Attributes:
        floor: Bottom of the market's price range, currency/kWh.
        ceiling: Top of the price range, currency/kWh (at most ``market.max_price``).
    """

    floor: float = 0.0
    ceiling: float = 0.5

    def __post_init__(self) -> None:
        _non_negative("floor", self.floor)
        if self.ceiling <= self.floor:
            raise ValueError(f"ceiling must be > floor ({self.floor}), got {self.ceiling!r}")


@dataclass(frozen=True, kw_only=True)
class ZipConfig:
    """ZIP (Cliff 1997); each coordinator draws its own β, γ and initial margins.

    Attributes:
        beta_min: Lowest learning rate β (paper: 0.1).
        beta_max: Highest β (paper: 0.5).
        momentum_min: Lowest momentum γ (paper: 0).
        momentum_max: Highest γ (paper: 0.1).
        margin_min: Lowest initial profit margin |μ| (paper: 0.05).
        margin_max: Highest initial margin (paper: 0.35).
        cr: Largest relative perturbation of a target price (paper: 0.05).
        ca: Largest absolute perturbation of a target price, currency/kWh (paper: 0.05
            on prices of a few currency units, about 2%; 0.005 here, about 2-4% of
            Rex's prices).
    """

    beta_min: float = 0.1
    beta_max: float = 0.5
    momentum_min: float = 0.0
    momentum_max: float = 0.1
    margin_min: float = 0.05
    margin_max: float = 0.35
    cr: float = 0.05
    ca: float = 0.005

    def __post_init__(self) -> None:
        for lo, hi in (("beta_min", "beta_max"), ("momentum_min", "momentum_max"),
                       ("margin_min", "margin_max")):  # fmt: skip
            _fraction(lo, getattr(self, lo))
            _fraction(hi, getattr(self, hi))
            low, high = getattr(self, lo), getattr(self, hi)
            if high < low:
                raise ValueError(f"{hi} must be >= {lo} ({low}), got {high!r}")
        _fraction("cr", self.cr)
        _non_negative("ca", self.ca)


@dataclass(frozen=True, kw_only=True)
class AaConfig:
    """AA (Vytelingum, Cliff & Jennings 2008), the paper's parameter values.

    Attributes:
        floor: Bottom of the market's price range, currency/kWh.
        ceiling: Top of the range ``p_max``, currency/kWh (at most ``market.max_price``).
        eta: A quote moves ``1/η`` of the way from the best quote to the target.
        lambda_r: Relative increment of the aggressiveness update.
        lambda_a: Absolute increment of the aggressiveness update.
        beta1: Learning rate of the aggressiveness.
        beta2: Learning rate of θ.
        gamma: Shape of the θ schedule against Smith's α.
        theta_min: Lowest θ.
        theta_max: Highest θ.
        window: Recent trades in the equilibrium estimate and in α.
        rho: Weight decay of older trades in the equilibrium estimate.
    """

    floor: float = 0.0
    ceiling: float = 0.5
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

    def __post_init__(self) -> None:
        _non_negative("floor", self.floor)
        if self.ceiling <= self.floor:
            raise ValueError(f"ceiling must be > floor ({self.floor}), got {self.ceiling!r}")
        if self.eta < 1:
            raise ValueError(f"eta must be >= 1, got {self.eta!r}")
        for name in ("lambda_r", "lambda_a", "beta1", "beta2", "rho"):
            _fraction(name, getattr(self, name))
        _non_negative("gamma", self.gamma)
        if self.theta_max <= self.theta_min:
            raise ValueError(
                f"theta_max must be > theta_min ({self.theta_min}), got {self.theta_max!r}"
            )
        if self.window < 1:
            raise ValueError(f"window must be >= 1, got {self.window!r}")


@dataclass(frozen=True, kw_only=True)
class StrategyConfig:
    """Quoting strategies of the coordinators of uncontrollable clients.

    Every strategy quotes around the client's side-aware reservation value (the
    expected short price while short, the expected long price while long) and never
    beyond it; within ``population.coordinator.take_lead_minutes`` of gate closure
    every coordinator closes its open position with a market order limited at that
    value, whatever its strategy.

    Attributes:
        name: Name of the mix (a label for tables and sweeps).
        shares: Share of each strategy.
        shaded: Parameters of ``shaded``.
        zic: Parameters of ``zic``.
        zip: Parameters of ``zip``.
        aa: Parameters of ``aa``.
    """

    name: str = "truthful"
    shares: StrategyShares = field(default_factory=StrategyShares)
    shaded: ShadedConfig = field(default_factory=ShadedConfig)
    zic: ZicConfig = field(default_factory=ZicConfig)
    zip: ZipConfig = field(default_factory=ZipConfig)
    aa: AaConfig = field(default_factory=AaConfig)


@dataclass(frozen=True, kw_only=True)
class HouseholdGroup:
    """Inflexible loads: a daily profile with morning and evening peaks.

    Attributes:
        count: Number of households.
        base_kw: Night-time base load, kW.
        morning_peak_kw: Extra load at the morning peak, kW.
        evening_peak_kw: Extra load at the evening peak, kW.
        scale_sd: Standard deviation of the log of each household's scale factor.
        noise_sd: Relative standard deviation of the per-unit noise.
    """

    count: int = 24
    base_kw: float = 0.3
    morning_peak_kw: float = 0.6
    evening_peak_kw: float = 1.0
    scale_sd: float = 0.3
    noise_sd: float = 0.15

    def __post_init__(self) -> None:
        _non_negative("count", self.count)
        _non_negative("base_kw", self.base_kw)
        _non_negative("morning_peak_kw", self.morning_peak_kw)
        _non_negative("evening_peak_kw", self.evening_peak_kw)
        _non_negative("scale_sd", self.scale_sd)
        _non_negative("noise_sd", self.noise_sd)


@dataclass(frozen=True, kw_only=True)
class WindFarmGroup:
    """Uncontrollable supply.

    Attributes:
        count: Number of wind farms.
        capacity_kw: Rated power P_r of each farm, kW.
    """

    count: int = 3
    capacity_kw: float = 12.0

    def __post_init__(self) -> None:
        _non_negative("count", self.count)
        _positive("capacity_kw", self.capacity_kw)


@dataclass(frozen=True, kw_only=True)
class CountGroup:
    """A group of controllable plants; their physics is in the ``plant`` group.

    Attributes:
        count: Number of plants.
    """

    count: int = 0

    def __post_init__(self) -> None:
        _non_negative("count", self.count)


@dataclass(frozen=True, kw_only=True)
class HomeEvConfig:
    """The electric vehicles of homes (docs/model.md: homes).

    See ``plants.builders.electric_vehicle`` and ``stochastic.ev``.

    Attributes:
        capacity_kwh: Usable battery capacity, kWh.
        charger_kw: Home charger power, kW.
        efficiency: Charging efficiency.
        unmet_cost: Cost of a kWh missing at departure (bought at a public fast
            charger), currency/kWh; in the LP objective and in welfare (comfort term).
        departure_mean_h: Mean departure hour of day.
        departure_sd_h: Its standard deviation, hours.
        arrival_mean_h: Mean arrival hour of day.
        arrival_sd_h: Its standard deviation, hours.
        distance_median_km: Median daily distance, km (lognormal).
        distance_sigma: Standard deviation of the log distance.
        consumption_kwh_per_km: Energy per km, kWh.
        soc_init_min: Lowest initial state of charge, share of the capacity.
        soc_init_max: Highest initial state of charge, share of the capacity.
    """

    capacity_kwh: float = 50.0
    charger_kw: float = 11.0
    efficiency: float = 0.92
    unmet_cost: float = 0.6
    departure_mean_h: float = 7.5
    departure_sd_h: float = 1.0
    arrival_mean_h: float = 17.5
    arrival_sd_h: float = 1.5
    distance_median_km: float = 30.0
    distance_sigma: float = 0.6
    consumption_kwh_per_km: float = 0.18
    soc_init_min: float = 0.3
    soc_init_max: float = 0.7

    def __post_init__(self) -> None:
        for name in ("capacity_kwh", "charger_kw", "distance_median_km", "consumption_kwh_per_km"):
            _positive(name, getattr(self, name))
        for name in ("unmet_cost", "departure_sd_h", "arrival_sd_h", "distance_sigma"):
            _non_negative(name, getattr(self, name))
        _within("efficiency", self.efficiency, 0, 1, "(]")
        for name in ("departure_mean_h", "arrival_mean_h"):
            value = getattr(self, name)
            if not 0 <= value <= 24:
                raise ValueError(f"{name} must be an hour of day in [0, 24], got {value!r}")
        _fraction("soc_init_min", self.soc_init_min)
        _fraction("soc_init_max", self.soc_init_max)
        if self.soc_init_max < self.soc_init_min:
            raise ValueError(
                f"soc_init_max must be >= soc_init_min ({self.soc_init_min}), "
                f"got {self.soc_init_max!r}"
            )


@dataclass(frozen=True, kw_only=True)
class HomeGroup:
    """Prosumer homes: one market identity each, trading for several clients by one LP.

    Every home has a base load (the household load model of ``load`` with the
    parameters of ``population.households``, drawn from the home's own stream). Each
    of rooftop PV, a home battery (``plant.battery``), a heat pump
    (``plant.heat_pump_building``) and an EV (``ev``) is given to
    ``round(share × count)`` homes (half up), chosen by a permutation drawn per client
    type, independently of the other types (docs/model.md: homes).

    Attributes:
        count: Number of homes.
        pv_share: Share of homes with rooftop PV.
        battery_share: Share of homes with a home battery.
        heat_pump_share: Share of homes heated by a heat pump.
        ev_share: Share of homes with an electric vehicle.
        pv_kwp_min: Smallest PV rating, kWp (uniform between min and max).
        pv_kwp_max: Largest PV rating, kWp.
        pv_performance_ratio: AC output per kWp at 1 kW/m² on the module.
        pv_peak_kw_m2: Peak irradiance on the module of the synthetic clear-sky day,
            kW/m².
        ev: The electric vehicles.
    """

    count: int = 0
    pv_share: float = 0.4
    battery_share: float = 0.2
    heat_pump_share: float = 0.3
    ev_share: float = 0.3
    pv_kwp_min: float = 4.0
    pv_kwp_max: float = 10.0
    pv_performance_ratio: float = 0.85
    pv_peak_kw_m2: float = 0.6
    ev: HomeEvConfig = field(default_factory=HomeEvConfig)

    def __post_init__(self) -> None:
        _non_negative("count", self.count)
        for name in ("pv_share", "battery_share", "heat_pump_share", "ev_share"):
            _fraction(name, getattr(self, name))
        _positive("pv_kwp_min", self.pv_kwp_min)  # a home with PV has some (pv_share: none)
        if self.pv_kwp_max < self.pv_kwp_min:
            raise ValueError(
                f"pv_kwp_max must be >= pv_kwp_min ({self.pv_kwp_min}), got {self.pv_kwp_max!r}"
            )
        _fraction("pv_performance_ratio", self.pv_performance_ratio)
        _non_negative("pv_peak_kw_m2", self.pv_peak_kw_m2)

    def counts(self) -> dict[str, int]:
        """Homes per client type: ``round(share × count)``, half up."""
        shares = {
            "pv": self.pv_share,
            "battery": self.battery_share,
            "heat_pump": self.heat_pump_share,
            "ev": self.ev_share,
        }
        return {k: math.floor(v * self.count + 0.5) for k, v in shares.items()}


@dataclass(frozen=True, kw_only=True)
class RhpoCoordinatorConfig:
    """How RHPO coordinators of controllable plants arrive and quote.

    Attributes:
        arrival_rate_per_hour: Poisson arrival rate, 1/hour.
        margin: Half-width of the quoting band around the one-sided values λ±,
            currency/kWh.
        quote_kwh: Flexibility offered per side and unit beyond the plan, kWh (δ); also
            the step by which every unit's position is moved for the one-sided
            values λ± (so keep it small: one lot).
        gate_redispatch: At gate closure, re-optimise the delivered unit with its final
            position and no further trading (else commit the last arrival's plan).
        stored_energy_value: What a kWh still stored after the LP's window is worth to
            the plant's owner, currency/kWh (the batteries; 0 = worthless).
        quote_resolve: Get λ± by two extra solves at ``Y ± δ`` on every arrival (the
            three-solve method). False (the default): from the plan's basis, by
            parametric dual simplex pivots along the trade removal and the shift
            (:mod:`rex_cli.control.lp.parametric`), re-solving a side only when its
            walk fails: one solve per arrival in the default scenario.
        warm_resolve: Re-solve the plan's LP from the last plan's basis with Rex's own
            warm re-solve (primal pivots, bound flips, a dual simplex walk of the
            bounds; :func:`rex_cli.control.lp.parametric.resolve`), handing it to HiGHS
            only when that gives up. False: HiGHS solves every plan (its own warm start;
            the method before 2026-12-03, for comparisons).
    """

    arrival_rate_per_hour: float = 8.0
    margin: float = 0.01
    quote_kwh: float = 0.1
    gate_redispatch: bool = True
    stored_energy_value: float = 0.12
    quote_resolve: bool = False
    warm_resolve: bool = True

    def __post_init__(self) -> None:
        _positive("arrival_rate_per_hour", self.arrival_rate_per_hour)
        _non_negative("margin", self.margin)
        _positive("quote_kwh", self.quote_kwh)
        _non_negative("stored_energy_value", self.stored_energy_value)


@dataclass(frozen=True, kw_only=True)
class PopulationConfig:
    """Who takes part: client groups and how their coordinators behave.

    Agents are numbered in a fixed order (households, wind farms, heat pumps,
    batteries, gas turbines, homes); every random stream is keyed by kind and index within
    the kind, so adding agents to a group changes no other agent's draws.
    """

    name: str = "default"
    households: HouseholdGroup = field(default_factory=HouseholdGroup)
    wind_farms: WindFarmGroup = field(default_factory=WindFarmGroup)
    heat_pumps: CountGroup = field(default_factory=lambda: CountGroup(count=6))
    batteries: CountGroup = field(default_factory=lambda: CountGroup(count=2))
    gas_turbines: CountGroup = field(default_factory=lambda: CountGroup(count=1))
    homes: HomeGroup = field(default_factory=HomeGroup)
    coordinator: CoordinatorConfig = field(default_factory=CoordinatorConfig)
    rhpo: RhpoCoordinatorConfig = field(default_factory=RhpoCoordinatorConfig)

    def __post_init__(self) -> None:
        if self.n_agents < 2:
            raise ValueError(
                "households.count + wind_farms.count + heat_pumps.count + batteries.count "
                "+ gas_turbines.count + homes.count "
                f"must be >= 2 (a market needs two sides), got {self.n_agents}"
            )
        if self.households.count + self.wind_farms.count < 1:
            raise ValueError(
                "households.count + wind_farms.count must be >= 1: the plants trade against "
                "the uncontrollable clients' net energy, which the welfare comparison needs; "
                "got 0"
            )

    @property
    def n_agents(self) -> int:
        """Total number of agents (one coordinator per client)."""
        return (
            self.households.count
            + self.wind_farms.count
            + self.heat_pumps.count
            + self.batteries.count
            + self.gas_turbines.count
            + self.homes.count
        )


class WindModel(Enum):
    """Wind speed models."""

    weibull_ar1 = "weibull_ar1"
    csv = "csv"
    weather = "weather"  # the weather group's 10 m wind, scaled to hub height


class LoadModel(Enum):
    """Household load models."""

    profile = "profile"
    csv = "csv"
    bdew = "bdew"  # BDEW 2025 standard load profile from demandlib's files


class SlpProfileName(Enum):
    """BDEW 2025 household profiles (mirrors ``stochastic.bdew.SlpProfile``)."""

    h25 = "h25"  # households
    p25 = "p25"  # households with PV
    s25 = "s25"  # households with PV and a battery


class InterpolationName(Enum):
    """How a CSV column coarser than the unit reaches it (``stochastic.series``)."""

    linear = "linear"  # values at their time stamps (temperature, speed, power)
    conservative = "conservative"  # means over the interval from each stamp (energies)


class ShearLawName(Enum):
    """Wind profile law from measurement to hub height (``stochastic.weather``)."""

    log = "log"
    power = "power"


class WeatherModel(Enum):
    """Where the weather comes from."""

    synthetic = "synthetic"  # buildings: fixed daily profiles; PV and wind: TRY2010
    try2010 = "try2010"  # DWD test reference year of weather.region (demandlib's files)
    csv = "csv"  # a measured series


@dataclass(frozen=True, kw_only=True)
class CalendarConfig:
    """The date of the simulated day(s).

    Attributes:
        start: Date of delivery unit 0's start (midnight, CET, no daylight saving), ISO
            ``YYYY-MM-DD``. Sets the day types and season of ``load=bdew``, the weekday
            of the synthetic household profile (weekends) and which days of the test
            reference year ``weather=try2010`` reads. The default is a Monday.
    """

    start: str = "2025-01-13"

    def __post_init__(self) -> None:
        try:
            dt.date.fromisoformat(str(self.start))
        except ValueError:
            raise ValueError(f"start must be an ISO date YYYY-MM-DD, got {self.start!r}") from None

    @property
    def start_date(self) -> dt.date:
        """``start`` as a date."""
        return dt.date.fromisoformat(str(self.start))


@dataclass(frozen=True, kw_only=True)
class WeatherConfig:
    """Weather for the heat-pump buildings, rooftop PV and (``wind=weather``) wind farms.

    See docs/model.md: data. The weather *data* are the DWD test reference year
    TRY2010 of ``region`` from ``calendar.start`` on, or, under ``csv``, a measured
    series (``path``; ISO times, UTC when naive; its first unit is unit 0; temperature
    and wind resampled linearly, irradiances conservatively). Rooftop PV and
    ``wind=weather`` always read them. ``model`` decides what the heat-pump buildings
    see: ``synthetic`` (default) keeps the fixed daily profiles of
    ``plant.heat_pump_building`` (so the default scenario is unchanged); ``try2010`` and
    ``csv`` give them the data's air temperature and the sun on a south window.

    Attributes:
        model: ``synthetic`` (buildings on fixed profiles, data from TRY2010),
            ``try2010`` or ``csv``.
        region: TRY climate region, 1-15 (4 = Potsdam, 1 = Bremerhaven, 12 = Mannheim).
        path: CSV file (``csv`` only).
        time_column: Column of ISO time stamps.
        temperature_column: Air temperature, °C (values at their stamps).
        direct_column: Direct irradiance on the horizontal, W/m² (mean over the
            interval from the stamp to the next).
        diffuse_column: Diffuse irradiance on the horizontal, W/m² (as direct).
        wind_column: Wind speed at ``wind_height_m``, m/s (values at their stamps).
        wind_height_m: Measurement height of the CSV's wind speed, m (TRY: 10 m).
        latitude_deg: Site latitude for ``csv`` (TRY files carry their station's).
        longitude_deg: Site longitude, degrees east, for ``csv``.
    """

    model: WeatherModel = WeatherModel.synthetic
    region: int = 4
    path: str | None = None
    time_column: str = "time"
    temperature_column: str = "temperature_c"
    direct_column: str = "direct_w_m2"
    diffuse_column: str = "diffuse_w_m2"
    wind_column: str = "wind_ms"
    wind_height_m: float = 10.0
    latitude_deg: float = 52.38
    longitude_deg: float = 13.07

    def __post_init__(self) -> None:
        if isinstance(self.region, bool) or not 1 <= self.region <= 15:
            raise ValueError(f"region must be an integer in 1..15, got {self.region!r}")
        if self.model is WeatherModel.csv and not self.path:
            raise ValueError("path must be set for model=csv")
        _positive("wind_height_m", self.wind_height_m)
        _within("latitude_deg", self.latitude_deg, -90, 90)
        _within("longitude_deg", self.longitude_deg, -180, 180)


@dataclass(frozen=True, kw_only=True)
class LoadConfig:
    """Where household consumption comes from.

    ``profile``: the daily profile of ``population.households`` (peaks, weekday and
    weekend, noise, household scales). ``csv``: a measured series of mean household
    power (kW) in ``column`` of ``path``, resampled to the unit length; each household
    consumes its scale (lognormal, ``population.households.scale_sd``) times it.
    ``bdew``: the BDEW 2025 profile ``profile`` for ``calendar.start``, scaled by an
    annual consumption drawn per household (lognormal with mean ``annual_kwh_mean`` and
    log-sd ``population.households.scale_sd``), times mean-one noise of log-sd
    ``population.households.noise_sd`` (docs/model.md: data).

    Attributes:
        model: ``profile``, ``csv`` or ``bdew``.
        path: CSV file (``csv`` only).
        column: Column of mean power, kW.
        time_column: Column of time stamps (ISO 8601) or minutes.
        interpolation: ``linear`` (powers at their stamps) or ``conservative`` (means
            over the interval from each stamp), for a CSV coarser than the unit.
        profile: ``h25`` (households), ``p25`` (with PV) or ``s25`` (with PV and a
            battery), ``bdew`` only.
        annual_kwh_mean: Mean annual consumption of a household, kWh (``bdew``).
    """

    model: LoadModel = LoadModel.profile
    path: str | None = None
    column: str = "power_kw"
    time_column: str = "time"
    interpolation: InterpolationName = InterpolationName.linear
    profile: SlpProfileName = SlpProfileName.h25
    annual_kwh_mean: float = 3000.0

    def __post_init__(self) -> None:
        if self.model is LoadModel.csv and not self.path:
            raise ValueError("path must be set for model=csv")
        _positive("annual_kwh_mean", self.annual_kwh_mean)


@dataclass(frozen=True, kw_only=True)
class WindConfig:
    """Wind speed and power: a Gaussian AR(1) mapped to a Weibull marginal.

    See docs/model.md: participants.

    Attributes:
        model: ``weibull_ar1`` (simulated), ``csv`` (a measured hub-height speed
            series in ``column`` of ``path``, m/s, resampled to the unit length and
            shared by every farm) or ``weather`` (the weather group's wind, measured
            at ``weather.wind_height_m``, scaled to ``hub_height_m`` by ``shear``;
            shared by every farm).
        path: CSV file (``csv`` only).
        column: Column of wind speed, m/s.
        time_column: Column of time stamps (ISO 8601) or minutes.
        k: Weibull shape.
        c_ms: Weibull scale, m/s.
        correlation_time_h: E-folding time of the latent AR(1), hours.
        diurnal_amplitude: Relative amplitude of the daily cycle of the scale, [0, 1).
        diurnal_peak_hour: Hour of day at which the scale peaks.
        rho: Correlation between farms of the latent Gaussian, [0, 1].
        cut_in_ms: Power curve cut-in speed, m/s.
        rated_ms: Rated speed, m/s.
        cut_out_ms: Cut-out speed, m/s.
        hub_height_m: Hub height, m (``weather`` only).
        shear: ``log`` (roughness ``roughness_m``) or ``power`` (exponent ``alpha``).
        roughness_m: Roughness length ``z_0`` of the log law, m.
        alpha: Exponent of the power law.
    """

    model: WindModel = WindModel.weibull_ar1
    path: str | None = None
    column: str = "speed_ms"
    time_column: str = "time"
    k: float = 2.0
    c_ms: float = 8.0
    correlation_time_h: float = 8.0
    diurnal_amplitude: float = 0.15
    diurnal_peak_hour: float = 15.0
    rho: float = 0.6
    cut_in_ms: float = 3.0
    rated_ms: float = 12.0
    cut_out_ms: float = 25.0
    hub_height_m: float = 80.0
    shear: ShearLawName = ShearLawName.log
    roughness_m: float = 0.1
    alpha: float = 0.143

    def __post_init__(self) -> None:
        if self.model is WindModel.csv and not self.path:
            raise ValueError("path must be set for model=csv")
        _positive("hub_height_m", self.hub_height_m)
        _positive("roughness_m", self.roughness_m)
        if self.roughness_m >= self.hub_height_m:
            raise ValueError(
                f"roughness_m must be < hub_height_m ({self.hub_height_m}), "
                f"got {self.roughness_m!r}"
            )
        _non_negative("alpha", self.alpha)
        _positive("k", self.k)
        _positive("c_ms", self.c_ms)
        _positive("correlation_time_h", self.correlation_time_h)
        _within("diurnal_amplitude", self.diurnal_amplitude, 0, 1, "[)")
        _within("diurnal_peak_hour", self.diurnal_peak_hour, 0, 24)
        _fraction("rho", self.rho)
        _non_negative("cut_in_ms", self.cut_in_ms)
        if self.rated_ms <= self.cut_in_ms:
            raise ValueError(
                f"rated_ms must be > cut_in_ms ({self.cut_in_ms}), got {self.rated_ms!r}"
            )
        if self.cut_out_ms < self.rated_ms:
            raise ValueError(
                f"cut_out_ms must be >= rated_ms ({self.rated_ms}), got {self.cut_out_ms!r}"
            )


@dataclass(frozen=True, kw_only=True)
class HeatPumpConfig:
    """The heat-pump building (docs/model.md: participants).

    See ``plants.builders.heat_pump_building``.

    Attributes:
        cop: Coefficient of performance (heat kW per electric kW).
        p_max_kw: Electric rating of the heat pump, kW.
        t_min_c: Lower comfort bound of the indoor temperature, °C.
        t_max_c: Upper comfort bound, °C.
        t_init_c: Indoor temperature at the start of delivery, °C.
        day_c: Occupants' daytime setpoint (the request), °C.
        night_c: Night-time setpoint, °C.
        ambient_mean_c: Mean outdoor temperature, °C.
        ambient_amplitude_c: Amplitude of its daily cycle, °C.
        solar_peak_kw_m2: Peak solar irradiance on the window, kW/m².
    """

    cop: float = 3.0
    p_max_kw: float = 2.5
    t_min_c: float = 19.0
    t_max_c: float = 24.0
    t_init_c: float = 20.0
    day_c: float = 21.0
    night_c: float = 19.5
    ambient_mean_c: float = 5.0
    ambient_amplitude_c: float = 4.0
    solar_peak_kw_m2: float = 0.3

    def __post_init__(self) -> None:
        _positive("cop", self.cop)
        _positive("p_max_kw", self.p_max_kw)
        if self.t_max_c <= self.t_min_c:
            raise ValueError(f"t_max_c must be > t_min_c ({self.t_min_c}), got {self.t_max_c!r}")
        for name in ("t_init_c", "day_c", "night_c"):
            value = getattr(self, name)
            if not self.t_min_c <= value <= self.t_max_c:
                raise ValueError(
                    f"{name} must lie in the comfort band [{self.t_min_c}, {self.t_max_c}], "
                    f"got {value!r}"
                )
        _non_negative("ambient_amplitude_c", self.ambient_amplitude_c)
        _non_negative("solar_peak_kw_m2", self.solar_peak_kw_m2)


@dataclass(frozen=True, kw_only=True)
class BatteryConfig:
    """A battery; see ``plants.builders.battery``.

    Attributes:
        capacity_kwh: Energy capacity, kWh.
        soc_min_kwh: Lowest state of charge, kWh.
        soc_max_kwh: Highest state of charge, kWh.
        soc_init_kwh: State of charge at the start, kWh.
        power_kw: Charge and discharge power limit, kW.
        efficiency: One-way efficiency of charging and of discharging.
        degradation_cost: Cost per kWh charged or discharged, currency/kWh.
    """

    capacity_kwh: float = 10.0
    soc_min_kwh: float = 1.0
    soc_max_kwh: float = 9.0
    soc_init_kwh: float = 5.0
    power_kw: float = 4.0
    efficiency: float = 0.95
    degradation_cost: float = 0.01

    def __post_init__(self) -> None:
        _positive("capacity_kwh", self.capacity_kwh)
        if not 0 <= self.soc_min_kwh < self.soc_max_kwh <= self.capacity_kwh:
            raise ValueError(
                "soc_min_kwh < soc_max_kwh <= capacity_kwh must hold, got "
                f"{self.soc_min_kwh}, {self.soc_max_kwh}, {self.capacity_kwh}"
            )
        if not self.soc_min_kwh <= self.soc_init_kwh <= self.soc_max_kwh:
            raise ValueError(
                f"soc_init_kwh must lie in [soc_min_kwh, soc_max_kwh], got {self.soc_init_kwh!r}"
            )
        _positive("power_kw", self.power_kw)
        _within("efficiency", self.efficiency, 0, 1, "(]")
        _non_negative("degradation_cost", self.degradation_cost)


@dataclass(frozen=True, kw_only=True)
class GasTurbineConfig:
    """A gas turbine; see ``plants.builders.gas_turbine``.

    Attributes:
        capacity_kw: Maximum output, kW.
        min_kw: Minimum output when on (0 allows switching off), kW.
        ramp_kw: Largest change of output between units, kW.
        marginal_cost: Fuel cost per kWh generated, currency/kWh.
    """

    capacity_kw: float = 30.0
    min_kw: float = 0.0
    ramp_kw: float = 15.0
    marginal_cost: float = 0.12

    def __post_init__(self) -> None:
        _positive("capacity_kw", self.capacity_kw)
        _non_negative("min_kw", self.min_kw)
        if self.min_kw > self.capacity_kw:
            raise ValueError(
                f"min_kw must be <= capacity_kw ({self.capacity_kw}), got {self.min_kw!r}"
            )
        _positive("ramp_kw", self.ramp_kw)
        _non_negative("marginal_cost", self.marginal_cost)


@dataclass(frozen=True, kw_only=True)
class PvConfig:
    """A rooftop PV system; see ``stochastic.pv`` and docs/model.md: PV.

    Attributes:
        kwp: Rated DC power at standard test conditions, kW.
        tilt_deg: Module tilt from the horizontal, degrees, [0, 90].
        azimuth_deg: Module azimuth from south, west positive, degrees, [−180, 180].
        albedo: Ground reflectance, [0, 1].
        noct_c: Nominal operating cell temperature, °C.
        gamma_per_c: Power temperature coefficient, 1/°C.
        inverter_efficiency: Inverter efficiency, (0, 1].
        losses: Lumped DC losses (soiling, wiring, mismatch), [0, 1).
        inverter_kw: AC rating, kW; ``null`` = ``kwp``.
    """

    kwp: float = 5.0
    tilt_deg: float = 30.0
    azimuth_deg: float = 0.0
    albedo: float = 0.2
    noct_c: float = 45.0
    gamma_per_c: float = -0.004
    inverter_efficiency: float = 0.96
    losses: float = 0.14
    inverter_kw: float | None = None

    def __post_init__(self) -> None:
        _positive("kwp", self.kwp)
        _within("tilt_deg", self.tilt_deg, 0, 90)
        _within("azimuth_deg", self.azimuth_deg, -180, 180)
        _fraction("albedo", self.albedo)
        if not self.noct_c > 20.0:
            raise ValueError(f"noct_c must be > 20, got {self.noct_c!r}")
        _within("gamma_per_c", self.gamma_per_c, -0.02, 0)
        _within("inverter_efficiency", self.inverter_efficiency, 0, 1, "(]")
        _within("losses", self.losses, 0, 1, "[)")
        if self.inverter_kw is not None:
            _positive("inverter_kw", self.inverter_kw)


@dataclass(frozen=True, kw_only=True)
class PlantConfig:
    """Physics of the shipped controllable plants (docs/model.md: participants)."""

    heat_pump_building: HeatPumpConfig = field(default_factory=HeatPumpConfig)
    battery: BatteryConfig = field(default_factory=BatteryConfig)
    gas_turbine: GasTurbineConfig = field(default_factory=GasTurbineConfig)
    pv: PvConfig = field(default_factory=PvConfig)


class WeightShapeName(Enum):
    """Damping of the RHPO weights over the horizon."""

    linear = "linear"
    flat = "flat"


class TerminalName(Enum):
    """Terminal condition of the RHPO plan."""

    none = "none"
    request = "request"


@dataclass(frozen=True, kw_only=True)
class WeightsConfig:
    """RHPO objective weights: ``Q_k = q (κ−k+1)/κ``, same for ``O``, under ``linear``.

    Attributes:
        shape: ``linear`` damping or ``flat`` (of the risk weights ``q`` and ``o``).
        damp_costs: Damp the plants' marginal costs (fuel, wear: ``R_k = r (κ−k+1)/κ``
            under ``linear``) like the risk weights; ``false`` (default, chosen by the
            ``cost_damping`` study) prices them in full on every unit.
        q: Penalty on surplus reservation, currency/kWh.
        o: Penalty on deviation from the request, currency per output unit per unit.
        r: Multiplier on the plants' marginal costs.
        l: Weight on market cash.
        terminal: ``none`` or ``request`` (the last planned output meets the request).
        terminal_tolerance: Half-width of the terminal band, output units.
    """

    shape: WeightShapeName = WeightShapeName.linear
    damp_costs: bool = False
    q: float = 0.01
    o: float = 0.2
    r: float = 1.0
    l: float = 1.0  # noqa: E741 (the seed's symbol)
    terminal: TerminalName = TerminalName.none
    terminal_tolerance: float = 0.5

    def __post_init__(self) -> None:
        for name in ("q", "o", "r", "l", "terminal_tolerance"):
            _non_negative(name, getattr(self, name))


class ForecastModel(Enum):
    """How uncontrollable clients' forecasts evolve over lead time (docs/model.md: forecasts)."""

    ctba_mmfe = "ctba_mmfe"
    perfect = "perfect"
    persistence = "persistence"


@dataclass(frozen=True, kw_only=True)
class ForecastShape:
    """CTBA-MMFE parameters of one client type.

    Attributes:
        sigma0_kwh: Standard deviation of the forecast error when the book opens, kWh.
        tau_scale_min: Lead-time scale of the adjustment rate, minutes.
        alpha: Exponent of the rate: λ(τ) ∝ (1 + τ/τ_s)^(−α); larger = adjustments
            crowd nearer gate closure.
    """

    sigma0_kwh: float = 0.05
    tau_scale_min: float = 30.0
    alpha: float = 1.5

    def __post_init__(self) -> None:
        _non_negative("sigma0_kwh", self.sigma0_kwh)
        _positive("tau_scale_min", self.tau_scale_min)
        _non_negative("alpha", self.alpha)


@dataclass(frozen=True, kw_only=True)
class ForecastConfig:
    """Forecast evolution of uncontrollable clients (docs/model.md: forecasts).

    Attributes:
        model: ``ctba_mmfe`` (default), ``perfect`` or ``persistence``.
        household: Shape for households.
        wind: Shape for wind farms (bounded to [0, capacity]).
        pv: Shape for rooftop PV (bounded to [0, AC rating] while lit, 0 in the dark).
        step_lots: Size of one adjustment, lots.
        record_every: Keep every n-th adjustment in ``records/forecasts.parquet``
            (1 = all; the first and last value of every path are always kept).
    """

    model: ForecastModel = ForecastModel.ctba_mmfe
    household: ForecastShape = field(default_factory=ForecastShape)
    wind: ForecastShape = field(
        default_factory=lambda: ForecastShape(sigma0_kwh=0.4, tau_scale_min=60.0, alpha=1.0)
    )
    pv: ForecastShape = field(
        default_factory=lambda: ForecastShape(sigma0_kwh=0.15, tau_scale_min=60.0, alpha=1.0)
    )
    step_lots: int = 1
    record_every: int = 1

    def __post_init__(self) -> None:
        if self.step_lots < 1:
            raise ValueError(f"step_lots must be >= 1, got {self.step_lots!r}")
        if self.record_every < 1:
            raise ValueError(f"record_every must be >= 1, got {self.record_every!r}")


class BitGeneratorName(Enum):
    """numpy bit generators a run may draw from."""

    pcg64 = "pcg64"
    philox = "philox"
    sfc64 = "sfc64"
    mt19937 = "mt19937"


@dataclass(frozen=True, kw_only=True)
class RngConfig:
    """Random number generation: which numpy bit generator every stream uses."""

    bit_generator: BitGeneratorName = BitGeneratorName.pcg64


@dataclass(frozen=True, kw_only=True)
class OutputConfig:
    """What a run writes.

    Attributes:
        record_orders: Write ``records/order_events.parquet`` (every order event).
        figures: Draw the figures into ``figures/``.
        sample_units: Number of target units shown in per-unit figures.
        progress: Show a progress bar on the terminal.
    """

    record_orders: bool = True
    figures: bool = True
    sample_units: int = 4
    progress: bool = True

    def __post_init__(self) -> None:
        if self.sample_units < 1:
            raise ValueError(f"sample_units must be >= 1, got {self.sample_units!r}")


@dataclass(frozen=True, kw_only=True)
class WelfareConfig:
    """How welfare is counted: real resource costs; trades are transfers.

    See docs/model.md: welfare and baselines.

    The backup cost is ``imbalance.backup_cost``; fuel and battery wear come from the
    plants. Attributes:
        comfort_cost: Cost of one °C of deviation from the setpoint for one unit,
            currency per °C per unit.
        value_of_lost_load: Price of unserved energy, currency/kWh (only with a limited
            backup).
        backup_capacity_kw: Largest backup power, kW; ``null`` = unlimited.
        tariff: Flat tariff of the no-market baseline, currency/kWh (cash only, not
            welfare); ``null`` = the backup cost.
        stored_energy_price: Value of energy stored in plants (batteries' state of
            charge) at the end of the scored units, currency per kWh of change from
            the start: every scenario pays for the stored energy it drew down and is
            credited for what it added, at this one price. The shipped config sets it
            to the gas turbine's marginal cost, the marginal source of energy.
    """

    comfort_cost: float = 0.1
    value_of_lost_load: float = 10.0
    backup_capacity_kw: float | None = None
    tariff: float | None = None
    stored_energy_price: float = 0.12

    def __post_init__(self) -> None:
        _non_negative("comfort_cost", self.comfort_cost)
        _non_negative("stored_energy_price", self.stored_energy_price)
        _non_negative("value_of_lost_load", self.value_of_lost_load)
        if self.backup_capacity_kw is not None:
            _positive("backup_capacity_kw", self.backup_capacity_kw)
        if self.tariff is not None:
            _non_negative("tariff", self.tariff)


@dataclass(frozen=True, kw_only=True)
class BaselinesConfig:
    """What the market run is compared with, on the same realisations.

    See docs/model.md: welfare and baselines.

    Attributes:
        enabled: Score the no-market baseline and the perfect-foresight planner
            (``efficiency`` in the summary).
        same_info: Also score the same-information planner: the central LP re-solved
            for each unit over the open window on the forecasts in force
            ``same_info_lead_minutes`` before delivery (``efficiency_same_info``,
            ``information_loss``, ``strategy_loss``).
        same_info_lead_minutes: Its decision lead ``L`` before each unit's delivery,
            minutes, in ``[0, κε]``.
        efficiency_min_share: An efficiency is reported (else null, with
            ``efficiency_note``) only when its denominator is at least this share of
            the no-market baseline's resource costs.
    """

    enabled: bool = True
    same_info: bool = True
    same_info_lead_minutes: float = 15.0
    efficiency_min_share: float = 0.05

    def __post_init__(self) -> None:
        _non_negative("same_info_lead_minutes", self.same_info_lead_minutes)
        _fraction("efficiency_min_share", self.efficiency_min_share)


@dataclass(frozen=True, kw_only=True)
class AnalysisConfig:
    """How runs are summarised.

    Attributes:
        warmup_units: Delivered units left out of market, imbalance and welfare
            statistics at the start of a run.
        confidence: Level of the Student-t confidence intervals over replications.
    """

    warmup_units: int = 0
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.warmup_units < 0:
            raise ValueError(f"warmup_units must be >= 0, got {self.warmup_units!r}")
        _within("confidence", self.confidence, 0, 1, "()")


@dataclass(frozen=True, kw_only=True)
class RexConfig:
    """A whole run.

    Attributes:
        seed: Root of the run's seed tree (a non-negative integer).
        duration_hours: Simulated delivery period, hours from midnight.
        replications: Independent runs of the scenario (seeds ``seed``, ``seed + 1``, …);
            with more than one, ``rex run`` writes one sub-folder per replication and a
            table of mean, standard deviation and confidence interval per metric.
        baselines: The no-market baseline, the perfect-foresight and the
            same-information planners, scored on the same realisations.
        welfare: How welfare is counted.
        analysis: Warm-up cut and confidence level.
        market: The exchange.
        imbalance: Imbalance settlement.
        population: Participants.
        calendar: The simulated date.
        weather: Weather of heat pumps, PV and (``wind=weather``) wind farms.
        wind: Wind speed and power model.
        load: Household consumption model.
        forecast: Forecast evolution of uncontrollable clients.
        strategy: Quoting strategies of the coordinators of uncontrollable clients.
        plant: Physics of controllable plants.
        weights: RHPO objective weights.
        rng: Bit generator choice.
        output: What is written.
    """

    seed: int = 1
    duration_hours: float = 24.0
    replications: int = 1
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)
    welfare: WelfareConfig = field(default_factory=WelfareConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    imbalance: ImbalanceConfig = field(default_factory=ImbalanceConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    weather: WeatherConfig = field(default_factory=WeatherConfig)
    wind: WindConfig = field(default_factory=WindConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    plant: PlantConfig = field(default_factory=PlantConfig)
    weights: WeightsConfig = field(default_factory=WeightsConfig)
    rng: RngConfig = field(default_factory=RngConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        _positive("duration_hours", self.duration_hours)
        if self.replications < 1:
            raise ValueError(f"replications must be >= 1, got {self.replications!r}")
        window = self.market.horizon_units * self.market.unit_minutes
        if self.baselines.same_info_lead_minutes > window:
            raise ValueError(
                f"baselines.same_info_lead_minutes must be <= market.horizon_units × "
                f"market.unit_minutes ({window:g}), got {self.baselines.same_info_lead_minutes!r}"
            )
        if self.wind.roughness_m >= self.weather.wind_height_m and (
            self.wind.model is WindModel.weather and self.wind.shear is ShearLawName.log
        ):
            raise ValueError(
                f"wind.roughness_m must be < weather.wind_height_m ({self.weather.wind_height_m}), "
                f"got {self.wind.roughness_m!r}"
            )
        if self.population.homes.count and self.market.mechanism in (
            MarketMechanism.day_ahead,
            MarketMechanism.day_ahead_intraday,
        ):
            # Homes forecast their net load only over the horizon κε; a day-ahead curve
            # would have to be drawn from the realisation (foresight no other agent has).
            raise ValueError(
                f"population.homes.count must be 0 under market.mechanism="
                f"{self.market.mechanism.value} (homes have no day-ahead forecasts), "
                f"got {self.population.homes.count!r}"
            )
        for group in ("zic", "aa"):
            top = getattr(self.strategy, group).ceiling
            if top > self.market.max_price:
                raise ValueError(
                    f"strategy.{group}.ceiling must be <= market.max_price "
                    f"({self.market.max_price}), got {top!r}"
                )
        units = self.duration_hours * 60.0 / self.market.unit_minutes
        if units < 1:
            raise ValueError(
                f"duration_hours must cover at least one unit of "
                f"{self.market.unit_minutes} minutes, got {self.duration_hours!r}"
            )
        if self.analysis.warmup_units >= math.floor(units):
            raise ValueError(
                f"analysis.warmup_units must be < the number of delivered units "
                f"({math.floor(units)} = duration_hours × 60 / market.unit_minutes), "
                f"got {self.analysis.warmup_units!r}"
            )

    @property
    def n_units(self) -> int:
        """Number of delivery units simulated (whole units of the duration)."""
        return int(self.duration_hours * 60.0 // self.market.unit_minutes)
