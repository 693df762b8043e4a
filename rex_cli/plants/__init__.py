"""Controllable plants: DT-LTI state-space models, roles and bounds, shipped builders."""

from rex_cli.plants.builders import (
    ambient_temperature_profile,
    battery,
    default_setpoint_schedule,
    gas_turbine,
    heat_pump_building,
    solar_profile,
    uncontrollable,
    unit_hours,
)
from rex_cli.plants.statespace import CostKind, InputRole, OutputRole, Plant, StateSpace

__all__ = [
    "CostKind",
    "InputRole",
    "OutputRole",
    "Plant",
    "StateSpace",
    "ambient_temperature_profile",
    "battery",
    "default_setpoint_schedule",
    "gas_turbine",
    "heat_pump_building",
    "solar_profile",
    "uncontrollable",
    "unit_hours",
]
