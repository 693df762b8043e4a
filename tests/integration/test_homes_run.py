"""Homes inside whole runs: conservation, per-client accounts adding up, EV physics.

The small prosumer variant used here: the tiny scenario plus eight homes with every
client type at share one half (``HOMES``).
"""

import numpy as np
import pytest

from rex_cli.scenario.build import build_homes, seed_tree

HOMES = (
    "population.homes.count=8",
    "population.homes.pv_share=0.5",
    "population.homes.battery_share=0.5",
    "population.homes.heat_pump_share=0.5",
    "population.homes.ev_share=0.5",
    "duration_hours=4",
)


@pytest.fixture(scope="module")
def run(tiny_run):
    r = tiny_run(*HOMES)
    names = ("agents", "clients", "client_units", "client_accounts", "plants", "settlement")
    return r, {t: r.table(t) for t in names}


def test_a_run_with_homes_conserves_cash_and_energy(run):
    r, t = run
    s = r.summary
    assert s["cash_residual"] < 1e-9
    assert s["energy_residual_kwh"] < 1e-9
    assert s["plant_constraint_violation"] < 1e-6
    assert s["welfare_planner"] >= s["welfare_rex"] - 1e-6
    homes = t["agents"][t["agents"]["kind"] == "home"]
    assert len(homes) == 8
    assert (homes["rhpo_failed"] == 0).all()


def test_per_client_accounts_add_up_to_the_homes(run):
    r, t = run
    s = r.summary
    assert s["homes_procurement_residual"] < 1e-9
    assert s["homes_welfare_residual"] < 1e-9
    acc = t["client_accounts"].groupby("agent").sum(numeric_only=True)
    agents = t["agents"].set_index("agent").loc[acc.index]
    paid = agents["imbalance_payment"] - agents["trade_cash"]
    np.testing.assert_allclose(acc["procurement_cost"], paid, atol=1e-9)
    for col in ("degradation_cost", "comfort_cost", "storage_cost", "backup_cost_share"):
        np.testing.assert_allclose(acc[col], agents[col], atol=1e-9)
    # Per unit: the clients' energy is the home's committed market input.
    per_unit = t["clients"].groupby(["agent", "target_unit"])["energy_kwh"].sum()
    plants = t["plants"].set_index(["agent", "target_unit"])["input_market_kwh"]
    np.testing.assert_allclose(
        per_unit.to_numpy(), plants.loc[per_unit.index].to_numpy(), atol=1e-9
    )
    # Settlement rounds each home's energy to whole lots.
    lot = r.cfg.market.lot_kwh
    assert s["homes_energy_residual_kwh"] <= 0.5 * lot * r.cfg.n_units + 1e-9


def test_evs_draw_nothing_while_away(run):
    r, t = run
    homes = build_homes(r.cfg, seed_tree(r.cfg))
    ids = t["agents"].loc[t["agents"]["kind"] == "home", "agent"].to_numpy()
    cl = t["clients"]
    n_ev = 0
    for aid, hs in zip(ids, homes, strict=True):
        if "ev" not in hs.clients:
            continue
        n_ev += 1
        b = next(b for b in hs.plant.clients if b.name == "ev")
        chargeable = hs.data.exogenous[: r.cfg.n_units, b.exogenous[1]]
        g = cl[(cl["agent"] == aid) & (cl["client"] == "ev")].sort_values("target_unit")
        g = g["energy_kwh"].to_numpy()
        assert np.all(g >= -1e-9)
        assert np.all(g[chargeable == 0.0] <= 1e-9)
        assert np.all(g <= chargeable + 1e-9)
    assert n_ev == 4


def test_the_same_config_gives_the_same_bytes_with_homes(run, tiny_run):
    r, _ = run
    again = tiny_run(*HOMES, fresh=True)
    digest = (r.dir / "digest.txt").read_text()
    assert "clients" in digest
    assert (again.dir / "digest.txt").read_text() == digest


@pytest.mark.parametrize("resolve", [True, False])
def test_homes_quote_like_every_plant_coordinator(resolve):
    """Homes take the same quoting and solving settings from ``population.rhpo`` as the
    plants."""
    from rex_cli.agents.home import HomeCoordinator
    from rex_cli.agents.rhpo import PlantCoordinator
    from rex_cli.config.load import load_config
    from rex_cli.scenario.build import build_world

    cfg, _ = load_config(
        [
            "debug=tiny",
            *HOMES,
            f"population.rhpo.quote_resolve={resolve}",
            f"population.rhpo.warm_resolve={not resolve}",
        ]
    )
    world = build_world(cfg, seed_tree(cfg))
    coords = [c for c in world.coordinators if isinstance(c, PlantCoordinator)]
    homes = [c for c in coords if isinstance(c, HomeCoordinator)]
    assert len(homes) == 8 and len(coords) > 8
    rc = cfg.population.rhpo
    settings = {(c.quote_resolve, c.margin, c.stored_value, c.gate_redispatch) for c in coords}
    assert settings == {(resolve, rc.margin, rc.stored_energy_value, rc.gate_redispatch)}
    assert {c.solver.warm for c in coords} == {not resolve}
