"""The stochastic world: wind, household load, measured series and forecast evolution.

Pure, vectorised numpy functions. Parameters come as frozen keyword-only dataclasses that
validate themselves; randomness comes as ``numpy.random.Generator`` objects derived from
the run's seed tree (``rex_cli.sim.rng.SeedTree``), one per client and purpose, so that
adding a client leaves every other client's draws unchanged. Nothing here reads config.

Modules:
    wind: Gaussian AR(1) with a common factor, mapped to a Weibull marginal; power curve.
    load: household daily profile with morning/evening peaks, weekend effect, noise.
    series: measured series from CSV, resampled to the unit length.
    interpolate: unit values from points (linear) and interval means (conservative).
    demandlib_files: where the real data live (demandlib's files; never its code).
    bdew: household load from the BDEW 2025 profiles H25, P25, S25.
    weather: DWD TRY2010 weather per unit, solar geometry, hub-height law.
    pv: rooftop PV, irradiance on the module to AC power.
    forecast: CTBA-MMFE forecast paths (plus perfect and persistence), NMAE by lead time.
"""

from rex_cli.stochastic.forecast import (
    CtbaParams,
    ForecastKind,
    ForecastParams,
    ForecastPaths,
    PerfectParams,
    PersistenceParams,
    nmae_by_lead_time,
    quantize_lots,
    simulate_ctba,
    simulate_forecasts,
    simulate_perfect,
    simulate_persistence,
)
from rex_cli.stochastic.load import (
    HouseholdLoadParams,
    daily_profile_kw,
    draw_household_scales,
    simulate_household_load,
    simulate_household_loads,
)
from rex_cli.stochastic.series import (
    UnitSeries,
    load_series_csv,
    read_series_csv,
    resample_to_units,
)
from rex_cli.stochastic.wind import (
    PowerCurve,
    WeibullAR1Params,
    diurnal_scale_ms,
    simulate_latent_gaussian,
    simulate_wind_speed,
    weibull_from_gaussian,
)

__all__ = [
    "CtbaParams",
    "ForecastKind",
    "ForecastParams",
    "ForecastPaths",
    "HouseholdLoadParams",
    "PerfectParams",
    "PersistenceParams",
    "PowerCurve",
    "UnitSeries",
    "WeibullAR1Params",
    "daily_profile_kw",
    "diurnal_scale_ms",
    "draw_household_scales",
    "load_series_csv",
    "nmae_by_lead_time",
    "quantize_lots",
    "read_series_csv",
    "resample_to_units",
    "simulate_ctba",
    "simulate_forecasts",
    "simulate_household_load",
    "simulate_household_loads",
    "simulate_latent_gaussian",
    "simulate_perfect",
    "simulate_persistence",
    "simulate_wind_speed",
    "weibull_from_gaussian",
]
