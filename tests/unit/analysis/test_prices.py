import numpy as np
import pandas as pd
import pytest

from rex_cli.analysis.prices import (
    imbalance_vs_forecast_error,
    term_structure,
    time_weighted_spread,
)


def test_imbalance_vs_forecast_error_uses_the_forecast_in_force_at_the_lead():
    fc = pd.DataFrame(
        {
            "agent": [0, 0, 0, 1, 1],
            "target_unit": [5, 5, 5, 5, 5],
            "time_min": [0.0, 40.0, 70.0, 0.0, 60.0],
            "lead_time_min": [75.0, 35.0, 5.0, 75.0, 15.0],
            "forecast_kwh": [1.0, 1.3, 1.1, -2.0, -2.5],
            "realised_kwh": [1.1] * 3 + [-2.5] * 2,
        }
    )
    st = pd.DataFrame({"agent": [0, 1], "target_unit": [5, 5], "imbalance_kwh": [0.2, -0.5]})
    t = imbalance_vs_forecast_error(fc, st, lead_min=30.0).set_index("agent")
    # Agent 0: at lead 30 the forecast in force is 1.3 (set at lead 35): error +0.2.
    # Agent 1: only the opening forecast -2.0 is older than lead 30: error +0.5.
    assert t.loc[0, "forecast_error_kwh"] == pytest.approx(0.2)
    assert t.loc[1, "forecast_error_kwh"] == pytest.approx(0.5)
    assert t.loc[1, "imbalance_kwh"] == -0.5


def test_time_weighted_spread_by_hand():
    # Unit 3: spread 2 ticks for 10 min, then one side empty for 5 min, then 4 ticks
    # for 5 min until the gate at t=20: (2*10 + 4*5) / 15 = 2.667 ticks.
    quotes = pd.DataFrame(
        {
            "time_min": [0.0, 10.0, 15.0],
            "target_unit": [3, 3, 3],
            "bid_ticks": [100, -1, 98],
            "ask_ticks": [102, 103, 102],
        }
    )
    gate = pd.DataFrame({"target_unit": [3], "time_min": [20.0]})
    s = time_weighted_spread(quotes, gate, tick=0.01)
    assert s.loc[3] == pytest.approx((2 * 10 + 4 * 5) / 15 * 0.01)


def test_term_structure_buckets_by_whole_units():
    trades = pd.DataFrame(
        {
            "lead_time_min": [5.0, 14.9, 15.0, 16.0],
            "price": [1.0, 3.0, 2.0, 4.0],
            "qty_kwh": [1.0, 1.0, 2.0, 1.0],
        }
    )
    ts = term_structure(trades, unit_minutes=15.0).set_index("lead_units")
    assert list(ts.index) == [1, 2]
    assert ts.loc[1, "vwap"] == pytest.approx((1 * 1 + 3 * 1 + 2 * 2) / 4)
    assert ts.loc[2, "trades"] == 1 and np.isnan(ts.loc[2, "price_std"])
