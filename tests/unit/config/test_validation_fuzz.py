"""Fuzzed config values: every bad value is refused with one line naming its key.

The property runs on the validation step itself (``validate`` of a config composed once,
with the fuzzed value put in the way Hydra's override parser reads it), so it can run
many examples quickly; a handful of the same cases go through the whole
``load_config`` (Hydra compose included) in ``test_fuzzed_cases_end_to_end``.

The values are bad for every key listed: negative numbers, non-finite numbers,
booleans, null, text, lists and mappings (zero is valid for some keys and not for
others, so it is not drawn). A value that is silently accepted fails the test.
"""

import copy

import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from rex_cli.config.load import ConfigError, compose_config, load_config, validate

KEYS = [
    "seed",
    "duration_hours",
    "market.tick",
    "market.lot_kwh",
    "market.horizon_units",
    "market.unit_minutes",
    "market.max_price",
    "market.opening_window_minutes",
    "imbalance.cap",
    "imbalance.long_discount",
    "population.households.count",
    "population.wind_farms.count",
    "population.wind_farms.capacity_kw",
    "population.heat_pumps.count",
    "population.coordinator.arrival_rate_per_hour",
    "population.rhpo.quote_kwh",
    "plant.battery.soc_min_kwh",
    "plant.battery.efficiency",
    "plant.heat_pump_building.t_max_c",
    "plant.gas_turbine.min_kw",
    "wind.rho",
    "wind.k",
    "forecast.step_lots",
    "forecast.wind.sigma0_kwh",
    "weights.q",
    "output.sample_units",
    "replications",
]
GARBAGE = ["abc", "''", "[1,2]", "{a: 1}", "null", "nan", "inf", "-inf", "1e999", "true"]
BAD_VALUES = st.one_of(
    st.integers(min_value=-(10**6), max_value=-1).map(str),
    st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(GARBAGE),
)

_PARSER = OverridesParser.create()
_BASE = compose_config([])


def _set_and_validate(key: str, text: str) -> None:
    """Put ``key=text`` into the composed config as Hydra would, then validate."""
    value = _PARSER.parse_override(f"{key}={text}").value()
    cfg = copy.deepcopy(_BASE)
    OmegaConf.set_struct(cfg, False)
    OmegaConf.update(cfg, key, value, merge=False)
    validate(cfg)


def _assert_names(key: str, exc: ConfigError) -> None:
    msg = str(exc)
    assert msg and "\n" not in msg
    assert key in msg or key.split(".")[-1] in msg, msg


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(KEYS), value=BAD_VALUES)
def test_fuzzed_bad_values_are_refused_naming_the_key(key, value):
    with pytest.raises(ConfigError) as info:
        _set_and_validate(key, value)
    _assert_names(key, info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("market.tick", "abc"),
        ("market.horizon_units", "-3"),
        ("wind.k", "nan"),
        ("replications", "[1,2]"),
        ("plant.battery.efficiency", "{a: 1}"),
        ("seed", "null"),
        ("weights.q", "-inf"),
        ("population.households.count", "true"),
    ],
)
def test_fuzzed_cases_end_to_end(key, value):
    with pytest.raises(ConfigError) as info:
        load_config([f"{key}={value}"])
    _assert_names(key, info.value)


@settings(max_examples=15, deadline=None)
@given(key=st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True))
def test_fuzzed_unknown_keys_are_refused_naming_the_key(key):
    known = {k.split(".")[0] for k in OmegaConf.to_container(_BASE)}  # type: ignore[union-attr]
    assume(key.split(".")[0] not in known)  # unknown leaves of known sections: below
    with pytest.raises(ConfigError) as info:
        load_config([f"{key}=1"])
    assert key.split(".")[0] in str(info.value)


@pytest.mark.parametrize("key", ["market.horizn", "plant.battery.capacity", "wind.nope.deeper"])
def test_unknown_keys_inside_known_sections_are_refused(key):
    with pytest.raises(ConfigError, match="unknown key"):
        load_config([f"{key}=1"])
