"""The procurement sharing rule on a hand-computed home."""

import pandas as pd
import pytest

from rex_cli.analysis.clients import procurement_shares


def test_clients_pay_the_market_price_plus_a_gross_share_of_the_residual():
    # Home 7, unit 0: base load 1.0, PV −0.5, heat pump 1.5 kWh -> E = 2.0 kWh.
    clients = pd.DataFrame(
        {
            "agent": [7, 7, 7, 7, 7, 7],
            "client": ["base_load", "pv", "heat_pump"] * 2,
            "target_unit": [0, 0, 0, 1, 1, 1],
            "energy_kwh": [1.0, -0.5, 1.5, 0.0, 0.0, 0.0],
        }
    )
    # Unit 0 trades: home 7 buys 2.0 kWh at 0.2 from agent 1; agents 1 and 2 trade
    # 2.0 kWh at 0.3 -> VWAP (0.4 + 0.6) / 4 = 0.25. Unit 1: no trade.
    trades = pd.DataFrame(
        {
            "target_unit": [0, 0],
            "price": [0.2, 0.3],
            "qty_kwh": [2.0, 2.0],
            "buyer": [7, 2],
            "seller": [1, 1],
        }
    )
    settlement = pd.DataFrame(
        {"agent": [7, 7], "target_unit": [0, 1], "imbalance_payment": [0.05, -0.01]}
    )
    unit_prices = pd.DataFrame(
        {"target_unit": [0, 1], "short_price": [0.4, 0.5], "long_price": [0.0, 0.1]}
    )
    out = procurement_shares(clients, trades, settlement, unit_prices)
    # Unit 0: K = 0.4 + 0.05 = 0.45; p = 0.25; residual 0.45 − 0.5 = −0.05 over gross 3.0.
    u0 = out[out["target_unit"] == 0]
    expected = [0.25 * 1.0 - 0.05 / 3, 0.25 * -0.5 - 0.05 * 0.5 / 3, 0.25 * 1.5 - 0.05 * 1.5 / 3]
    assert u0["procurement_cost"].tolist() == pytest.approx(expected, abs=1e-12)
    assert u0["procurement_cost"].sum() == pytest.approx(0.45, abs=1e-12)
    # Unit 1: no energy, no trade -> the imbalance payment in equal parts at p = 0.3.
    u1 = out[out["target_unit"] == 1]
    assert u1["reference_price"].tolist() == pytest.approx([0.3] * 3)
    assert u1["procurement_cost"].tolist() == pytest.approx([-0.01 / 3] * 3, abs=1e-12)
