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
    "LoadConfig",
    "LoadModel",
    "MarketConfig",
    "OutputConfig",
    "PlantConfig",
    "PopulationConfig",
    "RexConfig",
    "RhpoCoordinatorConfig",
    "RngConfig",
    "ShadedConfig",
    "StrategyConfig",
    "StrategyShares",
    "TerminalName",
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
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")


@dataclass(frozen=True, kw_only=True)
class MarketConfig:
    """The exchange (docs/model.md: time, book and exchange).

    Attributes:
        unit_minutes: Length ε of a delivery unit, minutes.
        lot_kwh: Quantity grid: one lot in kWh. Quantities are whole lots inside the engine.
        tick: Price grid: one tick in currency/kWh. Prices are whole ticks inside the engine.
        horizon_units: κ, the number of future units open for trading.
        max_price: Highest admissible limit price, currency/kWh (a price cap of the exchange).
        opening_auction: Open each new target unit with a call auction.
        opening_window_minutes: Length of the call phase after the book opens, minutes.
    """

    unit_minutes: float = 15.0
    lot_kwh: float = 0.1
    tick: float = 0.001
    horizon_units: int = 16
    max_price: float = 3.0
    opening_auction: bool = True
    opening_window_minutes: float = 5.0

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
            three-solve method, the default). False: take them from the plan's basis
            where it stays optimal over the shift and re-solve only the other sides
            (the same quotes; in the default scenario the basis covers about 3% of the
            sides, so it saves few solves, and the warm-start path, hence the bytes,
            differ).
    """

    arrival_rate_per_hour: float = 8.0
    margin: float = 0.01
    quote_kwh: float = 0.1
    gate_redispatch: bool = True
    stored_energy_value: float = 0.12
    quote_resolve: bool = True

    def __post_init__(self) -> None:
        _positive("arrival_rate_per_hour", self.arrival_rate_per_hour)
        _non_negative("margin", self.margin)
        _positive("quote_kwh", self.quote_kwh)
        _non_negative("stored_energy_value", self.stored_energy_value)


@dataclass(frozen=True, kw_only=True)
class PopulationConfig:
    """Who takes part: client groups and how their coordinators behave.

    Agents are numbered in a fixed order (households, wind farms, heat pumps,
    batteries, gas turbines); every random stream is keyed by kind and index within
    the kind, so adding agents to a group changes no other agent's draws.
    """

    name: str = "default"
    households: HouseholdGroup = field(default_factory=HouseholdGroup)
    wind_farms: WindFarmGroup = field(default_factory=WindFarmGroup)
    heat_pumps: CountGroup = field(default_factory=lambda: CountGroup(count=6))
    batteries: CountGroup = field(default_factory=lambda: CountGroup(count=2))
    gas_turbines: CountGroup = field(default_factory=lambda: CountGroup(count=1))
    coordinator: CoordinatorConfig = field(default_factory=CoordinatorConfig)
    rhpo: RhpoCoordinatorConfig = field(default_factory=RhpoCoordinatorConfig)

    def __post_init__(self) -> None:
        if self.n_agents < 2:
            raise ValueError(
                "households.count + wind_farms.count + heat_pumps.count + batteries.count "
                f"+ gas_turbines.count must be >= 2 (a market needs two sides), got {self.n_agents}"
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
        )


class WindModel(Enum):
    """Wind speed models."""

    weibull_ar1 = "weibull_ar1"
    csv = "csv"


class LoadModel(Enum):
    """Household load models."""

    profile = "profile"
    csv = "csv"


@dataclass(frozen=True, kw_only=True)
class LoadConfig:
    """Where household consumption comes from.

    ``profile``: the daily profile of ``population.households`` (peaks, weekday and
    weekend, noise, household scales). ``csv``: a measured series of mean household
    power (kW) in ``column`` of ``path``, resampled to the unit length; each household
    consumes its scale (lognormal, ``population.households.scale_sd``) times it.

    Attributes:
        model: ``profile`` or ``csv``.
        path: CSV file (``csv`` only).
        column: Column of mean power, kW.
        time_column: Column of time stamps (ISO 8601) or minutes.
    """

    model: LoadModel = LoadModel.profile
    path: str | None = None
    column: str = "power_kw"
    time_column: str = "time"

    def __post_init__(self) -> None:
        if self.model is LoadModel.csv and not self.path:
            raise ValueError("path must be set for model=csv")


@dataclass(frozen=True, kw_only=True)
class WindConfig:
    """Wind speed and power: a Gaussian AR(1) mapped to a Weibull marginal.

    See docs/model.md: participants.

    Attributes:
        model: ``weibull_ar1`` (simulated) or ``csv`` (a measured hub-height speed
            series in ``column`` of ``path``, m/s, resampled to the unit length and
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

    def __post_init__(self) -> None:
        if self.model is WindModel.csv and not self.path:
            raise ValueError("path must be set for model=csv")
        _positive("k", self.k)
        _positive("c_ms", self.c_ms)
        _positive("correlation_time_h", self.correlation_time_h)
        if not 0.0 <= self.diurnal_amplitude < 1.0:
            raise ValueError(f"diurnal_amplitude must be in [0, 1), got {self.diurnal_amplitude!r}")
        if not 0.0 <= self.diurnal_peak_hour <= 24.0:
            raise ValueError(
                f"diurnal_peak_hour must be in [0, 24], got {self.diurnal_peak_hour!r}"
            )
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
        if not 0 < self.efficiency <= 1:
            raise ValueError(f"efficiency must be in (0, 1], got {self.efficiency!r}")
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
class PlantConfig:
    """Physics of the shipped controllable plants (docs/model.md: participants)."""

    heat_pump_building: HeatPumpConfig = field(default_factory=HeatPumpConfig)
    battery: BatteryConfig = field(default_factory=BatteryConfig)
    gas_turbine: GasTurbineConfig = field(default_factory=GasTurbineConfig)


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
        step_lots: Size of one adjustment, lots.
        record_every: Keep every n-th adjustment in ``records/forecasts.parquet``
            (1 = all; the first and last value of every path are always kept).
    """

    model: ForecastModel = ForecastModel.ctba_mmfe
    household: ForecastShape = field(default_factory=ForecastShape)
    wind: ForecastShape = field(
        default_factory=lambda: ForecastShape(sigma0_kwh=0.4, tau_scale_min=60.0, alpha=1.0)
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
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1), got {self.confidence!r}")


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
