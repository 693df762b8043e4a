"""Every config composes; bad values fail with a message naming the key."""

import pytest

from rex_cli.config.load import ConfigError, config_dir, group_options, load_config
from rex_cli.config.schema import ImbalanceConfig, ImbalanceRule


def _all_options():
    root = config_dir()
    for group in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for option in group_options(group):
            yield f"{group}={option}"


@pytest.mark.parametrize("override", list(_all_options()))
def test_every_option_of_every_group_composes_and_validates(override):
    cfg, raw = load_config([override])
    assert cfg.n_units >= 1
    assert raw.seed == cfg.seed


def test_defaults():
    cfg, _ = load_config([])
    assert cfg.market.unit_minutes == 15.0
    assert cfg.market.lot_kwh == 0.1
    assert cfg.market.tick == 0.001
    assert cfg.market.opening_auction is True
    assert cfg.n_units == 96
    # Issue 12's evidence (docs/model.md, RHPO): plants arrive 8 times an hour, quote
    # one lot beyond their plan (δ, the step of λ±) and value stored energy at the
    # turbine's marginal cost.
    assert cfg.population.rhpo.arrival_rate_per_hour == 8.0
    assert cfg.population.rhpo.quote_kwh == cfg.market.lot_kwh
    assert cfg.population.rhpo.stored_energy_value == cfg.plant.gas_turbine.marginal_cost


def test_overrides_reach_the_typed_config():
    cfg, _ = load_config(["market.horizon_units=4", "seed=9", "population=tiny", "rng=philox"])
    assert cfg.market.horizon_units == 4
    assert cfg.seed == 9
    assert cfg.population.name == "tiny"
    assert cfg.rng.bit_generator.value == "philox"


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("market.tick=-1", "market.tick"),
        ("market.horizon_units=0", "market.horizon_units"),
        ("market.horizn=3", "market.horizn"),
        ("market.lot_kwh=abc", "market.lot_kwh"),
        ("seed=-4", "seed"),
        ("population=does_not_exist", "population"),
        ("market.unit_minutes=0", "market.unit_minutes"),
        ("imbalance.rule=bogus", "imbalance.rule"),
        (
            "population.coordinator.arrival_rate_per_hour=0",
            "population.coordinator.arrival_rate_per_hour",
        ),
        ("wind.rho=1.5", "wind.rho"),
        ("+extra=1", "extra"),
        ("strategy.shares.zip=0.5", "strategy.shares"),
        ("strategy.zip.beta_max=0.05", "strategy.zip.beta_max"),
        ("strategy.aa.ceiling=5", "strategy.aa.ceiling"),
        ("strategy=greedy", "strategy"),
        ("weights.damp_costs=maybe", "weights.damp_costs"),
        ("population.homes.pv_share=1.5", "population.homes.pv_share"),
        ("population.homes.pv_kwp_max=1", "population.homes.pv_kwp_max"),
        ("population.homes.pv_kwp_min=0", "population.homes.pv_kwp_min"),
        ("population.homes.ev.arrival_mean_h=30", "population.homes.ev.arrival_mean_h"),
        ("population.homes.ev.soc_init_max=0.1", "population.homes.ev.soc_init_max"),
    ],
)
def test_bad_values_name_their_key_in_one_line(override, key):
    with pytest.raises(ConfigError) as info:
        load_config([override])
    msg = str(info.value)
    assert msg.startswith(key), msg
    assert "\n" not in msg


# Config sections keep their own range checks (the schema builds no engine objects), so a
# section that mirrors an engine parameter class must stay its twin: same fields and
# defaults, and the same values rejected.
_PV_BAD = [
    ("kwp", 0.0), ("kwp", -1.0), ("tilt_deg", -1.0), ("tilt_deg", 95.0),
    ("azimuth_deg", 181.0), ("albedo", 1.5), ("noct_c", 20.0), ("gamma_per_c", 0.001),
    ("gamma_per_c", -0.03), ("inverter_efficiency", 0.0), ("inverter_efficiency", 1.1),
    ("losses", 1.0), ("losses", -0.1), ("inverter_kw", 0.0),
]  # fmt: skip


def test_pv_config_is_the_twin_of_pv_params():
    from dataclasses import asdict

    from rex_cli.config.schema import PvConfig
    from rex_cli.stochastic.pv import PvParams

    assert asdict(PvConfig()) == asdict(PvParams())
    for name, value in _PV_BAD:
        with pytest.raises(ValueError, match=f"^{name} "):
            PvConfig(**{name: value})
        with pytest.raises(ValueError, match=f"^{name} "):
            PvParams(**{name: value})


def test_home_ev_config_holds_the_trip_params_with_their_defaults():
    from dataclasses import asdict

    from rex_cli.config.schema import HomeEvConfig
    from rex_cli.stochastic.ev import EvTripParams

    trips, ev = asdict(EvTripParams()), asdict(HomeEvConfig())
    assert trips == {k: ev[k] for k in trips}


def test_single_imbalance_price_follows_the_system_direction():
    from rex_cli.config.schema import ImbalanceRule

    imb = ImbalanceConfig(rule=ImbalanceRule.single, reference_price=0.2, short_markup=0.5,
                          long_discount=0.5, floor=0.0, cap=2.0)  # fmt: skip
    # System short (backup supplies 1 kWh): everyone's imbalance at 0.3 x 1.5 = 0.45,
    # the long participants' too; system long: 0.3 x 0.5 = 0.15 for all; balanced: VWAP.
    assert imb.prices(0.3, 1.0) == pytest.approx((0.45, 0.45))
    assert imb.prices(0.3, -2.0) == pytest.approx((0.15, 0.15))
    assert imb.prices(0.3, 0.0) == pytest.approx((0.3, 0.3))
    assert imb.prices(None, 0.5) == pytest.approx((0.3, 0.3))  # reference 0.2 x 1.5
    # Before settlement (no direction yet) and as expected by participants: both prices.
    assert imb.prices(0.3) == pytest.approx((0.45, 0.15))
    assert imb.expected_prices() == pytest.approx((0.3, 0.1))
    capped = ImbalanceConfig(rule=ImbalanceRule.single, cap=0.4, floor=0.12)
    assert capped.prices(0.5, 3.0) == pytest.approx((0.4, 0.4))
    assert capped.prices(0.2, -3.0) == pytest.approx((0.12, 0.12))


def test_dual_vwap_imbalance_prices_by_hand():
    imb = ImbalanceConfig(
        reference_price=0.2, short_markup=0.5, long_discount=0.5, floor=0.0, cap=2.0
    )
    assert imb.prices(0.3) == pytest.approx((0.45, 0.15))
    assert imb.prices(None) == pytest.approx((0.3, 0.1))  # falls back to the reference
    capped = ImbalanceConfig(cap=0.4)
    assert capped.prices(0.5)[0] == pytest.approx(0.4)
    fixed = ImbalanceConfig(rule=ImbalanceRule.fixed, short_price=0.5, long_price=0.05)
    assert fixed.prices(0.3) == (0.5, 0.05)
