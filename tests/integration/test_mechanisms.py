"""Every market mechanism on the tiny scenario: conservation, auctions, report, timing."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from rex_cli.cli.main import app
from rex_cli.config.load import ConfigError, load_config
from rex_cli.scenario.build import day_ahead_gates, forecast_units

MECHANISMS = ["rex", "call", "day_ahead", "day_ahead_intraday"]
runner = CliRunner()


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_cash_and_energy_are_conserved_exactly(tiny_run, mechanism):
    run = tiny_run(f"market={mechanism}")
    meta = (run.dir / "meta.json").read_text()
    assert '"status": "complete"' in meta
    assert abs(run.summary["cash_residual"]) < 1e-9
    assert abs(run.summary["energy_residual_kwh"]) < 1e-9
    # Independently: every unit's final positions sum to zero, and the trades' cash too.
    st = run.table("settlement")
    assert (st.groupby("target_unit")["position_lots"].sum() == 0).all()
    tr = run.table("trades")
    net = np.zeros(int(max(tr["buyer"].max(), tr["seller"].max())) + 1, dtype=np.int64)
    value = (tr["price_ticks"] * tr["qty_lots"]).to_numpy()
    np.add.at(net, tr["seller"].to_numpy(), value)
    np.subtract.at(net, tr["buyer"].to_numpy(), value)
    assert net.sum() == 0
    pos = st.groupby("agent")["position_lots"].sum()
    bought = tr.groupby("buyer")["qty_lots"].sum().reindex(pos.index, fill_value=0)
    sold = tr.groupby("seller")["qty_lots"].sum().reindex(pos.index, fill_value=0)
    assert (pos == bought - sold).all()


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_auction_records_match_the_trades(tiny_run, mechanism):
    run = tiny_run(f"market={mechanism}")
    au = run.table("auctions")
    tr = run.table("trades")
    kinds = {"rex": {"opening"}, "call": {"call"}, "day_ahead": {"day_ahead"},
             "day_ahead_intraday": {"day_ahead"}}[mechanism]  # fmt: skip
    assert set(au["kind"]) == kinds
    assert (au["volume_lots"] == np.minimum(au["demand_lots"], au["supply_lots"])).all()
    assert (au["volume_lots"] > 0).all()
    at = tr[tr["auction"]].groupby(["target_unit", "time_min"])
    vol = at["qty_lots"].sum()
    price = at["price_ticks"].agg(["min", "max"])
    key = au.set_index(["target_unit", "time_min"])
    assert vol.sort_index().equals(key["volume_lots"].sort_index().rename("qty_lots"))
    assert (price["min"] == price["max"]).all()
    assert (price["min"].sort_index() == key["price_ticks"].sort_index()).all()


def test_call_trades_only_in_calls_on_the_call_clock(tiny_run):
    run = tiny_run("market=call")
    tr = run.table("trades")
    assert tr["auction"].all()
    step = run.cfg.market.call_interval_minutes
    assert np.allclose(np.mod(tr["time_min"], step), 0.0)
    # the last call of a unit is at its gate closure, not after
    assert (tr["time_min"] <= tr["target_unit"] * run.cfg.market.unit_minutes).all()


def test_day_ahead_trades_once_at_the_gate_then_only_settles(tiny_run):
    run = tiny_run("market=day_ahead")
    tr = run.table("trades")
    ((gate, units),) = day_ahead_gates(run.cfg)
    assert gate == -720.0 and units == list(range(run.cfg.n_units))
    assert (tr["time_min"] == gate).all()
    au = run.table("auctions")
    assert sorted(au["target_unit"]) == sorted(set(au["target_unit"]))  # one per unit
    # forecasts reach the gate: lead times up to 12 h + the run's last unit
    fc = run.table("forecasts")
    assert fc["lead_time_min"].max() >= 720.0 + (run.cfg.n_units - 1) * 15.0
    assert forecast_units(run.cfg) * 15.0 >= fc["lead_time_min"].max()
    # the turbine offered exactly a step at its marginal cost
    ev = run.table("order_events")
    info = run.table("agent_info")
    turbine = int(info.loc[info["kind"] == "gas_turbine", "agent"].iloc[0])
    offers = ev[(ev["owner"] == turbine) & (ev["event"] == "limit")]
    cost = round(run.cfg.plant.gas_turbine.marginal_cost / run.cfg.market.tick)
    assert (offers["price_ticks"] == cost).all() and (offers["side"] == -1).all()
    assert len(offers) == run.cfg.n_units


def test_day_ahead_intraday_trades_continuously_after_the_auction(tiny_run):
    run = tiny_run("market=day_ahead_intraday")
    tr = run.table("trades")
    assert (tr.loc[tr["auction"], "time_min"] == -720.0).all()
    assert (~tr["auction"]).sum() > 0
    assert (tr.loc[~tr["auction"], "time_min"] > -720.0).all()


@pytest.mark.parametrize("mechanism", ["call", "day_ahead"])
def test_report_works_unchanged(tiny_run, mechanism):
    run = tiny_run(f"market={mechanism}")
    result = runner.invoke(app, ["report", str(run.dir)])
    assert result.exit_code == 0, result.output
    assert (run.dir / "report.md").is_file()


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("market.mechanism=auction", "market.mechanism"),
        ("market=call market.call_interval_minutes=7", "market.call_interval_minutes"),
        ("market.day_ahead_gate_hour=24", "market.day_ahead_gate_hour"),
        ("market.auction_price_points=1", "market.auction_price_points"),
        ("market=day_ahead population.homes.count=2", "population.homes.count"),
        ("market=day_ahead_intraday population.homes.count=2", "population.homes.count"),
    ],
)
def test_bad_mechanism_values_name_the_key(override, key):
    with pytest.raises(ConfigError, match=f"^{key}"):
        load_config(["debug=tiny", *override.split()])


def test_continuous_market_conf_keeps_working():
    cfg, _ = load_config(["debug=tiny", "market=continuous"])
    assert cfg.market.mechanism.value == "rex" and not cfg.market.opening_auction
