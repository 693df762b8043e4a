import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rex_cli.analysis.replications import replication_table, t_interval


@pytest.mark.parametrize("n", [2, 3, 7, 30])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_equals_scipy(n, confidence):
    x = np.random.default_rng(n).normal(3.0, 2.0, size=n)
    mean, std, lo, hi = t_interval(x, confidence)
    ref = stats.t.interval(confidence, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(x.mean())
    assert std == pytest.approx(x.std(ddof=1))
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)


def test_t_interval_degenerate_cases():
    assert all(math.isnan(v) for v in t_interval(np.array([])))
    mean, std, lo, hi = t_interval(np.array([4.0, np.nan]))
    assert mean == 4.0 and math.isnan(std) and math.isnan(lo) and math.isnan(hi)


def test_replication_table_groups_and_ignores_identifiers():
    per_run = pd.DataFrame(
        {
            "tick": [1, 1, 1, 2, 2, 2],
            "seed": [1, 2, 3, 1, 2, 3],
            "vwap": [0.1, 0.2, 0.3, 1.0, 1.0, 1.0],
            "label": ["a"] * 6,
        }
    )
    t = replication_table(per_run, by=["tick"])
    assert list(t["metric"].unique()) == ["vwap"]  # seed and strings are not metrics
    one = t[t["tick"] == 1].iloc[0]
    assert one["n"] == 3 and one["mean"] == pytest.approx(0.2) and one["std"] == pytest.approx(0.1)
    half = stats.t.ppf(0.975, 2) * 0.1 / math.sqrt(3)
    assert (one["ci_low"], one["ci_high"]) == pytest.approx((0.2 - half, 0.2 + half))
    two = t[t["tick"] == 2].iloc[0]
    assert two["std"] == 0.0 and two["ci_low"] == two["ci_high"] == 1.0


def test_null_metrics_stay_metrics_and_notes_are_ignored():
    # Efficiencies are None when their denominator is tiny: in some runs or in all.
    per_run = pd.DataFrame(
        [
            {"seed": 1, "efficiency": 0.5, "efficiency_same_info": None, "efficiency_note": "x"},
            {"seed": 2, "efficiency": None, "efficiency_same_info": None, "efficiency_note": None},
            {"seed": 3, "efficiency": 0.7, "efficiency_same_info": None, "efficiency_note": "y"},
        ]
    )
    t = replication_table(per_run).set_index("metric")
    assert set(t.index) == {"efficiency", "efficiency_same_info"}
    assert t.loc["efficiency", "n"] == 2
    assert t.loc["efficiency", "mean"] == pytest.approx(0.6)
    assert t.loc["efficiency_same_info", "n"] == 0
    assert math.isnan(t.loc["efficiency_same_info", "mean"])
